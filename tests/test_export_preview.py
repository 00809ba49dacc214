"""The Export page's preview is cached without its time made (issue 17 item 10).

The files' cache keys change every minute (each file states when it was made); the
preview is drawn once per store version and view, whatever the minute.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_preview_is_drawn_once_across_minutes(app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))  # ui/ lives at the project root
    from geo.views import outputs, view
    from ui import cache

    drawn: list[str] = []
    render = outputs.render

    def counting(v, fmt):
        drawn.append(fmt)
        return render(v, fmt)

    monkeypatch.setattr(outputs, "render", counting)
    cache._preview.clear()
    app.run()
    for minute in (0, 1, 2):
        when = datetime(2026, 3, 1, 12, minute, tzinfo=UTC)
        monkeypatch.setattr(view, "made_now", lambda when=when: when)
        app.switch_page("pages/export.py").run()
        assert not app.exception, [e.message for e in app.exception]
        assert [type(e).__name__ for e in app.main].count("Image") == 1
    assert drawn == ["png"]  # the downloads render only when clicked
