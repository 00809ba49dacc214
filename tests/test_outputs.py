"""geo.views.outputs: one registry of export formats, used by the CLI and the Export page.

The acceptance test of issue 15: ``python -m geo snapshot`` / ``export`` write
exactly the bytes the registry renders for the same view and time (the Export
page renders through the same registry; tests/e2e/test_e2e_export.py compares
its downloads with the CLI's files).
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from geo.__main__ import main
from geo.ingest.seed import open_store
from geo.store.core import Store
from geo.views import outputs
from geo.views.filters import Filters
from geo.views.view import View

MADE = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
MAGIC = {
    "png": b"\x89PNG",
    "pdf": b"%PDF",
    "svg": b"<?xml",
    "html": b"<!DOCTYPE html>",
    "pptx": b"PK",
    "csv": b"\xef\xbb\xbfincident_id,",
    "geojson": b'{"type": "FeatureCollection"',
    "gpkg": b"SQLite format 3",
    "claims.csv": b"\xef\xbb\xbfclaim_id,statement_date,",
    "claims.geojson": b'{"features": [{"geometry": {',
}
FILTERS = Filters(countries=("AFG", "PAK"), date_from=date(2022, 1, 1), precisions=(1, 2, 3))
CLI_FILTERS = ["--country", "AFG,PAK", "--from", "2022-01-01", "--precision", "1,2,3"]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    """A store seeded from data/ (the curated incidents and claims)."""
    return open_store(str(tmp_path_factory.mktemp("outputs") / "atlas.sqlite"))


@pytest.fixture(scope="module")
def view(store: Store) -> View:
    return View.from_store(store, FILTERS, title="Frontier", caveat="Test only", made_at=MADE)


# ---------------------------------------------------------------------- the registry
def test_every_format_is_listed_once_with_its_media_type():
    assert list(outputs.OUTPUTS) == list(MAGIC)
    assert all("/" in o.media_type and o.label and o.help for o in outputs.OUTPUTS.values())
    assert [o.name for o in outputs.of_kind("data")] == ["csv", "geojson", "gpkg"]


@pytest.mark.parametrize("name", list(MAGIC))
def test_every_format_renders_its_kind_of_file(view: View, name: str):
    assert outputs.render(view, name).startswith(MAGIC[name])


def test_unknown_names_and_suffixes_are_refused_with_the_choices(view: View, tmp_path: Path):
    with pytest.raises(ValueError, match="unknown export format 'gif'"):
        outputs.render(view, "gif")
    with pytest.raises(ValueError, match=r"\.png, \.pdf, \.svg, \.html, \.pptx"):
        outputs.by_suffix(tmp_path / "brief.docx", "map")
    with pytest.raises(ValueError):
        outputs.by_suffix("incidents.csv", "map")  # a data format is not a map
    assert outputs.by_suffix("x.CSV").name == "csv"


def test_write_is_atomic_and_complete(view: View, tmp_path: Path):
    out = outputs.write(view, "geojson", tmp_path / "sub" / "v.geojson")
    assert out.read_bytes() == outputs.render(view, "geojson")
    assert [p.name for p in out.parent.iterdir()] == ["v.geojson"]


def test_the_slide_zip_is_dated_by_the_view_not_the_clock(view: View):
    with zipfile.ZipFile(io.BytesIO(outputs.render(view, "pptx"))) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 1, 15, 9, 30, 0)}
        assert z.testzip() is None


def test_facts_are_counted_once_per_view(view: View, monkeypatch):
    import geo.views.snapshot
    import geo.views.view
    import geo.views.viewfacts

    calls = []
    for module in (
        geo.views.viewfacts,
        geo.views.view,
        geo.views.snapshot,
    ):  # wherever the name is bound
        monkeypatch.setattr(module, "view_facts", lambda *a, **k: calls.append(1))
    for name in outputs.OUTPUTS:  # the slide, its snapshot, the page: all print view.facts
        outputs.render(view, name)
    assert calls == []
    view.with_(title="Another")  # a new title is not a recount either
    assert calls == []


# ---------------------------------------------------------------------- the CLI
@pytest.mark.parametrize("name", list(MAGIC))
def test_the_cli_writes_the_registry_bytes(store: Store, view: View, tmp_path: Path, name: str):
    out = tmp_path / f"brief.{name}"
    if outputs.OUTPUTS[name].kind == "map":
        args = ["snapshot", "--out", str(out), "--title", "Frontier", "--caveat", "Test only"]
    elif outputs.OUTPUTS[name].kind == "claims":
        args = ["export", "--kind", "claims", "--format", name.split(".")[1], "--out", str(out)]
    else:
        args = ["export", "--format", name, "--out", str(out)]
    code = main([*args, "--db", str(store.path), "--made-at", "2026-01-15T09:30", *CLI_FILTERS])
    assert code == 0
    assert out.read_bytes() == outputs.render(view, name)


def test_source_date_epoch_fixes_the_time_like_made_at(store: Store, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(MADE.timestamp())))
    out = tmp_path / "brief.svg"
    assert main(["snapshot", "--out", str(out), "--db", str(store.path), "--shade", "killed"]) == 0
    expected = View.from_store(store, Filters(), shade="killed")
    assert expected.made_at == MADE
    assert out.read_bytes() == outputs.render(expected, "svg")


def test_a_shaded_snapshot_differs_from_a_plain_one(view: View):
    assert outputs.render(view.with_(shade="killed"), "png") != outputs.render(view, "png")
