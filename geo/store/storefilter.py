"""A plain filter the store can run as SQL: dates, countries, provinces, a bounding box, uploads.

:class:`StoreFilter` is deliberately small and separate from the pages'
filters (:mod:`geo.views.query`): it holds only what both back ends can answer from
their columns and indexes, so :meth:`geo.store.core.Store.incidents` can leave the
rows it excludes in the database. :meth:`StoreFilter.apply` is the same
filter on a loaded frame: the two always keep the same rows (the tests compare
them on both back ends).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["StoreFilter"]


@dataclass(frozen=True)
class StoreFilter:
    """Which incidents to read: every given condition must hold (an empty one is no condition).

    Parameters
    ----------
    date_from, date_to : datetime.date, optional
        First and last ``event_date`` kept (inclusive). An incident without a
        date is left out as soon as either bound is given.
    countries : tuple of str
        ISO 3166-1 alpha-3 codes (``country_code``).
    admin1 : tuple of str
        ISO 3166-2 province codes (``admin1_code``).
    bbox : (west, south, east, north), optional
        Longitude and latitude bounds in degrees (inclusive); incidents
        without coordinates are left out. On PostgreSQL the GiST index of
        ``geom`` finds the candidates.
    upload_ids : tuple of str
        Only the current incidents these uploads stored (``upload_id``); the
        read side's columnar copy reads an upload's rows with it.

    Examples
    --------
    >>> f = StoreFilter(date_from=dt.date(2024, 1, 1), countries=("PAK",))
    >>> f.sql("?", geometry=False)
    ('WHERE event_date >= ? AND country_code IN (?)', ['2024-01-01', 'PAK'])
    >>> StoreFilter().sql("%s", geometry=True)
    ('', [])
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    countries: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None
    upload_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "countries", tuple(self.countries))
        object.__setattr__(self, "admin1", tuple(self.admin1))
        object.__setattr__(self, "upload_ids", tuple(self.upload_ids))
        if self.bbox is not None:
            west, south, east, north = (float(v) for v in self.bbox)
            if west > east or south > north:
                raise ValueError("bbox is (west, south, east, north) with west <= east")
            object.__setattr__(self, "bbox", (west, south, east, north))

    @property
    def empty(self) -> bool:
        """Whether the filter keeps every incident."""
        return self == StoreFilter()

    def sql(self, mark: str, *, geometry: bool) -> tuple[str, list[Any]]:
        """The ``WHERE`` clause (or ``""``) and its parameters.

        Parameters
        ----------
        mark : str
            The driver's placeholder: ``"?"`` (sqlite3) or ``"%s"`` (psycopg).
        geometry : bool
            Whether the table has a PostGIS ``geom`` column whose index can
            narrow a bounding box before the exact test on the coordinates.
        """
        parts: list[str] = []
        params: list[Any] = []
        if self.date_from is not None:
            parts.append(f"event_date >= {mark}")
            params.append(self.date_from.isoformat())
        if self.date_to is not None:
            parts.append(f"event_date <= {mark}")
            params.append(self.date_to.isoformat())
        for column, values in (
            ("country_code", self.countries),
            ("admin1_code", self.admin1),
            ("upload_id", self.upload_ids),
        ):
            if values:
                parts.append(f"{column} IN ({', '.join([mark] * len(values))})")
                params.extend(values)
        if self.bbox is not None:
            west, south, east, north = self.bbox
            if geometry:  # the index's boxes are rounded outwards: the exact test follows
                parts.append(f"geom && ST_MakeEnvelope({mark}, {mark}, {mark}, {mark}, 4326)")
                params.extend([west, south, east, north])
            parts.append(f"longitude BETWEEN {mark} AND {mark}")
            parts.append(f"latitude BETWEEN {mark} AND {mark}")
            params.extend([west, east, south, north])
        return ("WHERE " + " AND ".join(parts) if parts else ""), params

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of a loaded incidents frame this filter keeps (index reset).

        Examples
        --------
        >>> frame = pd.DataFrame({"country_code": ["AFG", "PAK", None]})
        >>> StoreFilter(countries=("PAK",)).apply(frame)["country_code"].tolist()
        ['PAK']
        """
        keep = pd.Series(True, index=frame.index)
        if self.date_from is not None or self.date_to is not None:
            dates = pd.to_datetime(frame["event_date"])
            if self.date_from is not None:
                keep &= dates >= pd.Timestamp(self.date_from)
            if self.date_to is not None:
                keep &= dates <= pd.Timestamp(self.date_to)
        if self.countries:
            keep &= frame["country_code"].isin(self.countries)
        if self.admin1:
            keep &= frame["admin1_code"].isin(self.admin1)
        if self.upload_ids:
            keep &= frame["upload_id"].isin(self.upload_ids)
        if self.bbox is not None:
            west, south, east, north = self.bbox
            lon, lat = frame["longitude"], frame["latitude"]
            keep &= (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        return frame[keep.fillna(False).astype(bool)].reset_index(drop=True)
