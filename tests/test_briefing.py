"""Briefing exports of a View: offline, escaped HTML from a template; the PowerPoint slide."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from geo.schema import normalise_dtypes
from geo.views import briefing
from geo.views.query import Filters
from geo.views.view import View

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(2)</script>",
    "{{7*7}}",
    "javascript:alert(3)",
    "@@=constructor",
    "{tip}",
]
SECRET_NOTE = "internal-note-that-the-map-does-not-need"


@pytest.fixture(scope="module")
def hostile() -> pd.DataFrame:
    """Incidents whose every text field carries markup or template syntax."""
    rows = []
    for i, bad in enumerate(HOSTILE):
        rows.append(
            {
                "incident_id": f"H{i}{bad}",
                "event_date": f"2025-0{i % 9 + 1}-10",
                "event_type": "Battles",
                "sub_event_type": bad,
                "actor1": bad,
                "actor2": bad,
                "claimed_by": bad,
                "location": bad,
                "admin1": "Khyber Pakhtunkhwa",
                "admin1_code": "PK-KP",
                "country": bad,
                "country_code": "PAK",
                "latitude": 33.5 + i * 0.1,
                "longitude": 70.5 + i * 0.1,
                "geo_precision": 1 if i % 2 else 3,
                "killed": i if i % 3 else None,
                "casualty_note": bad,
                "source": bad,
                "source_ref": bad,
                "notes": SECRET_NOTE,
            }
        )
    return normalise_dtypes(pd.DataFrame(rows))


@pytest.fixture(scope="module")
def page(hostile: pd.DataFrame) -> str:
    view = View.build(
        hostile,
        filters=Filters(countries=("PAK",)),
        title="View <b>one</b>",
        caveat="<i>x</i>",
        made_at=NOW,
    )
    data = briefing.to_html(view)
    return data.decode("utf-8")


def _payload(page: str) -> str:
    match = re.search(r'<script type="application/json" id="atlas-deck">(.*?)</script>', page, re.S)
    assert match, "the deck payload is missing"
    return match.group(1)


class _Tags(HTMLParser):
    """Collects tag and attribute names."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.add(tag)
        self.attributes |= {name for name, _ in attrs}


# ---------------------------------------------------------------------- HTML


def test_html_carries_no_markup_from_the_data(page: str) -> None:
    payload = _payload(page)
    outside = page.replace(payload, "").replace(briefing._bundle(), "")
    for bad in HOSTILE:
        if bad == "{tip}":  # our own tooltip template holds it once; no data value may
            assert page.count(bad) == 1
        else:
            assert bad not in page
    assert "<img" not in page
    assert "</script" not in payload.lower()
    assert "<" not in payload and ">" not in payload
    # pydeck writes its own accessors as "@@=…"; no data value may look like one
    data = json.dumps([layer.get("data") for layer in json.loads(payload)["deck"]["layers"]])
    assert "javascript:" not in data and "@@" not in data
    # the only scripts are the inlined bundle, the payload and the bootstrap
    assert outside.count("<script") == 3
    # every tag outside the scripts is one the page template writes itself
    tags = _Tags()
    tags.feed(outside)
    allowed = {"html", "head", "meta", "title", "style", "script", "body", "div", "p", "h1"}
    assert tags.seen <= allowed | {"ul", "li", "span"}
    assert not any(name.startswith("on") for name in tags.attributes)


def test_html_tooltips_show_the_text_escaped(page: str) -> None:
    spec = json.loads(_payload(page))
    tips = [
        r["tip"]
        for layer in spec["deck"]["layers"]
        if isinstance(layer.get("data"), list)
        for r in layer["data"]
        if isinstance(r, dict) and "tip" in r
    ]
    assert tips
    joined = "\n".join(tips)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in joined
    assert "&#123;&#123;7*7&#125;&#125;" in joined
    # decoding the entities gives back what the file said
    assert "<script>alert(1)</script>" in html.unescape(joined)
    assert spec["tooltip"]["html"] == "{tip}"


def test_html_needs_no_network(page: str) -> None:
    assert not re.search(
        r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*[\"']?https?:", page, re.I
    )
    assert "<link" not in page.replace(briefing._bundle(), "")
    assert "mapbox-gl.js" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "createDeck" in page  # the deck.gl bundle is inlined
    assert len(page) > 1_000_000


def test_html_keeps_only_what_the_map_needs(page: str) -> None:
    assert SECRET_NOTE not in page


def test_html_states_title_filters_dates_and_sources(page: str) -> None:
    assert "<title>View &lt;b&gt;one&lt;/b&gt;</title>" in page
    assert "&lt;i&gt;x&lt;/i&gt;" in page  # caveat shown, escaped
    assert "Filters: PAK" in page
    assert "Natural Earth" in page and "GeoNames" in page
    assert "made 2026-02-01 12:00 UTC" in page
    assert "Data to 10 Jul 2025" in page


def test_escape_text_neutralises_template_and_converter_syntax() -> None:
    assert briefing.escape_text("{a}@@=b:`<>&'\"") == (
        "&#123;a&#125;&#64;&#64;=b&#58;&#96;&lt;&gt;&amp;&#x27;&quot;"
    )


# ---------------------------------------------------------------------- PowerPoint


def test_pptx_has_title_a_full_width_map_and_notes(hostile: pd.DataFrame) -> None:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    view = View.build(
        hostile, filters=Filters(countries=("PAK",)), title="Slide title", made_at=NOW
    )
    data = briefing.to_pptx(view)
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == 1
    assert prs.slide_width * 9 == prs.slide_height * 16
    slide = prs.slides[0]
    assert slide.shapes.title.text == "Slide title"  # editable text, not only in the picture
    pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 1
    pic = pictures[0]
    assert pic.image.size == (2000, 966)
    assert pic.image.blob == briefing.slide_picture(view)
    # the picture spans the slide's width and fills it below the title band
    assert pic.left == 0 and pic.width == prs.slide_width
    assert abs(pic.top + pic.height - prs.slide_height) < prs.slide_height * 0.01
    assert pic.height > 0.85 * prs.slide_height
    assert not [s for s in slide.shapes if s.has_table]  # the provinces are in the picture
    notes = slide.notes_slide.notes_text_frame.text
    known = hostile["killed"].dropna()
    unknown = int(hostile["killed"].isna().sum())
    assert f"  Khyber Pakhtunkhwa: {len(hostile)}, {int(known.sum())}, {unknown}" in notes
    assert "Filters: PAK" in notes
    assert "Incident sources:" in notes and "Natural Earth" in notes
    assert "Data to 10 Jul 2025 (latest event)" in notes
    assert "made 2026-02-01 12:00 UTC" in notes
    assert "Legend: Event type:" in notes


# ---------------------------------------------------------------------- the Export page


def test_export_page_previews_and_offers_every_format(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[1]
    monkeypatch.syspath_prepend(str(root))  # the page imports ui/ from the project root
    monkeypatch.setenv("ATLAS_DB", db_url)
    at = AppTest.from_file(str(root / "pages" / "export.py"))
    at.session_state["filters"] = Filters(countries=("PAK",), date_from=date(2023, 1, 1))
    at.run(timeout=180)
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels == [
        "PNG slide",
        "PDF (A4)",
        "SVG",
        "HTML map",
        "PowerPoint",
        "CSV",
        "GeoJSON",
        "GeoPackage",
        "Claims CSV",
        "Claims GeoJSON",
    ]
    assert [type(e).__name__ for e in at.main].count("Image") == 1  # the preview
    assert "PAK · from 2023-01-01" in at.caption[0].value
    at.text_input(key="export_caveat").input("For briefing use only").run(timeout=180)
    assert not at.exception
    at.toggle(key="export_presence").set_value(True).run(timeout=180)
    assert not at.exception
    groups = at.multiselect(key="export_presence_groups")
    assert "IS-KP" in groups.options and "TTP" in groups.options  # from the seed ledger
    groups.set_value(["TTP"]).run(timeout=180)
    assert not at.exception


# ---------------------------------------------------------------------- every field


def test_a_script_in_every_file_field_comes_out_escaped() -> None:
    """Issue 15: the template escapes what came from a file in tooltips, legend and facts."""
    from geo.schema import TEXT_COLUMNS

    codes = {"country_code": "PAK", "admin1_code": "PK-KP", "origin_country_code": "AFG"}
    row = {c: codes.get(c, f"<script>{c}</script>") for c in TEXT_COLUMNS}
    row |= {"event_date": "2025-03-01", "latitude": 34.0, "longitude": 71.5, "geo_precision": 3}
    df = normalise_dtypes(pd.DataFrame([row, {**row, "geo_precision": 1, "killed": 2}]))
    view = View.build(
        df,
        filters=Filters(actors=("<script>actor1</script>",)),
        title="<script>title</script>",
        caveat="<script>caveat</script>",
        made_at=NOW,
    )
    assert len(view.incidents) == 2  # the actor filter matched the payload itself
    page = briefing.to_html(view).decode("utf-8")
    outside = page.replace(briefing._bundle(), "")
    for field in [*TEXT_COLUMNS, "title", "caveat"]:
        assert f"<script>{field}" not in outside, field
    tips = "\n".join(
        r["tip"]
        for layer in json.loads(_payload(page))["deck"]["layers"]
        for r in (layer.get("data") if isinstance(layer.get("data"), list) else [])
        if isinstance(r, dict) and "tip" in r
    )
    shown = ["location", "admin1", "country", "event_type", "sub_event_type", "actor1"]
    shown += ["actor2", "claimed_by", "casualty_note", "source"]
    for field in shown:
        assert f"&lt;script&gt;{field}&lt;/script&gt;" in tips, field
    assert "(&lt;script&gt;da)" in tips  # date precision, clipped, escaped all the same
    assert "<" not in _payload(page)
    panel = page[page.index('<div id="panel">') : page.index('<script type="application/json"')]
    for field in ("title", "caveat", "source", "actor1"):  # title, caveat, sources, filters
        assert f"&lt;script&gt;{field}&lt;/script&gt;" in panel, field
    legend = panel[panel.index('<ul class="key">') : panel.index("</ul>")]
    assert "script" not in legend  # the key lists the app's own event types only
    assert "script&gt;notes" not in page  # the notes are not part of the map at all
