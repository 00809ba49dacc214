"""Seeding: the curated tables of ``data/`` as the first upload of a new store.

A new store is empty. :func:`open_store` (what the app and the CLI use) opens a
store and, on its first use, when it is new, runs ``data/incidents.csv`` through the ingest
pipeline and stores it with ``data/claims.csv`` as the upload ``seed``, in one
transaction. ``python -m geo seed`` does the same step on its own.

This module sits above both the pipeline and the store, so the store never
imports the pipeline (no import cycle in ``geo``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pandas as pd

from geo.config import DATA_DIR
from geo.report import FileRefused, IngestReport, Issue
from geo.schema import CLAIM_COLUMNS, INCIDENT_COLUMNS
from geo.store.core import Store

__all__ = ["open_store", "read_curated_claims", "seed_store"]


def open_store(url: str | os.PathLike[str] | None = None) -> Store:
    """The store at ``url`` (default ``ATLAS_DB``), seeded from ``data/`` if it is new.

    Opening stays lazy: the seed step runs on the first use of the store.

    Examples
    --------
    >>> import tempfile
    >>> store = open_store(tempfile.mkdtemp() + "/atlas.sqlite")
    >>> store.uploads()["upload_id"].tolist()
    ['seed']
    """
    return Store(url, on_open=seed_store)


def seed_store(store: Store, data_dir: Path = DATA_DIR) -> bool:
    """Seed ``store`` from the curated tables if nobody has yet; True when this call did.

    A store made with ``Store(url, seed=False)`` stays empty. Two processes
    seeding one new store at once store the seed once.
    """
    if store.seed_state() is not None:
        return False
    path = data_dir / "incidents.csv"
    data = path.read_bytes() if path.exists() else b""
    incidents, report = _prepare_incidents(data, path.name)
    return store.apply_seed(
        incidents,
        read_curated_claims(data_dir / "claims.csv"),
        file=f"data/{path.name}",
        sha256=hashlib.sha256(data).hexdigest(),
        report=report,
    )


def _prepare_incidents(data: bytes, name: str) -> tuple[pd.DataFrame, IngestReport | None]:
    """The curated incidents through the ingest pipeline (no writes)."""
    from geo.ingest.pipeline import prepare  # the pipeline is heavy: load it only to seed

    if not data:
        return pd.DataFrame(columns=INCIDENT_COLUMNS), None
    try:
        prepared = prepare(data, name, fmt="native")
    except FileRefused as exc:
        issue = Issue(line=None, column=None, value=None, message=str(exc))
        return pd.DataFrame(columns=INCIDENT_COLUMNS), IngestReport(
            file=name, format="native", errors=[issue]
        )
    return prepared.frame, prepared.report


def read_curated_claims(path: Path) -> pd.DataFrame:
    """The curated claims ledger as text, one row per unique non-empty ``claim_id``.

    Examples
    --------
    >>> from geo.config import DATA_DIR
    >>> claims = read_curated_claims(DATA_DIR / "claims.csv")
    >>> claims["claim_id"].is_unique
    True
    """
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in CLAIM_COLUMNS})
    if not path.exists():
        return empty
    from geo.ingest.reader import read_csv_bytes

    try:
        frame = read_csv_bytes(path.read_bytes()).frame
    except FileRefused:
        return empty
    lookup = {str(c).strip().lower(): c for c in frame.columns}
    out = pd.DataFrame(index=frame.index)
    for col in CLAIM_COLUMNS:
        src = lookup.get(col)
        values = frame[src] if src is not None else pd.Series(None, index=frame.index)
        out[col] = [_clean_text(v) for v in values.tolist()]
    out = out[out["claim_id"].notna()].drop_duplicates("claim_id", keep="first")
    return out.astype(object).reset_index(drop=True)


def _clean_text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None
