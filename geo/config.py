"""Settings, read from the environment once per call, never cached in globals.

Every setting has an offline-safe default. Online features (Nominatim
geocoding, web map tiles) are opt-in.

=====================  ==========================  =========================================
Environment variable   Default                     Meaning
=====================  ==========================  =========================================
``ATLAS_DB``           ``var/atlas.sqlite``        store path or SQLAlchemy URL
``ATLAS_ONLINE_GEOCODING``  ``0``                  ``1`` lets the geocoder ask Nominatim
``ATLAS_NOMINATIM_USER_AGENT``  ``incident-atlas/…``  identifying User-Agent for Nominatim
``ATLAS_ONLINE_TILES``  ``0``                      ``1`` offers web map tiles on the Map page
``ATLAS_MAX_UPLOAD_MB``  ``200``                   files larger than this are refused
``ATLAS_MAX_ROWS``     ``2000000``                 files with more data rows are refused
``ATLAS_CACHE_DIR``    ``var/cache``               the columnar copy of a PostgreSQL store
``SOURCE_DATE_EPOCH``  unset                       exports say they were made at this time
=====================  ==========================  =========================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["DATA_DIR", "PROJECT_ROOT", "Settings", "get_settings"]

PROJECT_ROOT: Path = Path(__file__).resolve().parent.parent
DATA_DIR: Path = PROJECT_ROOT / "data"
_CACHE_DIR: Path = PROJECT_ROOT / "var" / "cache"

#: Documented settings: a test checks that each appears in README.md.
SETTINGS_DOC: dict[str, str] = {
    "ATLAS_DB": "store path or SQLAlchemy URL (default var/atlas.sqlite)",
    "ATLAS_ONLINE_GEOCODING": "1 to let the geocoder ask Nominatim when the offline gazetteer fails",
    "ATLAS_NOMINATIM_USER_AGENT": "identifying User-Agent sent to Nominatim",
    "ATLAS_ONLINE_TILES": "1 to offer online web map tiles under the boundaries",
    "ATLAS_MAX_UPLOAD_MB": "uploads larger than this many MB are refused",
    "ATLAS_MAX_ROWS": "uploads with more data rows than this are refused",
    "ATLAS_CACHE_DIR": "folder of the columnar copy of a PostgreSQL store on this app server "
    "(default var/cache); a SQLite store keeps its copy beside its file",
    "SOURCE_DATE_EPOCH": "seconds since 1970 (UTC): every export says it was made then, "
    "so the same view gives byte-identical files (the reproducible-builds convention)",
}


def _flag(name: str) -> bool:
    return os.environ.get(name, "0").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """A snapshot of the settings in force."""

    db: str
    online_geocoding: bool
    nominatim_user_agent: str
    online_tiles: bool
    max_upload_bytes: int
    max_rows: int
    made_at: datetime | None = None
    cache_dir: Path = _CACHE_DIR


def _epoch(name: str) -> datetime | None:
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        return datetime.fromtimestamp(int(text), UTC)
    except (ValueError, OverflowError, OSError):
        return None  # not a whole number of seconds: ignored, exports say "now"


def get_settings() -> Settings:
    """Read the settings from the environment.

    Returns
    -------
    Settings
    """
    return Settings(
        db=os.environ.get("ATLAS_DB") or str(PROJECT_ROOT / "var" / "atlas.sqlite"),
        online_geocoding=_flag("ATLAS_ONLINE_GEOCODING"),
        nominatim_user_agent=os.environ.get(
            "ATLAS_NOMINATIM_USER_AGENT", "incident-atlas/0.1 (offline-first research dashboard)"
        ),
        online_tiles=_flag("ATLAS_ONLINE_TILES"),
        max_upload_bytes=int(float(os.environ.get("ATLAS_MAX_UPLOAD_MB", "200")) * 1024 * 1024),
        max_rows=int(os.environ.get("ATLAS_MAX_ROWS", "2000000")),
        made_at=_epoch("SOURCE_DATE_EPOCH"),
        cache_dir=Path(os.environ.get("ATLAS_CACHE_DIR") or _CACHE_DIR),
    )
