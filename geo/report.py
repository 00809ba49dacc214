"""Problems found in input, and the report an ingest returns.

Every stage (reader, formats, validate, geocode, spatial, store) speaks in
:class:`Issue` objects so the CLI, the Data page and the tests read one shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

__all__ = ["FileRefused", "IngestReport", "Issue"]

Level = Literal["error", "warning"]


class FileRefused(Exception):
    """The whole file cannot be used; nothing was written.

    The message is one sentence meant for the analyst, e.g.
    ``"This looks like an Excel workbook (.xlsx), not a CSV: save it as CSV and upload again."``
    """


@dataclass
class Issue:
    """One problem with one cell or row.

    Parameters
    ----------
    line : int or None
        Line number in the uploaded file where the row starts (header = 1).
    column : str or None
        Column name as it appears in the file (or the canonical name).
    value : str or None
        The offending value, as text (truncated to 200 characters).
    message : str
        The reason, for a person.
    level : {"error", "warning"}
        Errors reject the row; warnings keep it.
    candidates : list of dict
        For ambiguous geocodes: the places that could be meant, best first.
    """

    line: int | None
    column: str | None
    value: str | None
    message: str
    level: Level = "error"
    candidates: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.value is not None:
            self.value = str(self.value)[:200]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of DESIGN.md §5: line, column, value, message (+ candidates)."""
        out = {
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }
        if self.candidates:
            out["candidates"] = self.candidates
        return out


@dataclass
class IngestReport:
    """What one ingest did (or, for a dry run, would do).

    ``sheet`` names the sheet read when the file was an Excel workbook.
    """

    file: str
    format: str
    upload_id: str | None = None
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    updated: int = 0
    duplicates: int = 0
    geocoded: int = 0
    dry_run: bool = False
    sheet: str | None = None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report printed by ``python -m geo ingest``.

        Built field by field: :func:`dataclasses.asdict` would deep-copy every
        issue (and its candidates) only for them to be replaced, which costs
        seconds for a file with a hundred thousand issues.
        """
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["errors"] = [i.to_dict() for i in self.errors]
        out["warnings"] = [i.to_dict() for i in self.warnings]
        return out
