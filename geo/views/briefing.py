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
- :func:`to_pptx` builds one 16:9 slide: an editable title and subtitle over
  a picture of the map with its key (the map fitted to the data, drawn by the
  snapshot code), the legend in its alt text, and the filters, top provinces,
  sources and dates in the speaker notes. Its zip entries carry the view's
  time, so the same view and time give the same bytes.

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

from geo.views.legend import MapLegend, map_legend
from geo.views.summaries import format_count
from geo.views.view import View
from geo.views.viewfacts import ViewFacts, top_provinces

__all__ = ["ATTRIBUTION", "escape_text", "speaker_notes", "to_html", "to_pptx"]

ATTRIBUTION = (
    "Boundaries: Natural Earth (public domain), for reference only, not authoritative. "
    "Places: GeoNames (CC BY 4.0)."
)
_MAX_SOURCES = 40
_UNSET: Any = object()

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


def _presence_territories(view: View) -> Any:
    """The view's claimed territories (lon/lat) when it draws presence, else ``None``."""
    if view.presence is None:
        return None
    from geo.places import boundaries
    from geo.views.layers_presence import presence_territories

    adm0, adm1 = boundaries.adm0_simplified(), boundaries.adm1_simplified()
    return presence_territories(adm0, adm1, view.presence_states, view.presence)


def _deck_payload(df: pd.DataFrame, filters: Any, presence: Any = None) -> dict[str, Any]:
    """The deck JSON with every string in the data layers escaped.

    ``presence``: claimed territories (:func:`_presence_territories`) drawn under the incidents.
    """
    from geo.places import boundaries
    from geo.views import layers
    from geo.views.layers_presence import presence_layer_of

    adm0, adm1 = boundaries.adm0_simplified(), boundaries.adm1_simplified()
    base = layers.basemap_layers(adm0, adm1, boundaries.border_line())
    shaded = [] if presence is None else [presence_layer_of(presence)]
    deck = layers.deck([*base, *shaded, *layers.incident_layers(df)], online_tiles=False)
    payload = json.loads(deck.to_json())
    payload["initialViewState"] = _view_state(filters)
    for layer in payload.get("layers", []):
        if layer.get("@@type") == "TextLayer":
            continue  # boundary names drawn as glyphs, never as HTML; JSON-escaped below
        if "data" in layer:
            layer["data"] = _escape_records(layer["data"])
    return payload


def _groups_text(groups: tuple[str, ...] | None) -> str:
    """`` for IS-KP, TTP`` (the groups of the presence layer), empty for every group."""
    return f" for {', '.join(groups)}" if groups else ""


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
    from geo.views.layers import size_key

    facts = view.facts
    presence = _presence_territories(view)
    deck = _deck_payload(view.incidents, view.filters, presence)
    hexagons = any(layer.get("@@type") == "H3HexagonLayer" for layer in deck.get("layers", []))
    key = _legend(view, presence)
    page = _template().render(
        facts=facts,
        sources=facts.sources[:_MAX_SOURCES],
        more=max(0, len(facts.sources) - _MAX_SOURCES),
        key=key,
        sizes=[(k, round(2 * r)) for k, r in size_key(key.sizes)],
        hexagons=hexagons,
        presence_groups=_groups_text(view.presence),
        attribution=ATTRIBUTION,
        bundle=Markup(_bundle()),  # pydeck's own script, with any "</script" neutralised
        spec={"deck": deck, "tooltip": {"html": "{tip}", "style": _TOOLTIP_STYLE}},
    )
    return page.encode("utf-8")


# ---------------------------------------------------------------------------
# PowerPoint
# ---------------------------------------------------------------------------


def speaker_notes(facts: ViewFacts, key: MapLegend | None = None, provinces: Any = None) -> str:
    """The slide's notes: what it shows, filters, dates, legend, top provinces, sources."""
    lines = [
        facts.title,
        f"Filters: {facts.description}",
        f"Incidents: {facts.incidents:,} ({facts.date_range}); on the map: {facts.mapped:,}",
        facts.killed_line,
        f"As of: {facts.as_of}; made {facts.made}",
        "Legend: " + (key.describe() if key is not None else "none"),
    ]
    if provinces is not None and len(provinces):
        lines.append("Top provinces by killed (incidents, killed, incidents with unknown killed):")
        lines += [
            f"  {row.name}: {row.incidents:,}, {format_count(row.killed)}, {row.killed_unknown:,}"
            for row in provinces.itertuples(index=False)
        ]
    lines += [
        "Incident sources: " + ("; ".join(facts.sources) or "none in this view"),
        ATTRIBUTION,
    ]
    if facts.caveat:
        lines.insert(1, f"Handling: {facts.caveat}")
    return "\n".join(lines)


def slide_picture(view: View) -> bytes:
    """The slide's picture: map, key and footer of the view, sized for the slide under its title."""
    from geo.views.snapshot import SLIDE_BODY, render

    return render(view, "png", preset=SLIDE_BODY)


def to_pptx(view: View, *, png: bytes | None = None) -> bytes:
    """One 16:9 slide: an editable title and subtitle over the map with its key.

    The picture (:func:`slide_picture`) spans the slide's width: the map fitted to
    the data, the legend, the top provinces and the sources, drawn by the same
    code as the PNG. Its alt text and the speaker notes state the legend, the top
    provinces, the filters, dates and sources as text.

    Parameters
    ----------
    view : geo.views.view.View
    png : bytes, optional
        :func:`slide_picture` of the view, if already rendered.

    Returns
    -------
    bytes
    """
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    from geo.views.snapshot import SLIDE_BODY

    facts = view.facts
    if png is None:
        png = slide_picture(view)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12_192_000), Emu(6_858_000)  # 13.333 × 7.5 in
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only"
    text_w = Inches(9.4 if facts.caveat else 12.7)
    heading = slide.shapes.title
    heading.left, heading.top, heading.width, heading.height = (
        Inches(0.3), Inches(0.1), text_w, Inches(0.6))  # fmt: skip
    heading.text = facts.title
    heading.text_frame.word_wrap = True
    for p in heading.text_frame.paragraphs:
        p.font.size = Pt(20 if facts.caveat else 24)  # one line beside the caveat box
        p.font.bold = True
    sub = slide.shapes.add_textbox(Inches(0.3), Inches(0.66), text_w, Inches(0.36)).text_frame
    sub.word_wrap = True
    sub.text = f"Filters: {facts.description} · {facts.incidents:,} incidents, {facts.date_range}"
    sub.paragraphs[0].font.size = Pt(12)
    sub.paragraphs[0].font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    top = Inches(7.5 - SLIDE_BODY.height_in)
    pic = slide.shapes.add_picture(io.BytesIO(png), 0, top, width=prs.slide_width)
    pic.name = "Map snapshot"
    key = _legend(view)
    pic._element.nvPicPr.cNvPr.set(
        "descr",
        f"Map of {facts.incidents} incidents; filters: {facts.description}. {key.describe()}",
    )
    if facts.caveat:
        box = slide.shapes.add_textbox(Inches(9.9), Inches(0.12), Inches(3.2), Inches(0.8))
        box.text_frame.word_wrap = True
        box.text_frame.text = facts.caveat
        para = box.text_frame.paragraphs[0]
        para.font.size, para.font.bold = Pt(12), True
        para.font.color.rgb = RGBColor(0x8B, 0x00, 0x00)
    notes = speaker_notes(facts, key, top_provinces(view.incidents, 10))
    slide.notes_slide.notes_text_frame.text = notes
    prs.core_properties.title = facts.title
    prs.core_properties.subject = f"Filters: {facts.description}"
    made = facts.made_at.replace(tzinfo=None)
    prs.core_properties.created = prs.core_properties.modified = made
    prs.core_properties.revision = 1
    buf = io.BytesIO()
    prs.save(buf)
    return _zip_at(buf.getvalue(), made)


def _legend(view: View, presence: Any = _UNSET) -> MapLegend:
    """The view's legend as its maps draw it (:func:`geo.views.legend.map_legend`)."""
    if presence is _UNSET:
        presence = _presence_territories(view)
    return map_legend(view.incidents, None if presence is None else presence["state"])


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
