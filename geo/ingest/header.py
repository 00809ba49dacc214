"""Where a CSV file's header is, what separates its fields, and its column names.

Decided on the decoded text before any row is parsed (:mod:`geo.ingest.reader`):
blank lines and an Excel ``sep=`` line before the header are skipped, the
delimiter is the most frequent of :data:`DELIMITERS` outside quotes on the header
line, and names are stripped, filled in when empty and refused when repeated.
"""

from __future__ import annotations

import io
import re

from geo.report import FileRefused

__all__ = ["DELIMITERS", "clean_header", "header_start", "pick_delimiter"]

#: Delimiters recognised on the header line, in order of preference on ties.
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")

_NUMERICISH_RE = re.compile(r"^[\d\s.,:/+\-eE]+$")
_SEP_LINE_RE = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)


def header_start(text: str, prefix: int = 65_536) -> tuple[int, int, str | None]:
    """Offset and line of the header, skipping blank lines and an Excel ``sep=`` line.

    The header is nearly always in the first ``prefix`` characters: look there
    first (a whole large text would be copied into the line iterator).
    """
    if len(text) > prefix:
        pos, line, forced = header_start(text[:prefix], prefix)
        if pos < prefix:
            return pos, line, forced
    pos, line, forced = 0, 1, None
    for raw in io.StringIO(text, newline=""):
        stripped = raw.strip()
        match = _SEP_LINE_RE.match(raw) if forced is None else None
        if match and match.group(1) in DELIMITERS:
            forced = match.group(1)
        elif stripped:
            return pos, line, forced
        pos += len(raw)
        line += 1
    return pos, line, forced


def _count_delimiters(text: str, start: int) -> dict[str, int]:
    """Count each delimiter outside quotes in the first record from ``start``."""
    counts = dict.fromkeys(DELIMITERS, 0)
    in_quotes = False
    limit = min(len(text), start + 1_000_000)
    for ch in text[start:limit]:
        if ch == '"':
            in_quotes = not in_quotes
        elif in_quotes:
            continue
        elif ch in "\r\n":
            break
        elif ch in counts:
            counts[ch] += 1
    return counts


def pick_delimiter(text: str, start: int, forced: str | None) -> str:
    if forced:
        return forced
    counts = _count_delimiters(text, start)
    best = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    if counts[best] == 0:
        first = text[start:].split("\n", 1)[0].strip()[:60]
        raise FileRefused(
            "The first line has no comma, semicolon, tab or | between column names, so the "
            f"file has a single column ({first!r}): this is not a table of incidents."
        )
    return best


def clean_header(fields: list[str]) -> list[str]:
    """The header's column names, stripped; ``column_<n>`` for an empty one.

    Raises
    ------
    FileRefused
        A name appears twice, or every name looks like a value (no header).
    """
    names = []
    for i, raw in enumerate(fields, start=1):
        name = raw.replace("\ufeff", "").strip()
        names.append(name or f"column_{i}")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise FileRefused(
                f"The header names the column {name!r} twice: rename one of them and upload again."
            )
        seen.add(name)
    named = [f for f in fields if f.strip()]
    if named and all(_NUMERICISH_RE.match(f) for f in named):
        raise FileRefused(
            "The first line holds values, not column names: add a header row "
            "(for example event_date, location, latitude, longitude) and upload again."
        )
    return names
