"""geo.views.legend: one key per view, and every output draws the same classes.

The rules are tested on tiny frames; the last tests render one view of the seed
in every output (the app's Map page, PNG, PDF, SVG, the offline HTML and the
slide), read each legend back *as drawn* (its text) and compare the classes.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from geo.views.legend import (
    OTHER_LABEL,
    PRESENCE_LABELS,
    MapLegend,
    event_type_items,
    map_legend,
    size_classes,
)
from geo.views.palette import EVENT_COLOURS

ROOT = Path(__file__).resolve().parent.parent


def _frame(**cols: Any) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    base = {"event_type": ["Battles"] * n, "killed": [1] * n, "geo_precision": [1] * n}
    base.update(cols)
    df = pd.DataFrame(base)
    df["killed"] = pd.array(df["killed"], dtype="Int64")
    return df


# ---------------------------------------------------------------------- rules


def test_only_the_event_types_in_the_view_are_listed_in_palette_order() -> None:
    key = map_legend(_frame(event_type=["Riots", "Battles", "Riots"]))
    assert [t for t, _ in key.event_types] == ["Battles", "Riots"]
    assert dict(key.event_types) == {t: EVENT_COLOURS[t] for t in ("Battles", "Riots")}


def test_missing_or_unknown_event_types_fall_into_one_other_entry() -> None:
    key = map_legend(_frame(event_type=["Battles", None, "Kidnapping"]))
    assert [t for t, _ in key.event_types] == ["Battles", OTHER_LABEL]
    assert event_type_items(["Battles"]) == [("Battles", EVENT_COLOURS["Battles"])]


def test_size_classes_stop_at_the_largest_known_toll_and_keep_four_at_most() -> None:
    assert size_classes([3]) == (1,)
    assert size_classes([12, None]) == (1, 5, 10)
    assert size_classes([67]) == (1, 5, 25, 50)
    assert size_classes([1000]) == (1, 10, 50, 250)
    assert size_classes([None, None]) == ()


def test_unknown_toll_and_approximate_marks_only_when_some_incident_needs_them() -> None:
    exact = map_legend(_frame(killed=[2, 0]))
    assert not exact.unknown_toll and not exact.approximate
    mixed = map_legend(_frame(killed=[2, None], geo_precision=[1, 3]))
    assert mixed.unknown_toll and mixed.approximate
    unknown = map_legend(_frame(killed=[None]))
    assert unknown.sizes == () and unknown.unknown_toll  # unknown is not drawn as a size


def test_presence_states_in_a_fixed_order_and_none_without_the_layer() -> None:
    df = _frame(killed=[1])
    assert map_legend(df).presence == ()
    key = map_legend(df, ["denied", "contested", "denied"])
    assert [t for t, _ in key.presence] == [PRESENCE_LABELS["denied"], PRESENCE_LABELS["contested"]]


def test_an_empty_view_has_an_empty_key_but_keeps_presence() -> None:
    empty = _frame(killed=[1]).iloc[:0]
    assert map_legend(empty) == MapLegend()
    assert map_legend(empty).describe() == "No incidents."
    assert map_legend(empty, ["asserted"]).presence[0][0] == PRESENCE_LABELS["asserted"]


# ------------------------------------------------------- read back as drawn

_TYPES = [*EVENT_COLOURS, OTHER_LABEL]


def _classes(text: str, sizes_marker: str) -> dict[str, list[Any]]:
    """The legend classes a reader finds in the legend's text (the inverse of drawing it)."""

    def found(labels: list[str]) -> list[str]:
        at = {label: text.find(label) for label in labels}
        return sorted((label for label, i in at.items() if i >= 0), key=at.__getitem__)

    sizes: list[int] = []
    m = re.search(re.escape(sizes_marker) + r"[^\d|]*((?:\d+[\s,]*)+)", text)
    if m:
        sizes = [int(v) for v in re.findall(r"\d+", m.group(1))]
    return {
        "event_type": found(_TYPES),
        "killed": sizes,
        "unknown_toll": [bool(re.search(r"(killed|toll) unknown", text, re.I))],
        "approximate": ["province or country" in text],
        "presence": found(list(PRESENCE_LABELS.values())),
    }


class _Text(HTMLParser):
    """The text of an HTML fragment, one `` | `` between block items."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"li", "div"}:
            self.parts.append(" | ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data.replace("\xa0", " "))


def _html_text(fragment: str) -> str:
    parser = _Text()
    parser.feed(fragment)
    return " ".join("".join(parser.parts).split())


def _figure_text(fig: Any) -> str:
    """The texts of a figure's legends (title, then entries), in drawing order."""
    return " | ".join(
        " ".join([leg.get_title().get_text(), *(t.get_text() for t in leg.get_texts())])
        for leg in fig.legends
    )


def _svg_text(svg: bytes) -> str:
    ns = "{http://www.w3.org/2000/svg}"
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{ns}g") if g.get("id", "").startswith("legend_")]
    assert groups, "the SVG has no legend groups"
    return " | ".join(" ".join("".join(t.itertext()) for t in g.iter(f"{ns}text")) for g in groups)


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    start = text.index("Symbols")
    end = text.find("Top provinces", start)
    return " ".join(text[start : end if end > 0 else None].split())


def _html_key(page: str) -> str:
    m = re.search(r'<ul class="key">(.*?)</ul>', page, re.S)
    assert m, "the HTML map has no key"
    return _html_text(m.group(1))


def _pptx_alt_text(pptx: bytes) -> str:
    from pptx import Presentation

    slide = Presentation(io.BytesIO(pptx)).slides[0]
    pic = next(s for s in slide.shapes if s.shape_type == 13)  # PICTURE
    return pic._element.nvPicPr.cNvPr.get("descr")


def _app_legend(app: Any) -> str:
    texts = [m.value for m in app.markdown if "Afghanistan–Pakistan border" in m.value]
    assert len(texts) == 1, "the Map page should draw one legend"
    return _html_text(texts[0])


@pytest.fixture(scope="module")
def seed_views(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The seed store, and the two views the app test below draws on the Map page."""
    from geo.ingest.seed import open_store
    from geo.views.query import Filters
    from geo.views.view import View

    path = tmp_path_factory.mktemp("legend") / "atlas.sqlite"
    store = open_store(str(path))
    return {
        "path": path,
        "all, presence": View.from_store(store, Filters(), presence=()),
        "PAK": View.from_store(store, Filters(countries=("PAK",))),
    }


@pytest.mark.parametrize("name", ["all, presence", "PAK"])
def test_legend_classes_are_identical_in_every_output(
    name: str, seed_views: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import matplotlib as mpl
    from streamlit.testing.v1 import AppTest

    from geo.views import briefing, snapshot

    view = seed_views[name]
    key = briefing._legend(view)  # with the states of the territories actually shaded
    if view.presence is not None:
        assert key.presence, "the seed's claims shade some territory"
    expected = key.classes()
    assert len(expected["event_type"]) >= 2 and expected["killed"], "a vacuous comparison"

    with mpl.rc_context(snapshot._RC):
        fig = snapshot.build_figure(
            view.incidents,
            view.filters,
            facts=view.facts,
            presence=snapshot._presence(view, None),
        )
    outputs = {
        "png": _classes(_figure_text(fig), "Killed per incident"),
        "svg": _classes(_svg_text(snapshot.render(view, "svg")), "Killed per incident"),
        "pdf": _classes(_pdf_text(snapshot.render(view, "pdf")), "Killed per incident"),
        "html": _classes(_html_key(briefing.to_html(view).decode()), "Killed per incident"),
        "pptx": _classes(_pptx_alt_text(briefing.to_pptx(view)), "Killed per incident"),
    }
    monkeypatch.setenv("ATLAS_DB", str(seed_views["path"]))
    monkeypatch.setenv("ATLAS_ONLINE_TILES", "0")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    app.run()
    app.switch_page("pages/map.py").run()
    if view.filters.countries:
        app.sidebar.multiselect(key="w_countries").set_value(list(view.filters.countries)).run()
    if view.presence is not None:
        app.toggle(key="map_presence").set_value(True).run()
    assert not app.exception, app.exception
    outputs["app"] = _classes(_app_legend(app), "Killed:")

    for fmt, found in outputs.items():
        assert found == expected, fmt
