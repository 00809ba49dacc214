"""Small drawing helpers shared by the pages (escaping, metrics, tables, legends).

Every value that came from a file is shown through ``st.dataframe``, ``st.text``
or markdown escaped by :func:`md_escape`; raw HTML is only ever built from the
app's own constants.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from itertools import islice
from typing import Any

import pandas as pd
import streamlit as st

from geo.config import get_settings
from geo.ingest.limits import format_size
from geo.views import layers, palette
from geo.views.export import safe_csv  # the formula-safe CSV of any table (pages/data.py uses it)
from geo.views.legend import MapLegend
from geo.views.summaries import Headline, format_count
from ui.tables import fitted_height, for_display

__all__ = [
    "INCIDENT_COLUMN_CONFIG",
    "candidate_label",
    "choropleth_legend",
    "headline_metrics",
    "incident_card",
    "incident_table",
    "issues_frame",
    "legend",
    "md_escape",
    "metric_layout",
    "metric_rows",
    "presence_legend_html",
    "record_table",
    "safe_csv",
    "selected_ids",
    "source_link_column",
    "upload_history",
    "upload_limit",
]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'])")


def md_escape(value: Any, max_len: int | None = 500) -> str:
    """Text safe to put inside ``st.markdown``: markdown, HTML and directives neutralised."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    text = str(value)
    if max_len and len(text) > max_len:
        text = text[:max_len] + "…"
    text = text.replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def upload_limit() -> str:
    """The upload size limit in force: the smaller of Streamlit's and ``ATLAS_MAX_UPLOAD_MB``."""
    server = int(st.get_option("server.maxUploadSize")) * 1024 * 1024
    return format_size(min(server, get_settings().max_upload_bytes))


#: The main column's width at the narrowest supported window (1280 px, sidebar open),
#: and what a metric's label needs per character, for its help icon and between columns.
_MAIN_PX, _LABEL_CHAR_PX, _HELP_PX, _GAP_PX = 780, 7.6, 24, 16


def metric_layout(labels: Sequence[tuple[str, bool]], width: int = _MAIN_PX) -> list[int]:
    """How many metrics go in each row so that no label is cut at ``width`` px.

    ``labels`` are (label, has help) pairs. The fewest rows whose equal columns
    each hold the longest label; rows as even as possible, the longer first.

    Examples
    --------
    >>> metric_layout([("Incidents", False), ("Claims", True)])
    [2]
    >>> metric_layout([("Incidents, injured unknown", False)] * 5)
    [3, 2]
    """
    need = max(len(t) * _LABEL_CHAR_PX + (_HELP_PX if h else 0) for t, h in labels) + _GAP_PX
    n = len(labels)
    for rows in range(1, n + 1):
        per_row = -(-n // rows)
        if width / per_row >= need or per_row == 1:
            base, extra = divmod(n, rows)
            return [base + (i < extra) for i in range(rows)]
    return [1] * n  # pragma: no cover - the loop returns at rows == n


def metric_rows(metrics: Sequence[tuple[str, str, str | None]]) -> None:
    """``(label, value, help)`` metrics in as many rows as their labels need to show whole."""
    shape = metric_layout([(label, bool(help_)) for label, _, help_ in metrics])
    todo = iter(metrics)
    for count in shape:  # every row as many columns as the first: the metrics line up
        for col, (label, value, help_) in zip(
            st.columns(shape[0]), islice(todo, count), strict=False
        ):
            col.metric(label, value, help=help_)


def headline_metrics(h: Headline, *, with_claims: bool = True) -> None:
    """The headline figures as metrics, in rows that show every label whole."""
    metrics = [
        ("Incidents", f"{h.incidents:,}", None),
        (
            "Killed (known)",
            format_count(h.killed),
            f"Sum over incidents with a known toll; unknown for {h.killed_unknown:,} incidents.",
        ),
        (
            "Injured (known)",
            format_count(h.injured),
            f"Sum over incidents with a known count; unknown for {h.injured_unknown:,} incidents.",
        ),
        (
            "Toll unknown",
            f"{h.killed_unknown:,}",
            f"Incidents whose number killed is not known (never counted as zero). "
            f"Injured is unknown for {h.injured_unknown:,} (ACLED exports give no injuries); "
            f"{h.casualties_unknown:,} incidents lack one or both counts.",
        ),
        ("Provinces affected", f"{h.provinces:,}", None),
        (
            "Cross-border",
            f"{h.cross_border:,}",
            "Incidents a source ties to movement or actors across a border.",
        ),
    ]
    if with_claims:
        metrics.append(
            ("Claims", f"{h.claims:,}", "Statements in the claims ledger in the date range.")
        )
    metric_rows(metrics)


def source_link_column(df: pd.DataFrame, col: str = "source_ref") -> pd.DataFrame:
    """Add ``link``: the ``source_ref`` when it is an http(s) URL, else empty."""
    out = df.copy()
    ref = (
        out[col].astype(object).fillna("").astype(str)
        if col in out
        else pd.Series("", index=out.index)
    )
    ok = ref.str.match(r"^https?://[^\s<>\"']+$", case=False)
    out["link"] = ref.where(ok, None)
    return out


INCIDENT_COLUMN_CONFIG: dict[str, Any] = {
    "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
    "location": st.column_config.TextColumn("Place"),
    "admin1": st.column_config.TextColumn("Province"),
    "country_code": st.column_config.TextColumn("Country"),
    "event_type": st.column_config.TextColumn("Type"),
    "actor1": st.column_config.TextColumn("Actor"),
    "claimed_by": st.column_config.TextColumn("Claimed by"),
    "killed": st.column_config.NumberColumn(
        "Killed", help="“unknown”: the source gives no number."
    ),
    "injured": st.column_config.NumberColumn(
        "Injured", help="“unknown”: the source gives no number."
    ),
    "geo_precision": st.column_config.NumberColumn("Precision", help="1 exact … 4 country only"),
    "source": st.column_config.TextColumn("Source"),
    "source_ref": st.column_config.TextColumn("Source reference"),
    "link": st.column_config.LinkColumn("Link", display_text="open"),
    "incident_id": st.column_config.TextColumn("Incident id"),
    "border_distance_km": st.column_config.NumberColumn("Border distance (km)", format="%.1f"),
}


def incident_table(df: pd.DataFrame, *, height: int | str = "auto", key: str | None = None) -> None:
    """A sortable table of incidents (text shown as text, links only for http(s)).

    Empty cells read "unknown": a missing count is unknown, never zero; an empty
    claimant reads "no claim reported"; country codes read as names; the height
    fits the rows (no blank filler rows) unless ``height`` is given.
    """
    shown = for_display(source_link_column(df))
    if shown["link"].isna().all():
        shown = shown.drop(columns=["link"])
    st.dataframe(
        shown,
        hide_index=True,
        height=fitted_height(len(shown)) if height == "auto" else height,
        key=key,
        placeholder="unknown",
        column_config=INCIDENT_COLUMN_CONFIG,
    )


def record_table(record: pd.Series) -> None:
    """One incident's full record as a two-column table (field, value)."""
    values = [
        "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
        for v in record.to_numpy()
    ]
    for field in ("killed", "injured"):
        if field in record.index and pd.isna(record[field]):
            values[list(record.index).index(field)] = "unknown"
    table = pd.DataFrame({"field": list(record.index), "value": values})
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "field": st.column_config.TextColumn("Field", width="small"),
            "value": st.column_config.TextColumn("Value", width="large"),
        },
    )


def _swatch(
    rgb: tuple[int, int, int], *, hollow: bool = False, size: int = 12, faint: bool = False
) -> str:
    r, g, b = rgb
    fill = "transparent" if hollow else f"rgba({r},{g},{b},{0.18 if faint else 0.85})"
    return (
        f'<span style="display:inline-block;width:{size}px;height:{size}px;border-radius:50%;'
        f"background:{fill};border:2px solid rgb({r},{g},{b});vertical-align:middle;"
        f'margin-right:4px"></span>'
    )


def legend(key: MapLegend, *, show_size: bool = True) -> None:
    """The map legend of :func:`geo.views.legend.map_legend`: only what the map shows.

    Event-type colours, the size key, hollow = unknown, the faint circle of an
    approximate location, the border and the presence states (as in every export).
    Built only from the app's constants and the legend's classes, so the HTML
    carries no text from a file.
    """
    items = " ".join(
        f"{_swatch(palette.rgb(colour))}{html.escape(label)}&nbsp;&nbsp;"
        for label, colour in key.event_types
    )
    grey = layers.OTHER_RGB
    sizes = " ".join(
        f"{_swatch(grey, size=int(2 * r))}{k:,}&nbsp;" for k, r in layers.size_key(key.sizes)
    )
    b = layers.BORDER_RGB
    marks = [f"Killed: {sizes}"] if show_size and key.sizes else []
    if key.unknown_toll:
        marks.append(f"{_swatch(grey, hollow=True)}toll unknown")
    if key.approximate:
        marks.append(
            f"{_swatch(grey, faint=True, size=22)}located only to a province or country (no dot)"
        )
    marks.append(
        f"<span style='display:inline-block;width:26px;height:4px;background:rgb({b[0]},{b[1]},"
        f"{b[2]});vertical-align:middle;margin-right:4px'></span>Afghanistan–Pakistan border"
    )
    parts = [
        f"<div style='font-size:0.85rem;line-height:1.9'>{items}</div>" if items else "",
        "<div style='font-size:0.85rem;line-height:1.9'>" + "&nbsp;&nbsp;".join(marks) + "</div>",
        presence_legend_html(key.presence),
    ]
    st.markdown("".join(parts), unsafe_allow_html=True)


def presence_legend_html(items: Sequence[tuple[str, str]]) -> str:
    """The presence states' key as HTML (empty when none is drawn); app constants only."""
    if not items:
        return ""
    boxes = " ".join(
        f"<span style='display:inline-block;width:18px;height:12px;"
        f"background:rgba({r},{g},{b},0.25);border:2px solid rgb({r},{g},{b});"
        f"vertical-align:middle;margin:0 3px 0 8px'></span>{html.escape(label)}"
        for label, (r, g, b) in ((label, palette.rgb(c)) for label, c in items)
    )
    return (
        f"<div style='font-size:0.85rem;line-height:1.9'>Claimed presence: {boxes}"
        " &nbsp;(a country claim shades the whole country)</div>"
    )


def selected_ids(event: Any) -> list[str]:
    """Incident ids picked on a deck (``on_select``): a point's ``id`` or a circle's ``ids``."""
    try:
        objects = event.selection.objects  # type: ignore[union-attr]
    except AttributeError:
        return []
    out: list[str] = []
    for picked in (objects or {}).values():
        for obj in picked or []:
            if obj.get("id"):
                out.append(str(obj["id"]))
            out.extend(str(i) for i in obj.get("ids") or [])
    return list(dict.fromkeys(out))


def incident_card(df: pd.DataFrame, incident_id: str) -> None:
    """An incident's full record, its source first (every value escaped or tabular)."""
    rows = df[df["incident_id"].astype(object) == incident_id]
    if rows.empty:
        st.warning("That incident is no longer in the store (it may have been undone).")
        return
    record = rows.iloc[0].drop(labels=["h3"], errors="ignore")
    when, precision = record["event_date"], record["date_precision"]
    day = "date unknown" if pd.isna(when) else f"{when:%Y-%m-%d}"
    if isinstance(precision, str) and precision != "day":
        day += f" ({precision})"
    title = f"{day} · {record['location'] or record['admin1'] or ''}"
    with st.container(border=True):
        st.markdown(f"**{md_escape(title)}** — {md_escape(record['event_type'])}")
        note = record["casualty_note"]
        st.markdown(
            f"Killed **{md_escape(format_count(record['killed']))}** · injured "
            f"**{md_escape(format_count(record['injured']))}**"
            + (f" ({md_escape(note)})" if isinstance(note, str) and note else "")
        )
        st.markdown(f"**Source:** {md_escape(record['source'])}")
        ref = record["source_ref"]
        st.markdown(f"**Source reference:** {md_escape(ref)}")
        if isinstance(ref, str) and re.match(r"^https?://[^\s<>\"']+$", ref, re.I):
            st.link_button("Open the source", ref)
        upload = record.get("upload_id")
        if isinstance(upload, str) and upload:
            st.caption(f"From upload {md_escape(upload)} (see the Data page).")
        with st.expander("Full record"):
            record_table(record)


def issues_frame(issues: list[Any]) -> pd.DataFrame:
    """Errors and warnings as a table: line, level, column, value, message."""
    return pd.DataFrame(
        [
            {
                "line": i.line,
                "level": i.level,
                "column": i.column,
                "value": i.value,
                "message": i.message,
            }
            for i in issues
        ],
        columns=["line", "level", "column", "value", "message"],
    )


def upload_history(uploads: pd.DataFrame, *, key: str = "uploads") -> None:
    """The upload history, newest first, with readable headings and times (UTC)."""
    shown = uploads.drop(columns=["sha256"], errors="ignore").iloc[::-1].copy()
    for col in ("created_at", "undone_at"):
        if col in shown:
            when = pd.to_datetime(shown[col], errors="coerce", utc=True)
            shown[col] = when.dt.strftime("%Y-%m-%d %H:%M UTC").astype(object)
            shown.loc[when.isna(), col] = None
    st.dataframe(
        shown,
        hide_index=True,
        key=key,
        placeholder="—",
        column_config={
            "upload_id": "Upload",
            "file": "File",
            "format": "Format",
            "created_at": "Stored",
            "rows_read": "Rows read",
            "accepted": "Accepted",
            "rejected": "Rejected",
            "updated": "Updated",
            "duplicates": "Already stored",
            "geocoded": "Geocoded",
            "undone_at": st.column_config.TextColumn(
                "Undone", help="Empty while the upload stands"
            ),
            "user": st.column_config.TextColumn("By", help="Who made the upload"),
            "redo_of": st.column_config.TextColumn(
                "Redo of", help="The undone upload this one applied again"
            ),
        },
    )


def candidate_label(candidate: dict[str, Any]) -> str:
    """``Fayzabad — Badakhshan (AF-BDS), AFG · 36.94, 70.99 · score 95``."""
    lat, lon = candidate.get("latitude"), candidate.get("longitude")
    where = f"{candidate.get('admin1') or '?'} ({candidate.get('admin1_code') or '?'}), {candidate.get('country_code') or '?'}"
    pos = (
        f"{lat:.2f}, {lon:.2f}"
        if isinstance(lat, int | float) and isinstance(lon, int | float)
        else "?"
    )
    score = candidate.get("score")
    return f"{candidate.get('name') or candidate.get('matched')} — {where} · {pos}" + (
        f" · score {score:.0f}" if isinstance(score, int | float) else ""
    )


def choropleth_legend(title: str, vmax: Any) -> None:
    """Colour key of the province shading (numbers computed by the app, no file text)."""
    items = layers.choropleth_key(float(vmax) if vmax is not None and not pd.isna(vmax) else 0)
    if not items:
        return
    swatches = " ".join(
        f"<span style='display:inline-block;width:18px;height:12px;background:rgb({r},{g},{b});"
        f"vertical-align:middle;margin:0 3px 0 8px'></span>{html.escape(label)}"
        for label, (r, g, b) in items
    )
    st.markdown(
        f"<div style='font-size:0.85rem'>{html.escape(title)}: {swatches}"
        " &nbsp;(unshaded: none, or all unknown)</div>",
        unsafe_allow_html=True,
    )
