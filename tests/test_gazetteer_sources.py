"""Tests for geo.places.gazetteer_sources: reading GeoNames, data/gazetteer.csv and the
province boundaries into the gazetteer's records (tiny inline inputs)."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from geo.places import gazetteer_sources as gs
from geo.places.gazetteer_sources import GEONAMES_ADMIN1_TO_ISO

_FIELDS = [
    "name", "alternate_names", "latitude", "longitude", "country_code",
    "admin1_code", "admin2", "feature", "geo_precision", "geonameid", "source_note",
]  # fmt: skip


def _row(**values: str) -> dict[str, str]:
    return {f: "" for f in _FIELDS} | values


def _gn(gid: int, name: str, lat: float = 34.5, lon: float = 69.2, cc: str = "AFG") -> gs._Rec:
    return gs._Rec(
        name=name, latitude=lat, longitude=lon, country_code=cc, admin1=None,
        admin1_code=None, geo_precision=1, source="geonames", feature="town",
        population=0, admin2=None, names=[name], geonameid=gid,
    )  # fmt: skip


def _district(name: str, lat: float, lon: float) -> dict[str, str]:
    return _row(
        name=name, latitude=str(lat), longitude=str(lon), country_code="afg",
        admin1_code="AF-KAN", admin2=name, feature="district", geo_precision="2",
    )  # fmt: skip


# ----------------------------------------------------------------------------- small helpers
def test_admin1_table_maps_to_iso_3166_2_codes():
    assert GEONAMES_ADMIN1_TO_ISO[("AF", "13")] == "AF-KAB"
    assert GEONAMES_ADMIN1_TO_ISO[("PK", "01")] == "PK-KP"  # FATA merged into KP
    for (cc, _), iso in GEONAMES_ADMIN1_TO_ISO.items():
        assert iso.startswith(f"{cc}-")
    assert len({v for (cc, _), v in GEONAMES_ADMIN1_TO_ISO.items() if cc == "AF"}) == 34


@pytest.mark.parametrize(("name", "is_code"), [("MZR", True), ("OAKB", True), ("Kabul", False),
                                                ("KABUL", False), ("کابل", False), ("Bo", False)])  # fmt: skip
def test_airport_codes_are_not_names(name, is_code):
    assert gs._is_code(name) is is_code


def test_split_names_drops_blanks():
    assert gs._split_names(" Kabul ; Kābul;;کابل ; ") == ["Kabul", "Kābul", "کابل"]
    assert gs._split_names("") == [] and gs._split_names(None) == []


def test_read_curated_skips_rows_without_a_name(tmp_path):
    path = tmp_path / "gazetteer.csv"
    path.write_text(
        ",".join(_FIELDS) + "\n"
        "Kābul,کابل,34.5,69.2,AFG,AF-KAB,,city,1,,note\n"
        ",nameless,1,2,AFG,,,town,1,,\n"
        "  ,blank,1,2,AFG,,,town,1,,\n",
        encoding="utf-8",
    )
    rows = gs._read_curated(path)
    assert [r["name"] for r in rows] == ["Kābul"]
    assert rows[0]["alternate_names"] == "کابل"


# ----------------------------------------------------------------------------- curated rows
def test_geonameid_row_adds_spellings_and_district_in_place():
    kabul = _gn(1138958, "Kabul")
    provinces, extra = gs._merge_curated(
        [_row(name="Kabul", alternate_names="Kabol;کابل", geonameid="1138958", admin2="Kabul")],
        [kabul],
    )
    assert provinces == {} and extra == []
    assert kabul.names == ["Kabul", "Kabol", "کابل"]  # no duplicate of "Kabul"
    assert kabul.admin2 == "Kabul"


def test_unknown_geonameid_row_is_added_as_its_own_place(caplog):
    with caplog.at_level(logging.WARNING, logger="geo.places.gazetteer_sources"):
        _, extra = gs._merge_curated(
            [
                _row(
                    name="Nowhere",
                    latitude="33.0",
                    longitude="65.0",
                    country_code="AFG",
                    feature="village",
                    geonameid="999",
                )
            ],
            [],
        )
    assert [r.name for r in extra] == ["Nowhere"]
    assert extra[0].source == "gazetteer" and extra[0].geo_precision == 1
    assert "999" in caplog.text


def test_province_rows_are_keyed_by_iso_code():
    provinces, extra = gs._merge_curated(
        [
            _row(
                name="Balkh",
                alternate_names="بلخ",
                latitude="36.8",
                longitude="67.0",
                country_code="afg",
                admin1_code="AF-BAL",
                feature="province",
                geo_precision="3",
            )
        ],
        [],
    )
    assert extra == []
    rec = provinces["AF-BAL"]
    assert (rec.source, rec.geo_precision, rec.country_code) == ("province", 3, "AFG")
    assert rec.names == ["Balkh", "بلخ"]


def test_place_without_coordinates_sits_at_its_district_at_precision_2():
    _, extra = gs._merge_curated(
        [
            _row(
                name="Kalay",
                country_code="AFG",
                admin2="Spin Boldak",
                feature="village",
                geo_precision="1",
            ),
            _district("Spīn Boldak", 31.0, 66.4),
        ],
        [],
    )
    village = next(r for r in extra if r.name == "Kalay")
    assert (village.latitude, village.longitude) == (31.0, 66.4)
    assert village.geo_precision == 2  # never finer than the district it stands for
    assert village.admin2 == "Spīn Boldak" and village.admin1_code == "AF-KAN"


def test_place_in_an_unknown_district_is_skipped(caplog):
    with caplog.at_level(logging.WARNING, logger="geo.places.gazetteer_sources"):
        _, extra = gs._merge_curated(
            [_row(name="Lost", country_code="AFG", admin2="Atlantis", feature="village")], []
        )
    assert extra == []
    assert "Lost" in caplog.text


def test_bad_coordinate_is_an_error_not_a_zero():
    with pytest.raises(ValueError):
        gs._merge_curated(
            [_row(name="X", latitude="north", longitude="65", country_code="AFG", feature="town")],
            [],
        )


# ----------------------------------------------------------------------------- boundaries
def test_apply_boundaries_moves_provinces_and_locates_geonames_places(caplog):
    adm1 = pd.DataFrame(
        {
            "admin1_code": ["AF-KAB", "AF-NEW"],
            "admin1": ["Kabul", "New Province"],
            "country_code": ["AFG", "AFG"],
            "rep_lat": [34.6, 35.0],
            "rep_lon": [69.1, 70.0],
        }
    )
    old = gs._Rec(
        name="Kabol", latitude=0.0, longitude=0.0, country_code="AFG", admin1=None,
        admin1_code="AF-KAB", geo_precision=3, source="province", feature="province",
        population=0, admin2=None, names=["Kabol"],
    )  # fmt: skip
    provinces = {"AF-KAB": old}
    inside, across, nowhere = _gn(1, "Inside"), _gn(2, "Across"), _gn(3, "Nowhere")

    def locate(lats, lons):
        assert len(lats) == len(lons) == 3
        return {"country_code": ["AFG", "PAK", None], "admin1_code": ["AF-KAB", "PK-KP", None]}

    with caplog.at_level(logging.WARNING, logger="geo.places.gazetteer_sources"):
        gs._apply_boundaries((adm1, locate), [inside, across, nowhere], provinces)
    assert (old.name, old.names[0], old.latitude, old.longitude) == ("Kabul", "Kabul", 34.6, 69.1)
    assert "Kabol" in old.names
    assert provinces["AF-NEW"].name == "New Province" and "AF-NEW" in caplog.text
    assert inside.admin1_code == "AF-KAB"
    assert across.admin1_code is None  # a polygon of another country is not taken
    assert nowhere.admin1_code is None


# ----------------------------------------------------------------------------- GeoNames
def test_geonames_records_are_afghan_and_pakistani_places():
    recs = gs._geonames_recs()
    assert recs
    assert {r.country_code for r in recs} == {"AFG", "PAK"}
    assert all(-90 <= r.latitude <= 90 and -180 <= r.longitude <= 180 for r in recs)
    assert all(r.names[0] == r.name and not any(gs._is_code(n) for n in r.names) for r in recs)
    kabul = [r for r in recs if r.name == "Kabul" and r.country_code == "AFG"]
    assert kabul and kabul[0].feature == "city" and kabul[0].gn_admin1 == "AF:13"


def test_read_geonames_of_one_country_only():
    recs = gs._read_geonames(("PK",))
    assert recs and {r["countrycode"] for r in recs} == {"PK"}
