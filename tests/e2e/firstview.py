"""Time to each page's first meaningful content in a real browser (issue 17 item 10).

Shared by the browser test ``test_e2e_firstview.py`` (which only checks that the
content appears and logs the times) and the benchmark ``benchmarks/bench_firstview.py``
(which reports them). Nothing here asserts a speed.

"First meaningful content" is, per page, the element a reader came for: the
headline figures, the deck.gl canvas of a map, the Export preview, the upload box,
the sources table. The browser
notes the moment it is first in the page with a non-empty box (an image: once it
has loaded), in milliseconds from the start of the navigation
(``performance.now()``), so the times include loading the page, the websocket
and the script run up to that element, and no polling delay of the test.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

APP = '[data-testid="stApp"]'
MAIN = '[data-testid="stMain"]'
DECK_CANVAS = f'{MAIN} [data-testid="stDeckGlJsonChart"] canvas'
METRIC_VALUE = f'{MAIN} [data-testid="stMetricValue"]'


@dataclass(frozen=True)
class FirstView:
    """One page and the element that is its first meaningful content."""

    path: str  # the URL path (the page file's stem; "" is Overview)
    name: str
    selector: str
    what: str  # the element in words, for the table


#: Every page of the app (ui.frame.PAGES) with its first meaningful content.
PAGES: tuple[FirstView, ...] = (
    FirstView("", "Overview", METRIC_VALUE, "headline figures"),
    FirstView("map", "Map", DECK_CANVAS, "the map's deck canvas"),
    FirstView("cross_border", "Cross-border", DECK_CANVAS, "the map's deck canvas"),
    FirstView("casualties", "Casualties", METRIC_VALUE, "casualty figures"),
    FirstView("claims", "Claims", METRIC_VALUE, "counts by stance"),
    FirstView("data", "Data", f'{MAIN} [data-testid="stFileUploaderDropzone"]', "the upload box"),
    FirstView("export", "Export", f'{MAIN} [data-testid="stImage"] img', "the snapshot preview"),
    FirstView("about", "About", f'{MAIN} [data-testid="stDataFrame"]', "the sources table"),
)

#: Installed before the page's own scripts. ``__fvSeen``: when ``window.__fvSelector``
#: first matches an element with a box (an <img> once loaded); ``__fvPainted``: two
#: animation frames later, so the frame holding it has been composited. For a deck.gl
#: canvas the frames are counted from the first WebGL draw call after it appeared:
#: with software WebGL (SwiftShader, as here) the browser reads the canvas back for
#: the compositor, which waits for the whole first frame to be rasterised.
_WATCH_SCRIPT = """
(() => {
    window.__fvSelector = %s;
    window.__fvSeen = null;
    window.__fvPainted = null;
    let waitingForDraw = false;
    const painted = () => requestAnimationFrame(() => requestAnimationFrame(() => {
        if (window.__fvPainted === null) window.__fvPainted = performance.now();
    }));
    for (const C of [window.WebGL2RenderingContext, window.WebGLRenderingContext]) {
        if (!C) continue;
        for (const f of ['drawArrays', 'drawElements', 'drawArraysInstanced',
                         'drawElementsInstanced']) {
            const orig = C.prototype[f];
            if (!orig) continue;
            C.prototype[f] = function (...args) {
                if (waitingForDraw) { waitingForDraw = false; painted(); }
                return orig.apply(this, args);
            };
        }
    }
    const shown = (el) => {
        const r = el.getBoundingClientRect();
        if (r.width <= 0 || r.height <= 0) return false;
        return el.tagName !== 'IMG' || (el.complete && el.naturalWidth > 0);
    };
    const check = () => {
        if (window.__fvSeen !== null) return;
        for (const el of document.querySelectorAll(window.__fvSelector)) {
            if (shown(el)) {
                window.__fvSeen = performance.now();
                if (el.tagName === 'CANVAS') waitingForDraw = true; else painted();
                return;
            }
        }
    };
    const start = () => {
        new MutationObserver(check).observe(document.documentElement,
            {subtree: true, childList: true, attributes: true});
        document.addEventListener('load', check, true);  // images
        check();
    };
    if (document.documentElement) start();
    else document.addEventListener('DOMContentLoaded', start);
})();
"""

#: The script run is over and the DOM has been still for a quarter of a second
#: (e2e_helpers.QUIET_DOM_SCRIPT keeps ``__e2eLastMutation``).
_DONE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return false;
    const state = app.getAttribute('data-test-script-state');
    const last = window.__e2eLastMutation;
    return state !== 'running' && state !== 'initial' && state !== 'rerunRequested'
        && !document.querySelector('[data-stale="true"]')
        && (last === undefined || performance.now() - last > 250);
}"""


@dataclass(frozen=True)
class Timing:
    """One cold opening of one page, in milliseconds from the start of the navigation."""

    page: str
    element_ms: float  # the content's element in the page (a canvas: not drawn yet)
    content_ms: float  # the content painted: the first meaningful content shown
    done_ms: float  # the script run over and the page still (its last change)
    wall_ms: float  # content_ms as the driver saw it (later when the page is busy)


def open_timed(
    context: Any,
    base_url: str,
    spec: FirstView,
    timeout_ms: float,
    check: Callable[[Any], None] | None = None,
) -> Timing:
    """Open ``spec``'s page in a new tab of ``context`` and time its first content.

    ``context`` should be fresh (a new browser context is a new Streamlit session).
    ``check`` is called with the page once it has settled, before it is closed.
    Raises Playwright's TimeoutError if the content is not shown within ``timeout_ms``.
    """
    from e2e_helpers import QUIET_DOM_SCRIPT

    page = context.new_page()
    page.add_init_script(QUIET_DOM_SCRIPT)
    page.add_init_script(_WATCH_SCRIPT % json.dumps(spec.selector))
    try:
        start = time.perf_counter()
        page.goto(f"{base_url}/{spec.path}", wait_until="commit", timeout=timeout_ms)
        page.wait_for_function(
            "() => typeof window.__fvPainted === 'number'", timeout=timeout_ms, polling=50
        )
        wall = (time.perf_counter() - start) * 1000
        element, content = page.evaluate("() => [window.__fvSeen, window.__fvPainted]")
        page.wait_for_function(_DONE, timeout=timeout_ms, polling=50)
        done = page.evaluate("() => window.__e2eLastMutation ?? performance.now()")
        if check is not None:
            check(page)
        return Timing(spec.name, float(element), float(content), float(max(done, content)), wall)
    finally:
        page.close()


def summarise(runs: list[Timing]) -> dict[str, dict[str, Any]]:
    """Per page: the medians of its runs' times, and every run."""
    out: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(r.page for r in runs):
        mine = [r for r in runs if r.page == name]
        out[name] = {
            "element_ms": statistics.median(r.element_ms for r in mine),
            "content_ms": statistics.median(r.content_ms for r in mine),
            "done_ms": statistics.median(r.done_ms for r in mine),
            "runs": [asdict(r) for r in mine],
        }
    return out


def table(rows: dict[str, dict[str, Any]], title: str = "") -> str:
    """A markdown table of :func:`summarise`'s result (seconds)."""
    what = {p.name: p.what for p in PAGES}
    lines = [title] if title else []
    lines += [
        "| page | first meaningful content | element in page s | content shown s "
        "| page settled s | runs, content shown s |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, row in rows.items():
        runs = ", ".join(f"{r['content_ms'] / 1000:.2f}" for r in row["runs"])
        lines.append(
            f"| {name} | {what.get(name, '')} | {row['element_ms'] / 1000:.2f} | "
            f"{row['content_ms'] / 1000:.2f} | "
            f"{row['done_ms'] / 1000:.2f} | {runs} |"
        )
    return "\n".join(lines)
