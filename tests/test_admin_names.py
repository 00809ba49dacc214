"""Stated countries and provinces, in the context of the row's country (geo.places.admin_names)."""

from __future__ import annotations

import pytest

from geo.places.admin_names import (
    admin1_name,
    foreign_admin1_code,
    former_agency,
    resolve_admin1,
    resolve_country,
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("4", "AFG"),
        ("004", "AFG"),
        ("586", "PAK"),
        ("356", "IND"),
        ("AF", "AFG"),
        ("Pakistan", "PAK"),
        ("india", "IND"),
        ("IRN", "IRN"),
    ],
)
def test_countries_by_name_and_by_alpha_and_numeric_codes(text: str, code: str) -> None:
    assert resolve_country(text) == code


@pytest.mark.parametrize("text", [None, "", "  ", "999", "Atlantis"])
def test_unknown_countries_are_none(text: str | None) -> None:
    assert resolve_country(text) is None


@pytest.mark.parametrize(
    "agency",
    [
        "North Waziristan",
        "North Waziristan Agency",
        "South waziristan",
        "Bajaur  Agency",
        "Mohmand Tribal District",
        "Kurram",
        "Lower Kurram Agency",
        "Orakzai",
        "Khyber Agency",
    ],
)
def test_former_agencies_are_khyber_pakhtunkhwa(agency: str) -> None:
    assert resolve_admin1(agency) == "PK-KP"
    assert resolve_admin1(agency, "PAK") == "PK-KP"
    assert former_agency(agency) is not None


def test_the_agency_keeps_its_name() -> None:
    assert former_agency("Lower Kurram Agency") == "Kurram"
    assert former_agency("North Waziristan Agency") == "North Waziristan"
    assert former_agency("Khyber Pakhtunkhwa") is None
    assert former_agency("Peshawar") is None


def test_a_unit_of_another_country_is_never_a_pakistani_province() -> None:
    assert resolve_admin1("Punjab") == "PK-PB"
    assert resolve_admin1("Punjab", "PAK") == "PK-PB"
    assert resolve_admin1("Punjab", "IND") is None
    assert resolve_admin1("Sistan and Baluchestan", "IRN") is None


def test_jammu_and_kashmir_is_azad_kashmir_only_for_a_pakistani_row() -> None:
    assert resolve_admin1("Jammu and Kashmir", "PAK") == "PK-JK"
    assert resolve_admin1("Jammu and Kashmir", "IND") is None
    assert resolve_admin1("Jammu and Kashmir") is None  # no country: not guessed
    assert resolve_admin1("Azad Jammu and Kashmir") == "PK-JK"


def test_a_province_of_the_other_home_country_is_none_in_context() -> None:
    assert resolve_admin1("Paktia") == "AF-PIA"
    assert resolve_admin1("Paktia", "PAK") is None
    assert resolve_admin1("PK-KP", "AFG") is None


def test_old_codes_map_to_current_ones() -> None:
    assert resolve_admin1("PK-TA") == "PK-KP"
    assert resolve_admin1("PK-NW") == "PK-KP"
    assert resolve_admin1("PK-NA") == "PK-GB"
    assert resolve_admin1("IN-PB") is None


def test_foreign_units_get_their_pycountry_code() -> None:
    assert foreign_admin1_code("IND", "Punjab") == "IN-PB"
    assert foreign_admin1_code("IND", "Jammu and Kashmir") == "IN-JK"
    assert foreign_admin1_code("IND", "Atlantis") is None
    assert foreign_admin1_code("PAK", "Punjab") is None  # home units come from the boundaries
    assert foreign_admin1_code(None, "Punjab") is None


def test_admin1_names_are_the_boundaries_names() -> None:
    assert admin1_name("PK-KP") == "Khyber Pakhtunkhwa"
    assert admin1_name("AF-PIA") == "Paktiya"
    assert admin1_name("XX-YY") is None and admin1_name(None) is None
