"""Helpers for driving Streamlit pages and reading the deck.gl canvas."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable, Iterable

from PIL import Image, ImageChops

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI=true) with the reason
    PlaywrightTimeout = TimeoutError  # type: ignore[assignment,misc]
    expect = None  # type: ignore[assignment]

APP = '[data-testid="stApp"]'
EXCEPTION = '[data-testid="stException"]'
DECK_CANVAS = '[data-testid="stDeckGlJsonChart"] canvas'
TOOLTIP = ".deck-tooltip"
# A generous wait: the first run of a page imports geopandas and builds the layers.
RUN_TIMEOUT_MS = 60_000


#: Installed in every page (conftest.open_page): the time of the last DOM change.
QUIET_DOM_SCRIPT = """
(() => {
    window.__e2eLastMutation = performance.now();
    const start = () => new MutationObserver(() => {
        window.__e2eLastMutation = performance.now();
    }).observe(document.documentElement, {subtree: true, childList: true, attributes: true,
                                          characterData: true});
    if (document.documentElement) start();
    else document.addEventListener('DOMContentLoaded', start);
    // how long the last press was held, by the page's clock (see click_deck)
    window.__e2eHeld = null;
    let down = null;
    addEventListener('pointerdown', () => { down = Date.now(); }, true);
    addEventListener('pointerup', () => { window.__e2eHeld = Date.now() - down; }, true);
})();
"""

#: deck.gl's gesture library takes a press as a click ("tap") only when the button is
#: released within this many ms of the press, as the page's own clock measures it.
DECK_TAP_MS = 250


def wait_for_run(page, *, settle_ms: int = 2_000, timeout: int = RUN_TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected, has finished its run and has no stale elements.

    ``settle_ms`` is how long to wait for a rerun to *start* after an interaction: if one
    starts, it is waited for; if none starts the page is taken as settled.
    """
    page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]', timeout=timeout)
    if settle_ms:
        # the run may already be over (or none was triggered): not an error
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_selector(
                f'{APP}[data-test-script-state="running"]', timeout=settle_ms, state="attached"
            )
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app) return false;
            const state = app.getAttribute('data-test-script-state');
            // React commits the new elements a moment after the state flips: also wait
            // for the DOM to stay still for a quarter of a second (see QUIET_DOM_SCRIPT)
            const last = window.__e2eLastMutation;
            return state !== 'running' && state !== 'initial' && state !== 'rerunRequested'
                && !document.querySelector('[data-stale="true"]')
                && (last === undefined || performance.now() - last > 250);
        }""",
        timeout=timeout,
    )


def assert_no_exception(page, where: str = "") -> None:
    """Fail with the text of every Streamlit exception box on the page."""
    boxes = page.locator(EXCEPTION)
    n = boxes.count()
    if n:
        texts = [boxes.nth(i).inner_text()[:1500] for i in range(n)]
        raise AssertionError(f"{n} Streamlit exception box(es) {where}:\n" + "\n---\n".join(texts))


def goto(page, url: str) -> None:
    """Open ``url``, wait for the Streamlit run to finish, and check for exception boxes."""
    page.goto(url, wait_until="domcontentloaded")
    # a fresh page goes initial → running → notRunning: no need to wait for a start
    wait_for_run(page, settle_ms=0)
    assert_no_exception(page, f"on {url}")


def main_text(page) -> str:
    """All text in the main block, including the accessible cells of st.dataframe grids."""
    return page.evaluate(
        """() => {
            const m = document.querySelector('[data-testid="stMain"]') || document.body;
            return m.innerText + '\\n' + m.textContent;
        }"""
    )


def metric_value(page, label: str) -> str:
    """The value shown by the ``st.metric`` whose label is ``label``."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    )
    metric.first.wait_for(timeout=RUN_TIMEOUT_MS)
    return metric.first.locator('[data-testid="stMetricValue"]').inner_text().strip()


def metric_int(page, label: str) -> int:
    """``metric_value`` as an integer (``1,234`` → 1234)."""
    text = metric_value(page, label)
    return int(text.replace(",", "").replace("\u202f", "").strip())


def sidebar_multiselect(page, label: str):
    """The sidebar ``st.multiselect`` with this label."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label)
    )


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` (its shown text, or part of it) in the sidebar multiselect ``label``."""
    box = sidebar_multiselect(page, label)
    box.locator("input").first.click()
    page.get_by_role("option", name=option).first.click()
    page.keyboard.press("Escape")
    wait_for_run(page)


# --------------------------------------------------------------------------- canvas


def screenshot_image(locator) -> Image.Image:
    return Image.open(io.BytesIO(locator.screenshot(animations="disabled"))).convert("RGB")


def colour_count(img: Image.Image, *, min_share: float = 0.0005) -> int:
    """How many colours cover at least ``min_share`` of the image (antialiasing ignored)."""
    small = img.resize((min(img.width, 400), min(img.height, 300)))
    colours = small.getcolors(maxcolors=small.width * small.height) or []
    total = small.width * small.height
    return sum(1 for count, _ in colours if count / total >= min_share)


def dominant_share(img: Image.Image) -> float:
    """Share of the pixels taken by the most common colour."""
    colours = img.getcolors(maxcolors=img.width * img.height) or []
    return max(c for c, _ in colours) / (img.width * img.height)


def wait_for_drawn_canvas(page, selector: str = DECK_CANVAS, timeout_ms: int = 45_000):
    """Wait until the canvas under ``selector`` holds more than a background colour.

    Returns the locator and the last screenshot. WebGL draws a frame or two after the
    element appears (and again when data layers finish loading), so poll screenshots.
    """
    canvas = page.locator(selector).first
    canvas.wait_for(state="visible", timeout=timeout_ms)
    img = screenshot_image(canvas)
    waited = 0
    while waited < timeout_ms:
        if colour_count(img) >= 3 and dominant_share(img) < 0.97:
            return canvas, img
        page.wait_for_timeout(500)
        waited += 500
        img = screenshot_image(canvas)
    return canvas, img


def diff_blobs(before: Image.Image, after: Image.Image, *, min_pixels: int = 4) -> list[tuple]:
    """Centres of the connected regions that differ between two same-size screenshots.

    Returns ``(x, y, pixels)`` tuples, largest region first, in image pixels.
    """
    diff = ImageChops.difference(before, after).convert("L").point(lambda v: 255 if v > 24 else 0)
    w, h = diff.size
    px = diff.load()
    seen = bytearray(w * h)
    blobs = []
    for y0 in range(h):
        for x0 in range(w):
            if px[x0, y0] == 0 or seen[y0 * w + x0]:
                continue
            stack = [(x0, y0)]
            seen[y0 * w + x0] = 1
            pts = []
            while stack:
                x, y = stack.pop()
                pts.append((x, y))
                for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                    if 0 <= nx < w and 0 <= ny < h and px[nx, ny] and not seen[ny * w + nx]:
                        seen[ny * w + nx] = 1
                        stack.append((nx, ny))
            if len(pts) >= min_pixels:
                # the member point nearest the centroid (a ring's centroid is not on it)
                cx = sum(p[0] for p in pts) / len(pts)
                cy = sum(p[1] for p in pts) / len(pts)
                bx, by = min(pts, key=lambda p: (p[0] - cx) ** 2 + (p[1] - cy) ** 2)
                blobs.append((bx, by, len(pts)))
    blobs.sort(key=lambda b: -b[2])
    return blobs


def hover_for_tooltip(
    page, canvas, points: Iterable[tuple[float, float]], *, limit: int = 60, wait_ms: int = 4_000
):
    """Move the mouse over ``points`` (canvas pixels) until a deck tooltip shows.

    Picking runs on the next frames; SwiftShader on a busy machine can take seconds,
    so each point gets ``wait_ms``. Give likely points first (``project``, ``diff_blobs``).

    Returns ``(text, html, (x, y))`` of the first tooltip, or ``None``.
    """
    box = canvas.bounding_box()
    assert box is not None, "the canvas has no box"
    tip = page.locator(TOOLTIP).first
    for i, (x, y) in enumerate(points):
        if i >= limit:
            break
        page.mouse.move(box["x"] + x, box["y"] + y)
        try:
            page.wait_for_function(
                """() => { const t = document.querySelector('.deck-tooltip');
                           return t && t.style.display !== 'none' && t.innerText.trim() !== ''; }""",
                timeout=wait_ms,
            )
        except PlaywrightTimeout:
            continue
        return tip.inner_text(), tip.inner_html(), (x, y)
    return None


def click_deck(
    page, canvas, xy: tuple[float, float], shown: Callable[[int], None], *, tries: int = 3
) -> None:
    """Click the deck at ``xy`` (canvas pixels); ``shown(timeout_ms)`` checks the result.

    deck.gl drops a click whose press the page held longer than :data:`DECK_TAP_MS`.
    Software WebGL on a busy machine can draw a frame of several hundred ms between
    Playwright's press and release, and the page then sees a long press, not a click:
    nothing is selected, and a user would click again. Only then is the click
    repeated (up to ``tries`` times, each noted on stderr); when the page saw a
    proper click and ``shown`` still fails, that failure is raised at once.
    """
    box = canvas.bounding_box()
    assert box is not None, "the canvas has no box"
    for attempt in range(1, tries + 1):
        page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
        try:
            shown(20_000)
            return
        except (AssertionError, PlaywrightTimeout):
            held = page.evaluate("() => window.__e2eHeld")
            if held is None or held <= DECK_TAP_MS or attempt == tries:
                raise
            print(f"click_deck: press held {held} ms by the page's clock: clicking again",
                  file=sys.stderr)  # fmt: skip


def project(lon: float, lat: float, view: dict, width: float, height: float) -> tuple[float, float]:
    """Screen position (CSS pixels in the canvas) of a point under a flat Web Mercator view.

    The same maths as deck.gl's ``WebMercatorViewport`` with pitch and bearing 0: the
    world is ``512 * 2**zoom`` pixels wide.
    """
    import math

    def world(lo: float, la: float) -> tuple[float, float]:
        size = 512 * 2 ** view["zoom"]
        x = (lo + 180) / 360 * size
        y = (1 - math.log(math.tan(math.pi / 4 + math.radians(la) / 2)) / math.pi) / 2 * size
        return x, y

    cx, cy = world(view["longitude"], view["latitude"])
    x, y = world(lon, lat)
    return x - cx + width / 2, y - cy + height / 2


def around(x: float, y: float, reach: int = 6, step: int = 3) -> list[tuple[float, float]]:
    """``(x, y)`` first, then a small square spiral around it."""
    pts = [(x, y)]
    for r in range(step, reach + 1, step):
        for dx in range(-r, r + 1, step):
            for dy in range(-r, r + 1, step):
                if max(abs(dx), abs(dy)) == r:
                    pts.append((x + dx, y + dy))
    return pts


# --------------------------------------------------------------------------- upload

# the dropzone's own button ("Upload" in Streamlit 1.67) opens the operating system's chooser
UPLOAD_BUTTON = '[data-testid="stFileUploaderDropzone"] button'


def choose_file(page, path, uploader: str = "Incident file") -> None:
    """Give ``path`` to the Data page's uploader labelled ``uploader`` (the incidents'
    by default; the page also has the claims ledger's) through the file chooser."""
    box = page.locator('[data-testid="stFileUploader"]').filter(has_text=uploader)
    with page.expect_file_chooser() as chooser:
        box.locator(UPLOAD_BUTTON).first.click()
    chooser.value.set_files(path)
    wait_for_run(page)


def preview_ready(page) -> None:
    """Wait for the Data page's preview (its "Rows read" figure); fail fast with the
    page's own message when it refuses the file instead."""
    refused = page.locator('[data-testid="stAlert"]').filter(has_text="cannot be used")
    rows_read = page.locator('[data-testid="stMetricLabel"]').filter(has_text="Rows read")
    rows_read.or_(refused).first.wait_for(timeout=RUN_TIMEOUT_MS)
    if refused.count():
        raise AssertionError(f"the Data page refused the file: {refused.first.inner_text()}")


def commit_upload(page, n_rows: int) -> str:
    """Press "Commit N incidents" on the Data page; return the upload id it reports."""
    import re

    button = page.get_by_role("button", name=f"Commit {n_rows} incidents")
    button.wait_for(timeout=RUN_TIMEOUT_MS)
    button.click()
    wait_for_run(page)
    done = page.get_by_text(re.compile(r"Stored upload \S+:"))
    done.wait_for(timeout=RUN_TIMEOUT_MS)
    text = done.inner_text()
    assert f"{n_rows} accepted" in text, text
    return re.search(r"Stored upload (\S+):", text).group(1)


# --------------------------------------------------------------------------- injection

#: Elements or attributes that only exist if markup from the data reached the DOM.
INJECTED_DOM_SCRIPT = """
() => {
    const bad = [];
    const urlAttrs = ['href', 'src', 'data', 'action', 'formaction', 'xlink:href', 'srcdoc'];
    for (const el of document.querySelectorAll('*')) {
        for (const a of el.attributes) {
            const n = a.name.toLowerCase(), v = a.value;
            if (n.startsWith('on') && /__pwned|alert\\(/.test(v))
                bad.push(`${el.tagName} ${n}="${v.slice(0, 60)}"`);
            if (urlAttrs.includes(n) && (/^\\s*javascript:/i.test(v) || /__pwned/.test(v)))
                bad.push(`${el.tagName} ${n}="${v.slice(0, 60)}"`);
        }
        if (el.tagName === 'SCRIPT' && !/json/i.test(el.type || '') && /__pwned/.test(el.textContent))
            bad.push('SCRIPT ' + el.textContent.slice(0, 60));
        if (el.tagName === 'IMG' && el.getAttribute('src') === 'x') bad.push('IMG src=x');
    }
    return bad;
}
"""


def assert_not_pwned(page, log, where: str) -> None:
    """No dialog opened, the canary is unset, and no markup from the data became elements."""
    assert not log.dialogs, f"{where}: a dialog opened: {log.dialogs}"
    assert page.evaluate("() => window.__pwned") is None, f"{where}: a payload ran (window.__pwned)"
    assert page.evaluate("() => window.parent.__pwned") is None, f"{where}: a payload ran"
    bad = page.evaluate(INJECTED_DOM_SCRIPT)
    assert not bad, f"{where}: markup from the data reached the DOM: {bad[:10]}"
