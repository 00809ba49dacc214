"""Export: the current view as a map snapshot, an offline map, a slide or data files."""

import streamlit as st

from geo.views import outputs
from geo.views.view import made_now
from geo.views.viewfacts import DEFAULT_TITLE
from ui import cache, state
from ui import presence as export_ui

view = cache.current_view()

st.title("Export")
st.caption(
    f"{len(view.incidents):,} incidents · filters: {view.filters.describe()}. Every file states "
    "its title, filters, date range, data cut-off, sources and when it was made."
)

c1, c2, c3 = st.columns([3, 3, 1.4])
title = c1.text_input("Title", key="export_title", placeholder=DEFAULT_TITLE, max_chars=120)
caveat = c2.text_input(
    "Caveat or handling line",
    key="export_caveat",
    placeholder="e.g. For briefing use only",
    max_chars=160,
)
shade = c3.selectbox(
    "Shade provinces",
    ["", "incidents", "killed"],
    key="export_shade",
    format_func={"": "no shading", "incidents": "by incidents", "killed": "by killed"}.get,
)
presence = export_ui.presence_choice(view)
view = view.with_(
    title=title, caveat=caveat, shade=shade or None, presence=presence, made_at=made_now()
)
stem = view.file_stem()

render = cache.renderer(view)
st.image(
    cache.preview(view),  # cached without the time made: the file states its own
    width="stretch",
    caption="Preview of the slide snapshot (1920×1080 PNG)",
)
if view.incidents.empty:
    state.no_match_notice(view.filters)
    st.caption("The exports say so too, rather than show an empty map.")


def _download(col, output: outputs.Output) -> None:
    """One button; the file is rendered only when it is clicked."""
    col.download_button(
        output.label,
        data=lambda: render(output.name),
        file_name=f"{stem}.{output.name}",
        mime=output.media_type,
        help=output.help,
        key=f"dl_{output.name}",
        on_click="ignore",
        width="stretch",
    )


for heading, kind in (
    ("Map and briefing files", "map"),
    ("Data files", "data"),
    ("The claims ledger", "claims"),
):
    st.subheader(heading)
    shown = outputs.of_kind(kind)
    for col, output in zip(st.columns(len(shown)), shown, strict=True):
        _download(col, output)
st.caption(
    "Unknown casualty counts stay empty in the data files, never 0. Boundaries: Natural Earth "
    "(public domain); places: GeoNames (CC BY 4.0)."
)
