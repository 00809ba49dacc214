"""Fixtures shared by the test modules (module-specific ones live in their own file)."""

from __future__ import annotations

import fcntl
import json
import os
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pgserver import PgServer, find_bindir, in_ci

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = Path(__file__).resolve().parent / "data"

#: The scripts that wrote the fixtures under data/ are not tests (some need tools the
#: project does not install, such as xlwt for the .xls fixture).
collect_ignore_glob = ["data/*"]


@pytest.fixture(scope="session", autouse=True)
def _no_test_touches_the_default_store(tmp_path_factory: pytest.TempPathFactory):
    """Point ``ATLAS_DB`` at a session store and ``ATLAS_CACHE_DIR`` beside it, so
    nothing writes var/atlas.sqlite or var/cache.

    Tests that need their own store set ``ATLAS_DB`` (monkeypatch restores this
    value after them); a Streamlit script thread that outlives its AppTest then
    lands here too, not in the developer's store.
    """

    session = tmp_path_factory.mktemp("session-store")
    before = {name: os.environ.get(name) for name in ("ATLAS_DB", "ATLAS_CACHE_DIR")}
    os.environ["ATLAS_DB"] = str(session / "atlas.sqlite")
    os.environ["ATLAS_CACHE_DIR"] = str(session / "cache")  # PostgreSQL stores' copies
    yield
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An AppTest of app.py (not yet run) on a fresh store of its own, offline."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ATLAS_DB", str(tmp_path / "atlas.sqlite"))
    monkeypatch.setenv("ATLAS_ONLINE_TILES", "0")
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A path for a fresh SQLite store in a temporary folder."""
    return str(tmp_path / "atlas.sqlite")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL + PostGIS server for the whole session (see tests/pgserver.py).

    Skipped with the reason when Debian's PostgreSQL and PostGIS are not
    installed, except under ``CI=true``, where that is a failure (``.ci/run``
    installs them).
    """
    bindir = find_bindir()
    if bindir is None:
        reason = (
            "PostgreSQL with PostGIS is not installed (apt-get install postgresql-15 "
            "postgresql-15-postgis-3, or set ATLAS_PG_BIN)"
        )
        if in_ci():
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
    server = PgServer(bindir).init().start()
    try:
        server.make_template()
        yield server
    finally:
        server.remove()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store on each back end: a SQLite file, or a new PostgreSQL database
    (copied from a template with PostGIS, dropped afterwards)."""
    if request.param == "sqlite":
        yield str(tmp_path / "atlas.sqlite")
        return
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.new_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture
def bulk_writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The rows of each bulk write into a SQLite store during the test, in order
    (:func:`geo.store.bulk.insert_staged`, watched where the backend calls it)."""
    from geo.store import bulk

    sizes: list[int] = []
    real = bulk.insert_staged

    def watched(conn: Any, rows: Any, take: list[int], upload_id: str) -> bool:
        sizes.append(len(take))
        return real(conn, rows, take, upload_id)

    monkeypatch.setattr("geo.store.backend_sqlite.insert_staged", watched)
    return sizes


@pytest.fixture
def test_data() -> Path:
    """The folder of small input files written for the tests."""
    return TEST_DATA


@pytest.fixture(scope="session")
def record_figures() -> Callable[[str, dict[str, Any]], None]:
    """Merge a test's counters into var/reliability.json, under ``section``.

    ``scripts/reliability_figures.py`` turns that file into the table of
    RELIABILITY.md, so the figures there come from a real run.
    """

    def record(section: str, data: dict[str, Any]) -> None:
        path = ROOT / "var" / "reliability.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        # the suite runs in two worker processes (pytest-xdist): one writer at a time
        with (ROOT / "var" / "reliability.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                figures = json.loads(path.read_text(encoding="utf-8"))
            except (FileNotFoundError, ValueError):
                figures = {}
            figures[section] = {**data, "run_at": datetime.now(UTC).isoformat(timespec="seconds")}
            text = json.dumps(figures, indent=2, sort_keys=True) + "\n"
            path.write_text(text, encoding="utf-8")

    return record


@pytest.fixture(scope="session")
def acled_rows() -> Callable[[int, int], Any]:
    """Synthetic ACLED-layout rows with coordinates, from benchmarks/generate.py.

    Call it with a row count and a seed; the same seed gives the same rows.
    """
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return lambda rows, seed: generate(rows, seed=seed, names_only=0.0)
