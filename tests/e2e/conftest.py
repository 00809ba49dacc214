"""Browser tests: the real app in headless Chromium (issue 7).

One Streamlit server per store for the whole session, one browser for the
whole session, a fresh browser context (cookies, session, downloads) per test.

Environment
-----------
CHROMIUM
    Path of the Chromium binary (default ``/usr/bin/chromium``).
CI
    ``true``: a missing browser or a missing Playwright is a failure, not a skip.
E2E_SERVER_TIMEOUT
    Seconds to wait for ``/_stcore/health`` (default 90).
E2E_ARTIFACTS
    Where a failed test leaves a screenshot and its page log (default var/e2e-artifacts).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pgserver import in_ci

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
FIXTURES = E2E_DIR / "fixtures"

# ../shared/DESIGN.md §8: these flags render pydeck's WebGL in headless Chromium here
# (SwiftShader through ANGLE; --disable-gpu only turns off the hardware path).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 900}


def _no_browser(reason: str) -> None:
    """Skip on a developer machine; fail in CI (issue 7: a missing browser is a failure there)."""
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test below tests/e2e with ``e2e`` (deselect with ``-m 'not e2e'``).

    They also form one ``xdist_group``: under ``make test`` (``-n 2 --dist
    loadgroup``) one worker runs the browser tests, with their app servers and
    Chromium started once, while the other works through the rest.
    """
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item, so fixtures can see that a test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def artifacts_dir() -> Path:
    """Where screenshots of failed tests go ($E2E_ARTIFACTS, default var/e2e-artifacts)."""
    path = Path(os.environ.get("E2E_ARTIFACTS") or ROOT / "var" / "e2e-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except OSError:
        return False


class AppServer:
    """A ``streamlit run app.py`` process on a free port with its own store."""

    def __init__(self, name: str, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.workdir = workdir
        self.extra_env = dict(env or {})
        self.db = workdir / "atlas.sqlite"
        self.log_path = workdir / "streamlit.log"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float) -> None:
        env = dict(os.environ)
        env["ATLAS_DB"] = str(self.db)
        env["ATLAS_ONLINE_GEOCODING"] = "0"
        env["ATLAS_ONLINE_TILES"] = "0"
        env.setdefault("PYTHONUNBUFFERED", "1")
        env.update(self.extra_env)
        cmd = [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            # Others edit the checkout while tests run: no watcher, no reload prompts.
            "--server.fileWatcherType", "none",
            "--server.runOnSave", "false",
        ]  # fmt: skip
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            if _healthy(self.url):
                return
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        pgid = os.getpgid(self.proc.pid)  # our own process group (start_new_session)
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=5)


@pytest.fixture(scope="session")
def app_servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., AppServer]]:
    """Start servers lazily by name, one per store, all stopped at the end of the session.

    ``app_servers(name, env={...})`` adds environment variables for that server.
    """
    servers: dict[str, AppServer] = {}
    timeout = float(os.environ.get("E2E_SERVER_TIMEOUT", "90"))

    def get(name: str, env: dict[str, str] | None = None) -> AppServer:
        if name not in servers:
            server = AppServer(name, tmp_path_factory.mktemp(f"e2e-{name}"), env)
            server.start(timeout)
            servers[name] = server
        return servers[name]

    yield get
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def app_server(app_servers: Callable[..., AppServer]) -> AppServer:
    """The shared server on a fresh store seeded from data/ (tests undo what they upload)."""
    return app_servers("main")


@pytest.fixture(scope="session")
def base_url(app_server: AppServer) -> str:
    """``http://127.0.0.1:PORT`` of the shared server."""
    return app_server.url


# --------------------------------------------------------------------------- browser


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    return shutil.which(path)


@pytest.fixture(scope="session")
def playwright_instance():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _no_browser(f"the Python package playwright is not installed ({exc})")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance):
    path = chromium_path()
    if path is None:
        _no_browser(
            "no Chromium at $CHROMIUM or /usr/bin/chromium (apt-get install chromium, "
            "or set CHROMIUM=/path/to/chromium)"
        )
    try:
        b = playwright_instance.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
    except Exception as exc:  # a broken binary is as good as a missing one
        _no_browser(f"Chromium at {path} does not start: {exc}")
    yield b
    b.close()


class PageLog:
    """What a page reported: console errors, uncaught errors, dialogs, off-host requests."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []
        self.blocked: list[str] = []

    def summary(self) -> str:
        return (
            f"page errors: {self.page_errors}\nconsole errors: {self.console_errors[:10]}\n"
            f"dialogs: {self.dialogs}\nblocked requests: {self.blocked[:10]}"
        )


def _local(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme in {"file", "data", "blob", "about", "chrome-extension"}:
        return True
    return parts.hostname in {"127.0.0.1", "localhost", "::1"}


def open_page(context, log: PageLog):
    """A page whose errors and dialogs land in ``log`` and whose off-host requests are aborted."""
    from e2e_helpers import QUIET_DOM_SCRIPT

    page = context.new_page()
    page.add_init_script(QUIET_DOM_SCRIPT)
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))

    def on_dialog(dialog) -> None:
        log.dialogs.append(f"{dialog.type}: {dialog.message}")
        with contextlib.suppress(Exception):
            dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


@pytest.fixture
def context(browser):
    """A fresh context (own Streamlit session); every request off this machine is refused."""
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    log = PageLog()

    def route(r) -> None:
        if _local(r.request.url):
            r.continue_()
        else:
            log.blocked.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    ctx.page_log = log  # type: ignore[attr-defined]
    yield ctx
    ctx.close()


@pytest.fixture
def page_log(context) -> PageLog:
    return context.page_log


@pytest.fixture
def page(request, context, page_log: PageLog):
    """A page in a fresh context; see :class:`PageLog` for what it records.

    When the test fails, a full-page screenshot and the page log are saved under
    :func:`artifacts_dir` and the path is printed with the failure.
    """
    pg = open_page(context, page_log)
    yield pg
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        stem = artifacts_dir() / request.node.name.replace("/", "_")
        with contextlib.suppress(Exception):
            pg.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.log").write_text(f"{pg.url}\n{page_log.summary()}\n")
            print(f"e2e artifacts: {stem}.png {stem}.log")
