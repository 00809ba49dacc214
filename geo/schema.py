"""Canonical columns and vocabularies shared by every part of ``geo``.

The incident schema follows DESIGN.md §2 and the claims ledger §3. Every
reader, validator, store and exporter works in terms of these names, so
a column is added here once and nowhere else.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geo.textops import is_text, map_codes, strip_or_none

__all__ = [
    "ADDED_COLUMNS",
    "CLAIM_COLUMNS",
    "CLAIM_STANCES",
    "DATE_PRECISIONS",
    "DERIVED_COLUMNS",
    "EVENT_TYPES",
    "FLOAT_COLUMNS",
    "GEOCODE_SOURCES",
    "GEO_PRECISION_LABELS",
    "INCIDENT_COLUMNS",
    "INPUT_COLUMNS",
    "INT_COLUMNS",
    "TEXT_COLUMNS",
    "as_floats",
    "empty_claims",
    "empty_incidents",
    "normalise_dtypes",
]

#: Canonical incident columns, in the order CSV export writes them.
INCIDENT_COLUMNS: list[str] = [
    "incident_id",
    "event_date",
    "date_precision",
    "event_time",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "claimed_by",
    "location",
    "admin2",
    "admin1",
    "admin1_code",
    "country",
    "country_code",
    "latitude",
    "longitude",
    "geo_precision",
    "geocode_source",
    "killed",
    "injured",
    "killed_low",
    "killed_high",
    "injured_low",
    "injured_high",
    "casualty_note",
    "cross_border",
    "origin_country_code",
    "source",
    "source_ref",
    "notes",
    "border_distance_km",
    "qa_flags",
    "upload_id",
]

#: Columns the pipeline computes; an input file may leave them empty.
DERIVED_COLUMNS: list[str] = ["border_distance_km", "qa_flags", "upload_id"]

#: Columns added after the store's first layout. A row that leaves them empty keeps
#: the ``row_hash`` it had before they existed (:func:`geo.store.storage.hash_rows`), so an
#: old file uploaded again is not taken for a changed one.
ADDED_COLUMNS: list[str] = ["event_time", "injured_low", "injured_high"]

#: File columns that help read others but are not stored: ``{name: what it does}``.
#: A mapping may name them like canonical columns.
INPUT_COLUMNS: dict[str, str] = {
    "date_end": "last day of a date span (UCDP date_end): sets date_precision",
    "year": "the year of event_date (ACLED year): gives two-digit years their century",
}

#: Nullable whole-number columns: empty means unknown, never zero.
INT_COLUMNS: list[str] = [
    "geo_precision",
    "killed",
    "injured",
    "killed_low",
    "killed_high",
    "injured_low",
    "injured_high",
]

FLOAT_COLUMNS: list[str] = ["latitude", "longitude", "border_distance_km"]

TEXT_COLUMNS: list[str] = [
    c
    for c in INCIDENT_COLUMNS
    if c not in INT_COLUMNS + FLOAT_COLUMNS + ["event_date", "cross_border"]
]

#: ACLED's top-level event types.
EVENT_TYPES: list[str] = [
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Strategic developments",
    "Protests",
    "Riots",
]

DATE_PRECISIONS: list[str] = ["day", "week", "month", "year"]

#: What each geo_precision level means, for legends and the About page.
GEO_PRECISION_LABELS: dict[int, str] = {
    1: "exact town or site",
    2: "near a town, or district level",
    3: "province level only",
    4: "country level only",
}

GEOCODE_SOURCES: list[str] = [
    "provided",
    "gazetteer",
    "nominatim",
    "admin1-centroid",
    "manual",
]

CLAIM_COLUMNS: list[str] = [
    "claim_id",
    "statement_date",
    "date_precision",
    "claimant",
    "claimant_role",
    "claimant_country_code",
    "stance",
    "groups",
    "territory_code",
    "accused_country_code",
    "figure",
    "figure_unit",
    "quote",
    "source",
    "source_ref",
    "notes",
]

CLAIM_STANCES: list[str] = [
    "asserts_presence",
    "denies_presence",
    "accuses",
    "rejects_accusation",
]


def normalise_dtypes(df: pd.DataFrame, *, text_is_clean: bool = False) -> pd.DataFrame:
    """Return a copy of ``df`` with every canonical incident column present and typed.

    Missing columns are added as empty. Whole-number columns become pandas'
    nullable ``Int64`` (so unknown stays ``<NA>``, never 0), coordinates and
    distances ``float64``, ``event_date`` a ``datetime64`` day, ``cross_border``
    the nullable ``boolean`` and every other column ``object`` strings with
    ``None`` for empty. Columns beyond the schema are kept after it.

    Parameters
    ----------
    df : pandas.DataFrame
        Incidents in canonical column names.
    text_is_clean : bool, default False
        The caller guarantees that every text column already holds trimmed,
        non-empty ``str`` or ``None`` in an ``object`` column (as
        :func:`geo.ingest.validate.validate` leaves them), so they are not scanned
        again.

    Returns
    -------
    pandas.DataFrame
    """
    out = df.copy(deep=False)  # pandas' copy-on-write keeps df as it was
    for col in INCIDENT_COLUMNS:
        if col not in out.columns:
            out[col] = None
    for col in INT_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    for col in FLOAT_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    out["event_date"] = pd.to_datetime(out["event_date"], errors="coerce").astype("datetime64[ns]")
    out["cross_border"] = pd.array(_bools(out["cross_border"]), dtype="boolean")
    for col in TEXT_COLUMNS:
        if not (text_is_clean and out[col].dtype == object):
            out[col] = _clean_text(out[col])
    extra = [c for c in out.columns if c not in INCIDENT_COLUMNS]
    return out[INCIDENT_COLUMNS + extra]


def as_floats(values: Any) -> np.ndarray:
    """``values`` as a new float64 array, NaN where missing or not a number.

    A column that is already numeric (``Int64``, ``float64``) is converted
    directly: ``pd.to_numeric`` would first scan it for text (about 30 ms per
    million ``Int64`` values against under 1 ms).

    Examples
    --------
    >>> as_floats(pd.array([3, None], dtype="Int64")).tolist(), as_floats(["2.5", "x"]).tolist()
    ([3.0, nan], [2.5, nan])
    >>> as_floats(pd.Series(["1"])).flags.writeable  # the caller's own array, either way
    True
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype=float, na_value=np.nan, copy=True)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)


def empty_incidents() -> pd.DataFrame:
    """An empty incident table with the canonical columns and dtypes."""
    return normalise_dtypes(pd.DataFrame(columns=INCIDENT_COLUMNS))


def empty_claims() -> pd.DataFrame:
    """An empty claims ledger with the canonical columns."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in CLAIM_COLUMNS})


_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def _to_bool(value: object) -> bool | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _bools(values: pd.Series) -> np.ndarray:
    """:func:`_to_bool` of each value, computed once per distinct value when safe."""
    if str(values.dtype) in ("bool", "boolean") or (
        values.dtype == object and is_text(values.tolist())
    ):  # no True/1/1.0 look-alikes to merge
        return map_codes(values, _to_bool, missing=None)
    return values.map(_to_bool).to_numpy(dtype=object)


def _clean_text(values: pd.Series) -> pd.Series:
    """Strip text; empty and missing become ``None`` in an ``object`` column."""
    if values.dtype == object:
        items = values.tolist()
        if is_text(items):  # the common case: no need to go through the string dtype
            return pd.Series(strip_or_none(items), index=values.index, dtype=object)
    if values.isna().all():
        return pd.Series(np.full(len(values), None, dtype=object), index=values.index)
    stripped = values.astype("string").str.strip()
    arr = stripped.to_numpy(dtype=object, na_value=None)
    arr[stripped.fillna("").to_numpy() == ""] = None
    return pd.Series(arr, index=values.index, dtype=object)
