"""Sign-in in a real browser: local accounts on a server with ATLAS_AUTH=required.

A viewer reaches no upload, commit or undo (not in the menu; the /data URL says "not
allowed"); an analyst uploads, and the audit names them; a wrong password says so.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import FIXTURES
from e2e_helpers import choose_file, commit_upload, main_text, preview_ready, wait_for_run

from geo.ingest.seed import open_store
from geo.store import users

ACLED_FILE = FIXTURES / "acled_e2e.csv"
NAV = '[data-testid="stSidebarNav"]'


@pytest.fixture(scope="module")
def auth_server(app_servers, tmp_path_factory):
    db = tmp_path_factory.mktemp("e2e-auth-store") / "atlas.sqlite"
    store = open_store(str(db))  # seeded, with two accounts
    users.add(store, "vera", "viewer", "viewer-pass")
    users.add(store, "anna", "analyst", "analyst-pass")
    server = app_servers("auth", env={"ATLAS_DB": str(db), "ATLAS_AUTH": "required"})
    server.db = db
    return server


def _sign_in(page, url: str, name: str, password: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_for_run(page, settle_ms=0)
    page.get_by_role("textbox", name="User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    wait_for_run(page)


def test_a_wrong_password_is_refused_with_a_message(page, auth_server) -> None:
    _sign_in(page, auth_server.url, "anna", "not-her-password")
    page.get_by_text("Wrong user name or password.").wait_for(timeout=30_000)
    assert "Incident Atlas: sign in" in main_text(page)


def test_a_viewer_cannot_reach_upload_commit_or_undo(page, auth_server) -> None:
    _sign_in(page, auth_server.url, "vera", "viewer-pass")
    page.get_by_text("Signed in as vera (viewer)").wait_for(timeout=30_000)
    nav = page.locator(NAV).inner_text()
    assert "Map" in nav and "Data" not in nav
    _sign_in(page, f"{auth_server.url}/data", "vera", "viewer-pass")  # the URL typed in
    page.get_by_text("Not allowed: vera (viewer) may not upload").wait_for(timeout=30_000)
    text = main_text(page)
    assert "Upload history" not in text and "Undo" not in text
    assert page.locator('[data-testid="stFileUploader"]').count() == 0


def test_an_analyst_uploads_and_the_audit_names_them(page, auth_server) -> None:
    _sign_in(page, f"{auth_server.url}/data", "anna", "analyst-pass")
    page.get_by_text("Signed in as anna (analyst)").wait_for(timeout=30_000)
    choose_file(page, ACLED_FILE)
    preview_ready(page)
    n_rows = sum(1 for _ in ACLED_FILE.open(encoding="utf-8")) - 1
    upload_id = commit_upload(page, n_rows)
    out = subprocess.run(
        [sys.executable, "-m", "geo", "audit", "--db", str(auth_server.db)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert any(
        line.split(",")[2:6] == ["anna", "analyst", "upload", upload_id]
        for line in out.splitlines()
    ), out
    page.get_by_text("Audit log").click()
    wait_for_run(page)
    assert "anna" in main_text(page)
