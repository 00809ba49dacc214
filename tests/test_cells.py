"""geo.views.cells: one H3 cell per incident, computed once per position."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd

from geo.views import cells


def test_each_placed_incident_gets_its_cell_and_the_rest_zero():
    df = pd.DataFrame({"latitude": [34.5, None, 95.0, 34.5], "longitude": [69.2, 70.0, 70, 69.2]})
    out = cells.add_h3(df)["h3"].to_numpy()
    assert h3.int_to_str(int(out[0])) == h3.latlng_to_cell(34.5, 69.2, cells.H3_RES)
    assert out[1] == 0 and out[2] == 0 and out[3] == out[0]
    assert "h3" not in df.columns  # the input is left as it was


def test_the_stored_column_is_used_when_present():
    df = pd.DataFrame({"latitude": [34.5], "longitude": [69.2], "h3": np.array([7], np.uint64)})
    assert cells.cell_column(df).tolist() == [7]


def test_coarsening_gives_parents_and_keeps_zero():
    cell = h3.str_to_int(h3.latlng_to_cell(34.5, 69.2, cells.H3_RES))
    parents = cells.coarsen(np.array([cell, 0, cell], dtype=np.uint64), 3)
    assert h3.int_to_str(int(parents[0])) == h3.cell_to_parent(h3.int_to_str(cell), 3)
    assert parents[1] == 0 and parents[2] == parents[0]
    fine = np.array([cell], dtype=np.uint64)
    assert cells.coarsen(fine, cells.H3_RES) is fine


def test_hexagon_areas_shrink_with_resolution():
    assert cells.hex_area_km2(4) == 1770 and cells.hex_area_km2(6) < cells.hex_area_km2(4)
