"""The ingest pipeline: file bytes → checked, placed rows → one upload in the store.

Stages (each speaks in :class:`~geo.report.Issue` objects)::

    limits → reader (CSV) or workbook (Excel) → formats → validate → geocode → spatial → store

:func:`prepare` runs every stage but the last and writes nothing (the Data page
shows its result for review); :func:`commit` (:mod:`geo.ingest.upload`) stores a
prepared upload in one transaction; :func:`ingest_bytes` and :func:`ingest_path`
do both, or only the first for a dry run.

Counting (the JSON report of ``python -m geo ingest``)
------------------------------------------------------
``rows_read``
    Data records in the file, including the ones the reader could not split.
``rejected``
    Distinct file lines with at least one error, from any stage. Every rejected
    line has an error naming it.
``accepted``
    Rows written: new incidents plus new versions of stored ones.
``updated``
    Of those, rows that replaced a stored version with different content.
``duplicates``
    Good rows already stored with identical content (nothing written).
``geocoded``
    Rows placed by the geocoder (gazetteer, province point, Nominatim or an
    analyst's choice) rather than by the file's coordinates.

So ``rows_read == accepted + duplicates + rejected``. Before the store is
consulted (a dry run without a store) ``accepted`` counts every good row.

A file that cannot be used at all (over the size or row limit, not a CSV, no
usable columns) raises :class:`~geo.report.FileRefused` before anything is
written.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo._memory import release_freed_memory
from geo.ingest.ahead import known_points, locate_ahead
from geo.ingest.defaults import default_gazetteer, prefetch_gazetteer
from geo.ingest.limits import read_upload_file
from geo.ingest.tabular import LINE, map_columns
from geo.ingest.upload import commit, gc_paused, preview
from geo.report import IngestReport, Issue

if TYPE_CHECKING:
    from geo.places.boundaries import Located
    from geo.places.gazetteer import Gazetteer
    from geo.store.core import Store

__all__ = [
    "Prepared",
    "commit",
    "default_gazetteer",
    "ingest_bytes",
    "ingest_path",
    "prepare",
]


@dataclass
class Prepared:
    """An upload checked and placed, ready to store (nothing written yet).

    Attributes
    ----------
    frame : pandas.DataFrame
        The rows that would be stored: canonical columns typed like
        :func:`geo.schema.normalise_dtypes`, plus ``_line`` (the file line).
    report : IngestReport
        Counts and issues; ``upload_id`` is None until :func:`commit`.
    format : str
        The format used (detected or given).
    mapping : dict
        ``{file column: canonical column}`` used.
    ambiguous : list of Issue
        Geocoding issues that carry candidate places (for the analyst to
        choose from; pass the choices back as ``choices={line: candidate}``).
    file : str
        The file name as uploaded.
    sha256 : str
        SHA-256 of the file's bytes.
    columns : list of str
        The file's header names.
    """

    frame: pd.DataFrame
    report: IngestReport
    format: str
    mapping: dict[str, str]
    ambiguous: list[Issue] = field(default_factory=list)
    file: str = ""
    sha256: str = ""
    columns: list[str] = field(default_factory=list)


def _lines_of(issues: list[Issue]) -> set[int]:
    return {int(i.line) for i in issues if i.line is not None}


def _no_coordinates(frame: pd.DataFrame) -> np.ndarray:
    lat = pd.to_numeric(frame["latitude"], errors="coerce")
    lon = pd.to_numeric(frame["longitude"], errors="coerce")
    return (lat.isna() | lon.isna()).to_numpy()


@gc_paused()  # a contextmanager is also a decorator
def prepare(
    data: bytes,
    filename: str,
    *,
    fmt: str = "auto",
    mapping: Mapping[str, str | None] | None = None,
    gazetteer: Gazetteer | None = None,
    choices: Mapping[int, Mapping[str, Any]] | None = None,
    online: Any = None,
    cache: Any = None,
    overrides: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> Prepared:
    """Read, map, validate, geocode and place an upload without writing anything.

    It reads as its phases: :func:`~geo.ingest.tabular.map_columns` (read, detect
    the layout, rename) → ``validate`` → :func:`_place_rows` (geocode, reject the
    unplaced) → :func:`_join` (countries, provinces, border distance) →
    :func:`_account_for_every_line` (no line vanishes without a reason) → the report.

    Parameters
    ----------
    data : bytes
        The whole file.
    filename : str
        Its name (kept in the upload history).
    fmt : {"auto", "native", "acled", "ucdp", "gtd"}
        The format, or "auto" to detect it from the header.
    mapping : dict, optional
        ``{file column: canonical column}`` replacing the format's default.
    overrides : dict, optional
        ``{file column: canonical column or ""}`` laid over the mapping (the
        CLI's ``--map``): only the columns named change; ``""`` ignores one.
    gazetteer : Gazetteer, optional
        Used for rows without coordinates; :func:`default_gazetteer` when
        needed and not given.
    choices : dict, optional
        ``{file line: chosen candidate}`` for ambiguous places.
    online, cache
        Passed to :func:`geo.places.geocode.geocode_rows` (opt-in Nominatim and its cache).
    sheet : str, optional
        For an Excel workbook, the sheet to read (see :mod:`geo.ingest.workbook`).

    Returns
    -------
    Prepared

    Raises
    ------
    FileRefused
        The file cannot be used at all; nothing was written.
    """
    data = bytes(data)
    prefetch_gazetteer(data, gazetteer)
    read, used_fmt, used_mapping, canonical, format_issues = map_columns(
        data, sheet, fmt, mapping, overrides
    )
    frame = read.frame
    _give_back_memory(frame)  # what parsing the file held
    located = locate_ahead(canonical)  # the file's points, on the other core meanwhile
    columns = [c for c in frame.columns if c != LINE]
    from geo.ingest.validate import validate

    checked = validate(canonical, fmt=used_fmt, source=frame)

    errors: list[Issue] = [*read.errors, *_errors(format_issues), *checked.errors]
    warnings: list[Issue] = [*read.warnings, *_warnings(format_issues), *checked.warnings]
    read_lines = set(pd.to_numeric(frame[LINE], errors="coerce").dropna().astype(int))
    unreadable = _lines_of(read.errors) - read_lines
    rows_read, sheet_read = len(frame) + len(unreadable), read.sheet
    valid = checked.valid
    # the file's text and its mapped copy are not needed any more: at a million rows
    # they hold about a gigabyte that placing the rows would otherwise add to
    del read, frame, canonical, checked
    _give_back_memory(valid)

    placed, geocoded, ambiguous = _place_rows(
        valid, errors, warnings, gazetteer, choices=choices, online=online, cache=cache
    )
    # the rows before the unplaced were dropped are a copy the join would add to
    del valid
    _give_back_memory(placed)
    rows, spatial_issues = _join(placed, known_points(located))
    del placed
    warnings.extend(spatial_issues)
    rows["upload_id"] = None
    _account_for_every_line(rows, read_lines | unreadable, errors, warnings)
    warnings = _kept_only(rows, warnings)

    report = IngestReport(
        file=filename,
        format=used_fmt,
        rows_read=rows_read,
        accepted=len(rows),
        rejected=len(_lines_of(errors)),
        geocoded=max(geocoded, 0),
        sheet=sheet_read,
        errors=errors,
        warnings=warnings,
    )
    return Prepared(
        frame=rows,
        report=report,
        format=used_fmt,
        mapping=dict(used_mapping),
        ambiguous=ambiguous,
        file=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        columns=columns,
    )


def _place_rows(
    rows: pd.DataFrame,
    errors: list[Issue],
    warnings: list[Issue],
    gazetteer: Gazetteer | None,
    *,
    choices: Mapping[int, Mapping[str, Any]] | None,
    online: Any,
    cache: Any,
) -> tuple[pd.DataFrame, int, list[Issue]]:
    """Phase 2: geocode the rows without a point and reject those still unplaced.

    Appends to *errors* and *warnings*; returns the placed rows (ready for
    :func:`_join`), how many were geocoded and the ambiguous places."""
    if not len(rows):
        return rows, 0, []
    need = _no_coordinates(rows)
    gaz = gazetteer
    if gaz is None and need.any():
        gaz = default_gazetteer()
    from geo.places.geocode import geocode_rows

    rows, geo_issues = geocode_rows(rows, gaz, choices=choices, online=online, cache=cache)
    _give_back_memory(rows)  # before the placed rows are copied out
    geocoded = int(rows.attrs.get("geocoded", 0))
    abroad_lines = set(rows.loc[_outside_region(rows) & _no_coordinates(rows), LINE].tolist())
    geo_issues = [i for i in geo_issues if not (i.level == "error" and i.line in abroad_lines)]
    errors.extend(_errors(geo_issues))
    warnings.extend(_warnings(geo_issues))
    ambiguous = [i for i in geo_issues if i.candidates]

    # every row still without a point is rejected with a reason, except a row the
    # file places in a country beyond the gazetteer's (kept, unmapped, with a warning)
    lines = rows[LINE].to_numpy()
    known = _lines_of(errors)
    abroad = _outside_region(rows)
    for pos in np.flatnonzero(_no_coordinates(rows)):
        line = int(lines[pos])
        if line in known:
            continue
        if abroad[pos]:
            warnings.append(_unmapped(rows.iloc[pos], line))
        else:
            errors.append(_unplaced(rows.iloc[pos], line))
    bad = _lines_of(errors)
    placed_mask = ~pd.Series(lines).isin(bad).to_numpy()
    if bad:
        placed = rows.loc[placed_mask].reset_index(drop=True)
        geocoded -= int(
            (rows.loc[~placed_mask, "geocode_source"].fillna("provided") != "provided").sum()
        )
    else:
        placed = rows
    return placed, geocoded, ambiguous


def _account_for_every_line(
    rows: pd.DataFrame, lines: set[int], errors: list[Issue], warnings: list[Issue]
) -> None:
    """Phase 3: a line of the file that is neither kept nor named by an error gets
    one (never silent); both lists end sorted by line."""
    rejected = lines - set(rows[LINE].astype(int).tolist())
    for line in sorted(rejected - _lines_of(errors)):
        errors.append(Issue(line, None, None, "the row was rejected by the checks"))
    errors.sort(key=lambda i: (i.line is None, i.line or 0))
    warnings.sort(key=lambda i: (i.line is None, i.line or 0))


def _kept_only(rows: pd.DataFrame, warnings: list[Issue]) -> list[Issue]:
    """The warnings about the file or about a row that is kept (a rejected row's
    warnings would only repeat its error)."""
    kept = set(rows[LINE].astype(int).tolist())
    return [w for w in warnings if w.line is None or w.line in kept]


def _give_back_memory(rows: pd.DataFrame) -> None:
    """Between the phases of a large upload, hand what the last one freed back to the
    system (:mod:`geo._memory`): at a million rows the peak is about 90 MB lower."""
    if len(rows) >= _RELEASE_FROM:
        release_freed_memory()


def _join(rows: pd.DataFrame, known: Located | None) -> tuple[pd.DataFrame, list[Issue]]:
    from geo.places.spatial import join

    if not len(rows):
        return rows, []
    return join(rows, known)


def _errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.level == "error"]


def _warnings(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.level != "error"]


#: Countries the offline gazetteer and the boundaries cover.
_REGION = {"AFG", "PAK"}
#: From this many rows the memory freed between phases is given back (_give_back_memory)
_RELEASE_FROM = 100_000


def _outside_region(rows: pd.DataFrame) -> np.ndarray:
    """Rows whose file names a country (ISO3) other than Afghanistan and Pakistan."""
    codes = rows["country_code"].astype(object)
    return (codes.notna() & ~codes.isin(list(_REGION))).to_numpy()


def _unmapped(row: pd.Series, line: int) -> Issue:
    where = ", ".join(str(v) for v in (row.get("admin1"), row.get("country")) if v)
    return Issue(
        line,
        "latitude",
        None,
        f"No coordinates, and the offline gazetteer covers Afghanistan and Pakistan only: "
        f"kept with the place the file gives ({where or row.get('country_code')}) but not "
        "drawn on the map.",
        level="warning",
    )


def _unplaced(row: pd.Series, line: int) -> Issue:
    place = row.get("location") or row.get("admin1") or row.get("country")
    if place:
        message = f"no coordinates, and the place {place!r} could not be located"
    else:
        message = "no coordinates and no place name to look up"
    return Issue(line, "location", place, message)


class _ReadOnlyCache:
    """A geocode cache that reads the store's answers and keeps new ones in memory."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._mine: dict[str, dict[str, Any]] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        return self._mine.get(key) or self._inner.get(key)

    def put(self, key: str, value: dict[str, Any]) -> None:
        self._mine[key] = value


def ingest_bytes(
    data: bytes,
    filename: str,
    store: Store | None,
    *,
    fmt: str = "auto",
    mapping: Mapping[str, str | None] | None = None,
    dry_run: bool = False,
    choices: Mapping[int, Mapping[str, Any]] | None = None,
    gazetteer: Gazetteer | None = None,
    online: Any = None,
    overrides: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> IngestReport:
    """Prepare and (unless ``dry_run``) commit one file.

    Parameters
    ----------
    data, filename, fmt, mapping, choices, gazetteer, online, overrides, sheet
        As for :func:`prepare`.
    store : Store or None
        Where to write; may be None for a dry run (then duplicates and
        updates are not known).
    dry_run : bool
        Report only; nothing is written (new online geocodes are not cached).

    Returns
    -------
    IngestReport
    """
    cache = _geocode_cache(store, dry_run)
    prepared = prepare(
        data,
        filename,
        fmt=fmt,
        mapping=mapping,
        gazetteer=gazetteer,
        choices=choices,
        online=online,
        cache=cache,
        overrides=overrides,
        sheet=sheet,
    )
    return _store_or_preview(prepared, store, dry_run)


def _geocode_cache(store: Store | None, dry_run: bool) -> Any:
    """The store's cache of online answers (read-only for a dry run), or None."""
    if store is None and not dry_run:
        raise ValueError("a store is needed unless dry_run=True")
    if store is None:
        return None
    cache = store.geocode_cache()
    return _ReadOnlyCache(cache) if dry_run else cache


def _store_or_preview(prepared: Prepared, store: Store | None, dry_run: bool) -> IngestReport:
    if dry_run:
        if store is not None:
            return preview(prepared, store)
        return dataclasses.replace(prepared.report, dry_run=True)
    assert store is not None
    return commit(prepared, store)


def ingest_path(
    path: str | Path,
    store: Store | None,
    *,
    fmt: str = "auto",
    dry_run: bool = False,
    mapping: Mapping[str, str | None] | None = None,
    choices: Mapping[int, Mapping[str, Any]] | None = None,
    gazetteer: Gazetteer | None = None,
    online: Any = None,
    overrides: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> IngestReport:
    """:func:`ingest_bytes` for a file on disk (refused before reading when too big).

    The file's bytes are let go once the rows are prepared, before they are stored:
    a million-row file's 240 MB are not held through the commit as well.
    """
    data = read_upload_file(path)  # a file refused here has not touched the store
    cache = _geocode_cache(store, dry_run)
    prepared = prepare(
        data,
        Path(path).name,
        fmt=fmt,
        mapping=mapping,
        gazetteer=gazetteer,
        choices=choices,
        online=online,
        cache=cache,
        overrides=overrides,
        sheet=sheet,
    )
    del data  # the last reference: the bytes are freed here
    return _store_or_preview(prepared, store, dry_run)
