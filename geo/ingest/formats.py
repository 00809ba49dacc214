"""Recognise ACLED, UCDP GED, GTD and native files and map them to canonical columns.

:func:`detect_format` looks at the header only. :func:`default_mapping` says
which file column feeds which canonical column (the Data page shows it as an
editable table). :func:`to_canonical` applies a mapping and each provider's
codes, and returns canonical columns holding *text*: parsing and checking the
values is :mod:`geo.ingest.validate`'s job, so this module never rejects a row; a
value it cannot translate is passed on as written and validation reports it
with its line.

Mapping
-------
The layouts themselves (which header feeds which column) are the tables of
:mod:`geo.ingest.layouts`; the providers' codes are translated by
:mod:`geo.ingest.providers`. Each file column is mapped or named in one warning as
not imported, so nothing is dropped without a word. The analyst's own
choices (the Data page's table, the CLI's ``--map``) are laid over the
proposal with :func:`apply_overrides`.

Every format: ``geocode_source`` is "provided" on rows with both coordinates
unless the file says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from geo.ingest.layouts import (
    FALLBACKS,
    LAYOUTS,
    MULTI_SOURCE,
    NATIVE_SYNONYMS,
    RANGE_STEMS,
    SIGNATURES,
    normalise_header,
)
from geo.ingest.providers import convert, text_column
from geo.ingest.reader import LINE_COLUMN
from geo.report import FileRefused, Issue
from geo.schema import DERIVED_COLUMNS, INCIDENT_COLUMNS, INPUT_COLUMNS

__all__ = [
    "FORMATS",
    "FORMAT_LABELS",
    "MAPPING_TARGETS",
    "NATIVE_SYNONYMS",
    "apply_overrides",
    "clean_mapping",
    "default_mapping",
    "detect_format",
    "normalise_header",
    "parse_overrides",
    "to_canonical",
]

FORMATS: tuple[str, ...] = ("native", "acled", "ucdp", "gtd")

FORMAT_LABELS: dict[str, str] = {
    "native": "Incident Atlas (native)",
    "acled": "ACLED export",
    "ucdp": "UCDP GED",
    "gtd": "Global Terrorism Database",
}

LINE = LINE_COLUMN  # the column holding each row's line in the file

#: What a file column may be mapped to: the canonical columns a file can give, and
#: the input-only helpers of :data:`geo.schema.INPUT_COLUMNS`.
MAPPING_TARGETS: list[str] = [
    *(c for c in INCIDENT_COLUMNS if c not in DERIVED_COLUMNS),
    *INPUT_COLUMNS,
]

_RANGE_END = re.compile(r"^(.*?)_(min|minimum|low|lowest|max|maximum|high|highest|mix)$")
_LOW_WORDS = {"min", "minimum", "low", "lowest"}


def detect_format(columns: Iterable[str]) -> str:
    """Name the format of a file from its header.

    Parameters
    ----------
    columns : iterable of str
        Header names as in the file.

    Returns
    -------
    str
        One of :data:`FORMATS`. Anything that is not recognisably ACLED, UCDP
        GED or GTD is "native" (whether it has usable columns is decided by
        :func:`to_canonical`).
    """
    names = {normalise_header(c) for c in columns}
    for fmt in ("acled", "ucdp", "gtd"):
        if any(sig <= names for sig in SIGNATURES[fmt]):
            return fmt
    return "native"


def default_mapping(columns: Iterable[str], fmt: str) -> dict[str, str]:
    """The file column → canonical column mapping proposed for a format.

    Parameters
    ----------
    columns : iterable of str
        Header names as in the file (``_line`` is ignored).
    fmt : str
        One of :data:`FORMATS`.

    Returns
    -------
    dict
        ``{file column: canonical column}``. Each canonical column is fed by at
        most one file column (the first that matches by name or synonym, in
        file order, before the second choices of
        :data:`geo.ingest.layouts.FALLBACKS`), except the columns a provider builds
        from several (:data:`geo.ingest.layouts.MULTI_SOURCE`). Native Min/Max pairs
        (``Total Died Min``/``Max``) feed the ranges.

    Examples
    --------
    >>> default_mapping(["Date", "Location", "City", "Injured Min", "Injured Max"], "native")
    {'Date': 'event_date', 'Location': 'location', 'City': 'admin2', \
'Injured Min': 'injured_low', 'Injured Max': 'injured_high'}
    """
    _check_format(fmt)
    cols = [c for c in columns if c != LINE]
    keys = {c: normalise_header(c) for c in cols}
    multi = MULTI_SOURCE[fmt]
    mapping: dict[str, str] = {}
    taken: set[str] = set()

    def offer(col: str, target: str | None) -> None:
        if target is None or col in mapping or (target in taken and target not in multi):
            return
        mapping[col] = target
        taken.add(target)

    if fmt == "native":
        canonical = set(MAPPING_TARGETS) - set(INPUT_COLUMNS)
        for col in cols:
            offer(col, keys[col] if keys[col] in canonical else NATIVE_SYNONYMS.get(keys[col]))
        for col, target in _range_pairs(cols, keys).items():
            offer(col, target)
    else:
        for col in cols:
            offer(col, LAYOUTS[fmt].get(keys[col]))
    for col in cols:
        offer(col, FALLBACKS[fmt].get(keys[col]))
    return {c: mapping[c] for c in cols if c in mapping}


def _range_pairs(cols: list[str], keys: Mapping[str, str]) -> dict[str, str]:
    """Min/Max column pairs of a killed or injured stem → their range columns.

    A ``… Mix`` column counts as the maximum when the sheet has the same stem's
    minimum and no maximum (a typo the drone-strike sheets carry).
    """
    ends: dict[str, dict[str, str]] = {}
    for col in cols:
        m = _RANGE_END.match(keys[col])
        if m and m[1] in RANGE_STEMS:
            ends.setdefault(m[1], {}).setdefault("low" if m[2] in _LOW_WORDS else m[2], col)
    out = {}
    for stem, found in ends.items():
        low, high = RANGE_STEMS[stem]
        top = next((found[w] for w in ("max", "maximum", "high", "highest") if w in found), None)
        if top is None and "low" in found:
            top = found.get("mix")
        if "low" in found:
            out[found["low"]] = low
        if top is not None:
            out[top] = high
    return out


def clean_mapping(mapping: Mapping[object, object]) -> dict[str, str]:
    """The pairs of a (possibly edited) mapping that map a column somewhere.

    A cleared cell of an editable table comes back as ``None``, ``""`` or a
    float NaN depending on the pandas version; all of them mean "ignore this
    column", so only pairs whose target is non-blank text are kept. Targets
    are trimmed; they are not checked here (:func:`to_canonical` refuses
    unknown ones with a message).

    Parameters
    ----------
    mapping : mapping
        ``{file column: canonical column or a blank}``.

    Returns
    -------
    dict
        ``{file column: canonical column}``.

    Examples
    --------
    >>> clean_mapping({"lat": "latitude", "x": float("nan"), "y": None, "z": " "})
    {'lat': 'latitude'}
    """
    return {str(k): v.strip() for k, v in mapping.items() if isinstance(v, str) and v.strip()}


def parse_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """``["FILE COLUMN=canonical_column", ...]`` (the CLI's ``--map``) as a dict.

    An empty target (``"Temperature(C)="``) means "ignore this column". The
    split is at the last ``=``, so a file column may itself hold one.

    Raises
    ------
    FileRefused
        A pair without ``=`` or without a file column.

    Examples
    --------
    >>> parse_overrides(["Total Died Mix=killed_high", "S#="])
    {'Total Died Mix': 'killed_high', 'S#': ''}
    """
    out = {}
    for pair in pairs:
        column, sep, target = pair.rpartition("=")
        if not sep or not column.strip():
            raise FileRefused(
                f"--map {pair!r} is not FILE COLUMN=canonical_column "
                '(for example --map "Total Died Max=killed_high").'
            )
        out[column.strip()] = target.strip()
    return out


def apply_overrides(
    columns: Iterable[str], mapping: Mapping[str, str], overrides: Mapping[str, str]
) -> dict[str, str]:
    """A mapping with the analyst's own choices laid over it.

    Each overridden file column takes its new target (or is ignored when the
    target is blank); a column that fed the same target before is dropped,
    so one file column feeds each canonical column.

    Raises
    ------
    FileRefused
        An override names a column the file does not have.

    Examples
    --------
    >>> apply_overrides(["a", "b"], {"a": "killed"}, {"b": "killed"})
    {'b': 'killed'}
    """
    present = [c for c in columns if c != LINE]
    missing = [c for c in overrides if c not in present]
    if missing:
        shown = ", ".join(present[:12]) + (" …" if len(present) > 12 else "")
        raise FileRefused(
            f"The mapping names {', '.join(repr(c) for c in missing)}, which the file does "
            f"not have (its columns: {shown})."
        )
    chosen = {c: t for c, t in overrides.items() if t}
    out = {c: t for c, t in mapping.items() if c not in overrides and t not in chosen.values()}
    out.update(chosen)
    return {c: out[c] for c in present if c in out}


def to_canonical(
    frame: pd.DataFrame, fmt: str = "auto", mapping: Mapping[str, str | None] | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """Rename and translate a file's columns into the canonical schema.

    Parameters
    ----------
    frame : pandas.DataFrame
        A :class:`geo.ingest.reader.ReadResult` frame: text values and ``_line``.
    fmt : str
        ``"auto"`` (detect from the header) or one of :data:`FORMATS`.
    mapping : dict, optional
        ``{file column: canonical column}`` replacing :func:`default_mapping`;
        a blank target (``None``, ``""``, NaN) ignores that column.

    Returns
    -------
    (pandas.DataFrame, list of Issue)
        Every column of :data:`geo.schema.INCIDENT_COLUMNS` (text or ``None``),
        the input-only helpers the mapping uses (``date_end``, ``year``), then
        ``_line``; file-level warnings: the columns not imported, and
        guesses worth a look.

    Raises
    ------
    FileRefused
        No file column maps to a canonical column, or the file has neither a
        date column nor any place or coordinate column, or the (edited)
        mapping names a column that is not canonical.
    ValueError
        ``fmt`` is not a known format (a programming error, not bad input).
    """
    columns = [c for c in frame.columns if c != LINE]
    if fmt == "auto":
        fmt = detect_format(columns)
    _check_format(fmt)
    if mapping is None:
        mapping = default_mapping(columns, fmt)
    mapping = {k: v for k, v in clean_mapping(mapping).items() if k in frame.columns and k != LINE}
    bad = sorted({v for v in mapping.values() if v not in MAPPING_TARGETS})
    if bad:
        raise FileRefused(
            f"The column mapping names {', '.join(repr(b) for b in bad)}, which "
            "Incident Atlas does not know: map each file column to one of the canonical "
            "columns or leave it unmapped."
        )
    _refuse_unusable(columns, mapping, fmt)
    issues = _ignored_columns(columns, mapping) + _guesses(mapping)
    out = pd.DataFrame(index=frame.index)
    sources: dict[str, str] = {}
    for col, target in mapping.items():
        if target in sources:
            continue
        sources[target] = col
        out[target] = text_column(frame[col])
    for col in INCIDENT_COLUMNS:
        if col not in out.columns:
            out[col] = pd.Series(np.full(len(frame), None), index=frame.index, dtype=object)
    convert(fmt, out, frame, mapping, sources)
    has_xy = out["latitude"].notna() & out["longitude"].notna()
    if "geocode_source" not in sources:
        source = np.full(len(out), None, dtype=object)
        source[has_xy.to_numpy(dtype=bool)] = "provided"
        out["geocode_source"] = pd.Series(source, index=out.index, dtype=object)
    helpers = [c for c in INPUT_COLUMNS if c in sources]
    out = out[INCIDENT_COLUMNS + helpers].astype(object)
    out[LINE] = frame[LINE] if LINE in frame.columns else range(2, len(frame) + 2)
    return out, issues


# --------------------------------------------------------------------------- helpers


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _refuse_unusable(columns: list[str], mapping: Mapping[str, str], fmt: str) -> None:
    targets = set(mapping.values())
    shown = ", ".join(columns[:8]) + (" …" if len(columns) > 8 else "")
    if not targets:
        raise FileRefused(
            f"The file has no usable columns: none of its columns ({shown}) is an incident "
            "column such as event_date, location, latitude or longitude."
        )
    place = {"latitude", "longitude", "location", "admin1", "admin2"}
    if "event_date" not in targets or not targets & place:
        missing = "a date column" if "event_date" not in targets else "a place or coordinates"
        raise FileRefused(
            f"The file has no usable columns for incidents: it lacks {missing} "
            f"(columns found: {shown})."
        )


def _ignored_columns(columns: list[str], mapping: Mapping[str, str]) -> list[Issue]:
    """One warning naming every file column that is not imported (none is dropped silently)."""
    ignored = [c for c in columns if c not in mapping]
    if not ignored:
        return []
    return [
        Issue(
            None,
            None,
            ", ".join(ignored),
            f"{len(ignored)} column(s) not imported (not recognised, or not part of an "
            f"incident record): {', '.join(ignored)}. Map one to a canonical column to "
            "import it.",
            level="warning",
        )
    ]


def _guesses(mapping: Mapping[str, str]) -> list[Issue]:
    """Warnings for mapping choices made on a guess (a ``Mix`` column read as the maximum)."""
    out = []
    for col, target in mapping.items():
        m = _RANGE_END.match(normalise_header(col))
        if m and m[2] == "mix" and target.endswith("_high"):
            out.append(
                Issue(
                    None,
                    col,
                    col,
                    f"Column {col!r} was read as the maximum beside {m[1]!r} Min (taken for "
                    f"a typo of 'Max'): it fills {target}.",
                    level="warning",
                )
            )
    return out
