"""Briefing exports of a view: the offline HTML map and the PowerPoint slide.

- :func:`to_html` writes one self-contained HTML file from the autoescaping
  Jinja2 template ``geo/views/templates/offline_map.html``: the deck.gl bundle that
  ships inside pydeck is inlined, no stylesheet or script is fetched from a
  CDN, a Content-Security-Policy forbids any network access, and every text
  that came from a file or a user is escaped with :func:`escape_text` (pydeck's
  own ``to_html`` escapes nothing): in the panel by the template's ``data``
  filter, in the tooltips before the layer data is serialised. The payload is
  embedded with ``tojson``, which writes ``<``, ``>`` and ``&`` as ``\\u003c``
  etc., so no value can close the script.
- :func:`to_pptx` builds one 16:9 slide: the slide snapshot, a table of the
  top provinces by killed, and the filters, sources and dates in the speaker
  notes. Its zip entries carry the view's time, so the same view and time give
  the same bytes.

Both take a :class:`geo.views.view.View`, whose facts they print as they are.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from geo.views import mapkey
from geo.views.summaries import format_count
from geo.views.view import View
from geo.views.viewfacts import ViewFacts, top_provinces

__all__ = ["ATTRIBUTION", "escape_text", "speaker_notes", "to_html", "to_pptx"]

ATTRIBUTION = (
    "Boundaries: Natural Earth (public domain), for reference only, not authoritative. "
    "Places: GeoNames (CC BY 4.0)."
)
_MAX_SOURCES = 40

# Characters replaced in every text value that can reach HTML. Beyond the HTML
# specials: braces (deck.gl tooltip placeholders, template syntax), "@" (deck.gl's
# JSON converter reads "@@=" strings as code), ":" (no "javascript:" survives)
# and the backtick.
_ENTITIES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#x27;",
        "{": "&#123;",
        "}": "&#125;",
        "@": "&#64;",
        ":": "&#58;",
        "`": "&#96;",
    }
)
_TOOLTIP_STYLE = {
    "whiteSpace": "pre-line",
    "maxWidth": "360px",
    "fontSize": "12px",
    "backgroundColor": "rgba(33,33,33,0.92)",
    "color": "#fafafa",
}


def escape_text(value: str) -> str:
    """HTML-escape ``value`` for a tooltip, including braces, ``@``, ``:`` and backticks."""
    return value.translate(_ENTITIES)


# ---------------------------------------------------------------------------
# Offline HTML
# ---------------------------------------------------------------------------


@cache
def _bundle() -> str:
    """The deck.gl bundle that pydeck ships for offline use (``nbextension/static``)."""
    import pydeck

    path = Path(pydeck.__file__).parent / "nbextension" / "static" / "index.js"
    js = path.read_text(encoding="utf-8")
    # An inline script ends at the first "</script"; the bundle has none, keep it so.
    return js.replace("</script", "<\\/script")


def _escape_records(obj: Any) -> Any:
    """Escape every string inside layer data (records, GeoJSON properties), recursively."""
    if isinstance(obj, str):
        return escape_text(obj)
    if isinstance(obj, list):
        return [_escape_records(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _escape_records(v) for k, v in obj.items()}
    return obj


def _view_state(filters: Any) -> dict[str, float]:
    """Centre and zoom that frame the filtered provinces or countries (else the frontier)."""
    from geo.places import boundaries

    adm1, adm0 = boundaries.adm1_simplified(), boundaries.adm0_simplified()
    frame = adm1.iloc[0:0]
    if getattr(filters, "admin1", None):
        frame = adm1[adm1["admin1_code"].isin(filters.admin1)]
    if frame.empty and getattr(filters, "countries", None):
        frame = adm0[adm0["country_code"].isin(filters.countries)]
    if frame.empty:
        frame = adm0[adm0["country_code"].isin(["AFG", "PAK"])]
    x0, y0, x1, y1 = frame.total_bounds
    span = max(x1 - x0, (y1 - y0) * 1.3, 0.5)
    # deck.gl: the world is 512 px wide at zoom 0; fit the span into ~900 px.
    zoom = max(3.0, min(9.0, math.log2(900 * 360 / (512 * span))))
    # Shift the centre west by half the panel's width (~420 px) so it hides no data.
    shift = 210 * 360 / (512 * 2**zoom)
    return {"latitude": (y0 + y1) / 2, "longitude": (x0 + x1) / 2 - shift, "zoom": round(zoom, 2)}


def _deck_payload(df: pd.DataFrame, filters: Any) -> dict[str, Any]:
    """The deck JSON with every string in the data layers escaped."""
    from geo.places import boundaries
    from geo.views import layers

    base = layers.basemap_layers(
        boundaries.adm0_simplified(), boundaries.adm1_simplified(), boundaries.border_line()
    )
    deck = layers.deck([*base, *layers.incident_layers(df)], online_tiles=False)
    payload = json.loads(deck.to_json())
    payload["initialViewState"] = _view_state(filters)
    for layer in payload.get("layers", []):
        if layer.get("@@type") == "TextLayer":
            continue  # boundary names drawn as glyphs, never as HTML; JSON-escaped below
        if "data" in layer:
            layer["data"] = _escape_records(layer["data"])
    return payload


@cache
def _template() -> jinja2.Template:
    """The page template, autoescaping, with ``data`` for file-derived text."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["data"] = lambda value: Markup(escape_text(str(value)))
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}
    return env.get_template("offline_map.html")


def to_html(view: View) -> bytes:
    """A single self-contained HTML map of the view that works with no network.

    Parameters
    ----------
    view : geo.views.view.View

    Returns
    -------
    bytes
        UTF-8 HTML.
    """
    facts = view.facts
    deck = _deck_payload(view.incidents, view.filters)
    hexagons = any(layer.get("@@type") == "H3HexagonLayer" for layer in deck.get("layers", []))
    page = _template().render(
        facts=facts,
        sources=facts.sources[:_MAX_SOURCES],
        more=max(0, len(facts.sources) - _MAX_SOURCES),
        legend=list(mapkey.EVENT_COLOURS.items()),
        hexagons=hexagons,
        attribution=ATTRIBUTION,
        bundle=Markup(_bundle()),  # pydeck's own script, with any "</script" neutralised
        spec={"deck": deck, "tooltip": {"html": "{tip}", "style": _TOOLTIP_STYLE}},
    )
    return page.encode("utf-8")


# ---------------------------------------------------------------------------
# PowerPoint
# ---------------------------------------------------------------------------


def speaker_notes(facts: ViewFacts) -> str:
    """The slide's notes: what it shows, filters, dates, sources and attribution."""
    lines = [
        facts.title,
        f"Filters: {facts.description}",
        f"Incidents: {facts.incidents:,} ({facts.date_range}); on the map: {facts.mapped:,}",
        facts.killed_line,
        f"As of: {facts.as_of}; made {facts.made}",
        "Incident sources: " + ("; ".join(facts.sources) or "none in this view"),
        ATTRIBUTION,
        "Symbols: area ∝ killed; hollow = killed unknown; dashed ring = approximate location.",
    ]
    if facts.caveat:
        lines.insert(1, f"Handling: {facts.caveat}")
    return "\n".join(lines)


def to_pptx(view: View, *, png: bytes | None = None) -> bytes:
    """One 16:9 slide: the map, a table of the top provinces by killed, notes with the sources.

    Parameters
    ----------
    view : geo.views.view.View
    png : bytes, optional
        The view's slide snapshot, if already rendered (else it is rendered here).

    Returns
    -------
    bytes
    """
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    from geo.views.snapshot import render

    facts = view.facts
    if png is None:
        png = render(view, "png")
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12_192_000), Emu(6_858_000)  # 13.333 × 7.5 in
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only"
    heading = slide.shapes.title
    heading.left, heading.top, heading.width, heading.height = (
        Inches(0.4),
        Inches(0.2),
        Inches(12.5),
        Inches(0.8),
    )
    heading.text = facts.title
    for p in heading.text_frame.paragraphs:
        p.font.size = Pt(26)
        p.font.bold = True
    pic = slide.shapes.add_picture(io.BytesIO(png), Inches(0.3), Inches(1.1), width=Inches(8.9))
    pic.name = "Map snapshot"
    pic._element.nvPicPr.cNvPr.set(
        "descr", f"Map of {facts.incidents} incidents; filters: {facts.description}"
    )
    table = top_provinces(view.incidents, 10)
    _add_table(slide, table, left=Inches(9.4), top=Inches(1.1), width=Inches(3.65))
    foot = slide.shapes.add_textbox(Inches(0.3), Inches(6.25), Inches(12.7), Inches(1.0)).text_frame
    foot.word_wrap = True
    foot.text = f"Filters: {facts.description} · {facts.incidents:,} incidents, {facts.date_range}"
    extra = foot.add_paragraph()
    extra.text = f"{facts.as_of} · made {facts.made} · sources and attribution in the notes"
    for p in foot.paragraphs:
        p.font.size = Pt(11)
        p.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    if facts.caveat:
        box = slide.shapes.add_textbox(Inches(9.4), Inches(5.6), Inches(3.65), Inches(0.6))
        box.text_frame.word_wrap = True
        box.text_frame.text = facts.caveat
        para = box.text_frame.paragraphs[0]
        para.font.size, para.font.bold = Pt(12), True
        para.font.color.rgb = RGBColor(0x8B, 0x00, 0x00)
    slide.notes_slide.notes_text_frame.text = speaker_notes(facts)
    prs.core_properties.title = facts.title
    prs.core_properties.subject = f"Filters: {facts.description}"
    made = facts.made_at.replace(tzinfo=None)
    prs.core_properties.created = prs.core_properties.modified = made
    prs.core_properties.revision = 1
    buf = io.BytesIO()
    prs.save(buf)
    return _zip_at(buf.getvalue(), made)


def _add_table(slide: Any, table: pd.DataFrame, *, left: int, top: int, width: int) -> None:
    """Top provinces: Province, Incidents, Killed (known), Unknown (incidents)."""
    from pptx.util import Inches, Pt

    rows = max(len(table), 1) + 1
    shape = slide.shapes.add_table(rows, 4, left, top, width, Inches(0.32) * rows)
    shape.name = "Top provinces by killed"
    grid = shape.table
    for j, w in enumerate((1.55, 0.7, 0.65, 0.75)):
        grid.columns[j].width = Inches(w)
    heads = ("Province", "Incidents", "Killed", "Unknown")
    for j, head in enumerate(heads):
        grid.cell(0, j).text = head
    if table.empty:
        grid.cell(1, 0).text = "No incidents"
    for i, row in enumerate(table.itertuples(index=False), start=1):
        killed = format_count(row.killed)
        values = (str(row.name), f"{row.incidents:,}", killed, f"{row.killed_unknown:,}")
        for j, value in enumerate(values):
            grid.cell(i, j).text = value
    for i in range(rows):
        for j in range(4):
            for p in grid.cell(i, j).text_frame.paragraphs:
                p.font.size = Pt(11 if i else 11.5)
                if j:
                    from pptx.enum.text import PP_ALIGN

                    p.alignment = PP_ALIGN.RIGHT


def _zip_at(data: bytes, when: datetime) -> bytes:
    """The same zip with every entry dated ``when`` (python-pptx dates them "now")."""
    stamp = when.timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = info.compress_type
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
