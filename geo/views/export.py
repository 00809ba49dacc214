"""Incidents as data files: formula-safe CSV, GeoJSON (RFC 7946) and GeoPackage.

CSV
    The canonical columns in :data:`geo.schema.INCIDENT_COLUMNS` order, UTF-8
    with a byte-order mark (so Excel reads Pashto, Dari and Urdu names
    correctly), CRLF line ends (RFC 4180), dates ``YYYY-MM-DD``, ``cross_border``
    ``true``/``false``, unknown numbers empty (never 0). Text cells that begin
    with ``=``, ``+``, ``-``, ``@``, TAB or CR would be run as formulas by a
    spreadsheet: they get a leading ``'`` (OWASP's advice), which stays visible
    when the file is read back. Numeric columns are never touched, so a
    longitude of ``-0.5`` stays the number ``-0.5``.
GeoJSON
    A FeatureCollection of Points in WGS84 with ``[longitude, latitude]``
    coordinates and no ``crs`` member (RFC 7946 §4); every canonical column
    is a property, unknown values are ``null``.
GeoPackage
    One layer ``incidents`` (EPSG:4326 points) written with pyogrio; its
    ``last_change`` is the time given (the view's), so the same rows and time
    give the same bytes.

:func:`safe_csv` is the same formula-safe CSV for any table (the validation
report), and :func:`write_atomically` the one way a file is written.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.schema import FLOAT_COLUMNS, INCIDENT_COLUMNS, INT_COLUMNS, TEXT_COLUMNS, normalise_dtypes

__all__ = [
    "FORMULA_PREFIXES",
    "neutralise_formulas",
    "safe_csv",
    "to_csv_bytes",
    "to_geojson_bytes",
    "to_gpkg_bytes",
    "write_atomically",
]

#: A text cell starting with one of these is prefixed with ``'`` in CSV exports.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_LAYER = "incidents"
# GDAL's configuration is process-wide: one GeoPackage written at a time.
_GDAL_LOCK = threading.Lock()


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """The canonical columns, typed; skips the (slow) re-typing when already typed."""
    expected = {
        **{c: "Int64" for c in INT_COLUMNS},
        **{c: "float64" for c in FLOAT_COLUMNS},
        "event_date": "datetime64[ns]",
        "cross_border": "boolean",
        **{c: "object" for c in TEXT_COLUMNS},
    }
    if all(c in df.columns and str(df[c].dtype) == t for c, t in expected.items()):
        return df[INCIDENT_COLUMNS]
    return normalise_dtypes(df)[INCIDENT_COLUMNS]


def neutralise_formulas(values: pd.Series) -> pd.Series:
    """Prefix ``'`` to text cells that a spreadsheet would run as a formula.

    Parameters
    ----------
    values : pandas.Series
        Text (None for empty).

    Returns
    -------
    pandas.Series
        Object dtype, None kept.
    """
    s = values.astype(object)
    text = s.where(s.notna(), None)
    risky = np.array(
        [isinstance(v, str) and v.startswith(FORMULA_PREFIXES) for v in text.tolist()],
        dtype=bool,
    )
    if risky.any():
        text = text.copy()
        text[risky] = "'" + text[risky].astype(str)
    return text


def safe_csv(df: pd.DataFrame) -> bytes:
    """Any table as UTF-8 CSV, with text cells a spreadsheet would run as a formula neutralised.

    >>> safe_csv(pd.DataFrame({"value": ["=1+1", "ok"], "line": [2, 3]})).decode()
    "value,line\\n'=1+1,2\\nok,3\\n"
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = neutralise_formulas(out[col])
    return out.to_csv(index=False).encode("utf-8")


def _dates(values: pd.Series) -> pd.Series:
    days = values.to_numpy(dtype="datetime64[D]")
    text = np.datetime_as_string(days).astype(object)
    text[np.isnat(days)] = None
    return pd.Series(text, index=values.index, dtype=object)


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """Incidents as a formula-safe CSV (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        Incidents in canonical columns (extra columns are left out).

    Returns
    -------
    bytes
    """
    frame = _typed(df)
    out = pd.DataFrame(index=frame.index)
    for col in INCIDENT_COLUMNS:
        s = frame[col]
        if col == "event_date":
            out[col] = _dates(s)
        elif col == "cross_border":
            out[col] = s.map({True: "true", False: "false"}).astype(object)
        elif col in INT_COLUMNS or col in FLOAT_COLUMNS:
            out[col] = s
        else:
            out[col] = neutralise_formulas(s)
    # CRLF (RFC 4180) also makes the csv writer quote any cell holding a bare CR or LF
    text = out.to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _plain(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """JSON-ready column lists: None for unknown, ints, floats, ISO dates, bools."""
    cols: dict[str, list[Any]] = {}
    for col in INCIDENT_COLUMNS:
        s = frame[col]
        if col == "event_date":
            cols[col] = _dates(s).tolist()
        elif col in INT_COLUMNS or col == "cross_border":
            cols[col] = s.to_numpy(dtype=object, na_value=None).tolist()
        elif col in FLOAT_COLUMNS:
            vals = s.to_numpy(dtype="float64")
            cols[col] = [None if v != v else v for v in vals.tolist()]
        else:
            cols[col] = s.astype(object).where(s.notna(), None).tolist()
    return cols


def to_geojson_bytes(df: pd.DataFrame) -> bytes:
    """Incidents as an RFC 7946 GeoJSON FeatureCollection (UTF-8).

    Parameters
    ----------
    df : pandas.DataFrame
        Incidents in canonical columns.

    Returns
    -------
    bytes
    """
    frame = _typed(df)
    cols = _plain(frame)
    names = list(cols)
    features = []
    for values in zip(*cols.values(), strict=True):
        props = dict(zip(names, values, strict=True))
        lat, lon = props["latitude"], props["longitude"]
        geometry = (
            {"type": "Point", "coordinates": [lon, lat]}
            if lat is not None and lon is not None
            else None
        )
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, allow_nan=False).encode("utf-8")


def _geoframe(df: pd.DataFrame) -> Any:
    import geopandas as gpd

    frame = _typed(df).copy()
    frame["event_date"] = _dates(frame["event_date"])
    frame["cross_border"] = frame["cross_border"].astype("Int64")
    geometry = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs="EPSG:4326")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def to_gpkg_bytes(df: pd.DataFrame, *, made_at: datetime | None = None) -> bytes:
    """Incidents as a GeoPackage with one point layer ``incidents`` (EPSG:4326).

    ``event_date`` is ISO text and ``cross_border`` 1/0 (GeoPackage has no
    nullable boolean); unknown values are NULL.

    Parameters
    ----------
    df : pandas.DataFrame
    made_at : datetime.datetime, optional
        The layer's ``last_change`` (GDAL writes the current time otherwise).

    Returns
    -------
    bytes
    """
    import pyogrio

    gdf = _geoframe(df)
    stamp = None
    if made_at is not None:
        stamp = made_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with tempfile.TemporaryDirectory(prefix="atlas-gpkg-") as tmp, _GDAL_LOCK:
        path = Path(tmp) / "incidents.gpkg"
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
        try:
            pyogrio.write_dataframe(gdf, path, layer=_LAYER, driver="GPKG")
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
        return path.read_bytes()


def write_atomically(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that a reader never sees half a file.

    The bytes go to a new file beside ``path`` (created with the umask's mode,
    or the mode of the file it replaces), are flushed to disk, and the file
    is renamed into place; on any error the partial file is removed.

    Returns
    -------
    Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a plain new file, so the umask sets its mode (mkstemp's 0600 locked colleagues out)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            shutil.copymode(path, tmp)  # a file written again keeps its mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
