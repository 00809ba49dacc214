"""Every page of the app opens in a real browser without an error of any kind."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from e2e_helpers import goto, main_text

# st.set_page_config(page_icon=":material/...:") makes Streamlit point the favicon at
# fonts.gstatic.com; offline it just fails (a cosmetic fault, reported, not tested here).
FAVICON = re.compile(r"^https://fonts\.gstatic\.com/s/i/.*materialsymbols")

# URL paths are the page file stems (pages/<stem>.py); Overview is the default page at "/".
PAGES = ["", "map", "cross_border", "casualties", "claims", "data", "export", "about"]


@pytest.mark.parametrize("path", PAGES, ids=[p or "overview" for p in PAGES])
def test_page_loads_without_errors(page, page_log, base_url, path):
    goto(page, f"{base_url}/{path}")  # also fails on any Streamlit exception box
    # Streamlit falls back to the main page (and says so) for an unknown path
    assert urlsplit(page.url).path.strip("/") == path, f"asked for /{path}, got {page.url}"
    assert page.locator('[data-testid="stMain"] h1, [data-testid="stMain"] h2').count() >= 1
    assert len(main_text(page).strip()) > 40, "the page shows (almost) nothing"
    assert not page_log.page_errors, page_log.summary()
    # DESIGN §6: the app works with no internet (the browser never asks for anything remote)
    remote = [u for u in page_log.blocked if not FAVICON.search(u)]
    assert not remote, page_log.summary()
