"""Adding statements to the claims ledger: a claims file on the Data page, one statement on Claims.

Both go through :func:`geo.ingest.claims.prepare_claims` (the form writes its
fields as a one-row file), so a statement typed in is checked exactly like a
file's row, and both are stored by :meth:`geo.store.core.Store.commit_claims`
as an upload that the history lists and undo removes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import streamlit as st

from geo.ingest.claims import PreparedClaims, commit_claims, prepare_claims
from geo.report import FileRefused
from geo.schema import CLAIM_COLUMNS, CLAIM_STANCES
from geo.store.auth import Action, NotAllowed, can
from geo.store.transactions import UndoError
from ui import auth, cache, tables, widgets
from ui.session import session

__all__ = ["draw_form", "draw_upload"]


@st.cache_data(show_spinner="Checking the statements…", max_entries=4)
def _prepare(data: bytes, name: str, version: str) -> PreparedClaims:
    ledger = cache.get_store().claims()  # may run in a callback, outside the frame
    return prepare_claims(data, name, ledger=ledger)


def _commit(prepared: PreparedClaims) -> None:
    s = session()
    try:
        upload_id = commit_claims(prepared, cache.get_store(), actor=auth.actor())
    except (NotAllowed, UndoError) as exc:  # checked in the store too
        s.claims_refused = f"Nothing was stored: {exc}"
        return
    s.claims_result = (upload_id, len(prepared.frame), prepared.report.rejected)
    s.claims_round += 1
    del s.claims_checked


def _report(prepared: PreparedClaims, *, form: bool = False) -> None:
    """Counts, every problem (by line for a file), the rows to be stored, the commit button."""
    r = prepared.report
    if not form:
        m = st.columns(4)
        m[0].metric("Rows read", f"{r.rows_read:,}")
        m[1].metric("New statements", f"{r.accepted:,}")
        m[2].metric("Already in the ledger", f"{r.duplicates:,}")
        m[3].metric("Rejected", f"{r.rejected:,}")
    elif r.duplicates:
        st.info("The ledger already holds this statement: nothing to add.")
    issues = widgets.issues_frame([*r.errors, *r.warnings])
    if form:  # one statement: the problems are the fields', not a file's lines
        issues = issues.drop(columns=["line"]).rename(columns={"column": "field"})
    if len(issues):
        st.dataframe(
            issues, hide_index=True, height=tables.fitted_height(len(issues)), placeholder="—"
        )
    if len(prepared.frame):
        st.caption("What will be stored:" if form else "What will be stored (first 20 rows):")
        shown = tables.for_display(prepared.frame[CLAIM_COLUMNS].head(20))
        st.dataframe(
            shown, hide_index=True, height=tables.fitted_height(len(shown)), placeholder="—"
        )
    label = "Add this statement" if form else f"Commit {r.accepted:,} statements"
    st.button(
        label,
        type="primary",
        disabled=r.accepted <= 0,
        on_click=_commit,
        args=(prepared,),
        key="claims_commit_form" if form else "claims_commit_file",
    )


def _messages() -> None:
    s = session()
    if s.claims_refused is not None:
        st.error(widgets.md_escape(s.claims_refused, None))
        del s.claims_refused
    if s.claims_result is not None:
        upload_id, n, rejected = s.claims_result
        del s.claims_result
        added = f"{n:,} statement{'s' * (n != 1)} added to the ledger"
        st.success(
            f"Stored upload {upload_id}: {added}, {rejected:,} rejected. "
            "Undo it from the upload history on the Data page."
        )


def draw_upload() -> None:
    """The Data page's claims file uploader (the page has checked the role)."""
    st.subheader("Upload statements (claims ledger)")
    st.caption(
        "One statement per row: claim_id, statement_date, claimant, claimant_country_code, "
        f"stance ({', '.join(CLAIM_STANCES)}), groups, territory_code, source … "
        "(headers such as Date, Speaker or Territory are understood). Nothing is stored "
        "until you commit."
    )
    upload = st.file_uploader(
        "Claims file", type=["csv", "tsv", "txt"], key=f"claims_upload_{session().claims_round}"
    )
    _messages()
    if upload is None:
        return
    data = upload.getvalue()
    try:
        prepared = _prepare(data, upload.name, cache.store_version())
    except FileRefused as exc:  # the message may quote the file: escaped
        st.error(f"This file cannot be used: {widgets.md_escape(exc, None)}")
        return
    _report(prepared)


def _one_row(fields: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CLAIM_COLUMNS)
    writer.writeheader()
    writer.writerow({c: fields.get(c, "") for c in CLAIM_COLUMNS})
    return out.getvalue().encode("utf-8")


_FORM_FIELDS: dict[str, str] = {
    "statement_date": "Date said",
    "claimant": "Claimant (who said it)",
    "claimant_country_code": "Claimant country",
    "groups": "Groups (separate with ;)",
    "territory_code": "Territory",
    "accused_country_code": "Accused country (for accusations)",
    "claimant_role": "Role",
    "figure": "Figure (e.g. 6000)",
    "figure_unit": "Figure unit (e.g. fighters)",
    "source": "Source (publication)",
    "source_ref": "Source reference (URL or document)",
}
_HINTS = {
    "statement_date": "2025-02-10",
    "claimant_country_code": "PAK, or UN",
    "groups": "IS-KP; TTP",
    "territory_code": "AFG, or a province code such as PK-KP",
}


def _check_form() -> None:
    """Form callback: the fields as a one-row file, checked (a callback, so no rerun loses it)."""
    ss = st.session_state
    fields = {c: str(ss.get(f"cf_{c}") or "") for c in [*_FORM_FIELDS, "stance", "quote", "notes"]}
    data = _one_row(fields)
    name = f"form {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
    try:
        # a callback runs outside the page's frame: the store's version, not cache.store_version
        session().claims_checked = _prepare(data, name, cache.get_store().version())
    except FileRefused as exc:
        session().claims_refused = str(exc)


def draw_form() -> None:
    """The Claims page's form for one statement, for those who may add claims."""
    user = auth.current_user()
    if user is None or not can(user, Action.UPLOAD):
        return
    s = session()
    opened = s.claims_checked is not None or s.claims_result is not None
    with st.expander("Add a statement to the ledger", expanded=opened):
        _messages()
        with st.form("claim_form"):
            cols = st.columns(3)
            for i, (col, label) in enumerate(_FORM_FIELDS.items()):
                cols[i % 3].text_input(label, key=f"cf_{col}", placeholder=_HINTS.get(col, ""))
            cols[len(_FORM_FIELDS) % 3].selectbox("Stance", CLAIM_STANCES, key="cf_stance")
            st.text_area("Quote (the claimant's own words)", height=68, key="cf_quote")
            st.text_area("Notes", height=68, key="cf_notes")
            st.form_submit_button("Check the statement", on_click=_check_form)
        if s.claims_checked is not None:
            _report(s.claims_checked, form=True)
