"""ui.maplayers: the Map page's layers are listed once; toggles, layers and notes follow the list."""

from __future__ import annotations

import sys

import pytest
from streamlit.testing.v1 import AppTest

from ui.maplayers import MAP_LAYERS


@pytest.fixture(autouse=True)
def _main_module_restored():
    """AppTest installs its script as ``__main__`` and leaves it there; a from_function
    script cannot be re-run, so a later test that spawns processes would fail in them."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def _script() -> None:
    import pydeck as pdk
    import streamlit as st

    from ui import maplayers

    specs = (
        *maplayers.MAP_LAYERS[:1],
        maplayers.MapLayer(
            "claims",
            "Claimed presence",
            True,
            lambda view, opts: [pdk.Layer("GeoJsonLayer", [], id="claims-territory")],
            note=lambda view, opts, drawn: st.caption(f"claims note: {[x.id for x in drawn]}"),
        ),
    )
    chosen = maplayers.toggles(specs)
    drawn = maplayers.build(None, chosen, specs)  # type: ignore[arg-type]
    maplayers.notes(None, chosen, drawn, specs)  # type: ignore[arg-type]


def test_a_new_layer_is_one_entry_its_toggle_layer_and_note_follow():
    at = AppTest.from_function(_script).run()
    assert not at.exception, [e.message for e in at.exception]
    assert [t.label for t in at.toggle] == ["Claimed presence", "Province choropleth"]
    assert at.caption[0].value == "claims note: ['claims-territory']"
    at.toggle(key="map_claims").set_value(False).run()
    assert not any("claims note" in c.value for c in at.caption)


def test_the_map_page_lists_incidents_on_top_and_names_under_them():
    keys = [spec.key for spec in MAP_LAYERS]
    assert keys[-1] == "incidents" and keys.index("names") < keys.index("incidents")
    assert {s.key for s in MAP_LAYERS if s.default} == {"incidents", "names"}
