"""Fixtures shared by the test modules (module-specific ones live in their own file)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A path for a fresh SQLite store in a temporary folder."""
    return str(tmp_path / "atlas.sqlite")


@pytest.fixture
def test_data() -> Path:
    """The folder of small input files written for the tests."""
    return TEST_DATA
