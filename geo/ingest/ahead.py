"""The polygons of an upload's own points, looked up on the other core.

Checking an upload's rows (:func:`geo.ingest.validate.validate`) and placing those
without a point (:func:`geo.places.geocode.geocode_rows`) is Python work that holds
the GIL; finding the province and border distance of a point is GEOS and PROJ work
that lets go of it. So as soon as a large upload's columns are mapped,
:func:`locate_ahead` starts :func:`geo.places.boundaries.locate_distinct` of the
points the file gives on a thread, and the spatial join takes what it found
(:func:`known_points`). The answers are the ones the join would find itself, since
each point's answer depends on that point alone; points the thread did not see
(a coordinate the checks read differently, a point the geocoder added) are looked
up by the join.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"latitude": [34.0] * 3, "longitude": [71.5] * 3})
>>> known = known_points(locate_ahead(rows, start_from=1))
>>> len(known.points), known.columns[3].tolist()
(1, ['PK-KP'])
>>> locate_ahead(rows) is None  # a small upload: nothing to gain
True
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from geo.schema import as_floats

if TYPE_CHECKING:
    import pandas as pd

    from geo.places.boundaries import Located

__all__ = ["LOCATE_AHEAD_FROM", "known_points", "locate_ahead"]

#: From this many rows the file's points are looked up ahead, and below
#: LOCATE_AHEAD_UNTIL: beside a million rows' checks the points' answers and the
#: boundary index (loaded in the thread, not at the join) raised the peak memory by
#: about 120 MiB, past the 1.5 GB the benchmark holds the CLI to.
LOCATE_AHEAD_FROM = 20_000
LOCATE_AHEAD_UNTIL = 400_000


def locate_ahead(rows: pd.DataFrame, *, start_from: int | None = None) -> Future[Located] | None:
    """Start looking up the distinct points of ``rows`` on a thread of its own.

    Parameters
    ----------
    rows : pandas.DataFrame
        Mapped rows with ``latitude`` and ``longitude``, as text or numbers (read
        as numbers here, what is not one left out; copied: the thread never sees
        later changes to the frame).
    start_from : int, optional
        The fewest rows worth it; :data:`LOCATE_AHEAD_FROM` by default.

    Returns
    -------
    concurrent.futures.Future or None
        None when there are too few rows or too many (see :data:`LOCATE_AHEAD_FROM`)
        or no coordinate columns.
    """
    least = LOCATE_AHEAD_FROM if start_from is None else start_from
    if not least <= len(rows) < LOCATE_AHEAD_UNTIL:
        return None
    if not {"latitude", "longitude"} <= set(rows.columns):
        return None
    from geo.places.boundaries import locate_distinct

    lat, lon = as_floats(rows["latitude"]), as_floats(rows["longitude"])
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="atlas-locate")
    try:
        return pool.submit(locate_distinct, lat, lon)
    finally:
        pool.shutdown(wait=False)  # the thread ends with its one task


def known_points(ahead: Future[Located] | None) -> Located | None:
    """What :func:`locate_ahead` found, once it has; None when nothing was started or
    the lookup failed (the join then looks every point up itself, and meets the
    error, if it is one, in its own call)."""
    if ahead is None:
        return None
    try:
        return ahead.result()
    except Exception:  # the join's own lookup reports it
        return None
