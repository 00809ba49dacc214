"""Tests for geo.places.nominatim, the opt-in online geocoder. No test touches the network:
the geocoder is a fake, and any socket connection fails the test."""

from __future__ import annotations

import socket
import threading

import pytest
from geopy.exc import GeocoderServiceError, GeocoderTimedOut
from geopy.location import Location

from geo.config import get_settings
from geo.places.nominatim import (
    NOMINATIM_LIMITER,
    NominatimFallback,
    OnlineGeocodeError,
    RequestRateLimiter,
)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a test of geo.places.nominatim tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


class FakeGeocoder:
    """Records every geocode call and answers from a dict (None: not found)."""

    def __init__(self, answers=None, error: Exception | None = None) -> None:
        self.answers = answers or {}
        self.error = error
        self.calls: list[tuple[str, dict]] = []

    def geocode(self, query, **kwargs):
        self.calls.append((query, kwargs))
        if self.error is not None:
            raise self.error
        return self.answers.get(query)


class DictCache:
    def __init__(self) -> None:
        self.data: dict[str, dict] = {}

    def get(self, key):
        return self.data.get(key)

    def put(self, key, value):
        self.data[key] = value


class FakeClock:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _loc(name: str, lat: float, lon: float, kind: str = "city") -> Location:
    return Location(name, (lat, lon), {"addresstype": kind, "type": kind})


def _free_limiter() -> RequestRateLimiter:
    clock = FakeClock()
    return RequestRateLimiter(1.0, clock=clock, sleep=clock.sleep)


# ----------------------------------------------------------------------------- off by default
def test_online_geocoding_is_off_unless_switched_on(monkeypatch):
    monkeypatch.delenv("ATLAS_ONLINE_GEOCODING", raising=False)
    assert get_settings().online_geocoding is False
    monkeypatch.setenv("ATLAS_ONLINE_GEOCODING", "1")
    assert get_settings().online_geocoding is True


def test_default_geocoder_is_nominatim_with_the_configured_user_agent(monkeypatch):
    monkeypatch.setenv("ATLAS_NOMINATIM_USER_AGENT", "atlas-test/9 (tests@example.org)")
    fb = NominatimFallback()
    assert type(fb.geocoder).__name__ == "Nominatim"
    assert fb.geocoder.headers["User-Agent"] == "atlas-test/9 (tests@example.org)"
    assert fb.limiter is NOMINATIM_LIMITER
    assert fb.requests == 0  # constructing it asks nothing


def test_explicit_user_agent_wins_over_the_setting(monkeypatch):
    monkeypatch.setenv("ATLAS_NOMINATIM_USER_AGENT", "from-env")
    fb = NominatimFallback(user_agent="explicit/1")
    assert fb.geocoder.headers["User-Agent"] == "explicit/1"


# ----------------------------------------------------------------------------- lookup
def test_found_place_becomes_a_candidate():
    geo = FakeGeocoder({"Spin Boldak": _loc("Spin Boldak, Kandahar", 31.0, 66.4, "town")})
    fb = NominatimFallback(geo, limiter=_free_limiter())
    hit = fb.lookup("Spin Boldak", country="Afghanistan")
    assert hit is not None
    assert hit["source"] == "nominatim" and hit["found"] is True
    assert (hit["latitude"], hit["longitude"]) == (31.0, 66.4)
    assert hit["geo_precision"] == 1 and hit["matched"] == "Spin Boldak"
    assert geo.calls == [("Spin Boldak", {"exactly_one": True, "country_codes": ["af"]})]


@pytest.mark.parametrize(
    ("kind", "precision"),
    [("village", 1), ("district", 2), ("province", 3), ("country", 4), ("river", 2)],
)
def test_precision_follows_the_kind_of_place(kind, precision):
    geo = FakeGeocoder({"X": _loc("X", 30.0, 70.0, kind)})
    hit = NominatimFallback(geo, limiter=_free_limiter()).lookup("X")
    assert hit["geo_precision"] == precision


def test_no_country_searches_the_default_countries():
    geo = FakeGeocoder()
    NominatimFallback(geo, limiter=_free_limiter()).lookup("Nowhere")
    assert geo.calls[0][1]["country_codes"] == ["af", "pk"]


def test_other_country_is_searched_on_its_own():
    geo = FakeGeocoder()
    NominatimFallback(geo, limiter=_free_limiter()).lookup("Mashhad", country="IRN")
    assert geo.calls[0][1]["country_codes"] == ["ir"]


def test_country_nominatim_cannot_be_restricted_to_gives_no_answer():
    geo = FakeGeocoder({"Atlantis": _loc("Atlantis", 0.0, 0.0)})
    fb = NominatimFallback(geo, limiter=_free_limiter())
    assert fb.lookup("Atlantis", country="Not A Country") is None
    assert geo.calls == [] and fb.requests == 0  # not guessed worldwide


def test_not_found_is_none_and_cached():
    geo = FakeGeocoder()
    cache = DictCache()
    fb = NominatimFallback(geo, cache=cache, limiter=_free_limiter())
    assert fb.lookup("Qarya-e Nest") is None
    assert list(cache.data.values()) == [{"found": False, "query": "Qarya-e Nest"}]
    assert fb.lookup("Qarya-e Nest") is None
    assert len(geo.calls) == 1 and fb.requests == 1


def test_a_name_is_asked_once_across_spellings_and_instances():
    geo = FakeGeocoder({"Mazar-i-Sharif": _loc("Mazar", 36.7, 67.1)})
    cache = DictCache()
    first = NominatimFallback(geo, cache=cache, limiter=_free_limiter())
    assert first.lookup("Mazar-i-Sharif", country="AFG") is not None
    assert first.lookup("Mazār-e Sharīf", country="AFG") is not None  # same key
    second = NominatimFallback(FakeGeocoder(), cache=cache, limiter=_free_limiter())
    assert second.lookup("Mazar-i-Sharif", country="AFG")["latitude"] == 36.7
    assert len(geo.calls) == 1 and second.requests == 0
    assert list(cache.data) == ["nominatim:af:mazar sharif"]


@pytest.mark.parametrize(
    "error", [GeocoderTimedOut("timed out"), GeocoderServiceError("HTTP 429"), OSError("down")]
)
def test_service_failures_raise_online_geocode_error(error):
    cache = DictCache()
    fb = NominatimFallback(FakeGeocoder(error=error), cache=cache, limiter=_free_limiter())
    with pytest.raises(OnlineGeocodeError, match=type(error).__name__):
        fb.lookup("Kabul")
    assert cache.data == {}  # a failure is not remembered as "not found"


def test_unicode_query_is_passed_unchanged():
    geo = FakeGeocoder({"مزار شریف": _loc("مزار شریف", 36.7, 67.1)})
    hit = NominatimFallback(geo, limiter=_free_limiter()).lookup("مزار شریف")
    assert geo.calls[0][0] == "مزار شریف" and hit["name"] == "مزار شریف"


# ----------------------------------------------------------------------------- rate limit
def test_limiter_spaces_requests_by_the_interval():
    clock = FakeClock()
    limiter = RequestRateLimiter(1.0, clock=clock, sleep=clock.sleep)
    limiter.wait()
    assert clock.sleeps == []  # the first request goes at once
    clock.now += 0.25
    limiter.wait()
    assert clock.sleeps == [pytest.approx(0.75)]
    clock.now += 5.0
    limiter.wait()
    assert clock.sleeps == [pytest.approx(0.75)]  # long enough since the last one


def test_every_online_request_waits_for_the_limiter():
    clock = FakeClock()
    limiter = RequestRateLimiter(1.0, clock=clock, sleep=clock.sleep)
    fb = NominatimFallback(FakeGeocoder(), limiter=limiter)
    for name in ["A", "B", "C", "A"]:
        fb.lookup(name)
    assert fb.requests == 3  # the repeated name is not asked again
    assert clock.sleeps == [pytest.approx(1.0)] * 2


def test_limiter_serialises_threads():
    clock = FakeClock()
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            clock.sleep(seconds)

    limiter = RequestRateLimiter(2.0, clock=clock, sleep=sleep)
    threads = [threading.Thread(target=limiter.wait) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert clock.sleeps == [pytest.approx(2.0)] * 4
