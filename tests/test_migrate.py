"""geo.store.migrate: the schema built and upgraded by Alembic, stores made by older code kept whole.

The old stores are SQL dumps in ``tests/data/stores/`` of stores that the code
of schema version 1 and of schema version 2 built (synthetic rows, written by
those versions' own ``Store.commit`` / ``undo``; see that folder's README).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from storehelp import every_table

from geo.store import migrate
from geo.store.core import SCHEMA_VERSION, Store
from geo.store.storage import METADATA

STORES = Path(__file__).resolve().parent / "data" / "stores"
ROOT = Path(__file__).resolve().parent.parent


def _old_store(path: Path, version: int) -> Path:
    """A SQLite store as the code of ``version`` left it, loaded from its dump."""
    con = sqlite3.connect(path)
    con.executescript((STORES / f"schema_v{version}.sql").read_text(encoding="utf-8"))
    con.close()
    return path


def _rows(path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'"
            )
        ]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        con.close()


def test_the_revision_list_is_the_scripts_own_chain() -> None:
    scripts = ScriptDirectory(str(migrate.MIGRATIONS))
    chain = [s.revision for s in reversed(list(scripts.walk_revisions()))]
    assert chain == migrate.REVISIONS
    assert scripts.get_current_head() == migrate.HEAD


@pytest.mark.filterwarnings("ignore:Did not recognize type 'geometry'")
def test_a_new_store_is_built_by_the_migrations_and_matches_the_tables(store_url: str) -> None:
    store = Store(store_url, seed=False)
    store.version()
    with store.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.HEAD
        value = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'")
        assert value.scalar() == SCHEMA_VERSION
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), METADATA
        )
        columns = {c["name"] for c in sa.inspect(conn).get_columns("incidents")}
    # the PostGIS column and its index are the migration's alone (no SQLAlchemy type for them)
    extra = [d for d in diff if "geom" not in repr(d) and "spatial_ref_sys" not in repr(d)]
    assert extra == []
    assert ("geom" in columns) is (store.backend == "postgresql")


@pytest.mark.parametrize("version", [1, 2])
def test_a_store_made_by_older_code_is_upgraded_in_place_losing_nothing(
    tmp_path: Path, version: int
) -> None:
    path = _old_store(tmp_path / "old.sqlite", version)
    before = _rows(path)
    assert "alembic_version" not in before

    store = Store(path)
    uploads = store.uploads()
    after = _rows(path)
    assert after["alembic_version"] == [(migrate.HEAD,)]
    for table, rows in before.items():
        if table == "meta":
            continue
        width = len(rows[0]) if rows else 0  # new columns come last, NULL for old rows
        assert [r[:width] for r in after[table]] == rows, table
        assert all(v is None for r in after[table] for v in r[width:]), table
    meta = dict(after["meta"])
    assert meta["schema_version"] == SCHEMA_VERSION
    assert {k: v for k, v in meta.items() if k != "schema_version"} == {
        k: v for k, v in dict(before["meta"]).items() if k != "schema_version"
    }
    # the upgraded store works: the history, undo of the latest standing upload, redo
    assert len(uploads) == 3 and uploads["undone_at"].notna().sum() == 1
    if version == 1:
        assert uploads["user"].isna().all()  # not known for uploads made before
    latest = uploads[uploads["undone_at"].isna()]["upload_id"].iloc[-1]
    assert store.undo(latest)["restored"] == 1
    assert store.redo(latest)["accepted"] == 1
    if version == 2:  # the undo made by the old code is kept and can be redone
        undone = uploads[uploads["undone_at"].notna()]["upload_id"].iloc[0]
        assert store.redo(undone)["accepted"] == 1


def test_opening_an_up_to_date_store_reads_one_row_and_never_loads_alembic(
    tmp_path: Path,
) -> None:
    path = tmp_path / "current.sqlite"
    Store(path, seed=False).version()
    probe = (
        "import sys; from geo.store.core import Store; from geo.store import migrate\n"
        "def refuse(conn): raise AssertionError('migrations ran on an up-to-date store')\n"
        "migrate.upgrade = refuse\n"
        f"Store({str(path)!r}, seed=False).version()\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_a_store_from_newer_code_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite"
    Store(path, seed=False).version()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0099'")
    con.commit()
    con.close()
    before = _rows(path)
    with pytest.raises(migrate.NewerStore, match="newer than this code"):
        Store(path).version()
    assert _rows(path) == before


def test_a_legacy_store_with_an_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    path = _old_store(tmp_path / "odd.sqlite", 2)
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(migrate.NewerStore, match="schema version 7"):
        Store(path).version()
    assert "alembic_version" not in _rows(path)


@pytest.mark.postgresql
def test_postgis_is_added_when_the_role_may(pg_server) -> None:
    pg_server.sql("CREATE DATABASE bare_superuser TEMPLATE template0")
    store = Store(pg_server.url("bare_superuser"), seed=False)
    store.version()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
    store.engine.dispose()
    pg_server.drop_database(pg_server.url("bare_superuser"))


@pytest.mark.postgresql
def test_without_postgis_a_plain_role_gets_one_clear_message_and_no_tables(pg_server) -> None:
    pg_server.sql("CREATE ROLE atlas_plain LOGIN")
    pg_server.sql("CREATE DATABASE bare_plain OWNER atlas_plain TEMPLATE template0")
    url = pg_server.url("bare_plain").replace("postgres@", "atlas_plain@")
    store = Store(url, seed=False)
    with pytest.raises(RuntimeError, match="CREATE EXTENSION postgis"):
        store.version()
    with store.engine.connect() as conn:  # the failed migration left nothing behind
        assert sa.inspect(conn).get_table_names() == []
    store.engine.dispose()
    pg_server.drop_database(url)
    pg_server.sql("DROP ROLE atlas_plain")


def test_a_failed_migration_leaves_a_new_store_empty(store_url: str, monkeypatch) -> None:
    from alembic import command

    def broken(config, revision):
        conn = config.attributes["connection"]
        conn.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("the machine lost power half-way")

    monkeypatch.setattr(command, "upgrade", broken)
    store = Store(store_url, seed=False)
    with pytest.raises(RuntimeError, match="half-way"):
        store.version()
    assert every_table(store) == {}
