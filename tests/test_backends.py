"""geo.store.backends and the PostgreSQL specifics: URLs, the PostGIS point, refused values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.schema import normalise_dtypes
from geo.store.backends import backend_for, resolve_url
from geo.store.core import Store, StoreUnavailable


def _frame(ids: list[str], **overrides: object) -> pd.DataFrame:
    n = len(ids)
    data = {
        "incident_id": ids,
        "event_date": ["2024-06-01"] * n,
        "location": [f"Invented place {i}" for i in range(n)],
        "country_code": ["AFG"] * n,
        "latitude": [34.5 + i / 10 for i in range(n)],
        "longitude": [69.1 + i / 10 for i in range(n)],
        "source": ["Synthetic"] * n,
    }
    data.update(overrides)
    return normalise_dtypes(pd.DataFrame(data))


def test_backend_for_names_the_two_databases_and_refuses_others() -> None:
    assert backend_for("sqlite://").name == "sqlite"
    assert backend_for("postgresql+psycopg://u@h/d").name == "postgresql"
    with pytest.raises(ValueError, match="SQLite or PostgreSQL"):
        backend_for("mysql://u@h/d")


def test_resolve_url_gives_postgresql_urls_the_psycopg_driver(tmp_path) -> None:
    assert resolve_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert resolve_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"
    assert resolve_url(tmp_path / "a" / "s.sqlite").startswith("sqlite:///")
    assert (tmp_path / "a").is_dir()


@pytest.fixture
def pg_store(pg_server):
    url = pg_server.new_database()
    store = Store(url, seed=False)
    yield store
    store.engine.dispose()
    pg_server.drop_database(url)


def _points(store: Store) -> list[tuple]:
    with store.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.exec_driver_sql(
                "SELECT incident_id, ST_X(geom), ST_Y(geom), ST_SRID(geom), latitude, longitude "
                "FROM incidents ORDER BY incident_id"
            )
        ]


@pytest.mark.postgresql
def test_the_postgis_point_follows_the_coordinates_through_commit_undo_and_redo(
    pg_store: Store,
) -> None:
    pg_store.commit(_frame(["A", "B"]), file="a.csv", sha256="0", fmt="native")
    moved = _frame(["A", "C"], latitude=[35.0, None], longitude=[70.0, None])
    second = pg_store.commit(moved, file="b.csv", sha256="0", fmt="native")
    points = _points(pg_store)
    assert [p[0] for p in points] == ["A", "B", "C"]
    assert points[0] == ("A", 70.0, 35.0, 4326, 35.0, 70.0)
    assert points[2] == ("C", None, None, None, None, None)  # no coordinates: no point, not (0, 0)
    assert all(p[1:3] == (p[5], p[4]) for p in points)  # x = longitude, y = latitude, exactly
    pg_store.undo(second.upload_id)
    points = _points(pg_store)
    assert [p[0] for p in points] == ["A", "B"] and points[0][1:3] == (69.1, 34.5)
    assert all(p[1:3] == (p[5], p[4]) and p[3] == 4326 for p in points)
    pg_store.redo(second.upload_id)
    assert _points(pg_store)[0][:3] == ("A", 70.0, 35.0)
    with pg_store.engine.connect() as conn:
        plan = "\n".join(
            r[0]
            for r in conn.exec_driver_sql(
                "EXPLAIN SELECT incident_id FROM incidents "
                "WHERE geom && ST_MakeEnvelope(69, 34, 70, 35, 4326)"
            )
        )
    assert "ix_incidents_geom" in plan or "Seq Scan" in plan  # the index exists to be chosen
    with pg_store.engine.connect() as conn:
        kind = conn.exec_driver_sql(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_incidents_geom'"
        ).scalar()
    assert "gist" in kind.lower()


@pytest.mark.postgresql
def test_text_postgresql_cannot_hold_is_refused_whole(pg_store: Store) -> None:
    pg_store.commit(_frame(["A"]), file="a.csv", sha256="0", fmt="native")
    before = (pg_store.incidents(), pg_store.uploads(), pg_store.version())
    with pytest.raises(ValueError, match="nothing was stored"):
        pg_store.commit(
            _frame(["B", "C"], location=["ok", "bad\x00byte"]), file="b.csv", sha256="0", fmt="x"
        )
    pd.testing.assert_frame_equal(pg_store.incidents(), before[0])
    pd.testing.assert_frame_equal(pg_store.uploads(), before[1])
    assert pg_store.version() == before[2]


@pytest.mark.postgresql
def test_ids_sort_by_code_point_as_on_sqlite(pg_store: Store, tmp_path) -> None:
    ids = ["b", "B", "a", "é", "Z", "_x", "10", "9"]
    pg_store.commit(_frame(ids), file="a.csv", sha256="0", fmt="native")
    lite = Store(tmp_path / "s.sqlite", seed=False)
    lite.commit(_frame(ids), file="a.csv", sha256="0", fmt="native")
    assert pg_store.incidents()["incident_id"].tolist() == sorted(ids)
    assert lite.incidents()["incident_id"].tolist() == sorted(ids)


def test_a_database_that_cannot_be_reached_is_one_clear_error(tmp_path) -> None:
    store = Store(f"postgresql+psycopg://atlas@/atlas?host={tmp_path}&connect_timeout=2")
    with pytest.raises(StoreUnavailable, match=r"cannot be reached .*check ATLAS_DB"):
        store.uploads()


@pytest.mark.postgresql
def test_the_app_runs_on_a_postgresql_store(pg_store: Store, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from geo.config import DATA_DIR
    from geo.ingest.seed import read_curated_claims  # the seed the app stores on first use

    monkeypatch.setenv("ATLAS_DB", pg_store.url)
    monkeypatch.setenv("ATLAS_ONLINE_TILES", "0")
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"))
    at.run(timeout=180)
    assert not at.exception, [e.message for e in at.exception]
    stored = pg_store.incidents()
    assert len(stored) > 0 and set(pg_store.uploads()["upload_id"]) == {"seed"}
    assert next(m.value for m in at.metric if m.label == "Incidents") == f"{len(stored):,}"
    assert len(pg_store.claims()) == len(read_curated_claims(DATA_DIR / "claims.csv"))
