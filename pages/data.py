"""Data: upload incidents (CSV or workbook) or statements, check, resolve places, commit; history with undo and redo."""

import pandas as pd
import streamlit as st

from geo.ingest import formats
from geo.ingest import pipeline as ingest
from geo.report import FileRefused
from geo.store.auth import Action
from ui import auth, cache, claims_upload, history, state, upload_preview, widgets

state.ensure_frame()
auth.guard(Action.UPLOAD)  # a viewer who reaches the URL sees "not allowed"

st.title("Data")
ss = st.session_state
ss.setdefault("upload_round", 0)

st.subheader("Upload incidents")
st.caption(
    f"ACLED, UCDP GED, GTD or native, as CSV or Excel workbook, up to {widgets.upload_limit()}. "
    "Nothing is stored until you commit."
)
upload = st.file_uploader(
    "Incident file",
    type=["csv", "tsv", "txt", "xlsx", "xlsm", "xls"],
    key=f"upload_{ss.upload_round}",
)

if upload is not None:
    data = upload.getvalue()
    fmt = st.selectbox(
        "Format",
        ["auto", *formats.FORMATS],
        key=f"fmt_{ss.upload_round}",
        format_func=lambda f: (
            "detect from the header" if f == "auto" else f.upper() if f != "native" else "native"
        ),
    )
    choices = {
        int(k.split("_")[-1]): v
        for k, v in ss.items()
        if k.startswith(f"amb_{ss.upload_round}_") and isinstance(v, dict)
    }
    sheet = None
    try:
        sheets = cache.workbook_sheets(data)
        sheet = sheets[0] if sheets else None
        if sheets and len(sheets) > 1:
            sheet = st.selectbox("Sheet", sheets, key=f"sheet_{ss.upload_round}")
        elif sheet:
            st.caption(f"Sheet: {widgets.md_escape(sheet)}")
        prepared = cache.prepare_upload(data, upload.name, fmt, None, choices, sheet)
        st.markdown(f"Detected format: **{prepared.format}** · {len(prepared.columns)} columns")
        st.caption(
            "Column mapping: change where a file column goes, or clear it to ignore the column."
        )
        targets = sorted(set(formats.MAPPING_TARGETS) | set(prepared.mapping.values()))
        edited = st.data_editor(
            pd.DataFrame(
                {
                    "file column": prepared.columns,
                    "maps to": [prepared.mapping.get(c) for c in prepared.columns],
                }
            ),
            hide_index=True,
            key=f"mapping_{ss.upload_round}_{prepared.format}",
            disabled=["file column"],
            column_config={"maps to": st.column_config.SelectboxColumn("maps to", options=targets)},
        )
        mapping = formats.clean_mapping(edited.set_index("file column")["maps to"].to_dict())
        if mapping != prepared.mapping:
            prepared = cache.prepare_upload(
                data, upload.name, prepared.format, mapping, choices, sheet
            )
    except FileRefused as exc:  # the message may quote the file: escaped
        where = f"The sheet {widgets.md_escape(sheet)} of this file" if sheet else "This file"
        st.error(f"{where} cannot be used: {widgets.md_escape(exc, None)}")
        st.stop()

    report = ingest.preview(prepared, cache.get_store())
    m = st.columns(5)
    m[0].metric("Rows read", f"{report.rows_read:,}")
    # a preview's accepted already leaves out the rows stored unchanged
    m[1].metric("New or changed", f"{report.accepted:,}")
    m[2].metric("Already stored", f"{report.duplicates:,}")
    m[3].metric("Rejected", f"{report.rejected:,}")
    m[4].metric("Warnings", f"{len(report.warnings):,}")

    issues = widgets.issues_frame([*report.errors, *report.warnings])
    if len(issues):
        st.dataframe(issues, hide_index=True, height=260, key="issues", placeholder="—")
        st.download_button(
            "Download the validation report (CSV)",
            widgets.safe_csv(issues),
            file_name=f"validation_{upload.name.rsplit('.', 1)[0][:40]}.csv",
            mime="text/csv",
        )
    if prepared.ambiguous:
        st.subheader("Ambiguous places")
        st.caption(
            "Pick the place each row means; rows left unresolved stay as reported in the issues."
        )
        for issue in list({i.line: i for i in prepared.ambiguous}.values())[:50]:
            st.selectbox(
                f"Line {issue.line}: {issue.value}",
                [None, *issue.candidates],
                format_func=lambda c: (
                    "leave unresolved" if c is None else widgets.candidate_label(c)
                ),
                key=f"amb_{ss.upload_round}_{issue.line}",
            )

    upload_preview.draw(prepared)
    st.button(
        f"Commit {report.accepted:,} incidents",
        type="primary",
        disabled=report.accepted <= 0,
        on_click=cache.commit_upload,
        args=(prepared,),
    )

if "commit_refused" in ss:
    st.error(ss.pop("commit_refused"))
if "last_result" in ss:
    r = ss.last_result
    st.success(
        f"Stored upload {r['upload_id']}: {r['accepted']:,} accepted, {r['updated']:,} updated, "
        f"{r['duplicates']:,} already stored, {r['rejected']:,} rejected."
    )

claims_upload.draw_upload()

st.subheader("Upload history")
history.draw()
