"""ui.claims_upload through the app: a claims file on the Data page, one statement on Claims.

The ``app`` fixture (an AppTest on a fresh store) is in conftest.py.
"""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

XSS = "<script>alert(1)</script>"
CLAIMS = (
    "Claim ID,Date,Speaker,Claimant country,Stance,Groups,Territory,Quote,Source\n"
    "U-1,2025-03-04,A spokesman,PAK,asserts,ISKP,AFG,they are there,Dawn\n"
    f'U-2,2025-03-05,"{XSS}",PAK,asserts,TTP,AFG,"{XSS}",Dawn\n'
    "U-3,2025-03-06,Someone,PAK,maybe,TTP,ZZZ,,Dawn\n"
)


def _ledger_size() -> int:
    from geo.ingest.seed import open_store

    return len(open_store().claims())


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_a_claims_file_is_checked_committed_and_undone_from_the_data_page(app):
    app.run()
    app.switch_page("pages/data.py").run()
    uploader = next(u for u in app.file_uploader if u.label == "Claims file")
    uploader.set_value(("claims.csv", CLAIMS.encode(), "text/csv")).run()
    assert not app.exception, [e.message for e in app.exception]
    assert (_metric(app, "New statements"), _metric(app, "Rejected")) == ("2", "1")
    issues = next(d.value for d in app.dataframe if "message" in d.value.columns)
    assert set(issues[issues["level"] == "error"]["line"]) == {4}
    assert not any(XSS in m.value for m in app.markdown)  # shown in tables only, as text
    before = _ledger_size()
    next(b for b in app.button if b.label == "Commit 2 statements").click().run()
    assert any("2 statements added to the ledger" in s.value for s in app.success)
    assert _ledger_size() == before + 2
    # the upload is the one the undo box offers; undoing it restores the ledger
    target = next(b for b in app.selectbox if b.label == "Undo an upload")
    assert "claims.csv" in str(target.format_func(target.value))
    app.button(key="undo_ask").click().run()
    assert "0 incidents and 2 claims" in " ".join(w.value for w in app.warning)
    app.button(key="undo_yes").click().run()
    assert _ledger_size() == before


def test_one_statement_from_the_form_is_checked_like_a_file_row(app):
    app.run()
    app.switch_page("pages/claims.py").run()
    before = _ledger_size()
    next(t for t in app.text_input if t.label == "Date said").set_value("2031-01-01")
    next(t for t in app.text_input if t.label == "Claimant (who said it)").set_value("A minister")
    form_submit = next(b for b in app.button if b.label == "Check the statement")
    form_submit.click().run()
    problems = next(d.value for d in app.dataframe if "message" in d.value.columns)
    assert "line" not in problems.columns  # a form's problems are its fields'
    assert dict(zip(problems["field"], problems["message"], strict=True)) == {
        "statement_date": f"The date 2031-01-01 is in the future (today is {dt.date.today()}).",
        "source": "Give the source (source or source_ref): every claim leads back to it.",
        "territory_code": "A claim of presence needs the territory it is about "
        "(territory_code, e.g. AFG).",
        "groups": "A claim of presence names the group(s) it is about (groups, e.g. IS-KP).",
    }
    assert next(b for b in app.button if b.label == "Add this statement").disabled
    date = next(t for t in app.text_input if t.label == "Date said")
    date.set_value("2025-02-10")
    next(t for t in app.text_input if t.label == "Territory").set_value("AFG")
    next(t for t in app.text_input if t.label == "Source (publication)").set_value("A paper")
    next(t for t in app.text_input if t.label == "Groups (separate with ;)").set_value("ISIS-K")
    next(b for b in app.button if b.label == "Check the statement").click().run()
    added = next(b for b in app.button if b.label == "Add this statement")
    assert not added.disabled
    added.click().run()
    assert any("1 statement added" in s.value for s in app.success)
    assert _ledger_size() == before + 1
