"""geo.views.markers: the incidents of the static map, in at most four collections."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from geo.schema import normalise_dtypes
from geo.views import markers


def _axes():
    fig = Figure(figsize=(6, 5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1_500_000)
    ax.set_ylim(3_000_000, 4_400_000)
    return ax


def _frame(**columns) -> pd.DataFrame:
    return normalise_dtypes(pd.DataFrame(columns))


def _collections(ax) -> list[PathCollection]:
    return [c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_offsets())]


def test_each_symbol_style_is_one_collection():
    df = _frame(
        latitude=[34.0, 34.1, 34.2, 34.3, None],
        longitude=[70.0, 70.1, 70.2, 70.3, 70.4],
        killed=[3, None, 2, None, 1],
        geo_precision=[1, 1, 3, 4, 1],
        event_type=["Battles"] * 5,
    )
    ax = _axes()
    assert markers.draw_incidents(ax, df, raster=False) == 4  # the row without a latitude is off
    shown = _collections(ax)
    assert len(shown) == 4  # filled, faint dashed, hollow, hollow dashed
    hollow = [c for c in shown if len(c.get_facecolors()) == 0 or c.get_facecolors()[0][3] == 0]
    assert sum(len(c.get_offsets()) for c in hollow) == 2  # the two unknown tolls


def test_unknown_toll_is_drawn_hollow_not_as_zero():
    df = _frame(latitude=[34.0], longitude=[70.0], killed=[None], geo_precision=[1])
    ax = _axes()
    markers.draw_incidents(ax, df, raster=False)
    (coll,) = _collections(ax)
    assert len(coll.get_facecolors()) == 0 or coll.get_facecolors()[0][3] == 0
    assert coll.get_edgecolors()[0][3] > 0.5


def test_vector_files_can_carry_points_as_an_image():
    df = _frame(latitude=[34.0, 35.0], longitude=[70.0, 71.0], killed=[1, 2], geo_precision=[1, 1])
    ax = _axes()
    markers.draw_incidents(ax, df, raster=True)
    assert all(c.get_rasterized() for c in _collections(ax))


def test_nothing_to_draw_draws_nothing():
    ax = _axes()
    empty = _frame(latitude=pd.Series([], dtype=float), longitude=pd.Series([], dtype=float))
    assert markers.draw_incidents(ax, empty, raster=False) == 0
    assert _collections(ax) == []


def test_many_markers_hidden_under_bigger_ones_are_skipped():
    rng = np.random.default_rng(1)
    n = 30_000
    df = _frame(
        latitude=rng.uniform(34.0, 34.01, n),
        longitude=rng.uniform(70.0, 70.01, n),
        killed=rng.integers(0, 5, n),
        geo_precision=[1] * n,
        event_type=["Battles"] * n,
    )
    ax = _axes()
    assert markers.draw_incidents(ax, df, raster=True) == n  # all counted as on the map
    drawn = sum(len(c.get_offsets()) for c in _collections(ax))
    assert 0 < drawn < n / 10  # a few pixels of map: only the largest per cell is drawn


def test_ring_handle_draws_nothing():
    ax = _axes()
    handle = markers.ring_handle(ax)
    assert len(handle.get_offsets()) == 0
