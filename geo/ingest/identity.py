"""Which rows are the same incident: ids given, ids made from content, likely repeats.

A provider's id says which record a row is. A row without one (a hand-made
sheet, an ACLED row with the id cell empty) is identified by *all* of its
mapped content, so two strikes on the same day in the same village stay two
incidents, and only a row repeated exactly is a duplicate. Ids a spreadsheet
has mangled (``1.97E+11``: twelve digits rounded to three) identify nothing; they
are detected, said once, and those rows get content ids too. Rows that share
day, place and type but differ in detail are kept, each with a warning that
names the other line, for the analyst to judge.

Content ids
-----------
``<prefix>`` + the first 16 hex digits of the SHA-256 of every content column
(:data:`CONTENT_COLUMNS`, in schema order) joined by the unit separator:
dates as ``YYYY-MM-DD``, coordinates to 6 decimals, counts as whole numbers,
text as cleaned, empty as nothing. The prefix is ``NAT-`` for native files and
the provider's own (``GTD-c``, ``ACLED-c``, ``UCDP-c``) otherwise, so a made id
never looks like a provider's.

Before this recipe, native ids hashed only date, location, coordinates, event
type and source (:func:`legacy_ids`); the ingest uses those to recognise rows
an older version stored.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd

from geo.report import Issue
from geo.schema import DERIVED_COLUMNS, FLOAT_COLUMNS, INCIDENT_COLUMNS, INT_COLUMNS

__all__ = [
    "CONTENT_COLUMNS",
    "ID_PREFIXES",
    "content_ids",
    "explain_cut_short",
    "legacy_ids",
    "likely_duplicates",
    "repair_ids",
    "tell_apart",
]

#: What a content id hashes: everything a file can say about an incident.
CONTENT_COLUMNS: list[str] = [
    c for c in INCIDENT_COLUMNS if c not in DERIVED_COLUMNS and c not in ("incident_id",)
]
#: Prefix of content ids by format.
ID_PREFIXES: dict[str, str] = {
    "native": "NAT-",
    "acled": "ACLED-c",
    "ucdp": "UCDP-c",
    "gtd": "GTD-c",
}
_SCIENTIFIC = re.compile(r"^(?:[A-Za-z]+-)?[+-]?\d(?:\.\d+)?[eE][+]?\d+$")
_FLOAT_ZERO = re.compile(r"^((?:[A-Za-z]+-)?\d+)\.0+$")


def repair_ids(ids: pd.Series) -> tuple[pd.Series, np.ndarray, list[Issue]]:
    """Ids as given, with spreadsheet damage undone where it can be and flagged where not.

    Parameters
    ----------
    ids : pandas.Series
        Id text (``None`` where empty).

    Returns
    -------
    (pandas.Series, numpy.ndarray, list of Issue)
        The ids with a float's ``.0`` removed (``"197001010001.0"`` →
        ``"197001010001"``: the digits are whole); a boolean mask of the ids in
        scientific notation (``1.97E+11``), which no longer tell rows apart;
        one file-level warning for each kind of damage found.

    Examples
    --------
    >>> fixed, lost, notes = repair_ids(pd.Series(["GTD-1.97E+11", "12.0", "PAK1"]))
    >>> fixed.tolist(), lost.tolist(), len(notes)
    (['GTD-1.97E+11', '12', 'PAK1'], [True, False, False], 2)
    """
    present = ids.notna().to_numpy()
    if not present.any():
        return ids, np.zeros(len(ids), dtype=bool), []
    distinct = pd.unique(ids[present]).tolist()
    # plain substring tests first: a million distinct ids, almost none damaged
    sci = {v for v in distinct if ("E+" in v or "e+" in v) and _SCIENTIFIC.match(v)}
    zero = {v: m[1] for v in distinct if v.endswith(".0") and (m := _FLOAT_ZERO.match(v))}
    notes = []
    lost = ids.isin(sci).to_numpy() if sci else np.zeros(len(ids), dtype=bool)
    if sci:
        example = next(iter(sorted(sci)))
        notes.append(
            Issue(
                None,
                "incident_id",
                example,
                f"{int(lost.sum()):,} ids are in scientific notation (e.g. {example!r}): a "
                "spreadsheet rounded them, so they no longer tell incidents apart. Those "
                "rows are identified by their content instead; re-export the file with the "
                "id column formatted as text to keep the provider's ids.",
                level="warning",
            )
        )
    if zero:
        example = next(iter(sorted(zero)))
        ids = ids.replace(zero)
        notes.append(
            Issue(
                None,
                "incident_id",
                example,
                f"Ids written as decimals (e.g. {example!r}) were read without the '.0' a "
                "spreadsheet added.",
                level="warning",
            )
        )
    return ids, lost, notes


def content_ids(values: pd.DataFrame, rows: np.ndarray, prefix: str = "NAT-") -> pd.Series:
    """Ids made from every content column, for the rows in ``rows``.

    Parameters
    ----------
    values : pandas.DataFrame
        The canonical columns, typed where typing is done (dates as datetimes,
        numbers as floats) and text otherwise; missing columns count as empty.
    rows : numpy.ndarray
        Boolean mask of the rows that need an id.
    prefix : str
        Put before the hex digits.

    Returns
    -------
    pandas.Series
        The id for the masked rows, None elsewhere.

    Examples
    --------
    >>> df = pd.DataFrame({"event_date": pd.to_datetime(["2004-06-18"] * 2),
    ...                    "location": ["Wana", "Wana"], "killed_high": [5.0, 6.0]})
    >>> ids = content_ids(df, np.array([True, True]))
    >>> ids[0] != ids[1], ids[0].startswith("NAT-")
    (True, True)
    """
    out = pd.Series(np.full(len(values), None, dtype=object), index=values.index)
    if not rows.any():
        return out
    picked = values.loc[rows]
    parts = [_as_text(picked[c]) if c in picked.columns else None for c in CONTENT_COLUMNS]
    width = int(rows.sum())
    columns = [p if p is not None else [""] * width for p in parts]
    sha = hashlib.sha256
    out.loc[rows] = [
        prefix + sha(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        for text in map("\x1f".join, zip(*columns, strict=True))
    ]
    return out


def _as_text(series: pd.Series) -> list[str]:
    """One column as the text the id hashes (empty → "")."""
    name = series.name
    if pd.api.types.is_datetime64_any_dtype(series):
        text = series.dt.strftime("%Y-%m-%d")
        return text.where(series.notna(), "").tolist()
    if name in FLOAT_COLUMNS or name in INT_COLUMNS or pd.api.types.is_float_dtype(series):
        number = pd.to_numeric(series, errors="coerce")
        digits = 6 if name in FLOAT_COLUMNS else 0
        return [
            "" if v != v else (f"{v:.{digits}f}" if digits else f"{v:.0f}") for v in number.tolist()
        ]
    return ["" if v is None or v is pd.NA or v != v else str(v) for v in series.tolist()]


def tell_apart(
    made: pd.Series, lost: np.ndarray, source: pd.DataFrame | None, lines: pd.Series
) -> tuple[pd.Series, list[Issue]]:
    """Content ids that collide, told apart where the file shows they are different rows.

    Rows whose provider id was lost to a spreadsheet are the provider's
    separate records even when every column agrees (GTD numbers a series of
    identical attacks one by one): each repeat gets its occurrence number in
    its id, and a warning names both lines. Other rows that agree in every
    mapped column are told apart by the file's other columns (a sheet's serial
    number); rows that agree in every column of the file are true repeats and
    keep one id, so validation rejects the later ones.

    Parameters
    ----------
    made : pandas.Series
        Content ids (None for rows that keep a given id).
    lost : numpy.ndarray
        Boolean mask of the rows whose given id was unusable.
    source : pandas.DataFrame or None
        The file as read, aligned with ``made`` (positions).
    lines : pandas.Series
        File line of each row.

    Returns
    -------
    (pandas.Series, list of Issue)
    """
    clash = made.notna() & made.duplicated(keep=False)
    if not clash.any():
        return made, []
    made = made.copy()
    warnings = []
    first_line: dict[str, int] = {}
    seen: dict[str, int] = {}
    raw_key = _raw_keys(source, clash.to_numpy()) if source is not None else None
    for pos in np.flatnonzero(clash.to_numpy()):
        base = made.iat[pos]
        line = int(lines.iat[pos])
        if lost[pos]:
            n = seen.get(base, 0) + 1
            seen[base] = n
            if n == 1:
                first_line[base] = line
                continue
            made.iat[pos] = _suffixed(base, f"#{n}")
            warnings.append(
                Issue(
                    line,
                    "incident_id",
                    None,
                    f"This row repeats line {first_line[base]} in every column; its id was "
                    "lost to the spreadsheet, so it is kept as a separate record of the "
                    "provider (check the two against the original).",
                    level="warning",
                )
            )
        elif raw_key is not None:
            made.iat[pos] = _suffixed(base, raw_key[pos])
    # rows equal in every column of the file got equal ids again: true repeats
    return made, warnings


def _suffixed(base: str, extra: str) -> str:
    """Another content id with the same prefix, from ``base`` and ``extra``."""
    prefix = next((p for p in ID_PREFIXES.values() if base.startswith(p)), "")
    return prefix + hashlib.sha256(f"{base}|{extra}".encode()).hexdigest()[:16]


def _raw_keys(source: pd.DataFrame, rows: np.ndarray) -> dict[int, str]:
    """A hash of every column of the file for the rows in ``rows`` (by position)."""
    cols = [c for c in source.columns if c != "_line"]
    picked = source.iloc[np.flatnonzero(rows)][cols]
    out = {}
    for pos, values in zip(np.flatnonzero(rows), picked.itertuples(index=False), strict=True):
        text = "\x1f".join("" if v is None or v != v else str(v) for v in values)
        out[int(pos)] = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return out


def explain_cut_short(errors: list[Issue], source: pd.DataFrame) -> list[Issue]:
    """Say so when a rejected row stops short: its last columns empty where others are filled.

    Parameters
    ----------
    errors : list of Issue
        Validation errors (with file lines).
    source : pandas.DataFrame
        The file as read, with ``_line``.

    Returns
    -------
    list of Issue
        The same errors; those of a cut-short row start with a sentence saying
        after which column the line ends.
    """
    if "_line" not in source.columns:
        return errors
    cols = [c for c in source.columns if c != "_line"]
    position = {
        int(v): n for n, v in enumerate(pd.to_numeric(source["_line"], errors="coerce").fillna(-1))
    }
    filled = source[cols].notna().mean()
    notes: dict[int, str] = {}
    for line in {e.line for e in errors if e.line is not None}:
        pos = position.get(int(line))
        if pos is None:
            continue
        row = source.iloc[pos][cols]
        present = np.flatnonzero(row.notna().to_numpy())
        last = int(present[-1]) if len(present) else -1
        after = cols[last + 1 :]
        usual = [c for c in after if filled[c] >= 0.5]
        if last >= 0 and len(usual) >= 3:
            notes[line] = (
                f"The line stops after column {cols[last]!r}: the {len(after)} columns after "
                "it are empty (the file looks cut short here). "
            )
    if not notes:
        return errors
    return [
        Issue(e.line, e.column, e.value, notes[e.line] + e.message, e.level, e.candidates)
        if e.line in notes
        else e
        for e in errors
    ]


def legacy_ids(values: pd.DataFrame, rows: np.ndarray) -> pd.Series:
    """The ``NAT-`` ids the first recipe gave (date, location, coordinates, type, source)."""
    out = pd.Series(np.full(len(values), None, dtype=object), index=values.index)
    if not rows.any():
        return out
    picked = values.loc[rows]
    date = _as_text(picked["event_date"])
    lat, lon = (_as_text(picked[c].rename(c)) for c in ("latitude", "longitude"))
    text = [_as_text(picked[c]) for c in ("location", "event_type", "source")]
    out.loc[rows] = [
        "NAT-" + hashlib.sha256("|".join(p).encode("utf-8")).hexdigest()[:16]
        for p in zip(date, text[0], lat, lon, text[1], text[2], strict=True)
    ]
    return out


def likely_duplicates(values: pd.DataFrame, rows: np.ndarray, lines: pd.Series) -> list[Issue]:
    """Warnings for rows that share day, place and type with an earlier row but differ.

    Parameters
    ----------
    values : pandas.DataFrame
        Typed canonical columns: ``event_date``, ``location`` (or coordinates)
        and ``event_type``.
    rows : numpy.ndarray
        Boolean mask of the rows to compare (those identified by content).
    lines : pandas.Series
        File line of each row.

    Returns
    -------
    list of Issue
        One warning per later row of each group, naming the group's lines.
    """
    if rows.sum() < 2:
        return []
    picked = values.loc[rows]
    place = (
        picked["location"]
        .astype(object)
        .map(lambda v: v.casefold() if isinstance(v, str) else None)
    )
    xy = (
        _as_text(picked["latitude"].rename("latitude")),
        _as_text(picked["longitude"].rename("longitude")),
    )
    where = place.where(
        place.notna(), pd.Series([f"{a},{b}" for a, b in zip(*xy, strict=True)], index=picked.index)
    )
    key = pd.DataFrame(
        {
            "date": picked["event_date"],
            "where": where,
            "type": picked["event_type"].astype(object).fillna(""),
            "id": picked["incident_id"],
            "line": lines[rows].to_numpy(),
        }
    )
    key = key[key["date"].notna() & (key["where"] != ",")]
    shared = key[key.duplicated(["date", "where", "type"], keep=False)]
    out = []
    for _, group in shared.groupby(["date", "where", "type"], sort=False):
        group = group.drop_duplicates("id")
        if len(group) < 2:
            continue
        all_lines = ", ".join(str(int(n)) for n in group["line"])
        first = int(group["line"].iloc[0])
        for line in group["line"].iloc[1:]:
            out.append(
                Issue(
                    int(line),
                    "incident_id",
                    None,
                    f"Possibly the same incident as line {first}: same day, place and type "
                    f"but different details (lines {all_lines}); both are kept.",
                    level="warning",
                )
            )
    return out
