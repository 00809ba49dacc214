"""AppTest through app.py: every page renders, the upload flow, filters in the URL."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo.views.query import Filters

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = [
    "pages/overview.py",
    "pages/map.py",
    "pages/cross_border.py",
    "pages/casualties.py",
    "pages/claims.py",
    "pages/data.py",
    "pages/export.py",
    "pages/about.py",
]
XSS = "<script>alert(1)</script>"
ACLED = (
    "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,"
    "admin1,admin2,location,latitude,longitude,geo_precision,source,notes,fatalities\n"
    "PAK9001,2025-06-01,1,Battles,Armed clash,TTP,Military Forces of Pakistan (2018-),"
    "Khyber Pakhtunkhwa,Khyber,Bara,33.91,71.46,1,Test Wire,A test clash.,4\n"
    f"PAK9002,2025-06-02,1,Explosions/Remote violence,Remote explosive/landmine/IED,"
    f'"{XSS}",Civilians (Pakistan),Balochistan,Quetta,Quetta,30.19,67.01,1,Test Wire,'
    f'"{XSS} notes",\n'
    "AFG9003,2025-06-03,1,Battles,Armed clash,IS-KP,Taliban,Balkh,Mazar-e-Sharif,"
    "Mazar-e-Sharif,36.71,67.11,1,Test Wire,Another test clash.,2\n"
)


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _seed_count() -> int:
    from geo.ingest.seed import open_store

    return len(open_store().incidents())


def test_every_page_renders(app):
    app.run()
    _no_exception(app)
    assert _metric(app, "Incidents") == f"{_seed_count():,}"
    labels = {m.label for m in app.metric}
    assert {
        "Killed (known)",
        "Injured (known)",
        "Toll unknown",
        "Provinces affected",
        "Cross-border",
        "Claims",
    } <= labels
    assert app.dataframe and app.get("deck_gl_json_chart")
    expect = {
        "pages/map.py": lambda at: at.get("deck_gl_json_chart") and at.toggle(key="map_choropleth"),
        "pages/cross_border.py": lambda at: at.get("deck_gl_json_chart") and at.slider(key="xb_km"),
        "pages/casualties.py": lambda at: at.get("vega_lite_chart") and at.dataframe,
        "pages/claims.py": lambda at: (
            at.get("vega_lite_chart")
            and any(
                "source_ref" in d.value.columns and "stance" in d.value.columns
                for d in at.dataframe
            )
        ),
        "pages/data.py": lambda at: (
            at.get("file_uploader") and any("upload_id" in d.value.columns for d in at.dataframe)
        ),
        "pages/export.py": lambda at: at.title,
        "pages/about.py": lambda at: (
            at.dataframe and "Natural Earth" in " ".join(m.value for m in at.markdown)
        ),
    }
    for page in PAGES[1:]:
        app.switch_page(page).run()
        _no_exception(app)
        assert expect[page](app), page
        # every page runs inside the frame: the shared filters are in the sidebar
        assert app.sidebar.multiselect(key="w_countries").label == "Countries", page


def test_map_layers_toggle_and_choropleth(app):
    app.run()
    app.switch_page("pages/map.py").run()
    app.toggle(key="map_choropleth").set_value(True).run()
    app.toggle(key="map_density").set_value(True).run()
    _no_exception(app)
    spec = app.get("deck_gl_json_chart")[0].proto.json
    assert '"choropleth"' in spec and '"density"' in spec and '"base-border"' in spec
    assert "cartocdn" not in spec


def test_map_presence_layer_shades_afghanistan_contested_and_lists_statements(app):
    app.run()
    app.switch_page("pages/map.py").run()
    app.toggle(key="map_presence").set_value(True).run()
    _no_exception(app)
    spec = app.get("deck_gl_json_chart")[0].proto.json
    assert '"presence"' in spec and "IS-KP: contested" in spec
    app.selectbox(key="map_presence_territory").set_value("AFG").run()
    _no_exception(app)
    tables = [df.value for df in app.dataframe]
    ledger = next(t for t in tables if "claimant" in t.columns)
    assert {"PAK", "RUS", "IRN", "CHN", "UN", "AFG"} <= set(ledger["claimant_country_code"])
    states = next(t for t in tables if "state" in t.columns)
    assert states.set_index("group").loc["IS-KP", "state"] == "contested"


def test_every_page_renders_with_incidents_that_lack_a_province_or_actor(app):
    # rows outside every boundary keep no province code; many rows name no actor: the
    # stored form keeps such text as categories with gaps (the Claims page once failed)
    from geo.ingest.seed import open_store

    app.run()
    store = open_store()
    extra = store.incidents().head(3).copy()
    extra["incident_id"] = ["GAP-1", "GAP-2", "GAP-3"]
    extra["admin1_code"] = extra["admin1"] = None
    extra["actor1"] = extra["claimed_by"] = None
    store.commit(extra, file="gaps.csv", sha256="1" * 64, fmt="canonical")
    for page in PAGES:
        app.switch_page(page).run()
        _no_exception(app)


def test_upload_commit_shows_in_headline_then_undo(app):
    app.run()
    before = _seed_count()
    app.switch_page("pages/data.py").run()
    app.file_uploader[0].set_value(("acled_test.csv", ACLED.encode(), "text/csv")).run()
    _no_exception(app)
    assert "acled" in " ".join(m.value for m in app.markdown)
    assert _metric(app, "Rows read") == "3"
    commit = next(b for b in app.button if b.label.startswith("Commit"))
    commit.click().run()
    _no_exception(app)
    assert any("Stored upload" in s.value for s in app.success)
    stored_id = app.session_state["last_result"]["upload_id"]
    accepted = _seed_count() - before
    assert accepted == 3
    app.switch_page("pages/overview.py").run()
    assert _metric(app, "Incidents") == f"{before + accepted:,}"
    # the script payload is data: it is shown as text in a dataframe, never as markup
    assert not any(XSS in m.value for m in app.markdown)

    app.switch_page("pages/data.py").run()
    # right after a commit the undo box offers that upload, never the curated seed
    target = next(b for b in app.selectbox if b.label == "Undo an upload")
    assert target.value == stored_id and "seed" not in target.options
    app.button(key="undo_ask").click().run()
    warning = " ".join(w.value for w in app.warning)
    assert f"Undo upload {stored_id}?" in warning and "acled_test.csv" in warning
    assert "removes 3 incidents and 0 claims" in warning
    app.button(key="undo_yes").click().run()
    _no_exception(app)
    assert any("Undone upload" in i.value and "3 incidents removed" in i.value for i in app.info)
    assert not app.success  # the commit message went with the upload
    app.switch_page("pages/overview.py").run()
    assert _metric(app, "Incidents") == f"{before:,}"

    # redo puts it back, as a new upload
    app.switch_page("pages/data.py").run()
    redo = next(b for b in app.selectbox if b.label == "Redo an undone upload")
    assert redo.value == stored_id
    app.button(key="redo").click().run()
    _no_exception(app)
    assert any(f"Redone upload {stored_id}" in i.value for i in app.info)
    assert _seed_count() == before + 3


def test_the_curated_seed_needs_an_explicit_confirmation_to_undo(app):
    from geo.ingest.seed import open_store

    app.run()
    app.switch_page("pages/data.py").run()
    assert not [b for b in app.selectbox if b.label == "Undo an upload"]  # only the seed stands
    app.checkbox(key="undo_include_seed").check().run()
    target = next(b for b in app.selectbox if b.label == "Undo an upload")
    assert target.options == [next(o for o in target.options if "curated seed" in o)]
    app.button(key="undo_ask").click().run()
    claims = len(open_store().claims())
    assert any(f"and {claims} claims" in w.value for w in app.warning)
    assert app.button(key="undo_yes").disabled  # not before the second confirmation
    app.button(key="undo_no").click().run()
    assert _seed_count() > 0 and len(open_store().claims()) == claims


def test_filters_come_from_the_url_and_survive_page_switches(app):
    app.query_params["country"] = "PAK"
    app.query_params["type"] = "Battles,Explosions/Remote violence"
    app.run()
    _no_exception(app)
    f = app.session_state["filters"]
    assert f == Filters(countries=("PAK",), event_types=("Battles", "Explosions/Remote violence"))
    from geo.ingest.seed import open_store
    from geo.views.query import apply

    expected = len(apply(open_store().incidents(), f))
    assert _metric(app, "Incidents") == f"{expected:,}"
    app.switch_page("pages/casualties.py").run()
    app.switch_page("pages/overview.py").run()
    assert app.session_state["filters"] == f
    assert app.query_params["country"] in ("PAK", ["PAK"])


def _params(at: AppTest) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_session_filters_are_mirrored_to_the_url(app):
    app.run()
    app.session_state["filters"] = Filters(min_killed=5, precisions=(1, 2))
    app.run()
    _no_exception(app)
    assert _params(app) == {"min_killed": "5", "precision": "1,2"}
    assert app.sidebar.number_input(key="w_min_killed").value == 5
    app.switch_page("pages/claims.py").run()
    assert _params(app) == {"min_killed": "5", "precision": "1,2"}
    # the frame (app.py) runs on every page: the sidebar still shows the shared filters
    assert app.sidebar.multiselect(key="w_precisions").value == [1, 2]


def test_sidebar_widget_changes_the_shared_filters(app):
    app.run()
    everything = _metric(app, "Incidents")
    # the sidebar is drawn once, in the frame; its on_change callback sets the shared value
    app.sidebar.multiselect(key="w_countries").set_value(["AFG"]).run()
    _no_exception(app)
    assert app.session_state["filters"].countries == ("AFG",)
    assert _params(app) == {"country": "AFG"}
    afghan = _metric(app, "Incidents")
    assert int(afghan) < int(everything)
    app.switch_page("pages/map.py").run()
    assert app.session_state["filters"].countries == ("AFG",)
    assert app.caption[0].value.startswith(f"{afghan} incidents")
    assert app.sidebar.multiselect(key="w_countries").value == ["AFG"]
    app.sidebar.button[0].click().run()  # reset
    assert app.session_state["filters"] == Filters() and _params(app) == {}


def test_a_copied_url_reproduces_the_view(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(tmp_path / "atlas.sqlite"))
    first = AppTest.from_file(APP, default_timeout=180)
    first.run()
    first.session_state["filters"] = Filters(countries=("PAK",), min_killed=1)
    first.run()
    url = _params(first)
    second = AppTest.from_file(APP, default_timeout=180)
    second.query_params.update(url)
    second.run()
    _no_exception(second)
    assert second.session_state["filters"] == Filters(countries=("PAK",), min_killed=1)
    assert _metric(second, "Incidents") == _metric(first, "Incidents")
    assert second.sidebar.multiselect(key="w_countries").value == ["PAK"]
    assert second.sidebar.number_input(key="w_min_killed").value == 1


def test_ambiguous_place_is_resolved_by_picking_a_candidate(app):
    csv = (
        "incident_id,event_date,event_type,location,country_code,killed,source\n"
        "AMB1,2025-01-02,Battles,Fayzabad,AFG,2,Test wire\n"
    )
    app.run()
    app.switch_page("pages/data.py").run()
    app.file_uploader[0].set_value(("ambiguous.csv", csv.encode(), "text/csv")).run()
    _no_exception(app)
    picker = next(s for s in app.selectbox if s.key and s.key.startswith("amb_"))
    assert picker.label == "Line 2: Fayzabad"
    assert len(picker.options) >= 3  # "leave unresolved" and at least two Fayzabads
    assert _metric(app, "Rejected") == "1"  # never silently resolved
    picker.select_index(1).run()
    _no_exception(app)
    assert _metric(app, "Rejected") == "0" and _metric(app, "New or changed") == "1"


def test_reupload_of_an_updated_export_counts_only_new_and_changed_rows(app):
    """Old rows, one changed row and one new row: the counts add up and Commit works."""
    app.run()
    app.switch_page("pages/data.py").run()
    app.file_uploader[0].set_value(("acled_v1.csv", ACLED.encode(), "text/csv")).run()
    next(b for b in app.button if b.label.startswith("Commit")).click().run()
    _no_exception(app)
    before = _seed_count()

    lines = ACLED.splitlines()
    changed = lines[2].replace(f'"{XSS} notes",', f'"{XSS} notes",7')  # a toll now known
    assert changed != lines[2]
    new = (
        "PAK9004,2025-06-04,1,Battles,Armed clash,TTP,Police Forces of Pakistan (2018-),"
        "Khyber Pakhtunkhwa,Bannu,Bannu,32.99,70.60,1,Test Wire,A new clash.,1"
    )
    updated = "\n".join([lines[0], lines[1], changed, lines[3], new]) + "\n"
    app.file_uploader[0].set_value(("acled_v2.csv", updated.encode(), "text/csv")).run()
    _no_exception(app)
    assert _metric(app, "Rows read") == "4"
    assert _metric(app, "Already stored") == "2"
    assert _metric(app, "New or changed") == "2"
    commit = next(b for b in app.button if b.label.startswith("Commit"))
    assert commit.label == "Commit 2 incidents" and not commit.disabled
    commit.click().run()
    _no_exception(app)
    message = next(s.value for s in app.success if "Stored upload" in s.value)
    assert "2 accepted, 1 updated, 2 already stored, 0 rejected" in message
    assert _seed_count() == before + 1  # the changed row replaced its old version

    from geo.ingest.seed import open_store

    stored = open_store().incidents().set_index("incident_id")
    assert stored.loc["PAK9002", "killed"] == 7


def _two_sheet_workbook() -> bytes:
    import io

    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    for name, rows in (("Khyber", 1), ("Balochistan", 2)):
        sheet = book.add_worksheet(name)
        sheet.write(0, 0, f"Invented incidents, {name}")  # a title above the header
        sheet.write_row(2, 0, ["date", "location", "latitude", "longitude", "killed"])
        for i in range(rows):
            sheet.write_row(3 + i, 0, [f"2025-06-0{i + 1}", "Quetta", 30.19, 67.01, float(i)])
    book.close()
    return buf.getvalue()


def test_a_workbook_upload_offers_its_sheets(app):
    app.run()
    app.switch_page("pages/data.py").run()
    app.file_uploader[0].set_value(("two sheets.xlsx", _two_sheet_workbook(), "")).run()
    _no_exception(app)
    sheet = app.selectbox(key="sheet_0")
    assert sheet.options == ["Khyber", "Balochistan"] and sheet.value == "Khyber"
    assert _metric(app, "Rows read") == "1"
    sheet.set_value("Balochistan").run()
    _no_exception(app)
    assert _metric(app, "Rows read") == "2" and _metric(app, "Rejected") == "0"
    next(b for b in app.button if b.label.startswith("Commit")).click().run()
    assert any("Stored upload" in s.value and "2 accepted" in s.value for s in app.success)


def test_invalid_url_values_are_named_in_a_warning_and_dropped(app):
    app.query_params["country"] = "XXX,PAK"
    app.query_params["min_killed"] = "-5"
    app.run()
    _no_exception(app)
    assert app.session_state["filters"] == Filters(countries=("PAK",))
    said = " ".join(w.value for w in app.sidebar.warning)
    assert "country=XXX" in said and "min_killed=-5" in said
    assert _params(app) == {"country": "PAK"}  # the link no longer carries them


def test_an_empty_result_says_so_and_resets(app):
    app.query_params["min_killed"] = "100000"
    app.run()
    _no_exception(app)
    assert any("No incidents match these filters" in i.value for i in app.info)
    app.switch_page("pages/map.py").run()  # the map draws it inside its fragment
    _no_exception(app)
    assert any("No incidents match these filters" in i.value for i in app.info)
    app.button(key="reset_filters_empty").click().run()
    _no_exception(app)
    assert app.session_state["filters"] == Filters()
    assert not any("No incidents match" in i.value for i in app.info)


def test_about_names_each_seed_document_and_what_cites_it(app):
    app.run()
    app.switch_page("pages/about.py").run()
    _no_exception(app)
    labels = [e.label.replace("\\", "") for e in app.expander]  # as markdown shows them
    at_news = next(label for label in labels if label.startswith("AT News:"))
    assert at_news.endswith("0 incidents, 4 claims"), at_news
    unnamed = [label for label in labels if label.startswith("News report, publication not named")]
    assert len(unnamed) == 4  # the other four documents name no publication
    table = next(d.value for d in app.dataframe if "document" in d.value.columns)
    assert table["document"].notna().all()  # every seed source_ref leads to its document
