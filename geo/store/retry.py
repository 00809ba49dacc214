"""One transaction, retried while another writer holds the lock.

Every store method runs its work through :func:`in_transaction`: the back end takes
its writer lock first (:mod:`geo.store.backends`), and when the lock is busy the
whole function runs again after a jittered back-off, for up to
:data:`geo.store.storage.LOCK_PATIENCE_S` seconds. Nobody sees "database is locked".
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from geo.store import storage
from geo.store.backends import Backend
from geo.store.transactions import StoreBusy, StoreUnavailable, unavailable_text

__all__ = ["in_transaction"]

T = TypeVar("T")

_BUSY = "The store is busy with other uploads; nothing was changed. Try again in a minute."


def in_transaction(
    connect: Callable[[], Connection],
    backend: Backend,
    dialect: Dialect,
    fn: Callable[[Connection], T],
    *,
    write: bool,
) -> T:
    """``fn(conn)`` in one transaction on a connection from ``connect``.

    Raises
    ------
    StoreBusy
        Another writer kept the lock for longer than the patience allows.
    StoreUnavailable
        The connection broke (the database server went away).
    """
    delay = 0.05
    deadline = time.monotonic() + storage.LOCK_PATIENCE_S
    while True:
        try:
            with connect() as conn:
                backend.before_begin(conn, write=write)
                try:
                    with conn.begin():
                        backend.after_begin(conn, write=write)
                        return fn(conn)
                finally:
                    backend.after_end(conn)
        except Exception as exc:  # the driver's errors, wrapped by SQLAlchemy or not
            orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
            if not isinstance(orig, dialect.loaded_dbapi.Error):
                raise
            if getattr(exc, "connection_invalidated", False) or dialect.is_disconnect(
                orig, None, None
            ):
                raise StoreUnavailable(unavailable_text(write)) from exc
            if not backend.is_busy(orig):
                raise
            if time.monotonic() > deadline:
                raise StoreBusy(_BUSY) from exc
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 2.0)
