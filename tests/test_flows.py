"""ui.flows: accusations between governments as one bar per pair, beside the map."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ui.flows import flow_table


@pytest.fixture(autouse=True)
def _main_module_restored():
    """AppTest installs its script as ``__main__`` and leaves it there; a from_function
    script cannot be re-run, so a later test that spawns processes would fail in them."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def _script(rows: list) -> None:
    import pandas as pd

    from ui import flows

    cols = ["claimant_country_code", "accused_country_code", "statements", "groups"]
    flows.accusations(pd.DataFrame(rows, columns=cols))


def test_each_pair_is_one_bar_named_by_who_accuses_whom():
    rows = [["PAK", "AFG", 6, "TTP; IS-KP"], ["AFG", "PAK", 3, "<b>IS-KP</b>"]]
    at = AppTest.from_function(_script, args=(rows,)).run()
    assert not at.exception, [e.message for e in at.exception]
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    encodings = [layer["encoding"] for layer in spec["layer"]]  # the bars and their counts
    assert encodings[0]["y"]["field"] == "pair" and encodings[0]["x"]["field"] == "statements"
    assert encodings[1]["text"]["field"] == "statements"
    assert "Claims page" in at.caption[0].value


def test_the_table_names_both_governments_and_keeps_text_as_text():
    cols = ["claimant_country_code", "accused_country_code", "statements", "groups"]
    table = flow_table(
        pd.DataFrame([["AFG", "PAK", 3, "<b>IS-KP</b>"], ["UN", "AFG", 1, None]], columns=cols)
    )
    assert table["pair"].tolist() == ["AFG → PAK", "UN → AFG"]
    assert table["accused"].tolist() == ["Pakistan (PAK)", "Afghanistan (AFG)"]
    assert table["accuser"].tolist()[1] == "UN"  # not a country: its code as given
    assert table["groups"].tolist() == ["<b>IS-KP</b>", ""]  # Vega draws text, never HTML


def test_no_accusation_in_the_period_is_said_in_words():
    at = AppTest.from_function(_script, args=([],)).run()
    assert not at.get("vega_lite_chart")
    assert "No statement in this period" in at.caption[0].value
