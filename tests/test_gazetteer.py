"""The offline gazetteer: normalisation, look-ups, ambiguity, context, curated places."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pycountry
import pytest

from geo.places.gazetteer import (
    FUZZY_CUTOFF,
    GAZETTEER_CSV,
    Gazetteer,
    Place,
    is_ambiguous,
    match_key,
    normalise_name,
)

ROOT = Path(__file__).resolve().parent.parent
DESIGN_KEYS = {
    "name",
    "matched",
    "latitude",
    "longitude",
    "admin1",
    "admin1_code",
    "country_code",
    "geo_precision",
    "source",
    "score",
}


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


# -- normalisation -----------------------------------------------------------

MAZAR_SPELLINGS = [
    "Mazar-i-Sharif",
    "Mazar-e Sharif",
    "Mazar-e-Sharif",
    "Mazār-e Sharīf",
    "Mazar i Sharif",
    "MAZAR-E-SHARIF",
    "  mazar   e  sharif ",
]


@pytest.mark.parametrize("spelling", MAZAR_SPELLINGS)
def test_mazar_spellings_share_one_form(spelling: str) -> None:
    assert normalise_name(spelling) == "mazar sharif"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Fayzabad", "Feyzabad"),
        ("Faizabad", "Faiz Abad"),
        ("Feyzābād", "Fayz-abad"),
        ("Kowt", "Kot"),
        ("Qandahar", "Kandahar"),
        ("Kunduz", "Qunduz"),
        ("Shooli", "Shuli"),
        ("Gardez", "Gardiz"),
        ("Qal'eh-ye Now", "Qala-i-Now"),
        ("Landi Kotal", "Landikotal"),
        ("Kˌunduz", "Kunduz"),
    ],
)
def test_transliteration_variants_share_a_key(a: str, b: str) -> None:
    assert match_key(a) == match_key(b)


@pytest.mark.parametrize(
    ("a", "b"), [("Kabul", "Kunduz"), ("Zhob", "Zob Nala"), ("Khost", "Kunar")]
)
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert match_key(a) != match_key(b)


def test_arabic_yeh_and_kaf_variants_normalise_alike() -> None:
    # Persian ی / Arabic ي and Persian ک / Arabic ك
    assert normalise_name("مزار شریف") == normalise_name("مزار شريف")
    assert normalise_name("کندوز") == normalise_name("كندوز")


@pytest.mark.parametrize("empty", [None, "", "   ", "---", float("nan")])
def test_empty_names_normalise_to_empty(empty: object) -> None:
    assert normalise_name(empty) == ""


# -- look-ups ----------------------------------------------------------------


@pytest.mark.parametrize("spelling", [*MAZAR_SPELLINGS, "مزار شریف", "مزار شريف"])
def test_every_mazar_spelling_finds_mazar_in_balkh(gaz: Gazetteer, spelling: str) -> None:
    places = gaz.lookup(spelling)
    assert places, spelling
    top = places[0]
    assert top.admin1_code == "AF-BAL"
    assert top.country_code == "AFG"
    assert top.score == 100
    assert abs(top.latitude - 36.71) < 0.05 and abs(top.longitude - 67.11) < 0.05
    assert not is_ambiguous(places)


@pytest.mark.parametrize(
    ("arabic", "admin1_code"),
    [("پشاور", "PK-KP"), ("کابل", "AF-KAB"), ("سمبازا", "PK-BA"), ("قندوز", "AF-KDZ")],
)
def test_arabic_script_names(gaz: Gazetteer, arabic: str, admin1_code: str) -> None:
    places = gaz.lookup(arabic)
    assert places and places[0].admin1_code == admin1_code


def test_misspelt_name_is_found_by_fuzzy_match_with_lower_score(gaz: Gazetteer) -> None:
    places = gaz.lookup("Peshwar")
    assert places[0].name == "Peshawar"
    assert FUZZY_CUTOFF <= places[0].score < 100


def test_unknown_and_empty_names_return_nothing(gaz: Gazetteer) -> None:
    assert gaz.lookup("Xqzwvvy") == []
    assert gaz.lookup("") == []
    assert gaz.lookup("Peshawar", country="IRN") == []


def test_results_are_best_first_with_valid_fields(gaz: Gazetteer) -> None:
    places = gaz.lookup("Kunduz")
    assert [p.score for p in places] == sorted((p.score for p in places), reverse=True)
    for p in places:
        assert p.source in {"geonames", "gazetteer", "province"}
        assert 0 < p.score <= 100
        assert p.geo_precision in {1, 2, 3, 4}
        assert p.country_code in {"AFG", "PAK"}
        assert set(p.to_dict()) >= DESIGN_KEYS


def test_city_ranks_before_the_province_of_the_same_name(gaz: Gazetteer) -> None:
    places = gaz.lookup("Kabul")
    assert places[0].feature == "city"
    assert any(p.feature == "province" for p in places)
    assert not is_ambiguous(places)


# -- ambiguity and context ---------------------------------------------------


def test_fayzabad_without_context_is_ambiguous(gaz: Gazetteer) -> None:
    places = gaz.lookup("Fayzabad")
    codes = {p.admin1_code for p in places if p.score == 100}
    assert {"AF-BDS", "AF-JOW", "AF-FYB"} <= codes
    assert is_ambiguous(places)


@pytest.mark.parametrize("admin1", ["Jowzjan", "AF-JOW", "Jawzjan", "Jowzjan Province"])
def test_fayzabad_with_province_context(gaz: Gazetteer, admin1: str) -> None:
    places = gaz.lookup("Feyzabad", admin1=admin1)
    assert places[0].admin1_code == "AF-JOW"
    assert not is_ambiguous(places)


def test_province_context_that_excludes_every_candidate_finds_nothing(gaz: Gazetteer) -> None:
    # the province narrows the search: a place elsewhere is never an answer
    assert gaz.lookup("Fayzabad", admin1="Helmand") == []
    assert {p.admin1_code for p in gaz.lookup("Fayzabad")} >= {"AF-BDS", "AF-JOW"}


@pytest.mark.parametrize(
    ("country", "code"),
    [("AFG", "AF-NAN"), ("AF", "AF-NAN"), ("PAK", "PK-KP"), ("Pakistan", "PK-KP")],
)
def test_country_context_picks_the_side_of_torkham(gaz: Gazetteer, country: str, code: str) -> None:
    places = gaz.lookup("Torkham", country=country)
    assert places and {p.admin1_code for p in places} == {code}


def test_torkham_sides_are_one_place_not_an_ambiguity(gaz: Gazetteer) -> None:
    places = gaz.lookup("Torkham")
    assert {p.country_code for p in places} == {"AFG", "PAK"}
    assert not is_ambiguous(places)


# -- provinces ---------------------------------------------------------------


def test_all_41_provinces_are_places_at_precision_3(gaz: Gazetteer) -> None:
    codes = {s.code for cc in ("AF", "PK") for s in pycountry.subdivisions.get(country_code=cc)}
    assert len(codes) == 41
    for code in codes:
        p = gaz.province(code)
        assert p is not None, code
        assert p.admin1_code == code and p.geo_precision == 3 and p.source == "province"


@pytest.mark.parametrize(
    ("old", "code"),
    [
        ("NWFP", "PK-KP"),
        ("N.W.F.P.", "PK-KP"),
        ("North-West Frontier Province", "PK-KP"),
        ("Sarhad", "PK-KP"),
        ("FATA", "PK-KP"),
        ("Federally Administered Tribal Areas", "PK-KP"),
        ("Northern Areas", "PK-GB"),
        ("Baluchistan", "PK-BA"),
        ("Sind", "PK-SD"),
        ("Federal Capital Territory", "PK-IS"),
        ("Panjsher", "AF-PAN"),
        ("Paktiya", "AF-PIA"),
        ("Daikundi", "AF-DAY"),
        ("Sar-i-Pul", "AF-SAR"),
    ],
)
def test_old_and_variant_province_names(gaz: Gazetteer, old: str, code: str) -> None:
    assert gaz.resolve_admin1(old) == code
    assert gaz.province(old).admin1_code == code


# -- curated places (seed documents) ------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "precision"),
    [
        ("Tirah Valley", "PK-KP", 2),
        ("Tirah", "PK-KP", 2),
        ("Sambaza", "PK-BA", 2),
        ("Kocha Risaldar", "PK-KP", 1),
        ("Koocha Risaldar", "PK-KP", 1),
        ("Khyber district", "PK-KP", 2),
        ("Zhob cantonment", "PK-BA", 1),
        ("Zhob", "PK-BA", 1),
        ("Kunduz", "AF-KDZ", 1),
        ("Gardez", "AF-PIA", 1),
        ("Sharana", "AF-PKA", 1),
        ("Bazarak", "AF-PAN", 1),
        ("Nili", "AF-DAY", 1),
        ("Angoor Adda", "PK-KP", 2),
        ("Ghulam Khan", "PK-KP", 2),
        ("Kharlachi", "PK-KP", 2),
        ("Badini", "PK-BA", 2),
        ("Bab-e-Dosti", "PK-BA", 2),
        ("Spin Boldak", "AF-KAN", 1),
        ("Dand-e-Patan", "AF-PIA", 2),
    ],
)
def test_places_named_in_the_seed_documents(
    gaz: Gazetteer, name: str, code: str, precision: int
) -> None:
    top = gaz.lookup(name)[0]
    assert (top.admin1_code, top.geo_precision) == (code, precision)


def test_kocha_risaldar_is_in_peshawar_old_city(gaz: Gazetteer) -> None:
    p = gaz.lookup("Kocha Risaldar")[0]
    assert 33.99 < p.latitude < 34.03 and 71.55 < p.longitude < 71.59


def test_curated_points_lie_in_their_stated_province() -> None:
    from geo.places.boundaries import locate

    rows = pd.read_csv(GAZETTEER_CSV, dtype=str, keep_default_na=False)
    assert {"name", "alternate_names", "latitude", "longitude", "country_code"} <= set(rows)
    rows = rows[(rows["geonameid"] == "") & (rows["latitude"] != "")]
    found = locate(rows["latitude"].astype(float), rows["longitude"].astype(float))
    mismatched = rows.loc[found["admin1_code"].to_numpy() != rows["admin1_code"].to_numpy(), "name"]
    assert mismatched.tolist() == []


def test_places_known_only_by_their_district_sit_at_its_point(gaz: Gazetteer) -> None:
    rows = pd.read_csv(GAZETTEER_CSV, dtype=str, keep_default_na=False)
    members = rows[(rows["latitude"] == "") & (rows["geonameid"] == "")]
    assert {"Mir Ali", "Makeen", "Damadola"} <= set(members["name"])
    for row in members.itertuples():
        [place] = [p for p in gaz.lookup(row.name, country=row.country_code) if p.name == row.name]
        district = next(p for p in gaz.lookup(row.admin2) if p.feature == "district")
        assert (place.latitude, place.longitude) == (district.latitude, district.longitude)
        assert place.geo_precision == 2 and place.admin2 == row.admin2
        assert place.admin1_code == row.admin1_code


def test_geonames_admin1_table_agrees_with_polygons_for_named_towns() -> None:
    offline = Gazetteer.load(boundaries=False)
    for name, code in [("Mazar-e Sharif", "AF-BAL"), ("Landi Kotal", "PK-KP"), ("Quetta", "PK-BA")]:
        assert offline.lookup(name)[0].admin1_code == code


def test_counts_cover_both_countries_and_all_sources(gaz: Gazetteer) -> None:
    counts = gaz.counts()
    assert counts["geonames:AFG"] > 250 and counts["geonames:PAK"] > 400
    assert counts["province:AFG"] == 34 and counts["province:PAK"] == 7
    assert counts["gazetteer:PAK"] >= 15


def test_repeated_lookups_are_equal_and_lookup_many_dedupes(gaz: Gazetteer) -> None:
    first = gaz.lookup("Peshwar")
    assert gaz.lookup("Peshwar") == first
    many = gaz.lookup_many(["Kabul", "Kabul", "Zhob"])
    assert list(many) == ["Kabul", "Zhob"]
    assert many["Kabul"] == gaz.lookup("Kabul")
    assert isinstance(first[0], Place)


# -- CLI ----------------------------------------------------------------------


def test_cli_geocode_puts_balkh_first() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "geocode", "Mazar-e-Sharif"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    out = json.loads(proc.stdout)
    assert out[0]["admin1_code"] == "AF-BAL"
    assert set(out[0]) >= DESIGN_KEYS


def test_cli_geocode_country_filter() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "geocode", "Torkham", "--country", "AFG"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert {p["country_code"] for p in json.loads(proc.stdout)} == {"AFG"}


def _cli_geocode(*args: str) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "geocode", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(proc.stdout)


def test_cli_geocode_uses_country_and_province_like_the_ingest() -> None:
    [mir_ali] = _cli_geocode("Mir Ali", "--country", "PAK", "--admin1", "PK-KP")
    assert (mir_ali["admin1_code"], mir_ali["admin2"]) == ("PK-KP", "North Waziristan")
    near = _cli_geocode("Near Wana", "--country", "PAK", "--admin1", "PK-KP")
    assert near[0]["name"] == "Wana" and near[0]["geo_precision"] == 2
    assert near[0]["qualifier"] == "near"
    assert _cli_geocode("Ahmadabad", "--country", "AFG", "--admin1", "AF-PIA") == []


# -- context narrows the search -------------------------------------------------


def test_the_province_narrows_before_any_fuzzy_match(gaz: Gazetteer) -> None:
    # unconstrained, "Ahmadabad" fuzzily meets Asadabad in Kunar; in Paktiya nothing does
    assert gaz.lookup("Ahmadabad", country="AFG")
    assert gaz.lookup("Ahmadabad", country="AFG", admin1="Paktia") == []


def test_a_place_in_another_country_is_never_returned(gaz: Gazetteer) -> None:
    assert {p.country_code for p in gaz.lookup("Mir Ali", country="PAK")} == {"PAK"}
    assert all(p.country_code == "AFG" for p in gaz.lookup("Bannu", country="AFG"))
    assert {p.country_code for p in gaz.lookup("Bannu")} == {"AFG", "PAK"}
    assert gaz.lookup("Lahore", country="IND") == []
    assert gaz.lookup("Lahore", admin1="Punjab", country="India") == []


def test_a_place_just_across_the_province_line_is_in_scope(gaz: Gazetteer) -> None:
    from geo.places.proximity import distance_to_unit_km

    # every answer for a province lies in it or within the boundary tolerance
    for name, code in [("Torkham", "PK-KP"), ("Chaman", "PK-BA"), ("Khar", "PK-KP")]:
        for p in gaz.lookup(name, admin1=code):
            assert distance_to_unit_km([p.latitude], [p.longitude], [code])[0] <= 5.0


def test_an_agency_as_province_means_khyber_pakhtunkhwa_and_that_district(
    gaz: Gazetteer,
) -> None:
    [place] = gaz.lookup("Mir Ali", admin1="North Waziristan Agency")
    assert place.admin1_code == "PK-KP" and place.admin2 == "North Waziristan"
    assert gaz.resolve_admin1("Bajaur Agency") == "PK-KP"
    assert gaz.resolve_admin1("Punjab", country="India") is None


def test_numeric_and_alpha_country_codes(gaz: Gazetteer) -> None:
    assert Gazetteer.resolve_country("4") == "AFG"
    assert Gazetteer.resolve_country("586") == "PAK"
    assert {p.country_code for p in gaz.lookup("Torkham", country="586")} == {"PAK"}


def test_an_alternate_spelling_loses_to_a_more_populous_main_name(gaz: Gazetteer) -> None:
    places = gaz.lookup("Bahawalpur", admin1="Punjab")
    assert places[0].name == "Bahawalpur" and places[0].score == 100
    assert all(p.score < 100 for p in places[1:])
    assert not is_ambiguous(places)


def test_qualified_places_say_so_and_are_precision_2(gaz: Gazetteer) -> None:
    [place, *_] = gaz.lookup("outskirts of Kandahar", country="AFG")
    assert place.admin1_code == "AF-KAN"
    assert place.geo_precision == 2 and place.qualifier == "outskirts of"
    [exact, *_] = gaz.lookup("Kandahar", country="AFG")
    assert exact.qualifier is None and exact.geo_precision == 1


def test_places_lists_the_index_or_one_kind_of_place(gaz: Gazetteer) -> None:
    crossings = gaz.places({"crossing"})
    names = {p.name for p in crossings}
    assert {"Torkham", "Ghulam Khan", "Angoor Adda"} <= names
    assert all(p.feature == "crossing" and p.country_code in {"AFG", "PAK"} for p in crossings)
    everything = gaz.places()
    assert len(everything) == len(gaz) and {"city", "province"} <= {p.feature for p in everything}
