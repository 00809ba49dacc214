"""The rows a view keeps of the stored table, taken one column at a time when first read.

Filtering a million incidents by event type, actor or casualties keeps most of
the rows in no single slice, and copying the kept rows of every column (35 of
them, four of free text) was most of what a new filter cost the Map page: on
this machine 0.17–0.46 s in memory the process had not used before, against
0.02–0.03 s for the dozen columns the map reads. :class:`Rows` holds the
positions of the kept rows in the shared table and copies a column only when
someone reads it, once: a page that draws hexagons never pays for the notes.

A date range keeps one slice of a table in date order
(:func:`geo.views.filterrows.date_slice`), and a slice shares the table's
columns (copy-on-write), so those rows cost nothing to take.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from pandas.arrays import NumpyExtensionArray

__all__ = ["Rows", "positions"]

#: Where the kept rows are in the table: one slice, or ascending positions.
Positions = slice | np.ndarray


class Rows:
    """Some rows of a table (never changed), taken column by column on demand.

    Shared by every copy of a cached view and safe to read from several
    threads (Streamlit runs each session in its own): a column is copied at
    most once, and what :meth:`frame` returns is the caller's own frame
    (a write to it copies what it changes and never reaches the shared columns).

    Parameters
    ----------
    table : pandas.DataFrame
        The whole table (not copied; it must not be changed afterwards).
    where : slice, numpy.ndarray of int or of bool, optional
        The kept rows: a slice, ascending positions or a mask. All rows when omitted.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": list("wxyz")}, index=[10, 11, 12, 13])
    >>> rows = Rows(df, np.array([True, False, True, True]))
    >>> len(rows), rows.frame(["b"]).to_dict("list")
    (3, {'b': ['w', 'y', 'z']})
    >>> rows.frame().index.tolist(), rows.taken
    ([10, 12, 13], ('b', 'a'))
    >>> rows.narrow(np.array([False, True, True])).frame()["a"].tolist()
    [3, 4]
    """

    def __init__(self, table: pd.DataFrame, where: Positions | None = None) -> None:
        self._table = table
        self._where = positions(where, len(table))
        self._taken: pd.DataFrame | None = None  # the columns taken so far (pandas tracks
        self._lock = threading.Lock()  # what shares their data: a write to a frame copies)

    def __len__(self) -> int:
        where = self._where
        return len(range(len(self._table))[where]) if isinstance(where, slice) else len(where)

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled as the kept rows alone (not the whole table), without the lock
        return (Rows, (self.frame(), None))

    def __repr__(self) -> str:
        return f"Rows({len(self):,} of {len(self._table):,}, taken={list(self.taken)})"

    @property
    def columns(self) -> pd.Index:
        """The table's columns (all of them, taken or not)."""
        return self._table.columns

    @property
    def taken(self) -> tuple[str, ...]:
        """The columns copied so far, in the order they were first read."""
        return () if self._taken is None else tuple(self._taken.columns)

    def frame(self, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """The kept rows of ``columns`` (all when omitted; names not in the table are skipped).

        Columns keep the table's order and the rows its index labels, as
        ``table.loc[mask, columns]`` would give them.
        """
        wanted = set(self._table.columns if columns is None else columns)
        names = [c for c in self._table.columns if c in wanted]
        with self._lock:
            if self._taken is None:
                self._taken = pd.DataFrame(index=self._table.index[self._where])
            taken = self._taken
            for name in names:
                if name not in taken.columns:
                    taken[name] = self._take(self._table[name])
            return taken[names]  # copy-on-write: shares the data until either side writes

    def narrow(self, keep: np.ndarray) -> Rows:
        """The rows of these rows where ``keep`` (a mask as long as they are) is true."""
        keep = np.asarray(keep, dtype=bool)
        if len(keep) != len(self):
            raise ValueError(f"a mask of {len(keep):,} for {len(self):,} rows")
        where = self._where
        if isinstance(where, slice):
            found = np.flatnonzero(keep) + range(len(self._table))[where].start
        else:
            found = where[keep]
        return Rows(self._table, found)

    def _take(self, column: pd.Series) -> pd.Series:
        where, index = self._where, self._taken.index
        if isinstance(where, slice):  # shares the table's data, and pandas knows it
            return column.iloc[where].set_axis(index)
        values = column.array  # the values alone: a Series' take would take its index too
        if isinstance(values, NumpyExtensionArray):
            values = np.take(values.to_numpy(), where)
        else:
            values = values.take(where)
        # a new array, owned by the frame: a Series around it is not copied again on insert
        return pd.Series(values, index=index, name=column.name, copy=False)


def positions(where: Any, n: int) -> Positions:
    """``where`` (a slice, positions, a mask or ``None`` for all) as a slice or positions.

    Ascending positions without a gap become a slice, which takes nothing.

    >>> positions(np.array([False, True, True, False]), 4)
    slice(1, 3, None)
    >>> positions(np.array([0, 2]), 4), positions(None, 4)
    (array([0, 2]), slice(0, 4, None))
    """
    if where is None:
        return slice(0, n)
    if isinstance(where, slice):
        start, stop, step = where.indices(n)
        if step != 1:
            return np.arange(start, stop, step)
        return slice(start, max(start, stop))
    where = np.asarray(where)
    if where.dtype == bool:
        if len(where) != n:
            raise ValueError(f"a mask of {len(where):,} for a table of {n:,} rows")
        where = np.flatnonzero(where)
    where = where.astype(np.intp, copy=False)
    if len(where) == 0:
        return slice(0, 0)
    first, last = int(where[0]), int(where[-1])
    if last - first + 1 == len(where) and (len(where) < 2 or bool((np.diff(where) == 1).all())):
        return slice(first, last + 1)
    return where
