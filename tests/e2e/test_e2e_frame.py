"""The frame in a real browser: a cold first request for a page still runs through app.py.

A Streamlit process that sees the ``pages/`` folder starts in its old multipage
mode, in which a first request for ``/map`` would run ``pages/map.py`` alone
(no sidebar, no shared filters). ui/frame.py turns that mode off with a public
``st.navigation`` call and reruns through app.py; this checks it on a server
whose very first request is ``/map``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from conftest import VIEWPORT, PageLog, open_page
from e2e_helpers import RUN_TIMEOUT_MS, expect, goto, sidebar_multiselect


def test_a_cold_first_request_for_a_page_runs_through_the_frame(app_servers, browser):
    server = app_servers("cold-start")  # a process of its own: nothing has asked it for "/"
    log = PageLog()
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        page = open_page(ctx, log)
        goto(page, f"{server.url}/map?country=AFG")
        assert urlsplit(page.url).path == "/map", page.url
        main = page.locator('[data-testid="stMain"]')
        expect(main.locator("h1").first).to_have_text("Map", timeout=RUN_TIMEOUT_MS)
        sidebar = page.locator('[data-testid="stSidebar"]')
        # the frame ran: its sidebar holds the shared filters, set from the URL, and its status line
        expect(sidebar_multiselect(page, "Countries")).to_contain_text(
            "(AFG)", timeout=RUN_TIMEOUT_MS
        )
        expect(sidebar).to_contain_text("incidents stored")
        expect(main).to_contain_text("AFG")  # the page's caption describes the filters
        assert not log.page_errors, log.summary()
    finally:
        ctx.close()
