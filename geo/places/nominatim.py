"""Opt-in online geocoding through Nominatim (or any geopy geocoder).

:class:`NominatimFallback` is used by :func:`geo.places.geocode.geocode_rows` for
names the offline gazetteer does not know, only when online geocoding is
switched on (``ATLAS_ONLINE_GEOCODING=1``). Every request waits for the
process-wide :data:`NOMINATIM_LIMITER` (one request per second, as
Nominatim's usage policy asks), carries the configured User-Agent, and every
answer, found or not, is kept in the cache given (the store's geocode cache),
so a name is asked once. Failures raise :class:`OnlineGeocodeError`, which
the caller reports.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from geopy.exc import GeopyError
from geopy.location import Location

from geo.config import get_settings
from geo.places.gazetteer import Gazetteer, normalise_name

__all__ = [
    "NOMINATIM_LIMITER",
    "GeocodeCache",
    "NominatimFallback",
    "OnlineGeocodeError",
    "RequestRateLimiter",
]


class GeocodeCache(Protocol):
    """What :class:`NominatimFallback` needs from a cache (the store provides one)."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...


class OnlineGeocodeError(Exception):
    """The online geocoder failed (network, quota, service error)."""


class RequestRateLimiter:
    """At most one request per ``min_interval`` seconds, across threads.

    ``wait()`` blocks until the interval since the previous request has
    passed, then records the new request's time. One instance,
    :data:`NOMINATIM_LIMITER`, serves the whole process, as Nominatim's usage
    policy asks (one request per second).

    Parameters
    ----------
    min_interval : float
        Seconds between the starts of two requests.
    clock, sleep : callable
        Injected in tests to check the spacing without waiting.

    Examples
    --------
    >>> now = [0.0]
    >>> slept = []
    >>> def sleep(s):
    ...     slept.append(s)
    ...     now[0] += s
    >>> limiter = RequestRateLimiter(1.0, clock=lambda: now[0], sleep=sleep)
    >>> limiter.wait(); now[0] += 0.25; limiter.wait()
    >>> slept
    [0.75]
    """

    def __init__(
        self,
        min_interval: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval = float(min_interval)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._last: float | None = None

    def wait(self) -> None:
        """Block until a request may be sent, and claim that slot."""
        with self._lock:
            now = self._clock()
            if self._last is not None:
                delay = self._last + self.min_interval - now
                if delay > 0:
                    self._sleep(delay)
                    now = self._clock()
            self._last = now


#: The process-wide limiter every NominatimFallback shares by default.
NOMINATIM_LIMITER = RequestRateLimiter(1.0)

_PRECISION_BY_TYPE = {
    **dict.fromkeys(
        ["city", "town", "village", "hamlet", "suburb", "neighbourhood", "quarter", "locality",
         "isolated_dwelling", "building", "amenity", "place_of_worship", "border_control"],
        1,
    ),
    **dict.fromkeys(["county", "district", "municipality", "state_district", "region"], 2),
    **dict.fromkeys(["state", "province"], 3),
    "country": 4,
}  # fmt: skip

_ISO2 = {"AFG": "af", "PAK": "pk"}


class NominatimFallback:
    """Ask an online geocoder (Nominatim by default) for names the gazetteer lacks.

    Parameters
    ----------
    geocoder : geopy Geocoder, optional
        Default: ``geopy.geocoders.Nominatim`` with the User-Agent of
        :func:`geo.config.get_settings`. Tests pass a fake.
    cache : object with ``get(key)`` and ``put(key, dict)``, optional
        Answers (found or not) are stored under ``"nominatim:<country>:<name>"``
        and reused: a cached name is never asked twice.
    limiter : RequestRateLimiter, optional
        Default :data:`NOMINATIM_LIMITER` (one request per second per process).
    country_codes : tuple of str
        ISO2 codes the search is restricted to when the row names no country.
    """

    def __init__(
        self,
        geocoder: Any | None = None,
        *,
        cache: GeocodeCache | None = None,
        limiter: RequestRateLimiter | None = None,
        user_agent: str | None = None,
        country_codes: tuple[str, ...] = ("af", "pk"),
        timeout: float = 10.0,
    ) -> None:
        if geocoder is None:
            from geopy.geocoders import Nominatim

            geocoder = Nominatim(
                user_agent=user_agent or get_settings().nominatim_user_agent, timeout=timeout
            )
        self.geocoder = geocoder
        self.cache = cache
        self.limiter = limiter or NOMINATIM_LIMITER
        self.country_codes = tuple(country_codes)
        self.requests = 0
        self._memo: dict[str, dict[str, Any]] = {}

    def lookup(self, query: str, *, country: str | None = None) -> dict[str, Any] | None:
        """A candidate dict for ``query`` (``source="nominatim"``), or None if not found.

        Raises
        ------
        OnlineGeocodeError
            When the service cannot be reached or answers with an error.
        """
        codes = _country_codes(country, self.country_codes)
        if not codes:
            return None  # a country Nominatim cannot be restricted to: no answer, not a guess
        key = f"nominatim:{','.join(codes)}:{normalise_name(query)}"
        hit = self._memo.get(key)
        if hit is None and self.cache is not None:
            hit = self.cache.get(key)
        if hit is None:
            self.limiter.wait()
            self.requests += 1
            try:
                loc = self.geocoder.geocode(query, exactly_one=True, country_codes=codes)
            except (GeopyError, OSError, ValueError) as exc:
                raise OnlineGeocodeError(f"{type(exc).__name__}: {exc}") from exc
            hit = _nominatim_dict(query, loc)
            if self.cache is not None:
                self.cache.put(key, hit)
        self._memo[key] = hit
        return hit if hit.get("found") else None


def _country_codes(country: str | None, default: tuple[str, ...]) -> list[str]:
    """Nominatim's ``countrycodes`` for the row's country: only that country, always."""
    cc = Gazetteer.resolve_country(country)
    if cc is None:
        return list(default)
    if cc in _ISO2:
        return [_ISO2[cc]]
    import pycountry

    found = pycountry.countries.get(alpha_3=cc)
    return [found.alpha_2.lower()] if found is not None else []


def _nominatim_dict(query: str, loc: Location | None) -> dict[str, Any]:
    if loc is None:
        return {"found": False, "query": query}
    raw = loc.raw if isinstance(loc.raw, dict) else {}
    kind = raw.get("addresstype") or raw.get("type") or ""
    return {
        "found": True,
        "name": loc.address,
        "matched": query,
        "latitude": float(loc.latitude),
        "longitude": float(loc.longitude),
        "admin1": None,
        "admin1_code": None,
        "country_code": None,
        "geo_precision": _PRECISION_BY_TYPE.get(kind, 2),
        "source": "nominatim",
        "score": None,
    }
