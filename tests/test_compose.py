"""compose.yaml and the Dockerfile (not run here: no Docker); they parse and say what the
README says."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_runs_postgis_and_the_app_with_sign_in() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    db, app = compose["services"]["db"], compose["services"]["app"]
    assert db["image"].startswith("postgis/postgis:")
    assert app["build"] == "."
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["ATLAS_DB"].startswith("postgresql+psycopg://atlas:")
    assert "@db:5432/atlas" in app["environment"]["ATLAS_DB"]
    assert app["environment"]["ATLAS_AUTH"] == "required"
    assert app["ports"] == ["8501:8501"]
    assert "atlas-db" in compose["volumes"]


def test_the_dockerfile_installs_the_pinned_app_and_serves_streamlit() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "-c requirements.lock" in text and "EXPOSE 8501" in text
    assert '"streamlit", "run", "app.py"' in text
    for folder in ("geo", "ui", "pages", "data"):
        assert f"COPY {folder} ./{folder}" in text
