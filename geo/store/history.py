"""The upload history read for people: which uploads can be undone or redone, and labels.

The store keeps every upload (:meth:`geo.store.core.Store.uploads`); this module
decides what the undo and redo controls offer. The curated seed is never
offered for undo unless asked for, and the latest upload comes first, so the
default choice is the upload just made.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo.store.transactions import SEED_UPLOAD_ID

__all__ = ["SEED_UPLOAD_ID", "describe_plan", "label", "redoable", "undoable"]


def undoable(uploads: pd.DataFrame, *, include_seed: bool = False) -> list[str]:
    """Ids of the uploads that stand, newest first; the seed only when asked for.

    Examples
    --------
    >>> table = pd.DataFrame({"upload_id": ["seed", "a", "b"], "undone_at": [None, None, "x"]})
    >>> undoable(table)
    ['a']
    >>> undoable(table, include_seed=True)
    ['a', 'seed']
    """
    if uploads.empty:
        return []
    standing = uploads[uploads["undone_at"].isna()]["upload_id"].tolist()[::-1]
    return [u for u in standing if include_seed or u != SEED_UPLOAD_ID]


def redoable(uploads: pd.DataFrame) -> list[str]:
    """Ids of undone uploads that were not redone yet, newest first.

    Examples
    --------
    >>> table = pd.DataFrame(
    ...     {"upload_id": ["a", "b", "c"], "undone_at": ["x", "y", None], "redo_of": [None, None, "a"]}
    ... )
    >>> redoable(table)
    ['b']
    """
    if uploads.empty:
        return []
    redone = set(uploads.get("redo_of", pd.Series(dtype=object)).dropna())
    undone = uploads[uploads["undone_at"].notna()]["upload_id"].tolist()[::-1]
    return [u for u in undone if u not in redone]


def label(uploads: pd.DataFrame, upload_id: str) -> str:
    """One line naming an upload: file, time, user and row counts.

    Examples
    --------
    >>> table = pd.DataFrame([{"upload_id": "u1", "file": "acled.csv",
    ...     "created_at": "2026-12-01T10:15:00.000Z", "user": "ana", "rows_read": 12,
    ...     "accepted": 10, "rejected": 2, "redo_of": None}])
    >>> label(table, "u1")
    'acled.csv · 2026-12-01 10:15 UTC · by ana · 10 of 12 rows stored · u1'
    """
    rows = uploads[uploads["upload_id"] == upload_id]
    if rows.empty:
        return upload_id
    row = rows.iloc[0]
    when = pd.to_datetime(row.get("created_at"), errors="coerce", utc=True)
    parts = [
        str(row.get("file") or "unnamed file"),
        "time unknown" if pd.isna(when) else f"{when:%Y-%m-%d %H:%M} UTC",
        f"by {row.get('user')}" if _known(row.get("user")) else "user not recorded",
        f"{int(row.get('accepted') or 0):,} of {int(row.get('rows_read') or 0):,} rows stored",
    ]
    if upload_id == SEED_UPLOAD_ID:
        parts[0] = "curated seed (" + parts[0] + ")"
    if _known(row.get("redo_of")):
        parts.append(f"redo of {row['redo_of']}")
    return " · ".join([*parts, upload_id])


def describe_plan(plan: dict[str, Any]) -> str:
    """What an undo will do, in one sentence (from :meth:`geo.store.core.Store.undo_plan`).

    Examples
    --------
    >>> describe_plan({"removed": 3, "restored": 1, "claims_removed": 0, "blocking": []})
    'It removes 3 incidents and 0 claims, and makes 1 earlier version current again.'
    >>> describe_plan({"removed": 0, "restored": 0, "claims_removed": 0, "blocking": ["u9"]})
    'It cannot be undone yet: undo the later upload(s) u9 first, newest first.'
    """
    if plan.get("blocking"):
        return (
            f"It cannot be undone yet: undo the later upload(s) {', '.join(plan['blocking'])} "
            "first, newest first."
        )
    restored = int(plan.get("restored") or 0)
    text = (
        f"It removes {_n(plan.get('removed'), 'incident')} and "
        f"{_n(plan.get('claims_removed'), 'claim')}"
    )
    if restored:
        version = "version" if restored == 1 else "versions"
        text += f", and makes {restored:,} earlier {version} current again"
    return text + "."


def _n(value: Any, noun: str) -> str:
    count = int(value or 0)
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _known(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and value != ""
