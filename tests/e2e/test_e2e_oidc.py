"""Sign-in through OpenID Connect in a real browser: Streamlit's st.login against a local
test provider (oidc-provider-mock); the role comes from the token's ``roles`` claim."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import AppServer
from e2e_helpers import main_text, wait_for_run

pytest.importorskip("authlib", reason="st.login needs Authlib (pip install authlib)")
pytest.importorskip("oidc_provider_mock", reason="needs the oidc-provider-mock test package")

OLGA = {"sub": "olga", "email": "olga@example.org", "roles": ["analyst"]}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oidc_app(tmp_path_factory):
    work = tmp_path_factory.mktemp("e2e-oidc")
    port = _port()
    provider = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port),
         "--user-claims", json.dumps(OLGA)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    server = AppServer("oidc", work)
    secrets = work / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{server.url}/oauth2callback"\n'
        'cookie_secret = "e2e-cookie-secret-0123456789abcdef"\n'
        'client_id = "atlas"\nclient_secret = "atlas-secret"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    server.extra_env["STREAMLIT_SECRETS_FILES"] = str(secrets)
    try:
        server.start(float(os.environ.get("E2E_SERVER_TIMEOUT", "90")))
        yield server
    finally:
        server.stop()
        os.killpg(os.getpgid(provider.pid), 15)
        provider.wait(timeout=10)


def test_sign_in_through_the_provider_gives_the_claimed_role(page, oidc_app) -> None:
    page.goto(oidc_app.url, wait_until="domcontentloaded")
    wait_for_run(page, settle_ms=0)
    page.get_by_role("button", name="Sign in with your organisation").click()
    page.wait_for_url("**/oauth2/authorize**", timeout=30_000)
    page.locator('input[name="sub"]').fill("olga")
    page.locator('button[type="submit"], input[type="submit"]').first.click()
    page.wait_for_url(f"{oidc_app.url}/**", timeout=30_000)
    page.get_by_text("Signed in as olga@example.org (analyst)").wait_for(timeout=60_000)
    assert "Data" in page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Incident Atlas: sign in" not in main_text(page)
