"""Each page's first meaningful content, opened cold in a real browser (issue 17 item 10).

A measurement, not a speed test: the times go to the test log (``-rP`` or ``-s``
shows the table) and to ``firstview.json`` / ``firstview.md`` under the artifacts
folder (``$E2E_ARTIFACTS``, default ``var/e2e-artifacts``). What is asserted is that
every page shows its content (tests/e2e/firstview.py says which element that is)
without an error, within a hang guard far above any target.

The server is a process of its own on a fresh seed store, so its first request
(Overview, timed apart) pays the imports and the store's first read; then every
page is opened once in a fresh browser context (a new Streamlit session, an empty
browser cache) on the warm server. ``benchmarks/bench_firstview.py`` times the same
with repeats, a cold server per page and a 100k store.
"""

from __future__ import annotations

import json

from conftest import VIEWPORT, artifacts_dir
from e2e_helpers import assert_no_exception
from firstview import PAGES, Timing, open_timed, summarise, table

HANG_GUARD_MS = 60_000  # not a target: only a page that never shows its content fails


def test_every_page_shows_its_first_content_and_the_times_are_logged(app_servers, browser):
    server = app_servers("firstview")  # nothing else has asked this process for a page
    runs: list[Timing] = []
    problems: list[str] = []
    first: Timing | None = None
    for spec in (PAGES[0], *PAGES):
        ctx = browser.new_context(viewport=VIEWPORT)
        errors: list[str] = []
        ctx.on("weberror", lambda e, errors=errors: errors.append(str(e.error)))
        try:
            timing = open_timed(
                ctx,
                server.url,
                spec,
                HANG_GUARD_MS,
                check=lambda page, where=f"on /{spec.path}": assert_no_exception(page, where),
            )
        except Exception as exc:  # every page is tried, all failures reported
            problems.append(f"{spec.name}: {type(exc).__name__}: {str(exc)[:300]}")
            continue
        finally:
            ctx.close()
        if errors:
            problems.append(f"{spec.name}: page errors {errors[:3]}")
        if first is None:
            first = timing
        else:
            runs.append(timing)

    rows = summarise(runs)
    text = table(rows, "Seed store, each page in a fresh browser context, warm server:")
    if first is not None:
        text += (
            f"\n\nThe server's first request ({first.page}, imports and first store read "
            f"included): content shown {first.content_ms / 1000:.2f} s, "
            f"settled {first.done_ms / 1000:.2f} s."
        )
    print(text)
    out = artifacts_dir()
    (out / "firstview.md").write_text(text + "\n", encoding="utf-8")
    (out / "firstview.json").write_text(
        json.dumps({"first_request": first and first.__dict__, "pages": rows}, indent=1),
        encoding="utf-8",
    )
    assert not problems, "\n".join(problems)
    assert [r.page for r in runs] == [p.name for p in PAGES]
