"""Briefing exports of a filtered view: offline HTML map, PowerPoint slide, and dispatch.

- :func:`to_html` writes one self-contained HTML file: the deck.gl bundle that
  ships inside pydeck is inlined, no stylesheet or script is fetched from a CDN,
  a Content-Security-Policy forbids any network access, and every text value
  from the incident files is HTML-escaped before it enters the page (pydeck's
  own ``to_html`` escapes nothing). The JSON payload is embedded with ``<``,
  ``>`` and ``&`` written as ``\\u003c`` etc., so no value can close the script.
- :func:`to_pptx` builds one 16:9 slide: the slide snapshot, a table of the top
  provinces by killed, and the filters, sources and dates in the speaker notes.
- :func:`render_view` returns any format as bytes (for the Export page);
  :func:`write_view` filters a store and writes a file by its suffix (the CLI).
"""

from __future__ import annotations

import html
import io
import json
import math
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from geo import mapkey
from geo.snapshot import Choropleth, render_snapshot
from geo.viewfacts import ViewFacts, top_provinces, view_facts

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "escape_text",
    "render_view",
    "to_html",
    "to_pptx",
    "write_view",
]

#: Every format :func:`render_view` and :func:`write_view` produce.
FORMATS: tuple[str, ...] = ("png", "pdf", "svg", "html", "pptx")
MEDIA_TYPES: dict[str, str] = {
    "png": "image/png",
    "pdf": "application/pdf",
    "svg": "image/svg+xml",
    "html": "text/html",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_ATTRIBUTION = (
    "Boundaries: Natural Earth (public domain), for reference only, not authoritative. "
    "Places: GeoNames (CC BY 4.0)."
)

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
# Written inside the <script> that carries the JSON payload.
_JSON_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' blob:; "
    "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
    "worker-src blob:; connect-src data: blob:"
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
    from geo import boundaries

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
    from geo import boundaries, layers

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


def _legend_html(hexagons: bool) -> str:
    rows = [
        f'<li><span class="dot" style="background:{c}"></span>{html.escape(t)}</li>'
        for t, c in mapkey.EVENT_COLOURS.items()
    ]
    return (
        '<ul class="key">'
        + "".join(rows)
        + '<li><span class="dot ring"></span>Killed unknown (hollow ring)</li>'
        + '<li><span class="dot faint"></span>Approximate location: large faint circle '
        "(province or country level only)</li>"
        + '<li><span class="line"></span>Afghanistan–Pakistan border</li>'
        + (
            '<li><span class="dot hex"></span>Too many to draw singly: precise incidents '
            "counted into hexagons (darker = more); narrow the filters to see each one</li>"
            if hexagons
            else ""
        )
        + "</ul>"
    )


def _page(facts: ViewFacts, payload_json: str, *, hexagons: bool = False) -> str:
    e = html.escape  # for our own words
    d = escape_text  # for anything that came from the data or the user
    caveat = f'<p class="caveat">{d(facts.caveat)}</p>' if facts.caveat else ""
    sources = "; ".join(facts.sources[:40]) or "none in this view"
    more = f" (+{len(facts.sources) - 40} more)" if len(facts.sources) > 40 else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{d(facts.title)}</title>
<style>
html, body {{ margin: 0; padding: 0; height: 100%; overflow: hidden;
  font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; background: #dde8ef; }}
#deck-container {{ position: absolute; inset: 0; }}
#panel {{ position: absolute; top: 12px; left: 12px; z-index: 10; max-width: 380px;
  max-height: calc(100% - 40px); overflow: auto; background: rgba(255,255,255,0.94);
  border: 1px solid #bbb; border-radius: 6px; padding: 10px 14px; font-size: 12.5px; color: #222; }}
#panel h1 {{ font-size: 17px; margin: 0 0 4px; }}
#panel p {{ margin: 4px 0; }}
#panel .muted {{ color: #555; font-size: 11.5px; }}
#panel .caveat {{ color: #8b0000; font-weight: bold; border: 1px solid #8b0000;
  background: #fff4f4; padding: 3px 6px; }}
.key {{ list-style: none; padding: 0; margin: 6px 0; }}
.key li {{ margin: 2px 0; }}
.dot {{ display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin-right: 6px; vertical-align: middle; }}
.dot.ring {{ border: 2px solid #555; width: 7px; height: 7px; }}
.dot.hex {{ background: #fd8d3c; border-radius: 2px; }}
.dot.faint {{ background: rgba(85,85,85,0.15); border: 1px solid rgba(85,85,85,0.6); }}
.line {{ display: inline-block; width: 16px; height: 3px; background: #7f1d1d;
  margin-right: 6px; vertical-align: middle; }}
</style>
<script>{_bundle()}</script>
</head>
<body>
<div id="deck-container"></div>
<div id="panel">
{caveat}
<h1>{d(facts.title)}</h1>
<p>Filters: {d(facts.description)}</p>
<p>{facts.incidents:,} incidents · {e(facts.date_range)}</p>
<p>{e(facts.killed_line)}</p>
{_legend_html(hexagons)}
<p class="muted">Incident sources: {d(sources)}{e(more)}</p>
<p class="muted">{e(_ATTRIBUTION)}</p>
<p class="muted">{e(facts.as_of)} · made {e(facts.made)} ·
Incident Atlas. Works offline: everything this map needs is in this file.</p>
</div>
<script type="application/json" id="atlas-deck">{payload_json}</script>
<script>
(function () {{
  var spec = JSON.parse(document.getElementById("atlas-deck").textContent);
  createDeck({{
    container: document.getElementById("deck-container"),
    jsonInput: spec.deck,
    tooltip: spec.tooltip,
    customLibraries: null,
    configuration: null
  }});
}})();
</script>
</body>
</html>
"""


def to_html(
    df: pd.DataFrame,
    filters: Any = None,
    *,
    title: str | None = None,
    caveat: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """A single self-contained HTML map of the view that works with no network.

    Parameters
    ----------
    df : pandas.DataFrame
        Filtered incidents (canonical columns).
    filters : geo.query.Filters, optional
    title, caveat : str, optional
    now : datetime.datetime, optional
        Creation time shown in the panel.

    Returns
    -------
    bytes
        UTF-8 HTML.
    """
    facts = view_facts(df, filters, title=title, caveat=caveat, now=now)
    deck = _deck_payload(df, filters)
    hexagons = any(layer.get("@@type") == "H3HexagonLayer" for layer in deck.get("layers", []))
    spec = {
        "deck": deck,
        "tooltip": {"html": "{tip}", "style": _TOOLTIP_STYLE},
    }
    payload = json.dumps(spec, separators=(",", ":"), ensure_ascii=False).translate(_JSON_SAFE)
    return _page(facts, payload, hexagons=hexagons).encode("utf-8")


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
        _ATTRIBUTION,
        "Symbols: area ∝ killed; hollow = killed unknown; dashed ring = approximate location.",
    ]
    if facts.caveat:
        lines.insert(1, f"Handling: {facts.caveat}")
    return "\n".join(lines)


def to_pptx(
    df: pd.DataFrame,
    filters: Any = None,
    *,
    title: str | None = None,
    caveat: str | None = None,
    choropleth: Choropleth = None,
    now: datetime | None = None,
    png: bytes | None = None,
) -> bytes:
    """One 16:9 slide: the map, a table of the top provinces by killed, notes with the sources.

    Parameters
    ----------
    df : pandas.DataFrame
        Filtered incidents.
    filters : geo.query.Filters, optional
    title, caveat : str, optional
    choropleth : {"incidents", "killed"}, optional
    now : datetime.datetime, optional
    png : bytes, optional
        A slide snapshot already rendered (else it is rendered here).

    Returns
    -------
    bytes
    """
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    now = now or datetime.now(UTC)
    facts = view_facts(df, filters, title=title, caveat=caveat, now=now)
    if png is None:
        png = render_snapshot(
            df, filters, "png", title=title, caveat=caveat, choropleth=choropleth, now=now
        )
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
    table = top_provinces(df, 10)
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
    prs.core_properties.created = facts.made_at.replace(tzinfo=None)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


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
        killed = "unknown" if pd.isna(row.killed) else f"{int(row.killed):,}"
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


# ---------------------------------------------------------------------------
# Dispatch
# ---------------------------------------------------------------------------


def render_view(
    df: pd.DataFrame,
    filters: Any,
    fmt: str,
    *,
    title: str | None = None,
    caveat: str | None = None,
    choropleth: Choropleth = None,
    now: datetime | None = None,
) -> bytes:
    """Render a filtered view in one of :data:`FORMATS`.

    Parameters
    ----------
    df : pandas.DataFrame
        Incidents already filtered by ``filters``.
    filters : geo.query.Filters or None
    fmt : {"png", "pdf", "svg", "html", "pptx"}
    title, caveat : str, optional
    choropleth : {"incidents", "killed"}, optional
        Province shading for the static map (PNG, PDF, SVG, PPTX).
    now : datetime.datetime, optional

    Returns
    -------
    bytes
    """
    fmt = fmt.lower().lstrip(".")
    if fmt in ("png", "pdf", "svg"):
        return render_snapshot(
            df, filters, fmt, title=title, caveat=caveat, choropleth=choropleth, now=now
        )
    if fmt == "html":
        return to_html(df, filters, title=title, caveat=caveat, now=now)
    if fmt == "pptx":
        return to_pptx(df, filters, title=title, caveat=caveat, choropleth=choropleth, now=now)
    raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")


def write_view(
    store: Any,
    filters: Any,
    path: Path,
    *,
    title: str | None = None,
    caveat: str | None = None,
) -> Path:
    """Filter the store and write the view to ``path``; the suffix picks the format.

    Parameters
    ----------
    store : geo.store.Store
    filters : geo.query.Filters or None
    path : pathlib.Path
        Ends in ``.png``, ``.pdf``, ``.svg``, ``.html`` or ``.pptx``.
    title, caveat : str, optional

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        For any other suffix (nothing is written).
    """
    from geo.query import Filters, apply

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "htm":
        fmt = "html"
    if fmt not in FORMATS:
        raise ValueError(
            f"cannot tell the format from {path.name!r}: use .png, .pdf, .svg, .html or .pptx"
        )
    filters = filters if filters is not None else Filters()
    df = apply(store.incidents(), filters)
    data = render_view(df, filters, fmt, title=title, caveat=caveat)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
