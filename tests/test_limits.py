"""Upload limits (``ATLAS_MAX_UPLOAD_MB``, ``ATLAS_MAX_ROWS``): a file over a limit is
refused with a message that names the limit, in the CLI (exit 2) and on the Data
page, and nothing is written; a file at the limit goes in.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from geo.__main__ import main as cli

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
HEADER = (
    "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,"
    "admin1,admin2,location,latitude,longitude,geo_precision,source,notes,fatalities\n"
)


def _acled(rows: int, note_chars: int = 20) -> bytes:
    """A valid ACLED-layout file of ``rows`` distinct incidents near Bara (Khyber)."""
    note = ("A test clash near the crossing. " * (note_chars // 30 + 1))[:note_chars]
    body = "".join(
        f"PAK{7000 + i},2025-05-{1 + i % 28:02d},1,Battles,Armed clash,TTP,Police Forces,"
        f"Khyber Pakhtunkhwa,Khyber,Bara,33.91,71.46,1,Test Wire,{note},{i % 4}\n"
        for i in range(rows)
    )
    return (HEADER + body).encode()


def _sized(n_bytes: int) -> bytes:
    """A valid file of exactly ``n_bytes`` bytes (the last note is padded)."""
    data = _acled(3)
    assert len(data) <= n_bytes
    head, last = data[:-3], data[-3:]  # "…,<note>,2\n": pad the note
    return head + b"x" * (n_bytes - len(data)) + last


def _files_of(db: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(db.parent.iterdir())
        if p.name.startswith(db.name)
    }


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    """A seeded store, closed (everything in the main file)."""
    from geo.ingest.seed import open_store

    db = tmp_path / "atlas.sqlite"
    store = open_store(db)
    store.incidents()
    store.engine.dispose()
    return db


def _ingest(path: Path, db: Path, capsys: pytest.CaptureFixture) -> tuple[int, dict]:
    code = cli(["ingest", str(path), "--db", str(db)])
    return code, json.loads(capsys.readouterr().out)


# --------------------------------------------------------------------------- CLI


def test_cli_refuses_a_file_over_the_size_limit_and_names_it(
    store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("ATLAS_MAX_UPLOAD_MB", "1")
    big = tmp_path / "big.csv"
    big.write_bytes(_acled(6_000, note_chars=200))
    assert 1.2 * 1024 * 1024 < big.stat().st_size < 2 * 1024 * 1024
    before = _files_of(store_file)
    code, out = _ingest(big, store_file, capsys)
    assert code == 2
    assert out["refused"] is True
    assert "ATLAS_MAX_UPLOAD_MB" in out["message"] and "limit of 1 MB" in out["message"]
    assert "\n" not in out["message"]
    assert _files_of(store_file) == before


def test_cli_size_limit_boundary(
    store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("ATLAS_MAX_UPLOAD_MB", "0.01")  # 10,485 bytes
    limit = int(0.01 * 1024 * 1024)
    at_limit, over = tmp_path / "at_limit.csv", tmp_path / "over.csv"
    at_limit.write_bytes(_sized(limit))
    over.write_bytes(_sized(limit + 1))
    before = _files_of(store_file)
    code, out = _ingest(over, store_file, capsys)
    assert code == 2 and "ATLAS_MAX_UPLOAD_MB" in out["message"]
    assert _files_of(store_file) == before
    code, out = _ingest(at_limit, store_file, capsys)
    assert code == 0 and out["accepted"] == 3


def test_cli_small_size_limit_is_stated_readably(
    store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("ATLAS_MAX_UPLOAD_MB", "0.01")
    over = tmp_path / "over.csv"
    over.write_bytes(_sized(20_000))
    code, out = _ingest(over, store_file, capsys)
    assert code == 2
    assert "0.0 MB" not in out["message"], out["message"]


def test_cli_refuses_a_file_over_the_row_limit_and_names_it(
    store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("ATLAS_MAX_ROWS", "5")
    at_limit, over = tmp_path / "five.csv", tmp_path / "six.csv"
    at_limit.write_bytes(_acled(5))
    over.write_bytes(_acled(6))
    before = _files_of(store_file)
    code, out = _ingest(over, store_file, capsys)
    assert code == 2 and out["refused"] is True
    message = out["message"]
    assert "limit" in message and "5" in message and "6" in message, message
    assert _files_of(store_file) == before
    code, out = _ingest(at_limit, store_file, capsys)
    assert code == 0 and out["accepted"] == 5 and out["rejected"] == 0


def test_a_real_process_exits_2_over_the_limit(store_file: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(_acled(400))
    before = _files_of(store_file)
    env = {**__import__("os").environ, "ATLAS_MAX_UPLOAD_MB": "0.02"}
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "ingest", str(big), "--db", str(store_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    assert "ATLAS_MAX_UPLOAD_MB" in json.loads(proc.stdout)["message"]
    assert "refused:" in proc.stderr and "Traceback" not in proc.stderr
    assert _files_of(store_file) == before


# --------------------------------------------------------------------------- app


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ATLAS_DB", str(tmp_path / "app.sqlite"))
    monkeypatch.setenv("ATLAS_ONLINE_TILES", "0")
    monkeypatch.setenv("ATLAS_ONLINE_GEOCODING", "0")
    return AppTest.from_file(APP, default_timeout=180)


def _state(db: Path) -> tuple:
    from geo.ingest.seed import open_store

    store = open_store(db)
    incidents = store.incidents()
    return len(incidents), tuple(sorted(incidents["incident_id"])), len(store.uploads())


@pytest.mark.parametrize(
    ("env", "data", "words"),
    [
        ({"ATLAS_MAX_UPLOAD_MB": "0.01"}, _acled(80), ("ATLAS_MAX_UPLOAD_MB",)),
        ({"ATLAS_MAX_ROWS": "2"}, _acled(3), ("limit", "2")),
    ],
    ids=["size", "rows"],
)
def test_data_page_refuses_a_file_over_a_limit(
    app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict, data: bytes, words: tuple
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app.run()
    before = _state(tmp_path / "app.sqlite")
    app.switch_page("pages/data.py").run()
    app.file_uploader[0].set_value(("too_big.csv", data, "text/csv")).run()
    assert not app.exception, [e.message for e in app.exception]
    # the message is markdown-escaped (it may quote the file): compare the text shown
    errors = [re.sub(r"\\(.)", r"\1", e.value) for e in app.error]
    assert len(errors) == 1, errors
    assert all(w in errors[0] for w in words), errors[0]
    assert not [b for b in app.button if b.label.startswith("Commit")]
    assert _state(tmp_path / "app.sqlite") == before


def test_data_page_states_the_limit_in_force(app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_MAX_UPLOAD_MB", "5")
    app.run()
    app.switch_page("pages/data.py").run()
    captions = " ".join(c.value for c in app.caption)
    assert "up to 5 MB" in captions, captions
