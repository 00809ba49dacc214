"""Geocoding that uses the row: country, province and district narrow the search.

Each case found on main (issue 14) is an inline row here: "Ahmadabad" in Paktiya,
"Mir Ali" in Khyber Pakhtunkhwa, "Near Wana", drone strikes in the tribal districts.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from geo.places.boundaries import locate
from geo.places.gazetteer import Gazetteer
from geo.places.geocode import geocode_rows
from geo.places.geocode_place import resolve_place
from geo.places.place import distance_km


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def rows(*records: dict[str, Any]) -> pd.DataFrame:
    cols = ["location", "admin2", "admin1", "country", "country_code", "latitude", "longitude"]
    df = pd.DataFrame([{c: r.get(c) for c in cols} for r in records])
    df["geo_precision"] = None
    df["geocode_source"] = None
    df["qa_flags"] = None
    df["_line"] = range(2, len(records) + 2)
    return df


def placed(gaz: Gazetteer, **row: Any) -> tuple[pd.Series, list]:
    out, issues = geocode_rows(rows(row), gaz, online=False)
    return out.iloc[0], issues


def province_of(row: pd.Series) -> str | None:
    return locate([row["latitude"]], [row["longitude"]]).iloc[0]["admin1_code"]


def test_ahmadabad_in_paktiya_is_not_asadabad_in_kunar(gaz: Gazetteer) -> None:
    row, issues = placed(gaz, location="Ahmadabad", admin1="Paktia", country="Afghanistan")
    assert province_of(row) == "AF-PIA"
    assert row["geocode_source"] == "admin1-centroid" and row["geo_precision"] == 3
    assert not any("Asadābād" in str(i.candidates) for i in issues if "ambiguous" in i.message)


def test_a_place_known_only_in_another_province_is_named_not_taken(gaz: Gazetteer) -> None:
    row, issues = placed(gaz, location="Jalalabad", admin1="Kandahar", country="AFG")
    assert province_of(row) == "AF-KAN"
    [warning] = [i for i in issues if "not taken" in i.message]
    assert "Kandahar" in warning.message and "Nangarhar" in warning.message
    assert {c["admin1_code"] for c in warning.candidates} == {"AF-NAN"}


@pytest.mark.parametrize(
    "context",
    [
        {"admin1": "Khyber Pakhtunkhwa"},
        {"admin1": "KPK", "country": "Pakistan"},
        {"admin1": "FATA"},
        {"country_code": "PAK"},
        {"country_code": "586"},  # ACLED's numeric iso column
        {"admin2": "North Waziristan", "admin1": "FATA"},
    ],
)
def test_mir_ali_is_in_north_waziristan_not_ghazni(gaz: Gazetteer, context: dict) -> None:
    row, _ = placed(gaz, location="Mir Ali", **context)
    assert province_of(row) == "PK-KP"
    assert row["admin2"] == "North Waziristan"
    assert row["geo_precision"] == 2  # the town is known only by its district


def test_near_wana_is_wana_at_lower_precision_not_punjab(gaz: Gazetteer) -> None:
    wana = next(p for p in gaz.lookup("Wana", country="PAK") if p.name == "Wana")
    for text in ("Near Wana", "near wana", "village in Wana", "Wana (Near Afghan Border)"):
        row, _ = placed(gaz, location=text, admin2="South Waziristan", admin1="FATA")
        assert (row["latitude"], row["longitude"]) == (wana.latitude, wana.longitude), text
        assert row["geo_precision"] == 2, text
        assert row["admin2"] == "South Waziristan"
    exact, _ = placed(gaz, location="Wana", admin1="FATA")
    assert exact["geo_precision"] == 1


def test_a_stated_distance_moves_the_point_inside_the_province(gaz: Gazetteer) -> None:
    miranshah = gaz.lookup("Miranshah", country="PAK")[0]
    row, _ = placed(gaz, location="Xzoy Kili- 15 km east of Miranshah", admin1="FATA")
    km = distance_km(row["latitude"], row["longitude"], miranshah.latitude, miranshah.longitude)
    assert km == pytest.approx(15.0, abs=0.1)
    assert row["longitude"] > miranshah.longitude
    assert row["geo_precision"] == 2


def test_a_stated_distance_that_would_leave_the_country_is_not_applied(gaz: Gazetteer) -> None:
    wana = next(p for p in gaz.lookup("Wana", country="PAK") if p.name == "Wana")
    row, _ = placed(gaz, location="Kotkai- 60 km west of Wana", admin1="FATA")
    assert (row["latitude"], row["longitude"]) == (wana.latitude, wana.longitude)
    assert locate([row["latitude"]], [row["longitude"]]).iloc[0]["country_code"] == "PAK"


@pytest.mark.parametrize(
    ("location", "agency"),
    [
        ("Miran Shah", "North Waziristan"),
        ("Miranshah Bazaar", "North Waziristan"),
        ("Datta Khel", "North Waziristan"),
        ("Dattakhel", "North Waziristan"),
        ("Wana", "South Waziristan"),
        ("Makeen", "South Waziristan"),
        ("Damadola Village", "Bajaur"),
        ("Khar", "Bajaur"),
        ("Ghalanai", "Mohmand"),
        ("Parachinar", "Kurram"),
        ("Kalaya", "Orakzai"),
        ("Jamrud", "Khyber"),
    ],
)
def test_fata_towns_are_in_khyber_pakhtunkhwa_with_their_agency(
    gaz: Gazetteer, location: str, agency: str
) -> None:
    row, issues = placed(gaz, location=location, admin1="FATA")
    assert province_of(row) == "PK-KP"
    assert row["admin2"] == agency
    assert row["geocode_source"] == "gazetteer"
    assert not [i for i in issues if i.level == "error"]


@pytest.mark.parametrize("agency", ["North Waziristan", "South Waziristan", "Bajaur", "Mohmand",
                                    "Kurram", "Orakzai", "Khyber"])  # fmt: skip
def test_the_agencies_themselves_are_places_at_district_precision(
    gaz: Gazetteer, agency: str
) -> None:
    row, _ = placed(gaz, location=agency, country="Pakistan")
    assert province_of(row) == "PK-KP" and row["geo_precision"] == 2


def test_drone_strikes_in_the_tribal_districts_never_land_in_afghanistan(gaz: Gazetteer) -> None:
    texts = [
        "Mir Ali (Near Afghan Border)",
        "Haisori- Miran Shah",
        "Shawal Valley",
        "Angoor Adda",
        "Ghulam Khan Area",
        "Datta Khel- Shawal Valley",
        "Dwatoi- 40 km west of Miranshah",
        "Some Unknown Kili",
    ]
    df = rows(*({"location": t, "admin2": "North Waziristan", "admin1": "FATA"} for t in texts))
    out, issues = geocode_rows(df, gaz, online=False)
    where = locate(out["latitude"], out["longitude"])
    assert where["country_code"].tolist() == ["PAK"] * len(texts)
    assert not [i for i in issues if i.level == "error"]


def test_a_fuzzy_match_far_from_the_named_district_is_not_taken(gaz: Gazetteer) -> None:
    district = next(p for p in gaz.lookup("North Waziristan") if p.feature == "district")
    row, issues = placed(gaz, location="Nawana", admin2="North Waziristan", admin1="FATA")
    assert (row["latitude"], row["longitude"]) == (district.latitude, district.longitude)
    assert any("not taken" in i.message and "North Waziristan" in i.message for i in issues)


def test_an_indian_row_is_never_placed_in_pakistan(gaz: Gazetteer) -> None:
    row, issues = placed(gaz, location="Lahore", admin1="Punjab", country="India")
    assert pd.isna(row["latitude"]) and row["geocode_source"] is None
    [error] = [i for i in issues if i.level == "error"]
    assert "Afghanistan and Pakistan" in error.message


def test_indias_punjab_without_a_place_is_not_pakistans_province(gaz: Gazetteer) -> None:
    row, _ = placed(gaz, admin1="Punjab", country_code="356")
    assert pd.isna(row["latitude"])
    pak, _ = placed(gaz, admin1="Punjab", country="Pakistan")
    assert province_of(pak) == "PK-PB"


def test_the_province_implies_the_country(gaz: Gazetteer) -> None:
    # "Bannu" is a city in Pakistan and a village in Baghlan: the province says which
    unsaid = resolve_place(gaz, "Bannu", "", "", "", "", None)
    assert unsaid.source is None and "ambiguous" in unsaid.issues[0][2]
    pak_side = resolve_place(gaz, "Bannu", "", "Khyber Pakhtunkhwa", "", "", None)
    assert pak_side.source == "gazetteer"
    assert locate([pak_side.latitude], [pak_side.longitude]).iloc[0]["country_code"] == "PAK"
    afg_side = resolve_place(gaz, "Bannu", "", "Baghlan", "", "", None)
    assert locate([afg_side.latitude], [afg_side.longitude]).iloc[0]["admin1_code"] == "AF-BGL"


def test_a_district_already_in_the_row_is_kept(gaz: Gazetteer) -> None:
    row, _ = placed(gaz, location="Miranshah", admin2="Miran Shah Tehsil", admin1="FATA")
    assert row["admin2"] == "Miran Shah Tehsil"


def test_bahawalpur_is_the_city_not_bahawalnagar(gaz: Gazetteer) -> None:
    row, issues = placed(gaz, location="Bahawalpur", admin1="Punjab", country="Pakistan")
    city = next(p for p in gaz.lookup("Bahawalpur", country="PAK") if p.name == "Bahawalpur")
    assert (row["latitude"], row["longitude"]) == (city.latitude, city.longitude)
    assert issues == []
