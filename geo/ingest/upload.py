"""Storing a prepared upload: :func:`commit`, and :func:`preview`, what a commit would do.

The last stage of the ingest (:mod:`geo.ingest.pipeline` prepares the rows and
re-exports both). A commit is one transaction of the store; a preview reads the
stored row hashes and writes nothing. Rows that were stored under the first recipe
of content ids are matched to those ids first (:func:`_adopt_stored_ids`), so a
re-upload of an old hand-made sheet is seen as repeats, not as new incidents.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.report import IngestReport
from geo.store.auth import LOCAL, Action, User, require

if TYPE_CHECKING:
    from geo.ingest.pipeline import Prepared
    from geo.store.core import Store

__all__ = ["commit", "gc_paused", "preview"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration (restored after).

    The pipeline makes millions of short-lived objects while millions of cell
    values stay alive; each collection would walk them all, which costs more
    than 10% of a large ingest. Cycles made meanwhile are collected afterwards.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@gc_paused()
def commit(prepared: Prepared, store: Store, *, actor: User = LOCAL) -> IngestReport:
    """Store a prepared upload in one transaction and return its report.

    Parameters
    ----------
    prepared : Prepared
        The result of :func:`prepare`.
    store : Store
    actor : geo.store.auth.User, default geo.store.auth.LOCAL
        The acting user; a role that may not upload raises
        :class:`geo.store.auth.NotAllowed` before anything is read or written.

    Returns
    -------
    IngestReport
        With ``upload_id`` and the store's ``accepted``, ``updated`` and
        ``duplicates`` counts.
    """
    require(actor, Action.UPLOAD)
    result = store.commit(
        _adopt_stored_ids(prepared.frame, store),
        file=prepared.file,
        sha256=prepared.sha256,
        fmt=prepared.format,
        report=prepared.report,
        actor=actor,
    )
    return dataclasses.replace(
        prepared.report,
        upload_id=result.upload_id,
        accepted=result.accepted,
        updated=result.updated,
        duplicates=result.duplicates,
        dry_run=False,
    )


def preview(prepared: Prepared, store: Store) -> IngestReport:
    """The report a commit would give against ``store``, computed read-only."""
    from geo.store.core import row_hashes

    frame = _adopt_stored_ids(prepared.frame, store)
    ids = frame["incident_id"].astype(object).tolist()
    stored = store.stored_hashes(ids)
    hashes = row_hashes(frame)
    same = sum(1 for i, h in zip(ids, hashes, strict=True) if stored.get(i) == h)
    changed = sum(1 for i, h in zip(ids, hashes, strict=True) if i in stored and stored[i] != h)
    return dataclasses.replace(
        prepared.report,
        accepted=len(ids) - same,
        updated=changed,
        duplicates=same,
        dry_run=True,
    )


def _adopt_stored_ids(frame: pd.DataFrame, store: Store) -> pd.DataFrame:
    """Rows stored under the ids of the first content-id recipe keep those ids.

    A hand-made sheet uploaded before content ids covered every column was
    stored under ``NAT-`` ids of date, place, type and source
    (:func:`geo.ingest.identity.legacy_ids`). When such a stored row has exactly this
    row's content, this row is that incident: it takes the old id, so the
    upload sees a repeat instead of a new incident. Rows whose old id collided
    (two strikes on one day) differ in content and keep their new ids.
    """
    from geo.ingest.validate import LEGACY_ID
    from geo.store.core import row_hashes

    if LEGACY_ID not in frame.columns or not frame[LEGACY_ID].notna().any():
        return frame
    new_ids = frame["incident_id"].astype(object)
    legacy = frame[LEGACY_ID].astype(object)
    stored = store.stored_hashes([i for i in legacy.dropna().unique() if i not in set(new_ids)])
    if not stored:
        return frame
    candidates = legacy.isin(list(stored)).to_numpy()
    trial = frame.loc[candidates].copy()
    trial["incident_id"] = legacy[candidates].to_numpy()
    already = set(store.stored_hashes(new_ids[candidates].tolist()))
    same = [
        h == stored.get(old) and new not in already
        for h, old, new in zip(
            row_hashes(trial), trial["incident_id"], new_ids[candidates], strict=True
        )
    ]
    if not any(same):
        return frame
    out = frame.copy()
    rows = np.flatnonzero(candidates)[np.array(same, dtype=bool)]
    out.iloc[rows, out.columns.get_loc("incident_id")] = legacy.iloc[rows].to_numpy()
    return out
