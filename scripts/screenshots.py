"""Take the README's screenshots of the real app on a fresh store seeded from data/.

Starts ``streamlit run app.py`` on a free port with a temporary store, opens each
page in headless Chromium (Debian's, as the browser tests use it), and writes
``docs/screenshots/<page>.png``. On the Map page it clicks the Kunduz bombing,
so the picture shows a selected incident with its source, and shoots it again
with the claimed-presence layer on. Last, the exported PNG snapshot of the whole
store with the presence layer (``docs/screenshots/snapshot_presence.png``), written
by the CLI as a briefing team would.

usage: python scripts/screenshots.py [--out DIR] [--width 1400] [--height 900]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "e2e"), str(ROOT / "tests")]  # conftest imports pgserver

from conftest import CHROMIUM_FLAGS, AppServer  # noqa: E402
from e2e_helpers import (  # noqa: E402
    around,
    goto,
    hover_for_tooltip,
    project,
    wait_for_drawn_canvas,
)

# page path → file name; the Map page is handled on its own (it clicks an incident)
PAGES = {
    "": "overview",
    "cross_border": "cross_border",
    "casualties": "casualties",
    "claims": "claims",
    "data": "data",
    "export": "export",
}
TALL = {"cross_border"}  # pages shot in a taller window
FRONTIER_VIEW = {"latitude": 33.0, "longitude": 69.0, "zoom": 5}  # geo.views.layers.FRONTIER_VIEW
KUNDUZ = (68.857, 36.72895)  # SEED-0006, the Kabul Bank bombing


def _map_with_selection(page, base: str, out: Path) -> None:
    # Streamlit scrolls inside its own container: a tall window shows the map and the card
    page.set_viewport_size({"width": page.viewport_size["width"], "height": 1450})
    goto(page, f"{base}/map")
    canvas, _ = wait_for_drawn_canvas(page)
    box = canvas.bounding_box()
    x, y = project(*KUNDUZ, FRONTIER_VIEW, box["width"], box["height"])
    found = hover_for_tooltip(page, canvas, around(x, y, reach=3, step=3))
    if found:
        page.mouse.click(box["x"] + found[2][0], box["y"] + found[2][1])
        page.get_by_text("Source reference:").first.wait_for(timeout=30_000)
        page.mouse.move(box["x"] + 5, box["y"] + 5)  # the tooltip off the picture
        page.wait_for_timeout(1_500)
    else:
        print("warning: the Kunduz incident could not be pointed at", file=sys.stderr)
    page.screenshot(path=str(out / "map.png"))


def _map_with_presence(page, base: str, out: Path) -> None:
    """The Map page with the claimed-presence layer on (all groups)."""
    page.set_viewport_size({"width": page.viewport_size["width"], "height": 1100})
    goto(page, f"{base}/map")
    wait_for_drawn_canvas(page)
    page.get_by_text("Claimed presence", exact=True).first.click()
    page.get_by_text("Claimed presence:").first.wait_for(timeout=30_000)  # its legend
    wait_for_drawn_canvas(page)
    page.wait_for_timeout(2_500)
    page.screenshot(path=str(out / "presence.png"))


def _snapshot_with_presence(db: Path, out: Path) -> Path:
    """``python -m geo snapshot --presence`` on the store the app was shot on."""
    import subprocess

    target = out / "snapshot_presence.png"
    cmd = [sys.executable, "-m", "geo", "snapshot", "--out", str(target), "--presence",
           "--made-at", "2026-01-15T09:30", "--db", str(db)]  # fmt: skip
    subprocess.run(cmd, cwd=ROOT, check=True, env={**os.environ, "ATLAS_DB": str(db)})
    return target


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=900)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="atlas-shots-") as tmp:
        server = AppServer("screenshots", Path(tmp))
        server.start(timeout=90)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                    args=CHROMIUM_FLAGS,
                )
                page = browser.new_page(viewport={"width": args.width, "height": args.height})
                for path, name in PAGES.items():
                    # the Cross-border map and the accusations beside it sit below its controls
                    tall = 1450 if name in TALL else args.height
                    page.set_viewport_size({"width": args.width, "height": tall})
                    goto(page, f"{server.url}/{path}")
                    page.wait_for_timeout(5_000 if name in TALL else 2_500)  # charts, decks
                    page.screenshot(path=str(args.out / f"{name}.png"))
                    print(args.out / f"{name}.png")
                _map_with_selection(page, server.url, args.out)
                print(args.out / "map.png")
                _map_with_presence(page, server.url, args.out)
                print(args.out / "presence.png")
                browser.close()
        finally:
            server.stop()
        print(_snapshot_with_presence(server.db, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
