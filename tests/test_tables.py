"""ui.tables: names for codes, "no claim reported", heights without blank rows."""

from __future__ import annotations

import pandas as pd

from ui.tables import NO_CLAIM, fitted_height, for_display, territory_name


def test_codes_are_shown_as_names_and_unknown_codes_as_written():
    assert territory_name("AFG") == "Afghanistan" and territory_name("PK") == "Pakistan"
    assert territory_name("IRN") == "Iran"  # the common name, not "Iran, Islamic Republic of"
    assert territory_name("XYZ") == "XYZ"


def test_for_display_names_territories_and_says_no_claim_reported():
    df = pd.DataFrame(
        {"country_code": ["PAK", None], "claimed_by": ["TTP", None], "killed": [3, None]}
    )
    shown = for_display(df)
    assert shown["country_code"].tolist()[0] == "Pakistan" and pd.isna(shown["country_code"][1])
    assert shown["claimed_by"].tolist() == ["TTP", NO_CLAIM]
    assert pd.isna(shown["killed"][1])  # a missing toll stays missing (shown "unknown")
    assert df["claimed_by"].isna().sum() == 1  # the input is not changed


def test_fitted_height_grows_with_rows_up_to_a_cap():
    assert fitted_height(1) < fitted_height(3) < fitted_height(10) == fitted_height(500)
    assert fitted_height(0) == fitted_height(1)
