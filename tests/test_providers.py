"""geo.ingest.providers: provider codes → the canonical vocabulary."""

from __future__ import annotations

import pytest

from geo.ingest.formats import to_canonical
from geo.ingest.providers import country_code
from geo.ingest.reader import read_csv_bytes


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("Pakistan", "PAK"),
        ("4", "AFG"),
        ("afg", "AFG"),
        ("Soviet Union", "SUN"),
        ("West Germany (FRG)", "DEU"),
        ("International", None),
        ("Atlantis", None),
    ],
)
def test_country_codes_from_names_numbers_and_old_states(name: str, code: str | None) -> None:
    assert country_code(name) == code


def _canonical(text: str, fmt: str):
    out, issues = to_canonical(read_csv_bytes(text.encode()).frame, fmt)
    return out, issues


def test_acled_old_event_types_become_todays() -> None:
    out, _ = _canonical(
        "EVENT_ID_CNTY,EVENT_DATE,EVENT_TYPE,LOCATION,FATALITIES,GWNO\n"
        "AFG1,2015-01-02,Remote violence,Kabul,1,700\n"
        "AFG2,2015-01-03,Battle-Government regains territory,Kabul,0,700\n"
        "AFG3,2015-01-04,Riots/Protests,Kabul,0,700\n",
        "acled",
    )
    assert out["event_type"].tolist() == [
        "Explosions/Remote violence",
        "Battles",
        "Riots/Protests",  # not split: the old type does not say which
    ]
    assert out["sub_event_type"].tolist() == [None, "Government regains territory", None]


def test_ucdp_deaths_by_side_make_a_note_and_killed_when_best_is_missing() -> None:
    out, _ = _canonical(
        "id,date_start,where_prec,where_coordinates,deaths_a,deaths_b,deaths_civilians,"
        "deaths_unknown\n7,2009-06-12,1,Wana,1,2,0,0\n",
        "ucdp",
    )
    assert out.loc[0, "casualty_note"] == "UCDP deaths: side A 1, side B 2, civilians 0, unknown 0"
    assert out.loc[0, "killed"] == "3"


def test_gtd_unknown_province_is_empty_and_counts_pass_as_written() -> None:
    out, _ = _canonical(
        "eventid,iyear,imonth,iday,country_txt,provstate,city,nkill,nwound\n"
        "197001010001,1970,1,1,Soviet Union,Unknown,Unknown,1.0,-9\n",
        "gtd",
    )
    assert out.loc[0, ["admin1", "location", "country_code"]].tolist() == [None, None, "SUN"]
    assert out.loc[0, ["killed", "injured"]].tolist() == ["1.0", None]


@pytest.mark.parametrize("mend", [False, True], ids=["clean", "to-mend"])
def test_a_long_column_of_few_values_is_judged_on_them(mend: bool) -> None:
    """Past 4,000 rows :func:`text_column` asks whether a column needs trimming of
    its distinct values only; the answer, and the values, are those of every row."""
    import numpy as np
    import pandas as pd

    from geo.ingest.providers import text_column

    values = ["Kunar", "Khost", None] + ([" Zhob ", ""] if mend else [])
    series = pd.Series([values[n % len(values)] for n in range(4_500)], dtype=object)
    out = text_column(series)
    expected = [(v.strip() or None) if isinstance(v, str) else None for v in series]
    assert out.tolist() == expected
    if not mend:  # returned as it is, not copied
        assert np.shares_memory(out.to_numpy(), series.to_numpy())
