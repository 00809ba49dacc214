"""At the narrowest supported window (1280 px, sidebar open) labels and summary tables fit.

Issue 17 item 5: no value cut at 1280–1920 px. Streamlit cuts a metric label that
does not fit its column with an ellipsis, and a data grid wider than its box hides
its last columns behind a horizontal scroll: both are measured here in the page.
Wide record tables (the latest incidents, the ledger) scroll sideways by design and
are not checked.
"""

from __future__ import annotations

import contextlib

import pytest
from e2e_helpers import goto
from playwright.sync_api import TimeoutError as PlaywrightTimeout

NARROW = {"width": 1280, "height": 900}

MEASURE = """() => {
  const cut = el => el.scrollWidth > el.clientWidth + 1
      && getComputedStyle(el).overflow !== 'visible';
  const labels = [...document.querySelectorAll('[data-testid="stMetricLabel"]')].map(l => ({
      text: l.innerText.trim(), cut: [l, ...l.querySelectorAll('*')].some(cut)}));
  const grids = [...document.querySelectorAll('[data-testid="stDataFrame"]')].map(g => {
      const s = g.querySelector('.dvn-scroller');
      return {
          head: [...g.querySelectorAll('[role="columnheader"]')].map(h => h.innerText.trim()),
          overflow: s ? s.scrollWidth - s.clientWidth : null,
      };
  });
  return {labels, grids};
}"""

# page path → how many metric labels it shows on the seed store, and the header of
# each summary table that must fit its box
PAGES = {
    "": (7, [["Province", "Incidents", "Killed", "Toll unknown"]]),
    "casualties": (5, []),
    "cross_border": (3, []),
    "claims": (4, []),
    "about": (0, [["Source", "Source reference", "Incidents", "Seed document"]]),
}


@pytest.mark.parametrize("path", list(PAGES), ids=[p or "overview" for p in PAGES])
def test_labels_and_summary_tables_fit_at_1280_px(page, base_url, path):
    page.set_viewport_size(NARROW)
    goto(page, f"{base_url}/{path}")
    n_labels, tables = PAGES[path]
    # on a timeout the asserts below say what is missing
    with contextlib.suppress(PlaywrightTimeout):
        _wait_for_tables(page, n_labels, tables)
    measured = page.evaluate(MEASURE)
    labels = measured["labels"]
    assert len(labels) == n_labels, labels
    assert not [lb["text"] for lb in labels if lb["cut"]], labels
    by_head = {tuple(g["head"]): g["overflow"] for g in measured["grids"]}
    for head in tables:
        assert tuple(head) in by_head, (head, measured["grids"])
        assert by_head[tuple(head)] == 0, f"{head} is wider than its box: {measured['grids']}"


def _wait_for_tables(page, n_labels: int, tables: list[list[str]]) -> None:
    """The grids draw a moment after the run: wait for the labels and each header, whole."""
    page.wait_for_function(
        """([labels, heads]) => {
            const shown = [...document.querySelectorAll('[data-testid="stDataFrame"]')].map(
                g => [...g.querySelectorAll('[role="columnheader"]')]
                    .map(h => h.innerText.trim()).join('\\u0001'));
            return document.querySelectorAll('[data-testid="stMetricLabel"]').length >= labels
                && heads.every(h => shown.includes(h.join('\\u0001')));
        }""",
        arg=[n_labels, tables],
        timeout=20_000,
    )
