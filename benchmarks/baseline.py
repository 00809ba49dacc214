"""A plain baseline for benchmarks/run.py: the obvious row-by-row code.

Three loops, each over a sample of rows, written the way a first version
would be: no grouping, no vectorisation, no de-duplication.

- geocode: one :meth:`Gazetteer.lookup` per row, its answer cache emptied
  before every call (so repeated names are looked up again);
- join: for each point, shapely ``contains`` against each province and
  country polygon until one holds it, then the distance to the border
  projected point by point;
- store: one ``INSERT`` per row through ``cursor.execute`` with a SHA-1 row
  hash, all in one transaction.
"""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def _timed(fn: Any) -> tuple[float, float, Any]:
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w, time.process_time() - c, out


def _geocode_loop(gaz: Any, rows: pd.DataFrame) -> int:
    from geo.places.gazetteer import is_ambiguous

    placed = 0
    for loc, cc in zip(rows["location"], rows["country_code"], strict=True):
        gaz._cache.clear()  # no memo: every row is looked up afresh
        places = gaz.lookup(str(loc), country=cc)
        if places and not is_ambiguous(places):
            placed += 1
    return placed


def _pip_loop(lat: np.ndarray, lon: np.ndarray) -> int:
    import shapely
    from pyproj import Transformer

    from geo.places.boundaries import BORDER_CRS, adm0, adm1, border_line

    polygons = list(adm1().geometry) + list(adm0().geometry)
    fwd = Transformer.from_crs("EPSG:4326", BORDER_CRS, always_xy=True)
    line = shapely.transform(border_line(), lambda xy: np.column_stack(fwd.transform(*xy.T)))
    found = 0
    for y, x in zip(lat.tolist(), lon.tolist(), strict=True):
        point = shapely.Point(x, y)
        if any(poly.contains(point) for poly in polygons):
            found += 1
        px, py = fwd.transform(x, y)
        line.distance(shapely.Point(px, py))
    return found


def _insert_loop(frame: pd.DataFrame, db: Path) -> int:
    from geo.schema import INCIDENT_COLUMNS
    from geo.store.core import Store

    Store(db, seed=False).version()  # the real schema
    cols = [c for c in INCIDENT_COLUMNS if c != "upload_id"]
    sql = (
        f"INSERT INTO incidents ({', '.join(cols)}, upload_id, row_hash) "
        f"VALUES ({', '.join('?' * (len(cols) + 2))})"
    )
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("INSERT INTO uploads (upload_id, created_at) VALUES ('base', 'now')")
    cur = con.cursor()
    cur.execute("BEGIN")
    for record in frame[cols].to_dict("records"):
        values = []
        for v in record.values():
            if v is None or v is pd.NA or (isinstance(v, float) and v != v):
                values.append(None)
            elif isinstance(v, pd.Timestamp):
                values.append(v.strftime("%Y-%m-%d"))
            elif isinstance(v, (np.integer, np.bool_)):
                values.append(int(v))
            else:
                values.append(v)
        digest = hashlib.sha1("\x1f".join(map(str, values)).encode()).hexdigest()
        cur.execute(sql, [*values, "base", digest])
    cur.execute("COMMIT")
    con.close()
    return len(frame)


def run_baseline(path: Path, sample: int, db: Path) -> dict[str, Any]:
    """Time the three plain loops on the first ``sample`` usable rows of ``path``.

    Returns
    -------
    dict
        ``{"geocode": {...}, "join": {...}, "store": {...}}``, each with
        ``rows``, ``wall``, ``cpu`` (seconds) and ``rows_per_s`` (by CPU time).
    """
    from geo.ingest.pipeline import prepare
    from geo.places.gazetteer import Gazetteer

    with path.open("rb") as fh:
        head = b"".join(itertools.islice(fh, sample + 1))
    frame = prepare(head, path.name, fmt="acled").frame.reset_index(drop=True)
    raw = pd.read_csv(path, nrows=sample * 20, dtype=str, keep_default_na=False)
    names = raw.loc[raw["latitude"] == "", ["location", "country"]].head(sample)
    names["country_code"] = names["country"].map({"Afghanistan": "AFG", "Pakistan": "PAK"})
    gaz = Gazetteer.load()
    out: dict[str, Any] = {}
    for key, n, fn in (
        ("geocode", len(names), lambda: _geocode_loop(gaz, names)),
        (
            "join",
            len(frame),
            lambda: _pip_loop(frame["latitude"].to_numpy(), frame["longitude"].to_numpy()),
        ),
        ("store", len(frame), lambda: _insert_loop(frame, db)),
    ):
        wall, cpu, _ = _timed(fn)
        out[key] = {"rows": n, "wall": wall, "cpu": cpu, "rows_per_s": n / max(cpu, 1e-9)}
    return out
