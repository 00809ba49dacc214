"""ui.frame: every page runs inside app.py's frame, with public Streamlit calls only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")

# Streamlit's documented modules; everything else under streamlit.* is its internals.
PUBLIC = {"testing.v1", "components.v1", "column_config"}
INTERNALS = re.compile(
    r"(?:from|import)\s+streamlit\.(?P<module>[\w.]+)"  # an import of a submodule
    r"|\bst\._\w+"  # a private attribute of the st namespace
    r"|\b(?:PagesManager|get_script_run_ctx|ScriptRunContext|uses_pages_directory)\b"
)


def _python_files() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in ("geo", "ui", "pages", "tests", "scripts", "benchmarks"):
        files += sorted((ROOT / folder).rglob("*.py"))
    return [f for f in files if f.resolve() != Path(__file__).resolve()]


def test_no_file_uses_a_private_streamlit_name():
    found = []
    for path in _python_files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for hit in INTERNALS.finditer(line):
                if hit.group("module") in PUBLIC:
                    continue
                found.append(f"{path.relative_to(ROOT)}:{n}: {hit.group(0)}")
    assert not found, "\n".join(found)


def test_the_scan_sees_what_it_looks_for():
    assert len(_python_files()) > 50
    for bad in (
        "from streamlit.runtime.pages_manager import PagesManager",
        "import streamlit.runtime.scriptrunner",
        "st._main",
    ):
        assert INTERNALS.search(bad), bad
    assert INTERNALS.search("from streamlit.testing.v1 import AppTest").group("module") in PUBLIC


@pytest.fixture
def db(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_DB", str(tmp_path / "atlas.sqlite"))
    monkeypatch.setenv("ATLAS_ONLINE_TILES", "0")


def test_a_page_opened_by_url_reruns_through_the_frame(db):
    # AppTest starts every run in Streamlit's old pages/ mode, like a fresh server:
    # switch_page makes it run pages/claims.py alone first.
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("pages/claims.py").run()
    assert not at.exception
    assert at.sidebar.multiselect(key="w_countries").label == "Countries"
    assert "frame_reroute" not in at.session_state  # it went through app.py and is done


def test_a_page_that_is_the_main_script_runs_once_without_looping(db):
    at = AppTest.from_file(str(ROOT / "pages" / "about.py"), default_timeout=180)
    at.run()
    assert not at.exception
    assert at.title[0].value == "About Incident Atlas"
    assert at.session_state["frame_reroute"] == "standalone"
    at.run()  # and again: no second detour
    assert not at.exception and at.title[0].value == "About Incident Atlas"
