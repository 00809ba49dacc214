"""Phase 1 of the pipeline: a file's bytes as a table in the canonical columns.

:func:`read_table` reads a workbook's sheet or a CSV as text (the readers refuse a
file over a limit before parsing a row); :func:`map_columns` then decides the
layout and the column mapping and renames to the canonical columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from geo.config import get_settings
from geo.ingest.reader import LINE_COLUMN as LINE
from geo.ingest.reader import read_csv_bytes
from geo.report import Issue

if TYPE_CHECKING:
    import pandas as pd

    from geo.ingest.reader import ReadResult

__all__ = ["LINE", "map_columns", "read_table"]


def read_table(data: bytes, sheet: str | None) -> ReadResult:
    """The file as a table of text: an Excel workbook's sheet, or else the CSV."""
    from geo.ingest.workbook import is_workbook, read_workbook_bytes

    settings = get_settings()
    limits = {"max_bytes": settings.max_upload_bytes, "max_rows": settings.max_rows}
    if is_workbook(data):  # by content: a workbook renamed .csv is still one
        return read_workbook_bytes(data, sheet=sheet, **limits)
    read = read_csv_bytes(data, **limits)
    if sheet is not None:
        message = "The file is not a workbook: the sheet named was ignored, the whole file read."
        read.warnings.insert(0, Issue(None, None, sheet, message, level="warning"))
    return read


def map_columns(
    data: bytes,
    sheet: str | None,
    fmt: str,
    mapping: Mapping[str, str | None] | None,
    overrides: Mapping[str, str] | None,
) -> tuple[ReadResult, str, Mapping[str, str | None], pd.DataFrame, list[Issue]]:
    """Phase 1: read the file (the reader refuses one over a limit before parsing a
    row), decide its format and column mapping, and rename to the canonical columns."""
    from geo.ingest.formats import (
        FORMATS,
        apply_overrides,
        clean_mapping,
        default_mapping,
        detect_format,
        to_canonical,
    )

    read = read_table(data, sheet)
    columns = [c for c in read.frame.columns if c != LINE]
    used_fmt = detect_format(columns) if fmt == "auto" else fmt
    if used_fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected auto or one of {', '.join(FORMATS)}")
    used_mapping = (
        clean_mapping(mapping) if mapping is not None else default_mapping(columns, used_fmt)
    )
    if overrides:
        used_mapping = apply_overrides(columns, used_mapping, overrides)
    canonical, format_issues = to_canonical(read.frame, used_fmt, used_mapping)
    return read, used_fmt, used_mapping, canonical, format_issues
