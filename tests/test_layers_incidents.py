"""geo.views.layers_incidents: points, approximate circles, hexagons and density on the deck."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.schema import normalise_dtypes
from geo.views import layers_incidents as li
from geo.views.cells import add_h3


def _frame(n: int, *, killed=None, precision: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return normalise_dtypes(
        pd.DataFrame(
            {
                "incident_id": [f"I{i}" for i in range(n)],
                "event_date": "2025-01-01",
                "event_type": "Battles",
                "latitude": rng.uniform(33, 35, n),
                "longitude": rng.uniform(69, 72, n),
                "geo_precision": precision,
                "killed": killed if killed is not None else rng.integers(0, 5, n),
            }
        )
    )


def test_radius_grows_with_the_root_of_killed_and_unknown_is_a_ring():
    r = li.radius_px(pd.array([0, 4, 16, 10_000, None], dtype="Int64"))
    assert r[0] == 3.0 and r[1] < r[2] and r[3] == 30.0 and r[4] == 6.0


def test_muted_context_is_grey_small_and_not_pickable():
    (layer,) = li.incident_layers(_frame(5), layer_id="context", muted=True)
    assert layer.id == "context" and layer.pickable is False
    assert all(rec["f"][:3] == [150, 150, 150] and rec["r"] == 2.5 for rec in layer.data)
    assert "tip" not in layer.data[0]


def test_hexagons_say_unknown_when_no_toll_is_known():
    df = add_h3(_frame(30, killed=[None] * 30))
    (hexes,) = li.incident_layers(df, point_limit=10)
    assert hexes.id == "incidents-hex" and hexes.type == "H3HexagonLayer"
    assert sum(int(r["tip"].split(" ")[0].replace(",", "")) for r in hexes.data) == 30
    assert all("killed unknown (known)" in r["tip"] for r in hexes.data)


def test_hexagons_are_the_same_from_a_categorical_cell_column_and_a_plain_one():
    """The views' table holds ``h3`` as a category (counted by its codes); a plain
    uint64 column is factorized: the hexagons, counts and tolls are the same, for
    the rows kept by a filter too (a slice whose categories include unused cells)."""
    from geo.views.query import compact

    df = add_h3(_frame(2_000))
    df.loc[df.index[::7], "geo_precision"] = 3  # some coarse rows, left out of the hexagons
    for rows in (df, df.iloc[300:900], df[df["killed"] > 1]):
        plain = li.incident_layers(rows, point_limit=10)
        cat = li.incident_layers(compact(df).loc[rows.index], point_limit=10)
        hexes = [lyr for lyr in plain if lyr.type == "H3HexagonLayer"]
        cat_hexes = [lyr for lyr in cat if lyr.type == "H3HexagonLayer"]
        assert isinstance(compact(df)["h3"].dtype, pd.CategoricalDtype)
        assert len(hexes) == len(cat_hexes) == 1
        assert sorted(map(str, hexes[0].data)) == sorted(map(str, cat_hexes[0].data))


def test_density_counts_every_placed_incident():
    df = _frame(40)
    df.loc[df.index[:5], "latitude"] = np.nan
    layer = li.density_layer(df)
    assert sum(int(r["tip"].split(" ")[0]) for r in layer.data) == 35
    assert li.density_layer(df.iloc[0:0]) is None
    # the view's compact frame (h3 as a category) gives the same hexagons and counts
    from geo.views.query import compact

    assert li.density_layer(compact(df)).data == layer.data
    counts = [int(r["tip"].split(" ")[0]) for r in layer.data]
    assert counts == sorted(counts, reverse=True)  # the busiest hexagon first


def test_coarse_incidents_are_circles_in_metres_never_dots():
    (circles,) = li.incident_layers(_frame(3, precision=4))
    assert circles.id == "incidents-approx" and "meters" in str(circles.radius_units)
    assert all(r["tip"].startswith("APPROXIMATE LOCATION") for r in circles.data)


def _peshawar() -> pd.DataFrame:
    """Kocha Risaldar (67 killed) with a 1-killed incident 1 km away, and three on one point."""
    return normalise_dtypes(
        pd.DataFrame(
            {
                "incident_id": ["BIG", "SMALL", "J1", "J2", "J3"],
                "event_date": [
                    "2022-03-04",
                    "2025-09-01",
                    "2025-01-03",
                    "2025-01-01",
                    "2025-01-02",
                ],
                "event_type": "Battles",
                "latitude": [34.0085, 34.008, 34.4303, 34.4303, 34.43031],
                "longitude": [71.5665, 71.5785, 70.4475, 70.4475, 70.44752],
                "geo_precision": [1, 2, 1, 1, 1],
                "killed": [67, 1, 2, None, 5],
                "source": "Test Wire",
            }
        )
    )


def test_markers_are_drawn_largest_first_so_a_small_one_lies_on_top():
    (points, _) = li.incident_layers(_peshawar())
    ids = [r["id"] for r in points.data]
    radii = [r["r"] for r in points.data]
    assert radii == sorted(radii, reverse=True)
    assert ids.index("BIG") < ids.index("SMALL")  # deck.gl draws and picks later ones on top


def test_incidents_sharing_a_point_get_one_count_badge_and_say_so():
    (points, badges) = li.incident_layers(_peshawar())
    assert badges.id == "incidents-here" and badges.type == "TextLayer" and badges.pickable
    (badge,) = badges.data  # J1, J2, J3 agree to four decimals; BIG and SMALL do not
    assert badge["t"] == "3" and sorted(badge["ids"]) == ["J1", "J2", "J3"]
    tips = {r["id"]: r["tip"] for r in points.data}
    assert "one of 3 incidents at this point" in tips["J2"]
    assert "incidents at this point" not in tips["BIG"]
    assert not {"k", "n"} & set(points.data[0])  # bookkeeping is not sent to the browser


def test_same_place_lists_every_incident_at_the_clicked_point_oldest_first():
    df = _peshawar()
    assert li.same_place(df, ["J3"]) == ["J2", "J3", "J1"]
    assert li.same_place(df, ["SMALL"]) == ["SMALL"]
    assert li.same_place(df, ["GONE"]) == ["GONE"]  # the card then says it is no longer stored
    assert li.same_place(df, []) == []


def test_no_badge_when_every_point_is_its_own():
    layers = li.incident_layers(_peshawar().iloc[:2])
    assert [x.id for x in layers] == ["incidents"]


def test_layers_of_a_views_rows_are_those_of_its_frame_and_copy_only_what_they_draw():
    """A view's rows: hexagons and many circles read the light columns only; single
    points and circles with their own tooltips take every column of those rows alone."""
    from geo.views.query import compact
    from geo.views.rows import Rows

    df = compact(add_h3(_frame(3_000)))
    df.loc[df.index[::5], "geo_precision"] = 3
    keep = (df["killed"] != 2).to_numpy()
    for limit in (10, 10_000):  # hexagons and many circles; points and circles with tooltips
        rows = Rows(df, keep)
        drawn = li.incident_layers(rows, point_limit=limit)
        expected = li.incident_layers(df.loc[keep], point_limit=limit)
        assert [layer.to_json() for layer in drawn] == [layer.to_json() for layer in expected]
        assert [layer.type for layer in drawn][-1] == (
            "H3HexagonLayer" if limit == 10 else "ScatterplotLayer"
        )
        assert set(rows.taken) == set(li._LIGHT_COLUMNS)  # the rest only for the rows drawn
