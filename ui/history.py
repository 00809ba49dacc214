"""The Data page's upload history: the table, undo (asked, then confirmed) and redo.

Undo offers the latest upload first and names it (file, time, user, rows); the
confirmation says what leaves the store, incidents and claims. The curated seed
is offered only after "Show the curated seed" is ticked, and its undo needs a
second, explicit confirmation. Every action runs in a button callback, before
the script reruns, so it is never lost to a restarted run.
"""

from __future__ import annotations

import streamlit as st

from geo.store import history
from geo.store.auth import NotAllowed
from geo.store.core import UndoError
from ui import auth, cache, widgets

_TARGET = "undo_target"
_PENDING = "undo_pending"
_MESSAGE = "undo_message"
_SEED = "undo_include_seed"
_SEED_OK = "undo_seed_confirmed"
_REDO = "redo_target"


def draw() -> None:
    """The history table with its undo and redo controls."""
    uploads = cache.load_uploads()
    widgets.upload_history(uploads)
    ss = st.session_state
    version = cache.store_version()  # keys the choices: a new store state offers the latest
    standing = history.undoable(uploads, include_seed=bool(ss.get(_SEED)))
    if standing:
        c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
        c1.selectbox(
            "Undo an upload",
            standing,
            format_func=lambda u: history.label(uploads, u),
            key=f"{_TARGET}_{version}",
        )
        c2.button(
            "Undo…",
            key="undo_ask",
            on_click=_ask,
            args=(f"{_TARGET}_{version}",),
            width="stretch",
        )
    st.checkbox(
        "Show the curated seed",
        key=_SEED,
        help="The seed holds the curated incidents and claims of data/. Undoing it removes "
        "them all, so it is hidden unless you ask for it.",
    )
    if ss.get(_PENDING):
        _confirmation(uploads, ss[_PENDING])
    again = history.redoable(uploads)
    if again:
        c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
        c1.selectbox(
            "Redo an undone upload",
            again,
            format_func=lambda u: history.label(uploads, u),
            key=f"{_REDO}_{version}",
        )
        c2.button(
            "Redo",
            key="redo",
            on_click=_redo,
            args=(f"{_REDO}_{version}",),
            width="stretch",
        )
    if _MESSAGE in ss:
        st.info(ss.pop(_MESSAGE))
    with st.expander("Audit log: who uploaded, undid and redid what, and when"):
        st.dataframe(cache.get_store().audit().iloc[::-1], hide_index=True, key="audit")


def _confirmation(uploads, upload_id: str) -> None:
    try:
        plan = cache.get_store().undo_plan(upload_id)
    except UndoError as exc:
        st.session_state.pop(_PENDING, None)
        st.error(f"Could not undo {upload_id}: {exc}")
        return
    seed = upload_id == history.SEED_UPLOAD_ID
    st.warning(
        f"Undo upload {upload_id}? ({history.label(uploads, upload_id)}) "
        + history.describe_plan(plan)
    )
    if seed:
        st.checkbox(
            "Yes, remove the curated seed: every incident and claim of data/ leaves the store",
            key=_SEED_OK,
        )
    y, n = st.columns(2)
    y.button(
        "Yes, undo it",
        type="primary",
        key="undo_yes",
        on_click=_undo,
        disabled=bool(plan["blocking"]) or (seed and not st.session_state.get(_SEED_OK)),
    )
    n.button("Cancel", key="undo_no", on_click=_cancel)


def _ask(target_key: str) -> None:
    """First step of an undo: remember which upload, ask for confirmation."""
    st.session_state[_PENDING] = st.session_state.get(target_key)
    st.session_state.pop(_SEED_OK, None)


def _cancel() -> None:
    st.session_state.pop(_PENDING, None)
    st.session_state.pop(_SEED_OK, None)


def _undo() -> None:
    """Second step: undo the remembered upload and say what happened."""
    ss = st.session_state
    upload_id = ss.pop(_PENDING, None)
    seed_ok = bool(ss.pop(_SEED_OK, False))
    if not upload_id:
        return
    ss.pop("last_result", None)  # the commit message no longer describes the store
    try:
        r = cache.get_store().undo(upload_id, allow_seed=seed_ok, actor=auth.actor())
    except (UndoError, NotAllowed) as exc:
        ss[_MESSAGE] = f"Could not undo {upload_id}: {exc}"
        return
    ss[_MESSAGE] = (
        f"Undone upload {upload_id} ({r.get('file', '')}): {r['removed']:,} incidents removed, "
        f"{r['restored']:,} earlier versions restored, {r['claims_removed']:,} claims removed. "
        "Redo puts it back."
    )


def _redo(target_key: str) -> None:
    ss = st.session_state
    upload_id = ss.get(target_key)
    if not upload_id:
        return
    ss.pop("last_result", None)
    try:
        r = cache.get_store().redo(upload_id, actor=auth.actor())
    except (UndoError, NotAllowed) as exc:
        ss[_MESSAGE] = f"Could not redo {upload_id}: {exc}"
        return
    ss[_MESSAGE] = (
        f"Redone upload {upload_id} as {r['upload_id']}: {r['accepted']:,} incidents stored "
        f"({r['updated']:,} as new versions), {r['claims']:,} claims."
    )
