"""Tests for geo.config: offline-safe defaults and opt-in online features."""

from __future__ import annotations

from geo.config import SETTINGS_DOC, get_settings


def test_defaults_are_offline(monkeypatch):
    for name in SETTINGS_DOC:
        monkeypatch.delenv(name, raising=False)
    s = get_settings()
    assert s.online_geocoding is False
    assert s.online_tiles is False
    assert s.db.endswith("var/atlas.sqlite")
    assert s.max_upload_bytes == 200 * 1024 * 1024


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_DB", str(tmp_path / "x.sqlite"))
    monkeypatch.setenv("ATLAS_ONLINE_GEOCODING", "yes")
    monkeypatch.setenv("ATLAS_MAX_UPLOAD_MB", "0.5")
    monkeypatch.setenv("ATLAS_MAX_ROWS", "10")
    s = get_settings()
    assert s.db == str(tmp_path / "x.sqlite")
    assert s.online_geocoding is True
    assert s.max_upload_bytes == 512 * 1024
    assert s.max_rows == 10


def test_upload_limit_matches_streamlit_config():
    import tomllib

    from geo.config import PROJECT_ROOT

    conf = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    default = 200
    assert conf["server"]["maxUploadSize"] == default


def test_source_date_epoch_fixes_the_time_exports_are_made(monkeypatch):
    from datetime import UTC, datetime

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert get_settings().made_at == datetime(2026, 1, 1, tzinfo=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    assert get_settings().made_at is None  # ignored, never a crash
