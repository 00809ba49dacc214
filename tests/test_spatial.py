"""Spatial join: polygons win, disagreements are flagged and reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.places.boundaries import locate
from geo.places.proximity import BOUNDARY_TOLERANCE_KM, distance_to_unit_km
from geo.places.spatial import (
    ADMIN1_MISMATCH,
    AT_SEA,
    COUNTRY_MISMATCH,
    NEAR_BOUNDARY,
    OUTSIDE_BOUNDARIES,
    join,
    resolve_admin1,
    resolve_country,
)
from geo.schema import normalise_dtypes

PESHAWAR = (34.0151, 71.5249)  # Khyber Pakhtunkhwa, PK-KP
QUETTA = (30.1798, 66.9750)  # Balochistan, PK-BA
KANDAHAR = (31.6289, 65.7372)  # Kandahar, AF-KAN
ZAHEDAN = (29.4963, 60.8629)  # Iran
ATLANTIC = (10.0, -30.0)


def rows(points, **columns) -> pd.DataFrame:
    df = pd.DataFrame(
        {"latitude": [p[0] for p in points], "longitude": [p[1] for p in points], **columns}
    )
    df = normalise_dtypes(df)
    df["_line"] = range(2, len(df) + 2)
    return df


def flags(value) -> set[str]:
    return set(value.split(";")) if isinstance(value, str) else set()


def test_polygons_replace_what_the_file_says() -> None:
    df = rows(
        [PESHAWAR, KANDAHAR],
        admin1=["Khyber Pakhtunkhwa", "Kandahar"],
        admin1_code=[None, "AF-KAN"],
        country=["Pakistan", "Afghanistan"],
    )
    out, issues = join(df)
    assert out["admin1_code"].tolist() == ["PK-KP", "AF-KAN"]
    assert out["country_code"].tolist() == ["PAK", "AFG"]
    assert out["admin1"].tolist() == ["Khyber Pakhtunkhwa", "Kandahar"]
    assert issues == []
    assert out["qa_flags"].isna().all()
    assert (out["border_distance_km"] > 0).all()
    # rounded to the metre
    assert np.allclose(out["border_distance_km"], out["border_distance_km"].round(3))


@pytest.mark.parametrize(
    "stated",
    [
        "Khyber Pakhtunkhwa",
        "khyber pakhtunkhwa province",
        "Khyber Pakhtoonkhwa",
        "N.W.F.P.",
        "NWFP",
        "KPK",
        "FATA",
        "PK-KP",
    ],
)
def test_spelling_variants_and_old_names_are_not_mismatches(stated: str) -> None:
    out, issues = join(rows([PESHAWAR], admin1=[stated]))
    assert ADMIN1_MISMATCH not in flags(out.loc[0, "qa_flags"])
    assert issues == []


def test_admin1_mismatch_keeps_the_row_and_names_both_provinces() -> None:
    out, issues = join(rows([QUETTA, PESHAWAR], admin1=["Punjab", "Khyber Pakhtunkhwa"]))
    assert len(out) == 2
    assert out.loc[0, "admin1_code"] == "PK-BA"
    assert flags(out.loc[0, "qa_flags"]) == {ADMIN1_MISMATCH}
    assert out.loc[1, "qa_flags"] is None
    [issue] = issues
    assert issue.level == "warning"
    assert issue.line == 2
    assert issue.column == "admin1"
    assert issue.value == "Punjab"
    assert "Punjab" in issue.message and "Balochistan" in issue.message


def test_stated_code_is_compared_too() -> None:
    out, issues = join(rows([KANDAHAR], admin1_code=["AF-HEL"]))
    assert flags(out.loc[0, "qa_flags"]) == {ADMIN1_MISMATCH}
    assert issues[0].column == "admin1_code"
    assert out.loc[0, "admin1_code"] == "AF-KAN"


def test_country_mismatch() -> None:
    out, issues = join(rows([PESHAWAR], country=["Afghanistan"], admin1=["Khyber Pakhtunkhwa"]))
    assert flags(out.loc[0, "qa_flags"]) == {COUNTRY_MISMATCH}
    assert out.loc[0, "country_code"] == "PAK"
    assert "Afghanistan" in issues[0].message and "Pakistan" in issues[0].message


def test_point_outside_every_polygon_is_kept_and_flagged() -> None:
    out, issues = join(rows([ATLANTIC], country=["Atlantis"], admin1=["Deep"]))
    assert flags(out.loc[0, "qa_flags"]) == {OUTSIDE_BOUNDARIES}
    assert out.loc[0, "country"] == "Atlantis"  # nothing better to say
    assert out.loc[0, "admin1"] == "Deep"
    assert issues[0].column == "latitude"


def test_many_rows_outside_the_boundaries_get_one_summary_warning() -> None:
    colombo = (6.93, 79.85)
    df = rows(
        [colombo] * 24 + [ATLANTIC] * 6 + [PESHAWAR],
        country=["Sri Lanka"] * 24 + [None] * 6 + ["Pakistan"],
        admin1=["Western"] * 24 + [None] * 6 + ["Khyber Pakhtunkhwa"],
    )
    out, issues = join(df)
    assert [flags(v) for v in out["qa_flags"][:30]] == [{OUTSIDE_BOUNDARIES}] * 30
    assert out["admin1"].tolist()[:24] == ["Western"] * 24  # the file's province is kept
    assert pd.isna(out.loc[30, "qa_flags"])
    assert len(issues) == 1
    summary = issues[0]
    assert summary.line is None and summary.level == "warning"
    assert "30 rows lie outside" in summary.message
    assert "Sri Lanka 24, country not given 6" in summary.message
    assert "(lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 …)" in summary.message


def test_neighbour_country_point() -> None:
    out, issues = join(
        rows(
            [ZAHEDAN, ZAHEDAN],
            country=["Iran", "Iran"],
            admin1=["Sistan and Baluchestan", "Nimroz"],
        )
    )
    assert out["country_code"].tolist() == ["IRN", "IRN"]
    assert out.loc[0, "admin1"] == "Sistan and Baluchestan"
    assert out.loc[0, "qa_flags"] is None
    # an Afghan province stated for a point in Iran is cleared and flagged
    assert out.loc[1, "admin1"] is None
    assert flags(out.loc[1, "qa_flags"]) == {ADMIN1_MISMATCH}
    assert [i.line for i in issues] == [3]


def test_other_flags_are_kept_and_spatial_flags_recomputed() -> None:
    df = rows(
        [PESHAWAR],
        admin1=["Khyber Pakhtunkhwa"],
        qa_flags=["low_confidence_geocode;outside_boundaries"],
    )
    out, _ = join(df)
    assert out.loc[0, "qa_flags"] == "low_confidence_geocode"


def test_rows_without_point_and_index_are_left_alone() -> None:
    df = rows([PESHAWAR, (None, None)], admin1=["Punjab", "Kabul"])
    df.index = [10, 20]
    out, issues = join(df)
    assert list(out.index) == [10, 20]
    assert out.loc[20, "admin1"] == "Kabul"
    assert np.isnan(out.loc[20, "border_distance_km"])
    assert [i.line for i in issues] == [2]


def test_resolvers() -> None:
    assert resolve_admin1("Paktya") == "AF-PIA"
    assert resolve_admin1("Paktika") == "AF-PKA"
    assert resolve_admin1("Baluchistan") == "PK-BA"
    assert resolve_admin1("Helmand Province") == "AF-HEL"
    assert resolve_admin1("Nowhere-istan Valley") is None
    assert resolve_country("Afghanistan") == "AFG"
    assert resolve_country("PK") == "PAK"
    assert resolve_country("not a country") is None


# -- the file's unit near a boundary, the line of control, the sea, other countries ----------

# Points chosen against the packaged polygons (each test checks its premise first).
PAKTIKA_NEAR_KP = (32.69, 69.39)  # in Paktika, about 3 km from Khyber Pakhtunkhwa
PAKTIKA_FAR_FROM_KP = (32.66, 69.045)  # in Paktika, about 26 km from Khyber Pakhtunkhwa
INDIA_NEAR_AJK = (33.285, 74.095)  # Indian side, about 3 km from Azad Jammu and Kashmir
AJK_NEAR_INDIA = (33.06, 74.10)  # in Azad Jammu and Kashmir, about 3 km from India
KARACHI_HARBOUR = (24.80, 66.95)  # at sea by the 1:10m coastline, about 1 km off Sindh
ARABIAN_SEA = (23.0, 64.0)
AMRITSAR = (31.634, 74.872)


def premise(point: tuple[float, float], country: str, code: str | None) -> None:
    where = locate([point[0]], [point[1]]).iloc[0]
    assert (where["country_code"], where["admin1_code"]) == (country, code)


def test_a_point_just_across_a_province_line_keeps_the_files_province() -> None:
    premise(PAKTIKA_NEAR_KP, "AFG", "AF-PKA")
    assert distance_to_unit_km(*zip(PAKTIKA_NEAR_KP, strict=True), ["PK-KP"])[0] < 5
    out, issues = join(rows([PAKTIKA_NEAR_KP], admin1=["FATA"], admin2=["North Waziristan"]))
    row = out.loc[0]
    assert (row["country_code"], row["admin1_code"]) == ("PAK", "PK-KP")
    assert row["admin1"] == "Khyber Pakhtunkhwa" and row["country"] == "Pakistan"
    assert flags(row["qa_flags"]) == {NEAR_BOUNDARY}
    [issue] = issues
    assert issue.level == "warning" and "Paktika" in issue.message
    assert NEAR_BOUNDARY in issue.message


def test_a_point_well_across_the_line_is_the_polygons() -> None:
    premise(PAKTIKA_FAR_FROM_KP, "AFG", "AF-PKA")
    out, _ = join(rows([PAKTIKA_FAR_FROM_KP], admin1=["FATA"], country=["Pakistan"]))
    assert out.loc[0, "admin1_code"] == "AF-PKA" and out.loc[0, "country_code"] == "AFG"
    assert flags(out.loc[0, "qa_flags"]) == {ADMIN1_MISMATCH, COUNTRY_MISMATCH}


def test_the_tolerance_is_a_few_kilometres() -> None:
    assert 1.0 <= BOUNDARY_TOLERANCE_KM <= 10.0


def test_line_of_control_an_ajk_event_on_the_indian_side_stays_in_ajk() -> None:
    premise(INDIA_NEAR_AJK, "IND", None)
    out, _ = join(rows([INDIA_NEAR_AJK], country=["Pakistan"], admin1=["Azad Jammu and Kashmir"]))
    row = out.loc[0]
    assert (row["country_code"], row["admin1_code"]) == ("PAK", "PK-JK")
    assert flags(row["qa_flags"]) == {NEAR_BOUNDARY}


def test_line_of_control_an_indian_event_on_the_ajk_side_stays_indian() -> None:
    premise(AJK_NEAR_INDIA, "PAK", "PK-JK")
    out, issues = join(rows([AJK_NEAR_INDIA], country=["India"], admin1=["Jammu and Kashmir"]))
    row = out.loc[0]
    assert (row["country_code"], row["country"]) == ("IND", "India")
    assert (row["admin1"], row["admin1_code"]) == ("Jammu and Kashmir", "IN-JK")
    assert flags(row["qa_flags"]) == {NEAR_BOUNDARY}
    assert "Azad Jammu and Kashmir" in issues[0].message


def test_indias_punjab_is_not_pakistans() -> None:
    premise(AMRITSAR, "IND", None)
    out, issues = join(
        rows([AMRITSAR, AMRITSAR], country=["India", None], admin1=["Punjab", "Punjab"])
    )
    assert out["admin1"].tolist() == ["Punjab", "Punjab"]
    assert out["admin1_code"].tolist() == ["IN-PB", "IN-PB"]
    assert out["country_code"].tolist() == ["IND", "IND"]
    assert out["qa_flags"].isna().all()
    assert issues == []


def test_a_point_at_sea_near_the_coast_gets_the_nearest_province() -> None:
    premise(KARACHI_HARBOUR, None, None)
    out, issues = join(rows([KARACHI_HARBOUR], admin1=["Sindh"], country=["Pakistan"]))
    row = out.loc[0]
    assert (row["country_code"], row["admin1_code"], row["admin1"]) == ("PAK", "PK-SD", "Sindh")
    assert flags(row["qa_flags"]) == {AT_SEA}
    assert row["border_distance_km"] > 100
    assert [i.column for i in issues] == ["latitude"] and "sea" in issues[0].message


def test_a_point_far_out_at_sea_is_outside_the_boundaries() -> None:
    out, _ = join(rows([ARABIAN_SEA], admin1=["Sindh"], country=["Pakistan"]))
    assert flags(out.loc[0, "qa_flags"]) == {OUTSIDE_BOUNDARIES}
    assert out.loc[0, "admin1"] == "Sindh"  # nothing better to say


def test_a_former_agency_as_province_is_khyber_pakhtunkhwa_with_the_agency_kept() -> None:
    out, issues = join(rows([PESHAWAR, PESHAWAR], admin1=["North Waziristan Agency", "Bajaur"]))
    assert out["admin1_code"].tolist() == ["PK-KP", "PK-KP"]
    assert out["admin2"].tolist() == ["North Waziristan", "Bajaur"]
    assert issues == []


def test_a_stated_district_is_never_overwritten_by_the_agency() -> None:
    out, _ = join(rows([PESHAWAR], admin1=["Kurram Agency"], admin2=["Parachinar"]))
    assert out.loc[0, "admin2"] == "Parachinar"


def test_numeric_iso_country_codes_are_understood() -> None:
    out, issues = join(rows([KANDAHAR], country_code=["4"], admin1=["Kandahar"]))
    assert out.loc[0, "country_code"] == "AFG"
    assert issues == []
