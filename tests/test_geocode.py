"""Geocoding rows: gazetteer matches, ambiguity, fallbacks, choices, the online fallback."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from geopy.exc import GeocoderServiceError
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.places.gazetteer import Gazetteer
from geo.places.geocode import (
    LOW_CONFIDENCE_FLAG,
    AtlasGeocoder,
    NominatimFallback,
    RequestRateLimiter,
    geocode_rows,
)
from geo.schema import GEOCODE_SOURCES


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def rows(*records: dict[str, Any]) -> pd.DataFrame:
    """Canonical rows; ``_line`` counts from 2 (the header is line 1)."""
    cols = ["location", "admin2", "admin1", "country", "country_code", "latitude", "longitude"]
    df = pd.DataFrame([{c: r.get(c) for c in cols} for r in records])
    df["geo_precision"] = [r.get("geo_precision") for r in records]
    df["geocode_source"] = [r.get("geocode_source") for r in records]
    df["qa_flags"] = None
    df["_line"] = range(2, len(records) + 2)
    return df


def by_line(issues: list, line: int) -> list:
    return [i for i in issues if i.line == line]


# -- rows --------------------------------------------------------------------


def test_provided_coordinates_are_kept_and_marked(gaz: Gazetteer) -> None:
    df = rows(
        {"location": "Fayzabad", "latitude": 36.0, "longitude": 66.0},
        {"location": "Kabul", "latitude": "34.5", "longitude": "69.2", "geo_precision": 2},
    )
    out, issues = geocode_rows(df, gaz)
    assert out["latitude"].tolist() == [36.0, 34.5]
    assert out["geocode_source"].tolist() == ["provided", "provided"]
    assert out["geo_precision"].tolist() == [1, 2]
    assert issues == []
    assert out.attrs["geocoded"] == 0


def test_name_only_row_is_placed_from_the_gazetteer(gaz: Gazetteer) -> None:
    out, issues = geocode_rows(rows({"location": "Mazar-e-Sharif"}), gaz)
    row = out.iloc[0]
    assert row["geocode_source"] == "gazetteer"
    assert row["geo_precision"] == 1
    assert abs(row["latitude"] - 36.71) < 0.05 and abs(row["longitude"] - 67.11) < 0.05
    assert issues == []
    assert out.attrs["geocoded"] == 1


def test_valley_keeps_its_precision(gaz: Gazetteer) -> None:
    out, _ = geocode_rows(rows({"location": "Tirah Valley", "admin1": "Khyber Pakhtunkhwa"}), gaz)
    assert out.iloc[0]["geo_precision"] == 2
    assert out.iloc[0]["geocode_source"] == "gazetteer"


def test_ambiguous_name_without_context_is_not_guessed(gaz: Gazetteer) -> None:
    out, issues = geocode_rows(rows({"location": "Fayzabad"}), gaz)
    assert np.isnan(out.iloc[0]["latitude"])
    assert pd.isna(out.iloc[0]["geocode_source"])
    warnings = [i for i in issues if i.level == "warning"]
    errors = [i for i in issues if i.level == "error"]
    assert len(warnings) == 1 and len(errors) == 1
    w = warnings[0]
    assert (w.line, w.column, w.value) == (2, "location", "Fayzabad")
    assert {c["admin1_code"] for c in w.candidates} >= {"AF-BDS", "AF-JOW", "AF-FYB"}
    assert "Badakhshan" in w.message and "Jowzjan" in w.message


def test_province_context_resolves_the_ambiguity(gaz: Gazetteer) -> None:
    out, issues = geocode_rows(rows({"location": "Fayzabad", "admin1": "Jowzjan"}), gaz)
    jow = gaz.lookup("Fayzabad", admin1="AF-JOW")[0]
    assert (out.iloc[0]["latitude"], out.iloc[0]["longitude"]) == (jow.latitude, jow.longitude)
    assert issues == []


def test_ambiguous_name_outside_the_stated_province_falls_back_to_it(gaz: Gazetteer) -> None:
    out, issues = geocode_rows(rows({"location": "Fayzabad", "admin1": "Takhar"}), gaz)
    takhar = gaz.province("AF-TAK")
    assert out.iloc[0]["geocode_source"] == "admin1-centroid"
    assert out.iloc[0]["geo_precision"] == 3
    assert out.iloc[0]["latitude"] == takhar.latitude
    assert any(i.level == "warning" and i.candidates for i in issues)
    assert not any(i.level == "error" for i in issues)


@pytest.mark.parametrize(
    ("admin1", "code"), [("Balkh", "AF-BAL"), ("NWFP", "PK-KP"), ("PK-BA", "PK-BA")]
)
def test_province_only_row_gets_the_representative_point(
    gaz: Gazetteer, admin1: str, code: str
) -> None:
    from geo.places.boundaries import adm1

    rep = adm1().set_index("admin1_code").loc[code]
    out, issues = geocode_rows(rows({"admin1": admin1}), gaz)
    row = out.iloc[0]
    assert row["geocode_source"] == "admin1-centroid"
    assert row["geo_precision"] == 3
    assert row["latitude"] == pytest.approx(rep["rep_lat"])
    assert row["longitude"] == pytest.approx(rep["rep_lon"])
    assert issues == []


def test_unknown_place_with_province_warns_and_uses_the_province(gaz: Gazetteer) -> None:
    out, issues = geocode_rows(rows({"location": "Xqzwvvy Kalay", "admin1": "Balkh"}), gaz)
    assert out.iloc[0]["geocode_source"] == "admin1-centroid"
    assert [i.level for i in issues] == ["warning"]
    assert "not found" in issues[0].message


def test_unknown_place_with_district_uses_the_district(gaz: Gazetteer) -> None:
    out, _ = geocode_rows(rows({"location": "Xqzwvvy Kalay", "admin2": "Khyber"}), gaz)
    district = gaz.lookup("Khyber District")[0]
    assert out.iloc[0]["latitude"] == district.latitude
    assert out.iloc[0]["geo_precision"] == 2


def test_row_with_nothing_usable_is_an_error(gaz: Gazetteer) -> None:
    out, issues = geocode_rows(rows({"location": "Xqzwvvy"}, {"country": "Pakistan"}), gaz)
    assert out["latitude"].isna().all()
    assert [(i.line, i.level) for i in issues] == [(2, "error"), (3, "error")]
    assert all(i.message == "no coordinates and no place name that could be found" for i in issues)


def test_low_score_match_is_flagged(gaz: Gazetteer) -> None:
    top = gaz.lookup("Peshawer Cty")[0]
    assert top.name == "Peshawar" and top.score < 90
    out, issues = geocode_rows(rows({"location": "Peshawer Cty"}), gaz)
    assert out.iloc[0]["geocode_source"] == "gazetteer"
    assert LOW_CONFIDENCE_FLAG in out.iloc[0]["qa_flags"]
    assert [i.level for i in issues] == ["warning"]
    assert issues[0].candidates[0]["name"] == "Peshawar"


def test_choice_overrides_an_ambiguous_row(gaz: Gazetteer) -> None:
    df = rows({"location": "Fayzabad"}, {"location": "Fayzabad"})
    _, issues = geocode_rows(df, gaz)
    pick = next(i for i in issues if i.line == 3 and i.candidates).candidates[1]
    out, issues = geocode_rows(df, gaz, choices={3: pick})
    assert out.iloc[1]["geocode_source"] == "manual"
    assert (out.iloc[1]["latitude"], out.iloc[1]["longitude"]) == (
        pick["latitude"],
        pick["longitude"],
    )
    assert by_line(issues, 3) == []
    assert np.isnan(out.iloc[0]["latitude"]) and by_line(issues, 2)


def test_invalid_choice_is_reported(gaz: Gazetteer) -> None:
    _, issues = geocode_rows(rows({"location": "Fayzabad"}), gaz, choices={2: {"name": "x"}})
    assert any(i.level == "error" and "chosen place" in i.message for i in issues)


def test_every_placed_row_records_source_and_precision(gaz: Gazetteer) -> None:
    df = rows(
        {"location": "Kabul"},
        {"location": "Sambaza", "admin2": "Zhob"},
        {"admin1": "Sind"},
        {"location": "Peshawar", "latitude": 34.0, "longitude": 71.5},
        {"location": "Kocha Risaldar", "country_code": "PAK"},
    )
    out, issues = geocode_rows(df, gaz)
    assert out["latitude"].notna().all()
    assert set(out["geocode_source"]) <= set(GEOCODE_SOURCES)
    assert out["geo_precision"].between(1, 4).all()
    assert out.attrs["geocoded"] == 4
    assert issues == []


def test_distinct_places_are_looked_up_once(
    gaz: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = gaz.lookup

    def counting(name: str, *args: Any, **kwargs: Any) -> list:
        calls.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(gaz, "lookup", counting)
    df = rows(*([{"location": "Gardez"}] * 40 + [{"location": "Zhob"}] * 40))
    out, _ = geocode_rows(df, gaz)
    assert sorted(calls) == ["Gardez", "Zhob"]
    assert out["latitude"].notna().all()


# -- geopy interface -----------------------------------------------------------


def test_atlas_geocoder_is_a_geopy_geocoder(gaz: Gazetteer) -> None:
    geocoder = AtlasGeocoder(gaz)
    assert isinstance(geocoder, Geocoder)
    loc = geocoder.geocode("Mazar-i-Sharif")
    assert isinstance(loc, Location)
    assert loc.raw["admin1_code"] == "AF-BAL"
    assert (loc.latitude, loc.longitude) == (loc.raw["latitude"], loc.raw["longitude"])


def test_atlas_geocoder_ambiguous_and_unknown(gaz: Gazetteer) -> None:
    geocoder = AtlasGeocoder(gaz)
    assert geocoder.geocode("Fayzabad") is None
    assert len(geocoder.geocode("Fayzabad", exactly_one=False)) >= 3
    assert geocoder.geocode("Fayzabad", admin1="Faryab").raw["admin1_code"] == "AF-FYB"
    assert geocoder.geocode("Xqzwvvy") is None


# -- online fallback -------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeGeocoder:
    """Stands in for geopy's Nominatim: no network."""

    def __init__(self, answers: dict[str, tuple[float, float, str]], fail: bool = False) -> None:
        self.answers = answers
        self.fail = fail
        self.calls: list[tuple[str, Any]] = []

    def geocode(self, query: str, exactly_one: bool = True, **kwargs: Any) -> Location | None:
        self.calls.append((query, kwargs.get("country_codes")))
        if self.fail:
            raise GeocoderServiceError("HTTP 503")
        if query not in self.answers:
            return None
        lat, lon, kind = self.answers[query]
        return Location(f"{query}, Afghanistan", (lat, lon), {"addresstype": kind})


class DictCache:
    def __init__(self) -> None:
        self.data: dict[str, dict] = {}

    def get(self, key: str) -> dict | None:
        return self.data.get(key)

    def put(self, key: str, value: dict) -> None:
        self.data[key] = value


def test_rate_limiter_spaces_requests_by_the_interval() -> None:
    clock = FakeClock()
    limiter = RequestRateLimiter(1.0, clock=clock, sleep=clock.sleep)
    limiter.wait()
    clock.now += 0.25
    limiter.wait()
    limiter.wait()
    clock.now += 5
    limiter.wait()
    assert clock.sleeps == pytest.approx([0.75, 1.0])


def test_online_fallback_places_unknown_names(gaz: Gazetteer) -> None:
    clock = FakeClock()
    fake = FakeGeocoder(
        {"Xqzwvvy Kalay": (34.1, 69.2, "village"), "Yqzwvvy": (33.0, 68.0, "county")}
    )
    online = NominatimFallback(
        fake, cache=DictCache(), limiter=RequestRateLimiter(1.0, clock=clock, sleep=clock.sleep)
    )
    df = rows(
        {"location": "Xqzwvvy Kalay", "country_code": "AFG"},
        {"location": "Yqzwvvy"},
        {"location": "Xqzwvvy Kalay", "country_code": "AFG"},
        {"location": "Kabul"},
    )
    out, issues = geocode_rows(df, gaz, online=online)
    assert out["geocode_source"].tolist() == ["nominatim", "nominatim", "nominatim", "gazetteer"]
    assert out["geo_precision"].tolist() == [1, 2, 1, 1]
    assert [q for q, _ in fake.calls] == ["Xqzwvvy Kalay", "Yqzwvvy"]
    assert fake.calls[0][1] == ["af"] and fake.calls[1][1] == ["af", "pk"]
    assert clock.sleeps == pytest.approx([1.0])
    assert all(i.level == "warning" for i in issues)


def test_online_answers_are_cached_across_instances(gaz: Gazetteer) -> None:
    cache = DictCache()
    clock = FakeClock()
    limiter = RequestRateLimiter(1.0, clock=clock, sleep=clock.sleep)
    first = FakeGeocoder({"Xqzwvvy Kalay": (34.1, 69.2, "village")})
    NominatimFallback(first, cache=cache, limiter=limiter).lookup("Xqzwvvy Kalay")
    NominatimFallback(first, cache=cache, limiter=limiter).lookup("Nothing Here")
    second = FakeGeocoder({})
    again = NominatimFallback(second, cache=cache, limiter=limiter)
    assert again.lookup("Xqzwvvy  kalay")["latitude"] == 34.1
    assert again.lookup("Nothing Here") is None
    assert second.calls == [] and again.requests == 0


def test_online_cache_argument_is_used(gaz: Gazetteer) -> None:
    cache = DictCache()
    clock = FakeClock()
    online = NominatimFallback(
        FakeGeocoder({"Xqzwvvy Kalay": (34.1, 69.2, "village")}),
        limiter=RequestRateLimiter(1.0, clock=clock, sleep=clock.sleep),
    )
    geocode_rows(rows({"location": "Xqzwvvy Kalay"}), gaz, online=online, cache=cache)
    assert len(cache.data) == 1


def test_online_failure_is_reported_not_swallowed(gaz: Gazetteer) -> None:
    clock = FakeClock()
    online = NominatimFallback(
        FakeGeocoder({}, fail=True),
        limiter=RequestRateLimiter(1.0, clock=clock, sleep=clock.sleep),
    )
    out, issues = geocode_rows(
        rows({"location": "Xqzwvvy Kalay", "admin1": "Kabul"}), gaz, online=online
    )
    assert out.iloc[0]["geocode_source"] == "admin1-centroid"
    failed = [i for i in issues if "online geocoding" in i.message]
    assert len(failed) == 1 and failed[0].level == "warning" and "503" in failed[0].message


def test_online_is_off_by_default(gaz: Gazetteer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATLAS_ONLINE_GEOCODING", raising=False)

    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("Nominatim must not be created when online geocoding is off")

    monkeypatch.setattr("geo.places.geocode.NominatimFallback", boom)
    out, _ = geocode_rows(rows({"location": "Xqzwvvy Kalay"}), gaz)
    assert out["latitude"].isna().all()


def test_online_lookups_are_restricted_to_the_rows_country(gaz: Gazetteer) -> None:
    clock = FakeClock()
    fake = FakeGeocoder({"Lahore": (31.55, 74.34, "city"), "Xqzwvvy": (30.0, 70.0, "village")})
    online = NominatimFallback(
        fake, cache=DictCache(), limiter=RequestRateLimiter(1.0, clock=clock, sleep=clock.sleep)
    )
    df = rows(
        {"location": "Lahore", "country": "India"},  # an Indian row: asked in India only
        {"location": "Xqzwvvy", "country": "Atlantis"},  # no country to restrict to: not asked
    )
    out, issues = geocode_rows(df, gaz, online=online)
    assert fake.calls == [("Lahore", ["in"])]
    assert out["geocode_source"].iloc[0] == "nominatim"
    assert pd.isna(out["geocode_source"].iloc[1]) and pd.isna(out["latitude"].iloc[1])
    assert [i.level for i in by_line(issues, 3)] == ["error"]
