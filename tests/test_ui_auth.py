"""Sign-in in the app (AppTest through app.py): the form, the roles' navigation, the
page guard, and the local single-user mode."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.ingest.seed import open_store
from geo.store import users
from geo.store.auth import Role, User

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = str(tmp_path / "atlas.sqlite")
    monkeypatch.setenv("ATLAS_DB", url)
    monkeypatch.setenv("ATLAS_ONLINE_TILES", "0")
    store = open_store(url)
    users.add(store, "vera", "viewer", "viewer-pass")
    users.add(store, "anna", "analyst", "analyst-pass")
    return url


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    return at.button[0].click().run()


def _texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.error, *at.warning, *at.caption, *at.text, *at.markdown)]
    return "\n".join(str(p) for p in parts)


def test_local_mode_says_so_and_has_every_page(db: str) -> None:
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception
    assert "Local mode: one local user with all rights" in _texts(at)


def test_sign_in_required_shows_only_the_form(db: str, monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_AUTH", "required")
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception
    assert at.title[0].value == "Incident Atlas: sign in"
    assert len(at.sidebar.caption) == 0  # no data drawn before sign-in
    _sign_in(at, "anna", "wrong")
    assert "Wrong user name or password." in _texts(at)


def test_a_viewer_reaches_no_write_page(db: str, monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_AUTH", "required")
    at = _sign_in(AppTest.from_file(APP, default_timeout=180).run(), "vera", "viewer-pass")
    assert not at.exception
    assert "Signed in as vera (viewer)" in _texts(at)
    at.switch_page("pages/data.py").run()  # as a typed /data URL does
    assert "Not allowed: vera (viewer) may not upload" in _texts(at)
    assert not any(s.value == "Upload history" for s in at.subheader)


def test_the_menu_hides_the_data_page_from_a_viewer_only() -> None:
    from ui import frame

    data = next(p for p in frame.PAGES if p.path == "pages/data.py")
    assert not frame.usable(data, User("vera", Role.VIEWER))
    assert frame.usable(data, User("anna", Role.ANALYST)) and frame.usable(data, None)
    assert all(frame.usable(p, User("vera", Role.VIEWER)) for p in frame.PAGES if p != data)


def test_the_data_page_by_itself_tells_a_viewer_not_allowed(db: str, monkeypatch) -> None:
    """A bookmarked /data as a process's first request runs the page file alone."""
    monkeypatch.setenv("ATLAS_AUTH", "required")
    at = AppTest.from_file(str(Path(APP).parent / "pages/data.py"), default_timeout=180)
    at.session_state["atlas_user"] = User("vera", Role.VIEWER)
    at.session_state["atlas_signed_in_at"] = time.time()
    at.run()
    assert not at.exception
    assert "Not allowed: vera (viewer) may not upload" in _texts(at)
    assert not any(s.value == "Upload history" for s in at.subheader)
    assert not any(b.label.startswith("Undo") for b in at.button)


def test_an_analyst_reaches_the_data_page(db: str, monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_AUTH", "required")
    at = _sign_in(AppTest.from_file(APP, default_timeout=180).run(), "anna", "analyst-pass")
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert "Not allowed" not in _texts(at)
    assert any(s.value == "Upload history" for s in at.subheader)


def test_an_expired_session_asks_to_sign_in_again(db: str, monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_AUTH", "required")
    at = _sign_in(AppTest.from_file(APP, default_timeout=180).run(), "anna", "analyst-pass")
    monkeypatch.setenv("ATLAS_SESSION_HOURS", "0")
    at.run()
    assert at.title[0].value == "Incident Atlas: sign in"
    assert "Your session expired; sign in again." in _texts(at)
