"""Docs that tests keep honest: a setting, page or command missing from README fails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo.__main__ import build_parser
from geo.config import SETTINGS_DOC

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(SETTINGS_DOC))
def test_every_setting_is_documented(name):
    assert f"`{name}`" in README


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "pages").glob("*.py")))
def test_every_page_is_documented(page):
    assert f"pages/{page}" in README


def _cli_commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)


@pytest.mark.parametrize("command", _cli_commands())
def test_every_cli_command_is_documented(command):
    assert re.search(rf"python -m geo {command}\b", README)


def test_readme_shows_the_two_setup_commands():
    assert re.search(r"^make run\b", README, re.M)
    assert re.search(r"^make test\b", README, re.M)


def test_makefile_targets_named_in_readme_exist():
    makefile = (ROOT / "Makefile").read_text()
    for target in re.findall(r"^make (\w+)", README, re.M):
        assert re.search(rf"^{target}:", makefile, re.M), target


def test_every_image_in_the_readme_exists():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert images, "the README shows no screenshots"
    for path in images:
        assert (ROOT / path).is_file(), path


@pytest.mark.parametrize(
    "page", sorted(p.stem for p in (ROOT / "pages").glob("*.py") if p.stem not in {"about", "data"})
)
def test_every_map_or_chart_page_has_a_screenshot(page):
    assert f"docs/screenshots/{page}.png" in README
