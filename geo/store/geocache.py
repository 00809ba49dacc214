"""The store's cache of online geocoder answers (Nominatim), one row per normalised query.

Kept in the store's ``geocode_cache`` table so every process and every app
server shares it; a write replaces an older answer in one statement both
back ends accept (``INSERT … ON CONFLICT … DO UPDATE``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from geo.store.storage import utc_now
from geo.store.transactions import run

if TYPE_CHECKING:
    from geo.store.core import Store

__all__ = ["GeocodeCache"]


class GeocodeCache:
    """Online geocoder answers kept in the store: ``get(key)`` / ``put(key, dict)``."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached answer for ``key``, or None."""
        text = self._store._read(
            lambda c: run(c, 'SELECT "json" FROM geocode_cache WHERE key = :key', key=key).scalar()
        )
        return json.loads(text) if text is not None else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Cache ``value`` (JSON-serialisable) under ``key``, replacing an older answer."""
        text = json.dumps(value, ensure_ascii=False, default=str)
        self._store._write(
            lambda c: run(
                c,
                'INSERT INTO geocode_cache (key, "json", created_at) VALUES (:key, :text, :at) '
                'ON CONFLICT (key) DO UPDATE SET "json" = excluded."json", '
                "created_at = excluded.created_at",
                key=key,
                text=text,
                at=utc_now(),
            )
        )
