"""Spatial join: polygons win, disagreements are flagged and reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.schema import normalise_dtypes
from geo.spatial import (
    ADMIN1_MISMATCH,
    COUNTRY_MISMATCH,
    OUTSIDE_BOUNDARIES,
    join,
    resolve_admin1,
    resolve_country,
)

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
