"""geo.views.cartography: the projection, the basemap's collections, scale, north arrow, labels."""

from __future__ import annotations

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from shapely.geometry import LineString, Polygon, box

from geo.views import cartography as carto


def _axes(xlim=(200_000, 900_000), ylim=(3_400_000, 4_000_000)):
    fig = Figure(figsize=(6, 5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.05, 0.05, 0.9, 0.9))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal", adjustable="box")
    ax.apply_aspect()
    return fig, ax


def test_points_project_to_utm_42n_metres():
    # 69°E is the central meridian of UTM zone 42: x is the false easting there
    x, y = carto.project_points(np.array([69.0, 71.5]), np.array([34.5, 34.0]))
    assert x[0] == pytest.approx(500_000, abs=1)
    assert 3_800_000 < y[0] < 3_830_000 and x[1] > x[0]


def test_basemap_is_projected_with_label_points():
    adm0 = gpd.GeoDataFrame(
        {"country_code": ["AFG"], "country": ["Afghanistan"]},
        geometry=[box(61, 29, 75, 38)],
        crs=4326,
    )
    adm1 = gpd.GeoDataFrame(
        {"admin1_code": ["AF-KAB"], "admin1": ["Kabul"], "rep_lat": [34.5], "rep_lon": [69.2]},
        geometry=[box(68.5, 34, 69.8, 35)],
        crs=4326,
    )
    base = carto.project_basemap(adm0, adm1, LineString([(70, 33), (71, 34)]))
    assert base.adm0.crs == carto.MAP_CRS and base.border.crs == carto.MAP_CRS
    x, y = carto.project_points(np.array([69.2]), np.array([34.5]))
    assert base.adm1["label_x"].iloc[0] == pytest.approx(x[0])
    assert base.adm1["label_y"].iloc[0] == pytest.approx(y[0])


def test_collections_hold_every_ring_and_line():
    square = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (4, 2), (4, 4)]])
    polys = carto.polygon_collection(gpd.GeoSeries([square, None]))
    assert len(polys.get_paths()) == 1  # None is skipped
    assert (polys.get_paths()[0].codes == mpl.path.Path.MOVETO).sum() == 2  # outer ring + hole
    lines = carto.line_collection(gpd.GeoSeries([square]))
    assert len(lines.get_segments()) == 2  # outlines of both rings


@pytest.mark.parametrize(
    ("limit", "nice"), [(0.7, 0.5), (1, 1), (37, 30), (123, 100), (4999, 4000), (5001, 5000)]
)
def test_nice_length(limit, nice):
    assert carto.nice_length(limit) == nice


def test_scale_bar_and_north_arrow_report_where_they_are():
    fig, ax = _axes()
    bar = carto.add_scale_bar(ax)
    arrow = carto.add_north_arrow(ax)
    frame = ax.get_window_extent(fig.canvas.get_renderer())
    for b in (bar, arrow):
        assert frame.x0 <= b.x0 < b.x1 <= frame.x1 + 1 and b.width > 0 and b.height > 0
    assert not bar.overlaps(arrow)
    labels = [t.get_text() for t in ax.texts]
    assert "N" in labels and any(t.endswith(" km") for t in labels)


def test_labels_never_overlap_and_a_group_is_placed_once():
    fig, ax = _axes()
    items = [carto.LabelItem(500_000, 3_700_000, f"Province {i}", rank=i) for i in range(6)]
    items += [
        carto.LabelItem(300_000, 3_500_000, "PAKISTAN", rank=10 + k, group="PAK") for k in range(3)
    ]
    placed = carto.place_labels(ax, items, fontsize=9)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in placed]
    assert all(not a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    texts = [t.get_text() for t in placed]
    assert texts.count("PAKISTAN") == 1
    assert 1 <= sum(t.startswith("Province") for t in texts) < 6  # the rest did not fit
    assert texts[0] == "Province 0"  # lower rank first


def test_country_names_are_anchored_inside_the_visible_part():
    adm0 = gpd.GeoDataFrame(
        {"country_code": ["AFG", "XXX"], "country": ["Afghanistan", "Far away"]},
        geometry=[box(300_000, 3_450_000, 850_000, 3_950_000), box(0, 0, 10, 10)],
        crs=carto.MAP_CRS,
    )
    base = carto.Basemap(adm0=adm0, adm1=adm0.iloc[0:0], border=gpd.GeoSeries([], crs=4326))
    _, ax = _axes()
    items = carto.country_label_items(base, ax, per_country=5)
    assert {i.text for i in items} == {"AFGHANISTAN"} and len(items) == 5
    assert all(i.group == "AFG" for i in items)
