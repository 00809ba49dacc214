"""ui.upload_preview: before commit, the Data page shows the rows to be stored and a map of them."""

from __future__ import annotations

import pandas as pd
from test_app import ACLED

from ui.upload_preview import _placed


def test_placed_counts_rows_by_precision_and_names_the_unplaced():
    frame = pd.DataFrame({"geo_precision": [1, 1, 3, None]})
    assert (
        _placed(frame) == "2 exact town or site; 1 province level only; 1 with no place on the map"
    )


def test_the_preview_lists_the_rows_and_maps_them_before_commit(app):
    app.run()
    app.switch_page("pages/data.py").run()
    app.file_uploader[0].set_value(("acled_test.csv", ACLED.encode(), "text/csv")).run()
    assert not app.exception, [e.message for e in app.exception]
    assert any(s.value == "What will be stored" for s in app.subheader)
    rows = next(d.value for d in app.dataframe if "incident_id" in d.value.columns)
    assert list(rows["incident_id"]) == ["PAK9001", "PAK9002", "AFG9003"]
    assert list(rows["line"]) == [2, 3, 4]
    assert list(rows["event_date"]) == ["2025-06-01", "2025-06-02", "2025-06-03"]  # days
    assert any("3 good rows" in c.value and "3 exact town or site" in c.value for c in app.caption)
    maps = [c for c in app.get("deck_gl_json_chart")]
    assert len(maps) == 1  # the preview's map; nothing is stored yet
    from geo.ingest.seed import open_store

    assert not any(open_store().incidents()["incident_id"].isin(["PAK9001"]))
