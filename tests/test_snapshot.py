"""Static map snapshots: presets, honest symbols, furniture, labels, empty views."""

from __future__ import annotations

import io
import itertools
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.patches import Rectangle
from PIL import Image
from pyproj import Geod, Transformer

from geo.schema import normalise_dtypes
from geo.views import cartography as carto
from geo.views import snapshot
from geo.views.query import Filters

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
TITLE = "Frontier incidents & border test"


def _frame(rows: list[dict]) -> pd.DataFrame:
    return normalise_dtypes(pd.DataFrame(rows))


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    """A dozen incidents on both sides of the border, known and unknown tolls, coarse places."""
    base = {
        "event_type": "Explosions/Remote violence",
        "geo_precision": 1,
        "source": "Dawn",
        "country_code": "PAK",
    }
    places = [
        ("PK-KP", "Khyber Pakhtunkhwa", 34.01, 71.58, 12, "2024-03-01"),
        ("PK-KP", "Khyber Pakhtunkhwa", 33.00, 70.60, None, "2024-05-11"),
        ("PK-BA", "Balochistan", 30.18, 66.99, 30, "2024-07-02"),
        ("PK-BA", "Balochistan", 29.50, 65.00, 4, "2024-08-19"),
        ("AF-KAB", "Kabul", 34.53, 69.17, 7, "2024-09-09"),
        ("AF-NAN", "Nangarhar", 34.43, 70.45, None, "2024-10-21"),
        ("AF-KDH", "Kandahar", 31.61, 65.71, 2, "2024-11-30"),
        ("AF-HEL", "Helmand", 31.58, 64.37, 1, "2025-01-04"),
    ]
    rows = [
        {
            **base,
            "incident_id": f"T{i}",
            "admin1_code": code,
            "admin1": name,
            "latitude": lat,
            "longitude": lon,
            "killed": killed,
            "event_date": day,
            "country_code": code[:2].replace("PK", "PAK").replace("AF", "AFG"),
        }
        for i, (code, name, lat, lon, killed, day) in enumerate(places)
    ]
    rows += [
        {**rows[0], "incident_id": "C1", "geo_precision": 3, "killed": 5, "source": "Reuters; AP"},
        {**rows[4], "incident_id": "C2", "geo_precision": 4, "killed": None, "source": "AP"},
        {**rows[2], "incident_id": "N1", "latitude": None, "longitude": None, "killed": 3},
        {**rows[6], "incident_id": "B1", "event_type": "Battles", "killed": 9},
    ]
    return _frame(rows)


@pytest.fixture(scope="module")
def empty() -> pd.DataFrame:
    return normalise_dtypes(pd.DataFrame(columns=["incident_id"]))


@pytest.fixture(scope="module")
def png(incidents: pd.DataFrame) -> bytes:
    return snapshot.render_snapshot(incidents, Filters(), "png", title=TITLE, now=NOW)


@pytest.fixture(scope="module")
def empty_png(empty: pd.DataFrame) -> bytes:
    return snapshot.render_snapshot(empty, Filters(), "png", title=TITLE, now=NOW)


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


def _red_map_pixels(img: np.ndarray) -> int:
    """Strong red pixels (explosion markers, blended or not) inside the map panel.

    Nothing on the basemap is this red: the border is maroon with a pink halo
    (their blends have as much blue as green; the marker red has far less).
    """
    h, w, _ = img.shape
    region = img[int(0.12 * h) : int(0.9 * h), : int(0.42 * w)]
    r, g, b = region[..., 0], region[..., 1], region[..., 2]
    return int(((r > 170) & (g < 120) & (b < g - 15)).sum())


def _build(df: pd.DataFrame, filters: Filters | None = None, **kw) -> mpl.figure.Figure:
    with mpl.rc_context(snapshot._RC):
        return snapshot.build_figure(df, filters or Filters(), title=TITLE, now=NOW, **kw)


# ---------------------------------------------------------------------- PNG


def test_png_is_exactly_slide_size_and_not_blank(png: bytes) -> None:
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG"
    assert img.size == (1920, 1080)
    assert _pixels(png).std() > 20


def test_png_draws_the_incidents(png: bytes, empty_png: bytes) -> None:
    # the map panel holds the red of explosions only when there are incidents to draw
    assert _red_map_pixels(_pixels(empty_png)) == 0
    assert _red_map_pixels(_pixels(png)) > 300


def test_png_metadata_says_what_it_is(png: bytes) -> None:
    info = Image.open(io.BytesIO(png)).info
    assert info["Title"] == TITLE
    assert "Dawn" in info["Source"]
    assert "data to 4 Jan 2025" in info["Description"]


# ---------------------------------------------------------------------- symbols


def _incident_collections(fig: mpl.figure.Figure) -> list[PathCollection]:
    ax = fig.axes[0]
    return [
        c
        for c in ax.collections
        if isinstance(c, PathCollection) and c.get_zorder() >= 10 and len(c.get_offsets())
    ]


def test_unknown_killed_hollow_and_coarse_dashed(incidents: pd.DataFrame) -> None:
    fig = _build(incidents)
    colls = _incident_collections(fig)
    mapped = incidents["latitude"].notna()
    assert sum(len(c.get_offsets()) for c in colls) == mapped.sum()
    unknown = int((incidents["killed"].isna() & mapped).sum())
    coarse = int((incidents["geo_precision"] >= 3).sum())
    hollow = [c for c in colls if (c.get_facecolors()[:, 3] == 0).all()]
    assert sum(len(c.get_offsets()) for c in hollow) == unknown
    dashed = [c for c in colls if c.get_linestyle()[0][1] is not None]
    assert sum(len(c.get_offsets()) for c in dashed) == coarse


def test_marker_area_grows_with_killed_and_unknown_is_not_zero() -> None:
    from geo.views.mapkey import marker_area

    area = marker_area(pd.array([0, 1, 10, 100, None], dtype="Int64"))
    assert np.all(np.diff(area[:4]) > 0)
    assert area[4] > area[0]  # an unknown toll is not drawn as the smallest (zero) dot


def test_many_incidents_use_a_few_collections_not_a_loop() -> None:
    rng = np.random.default_rng(1)
    n = 20_000
    df = _frame(
        {
            "incident_id": np.arange(n).astype(str),
            "event_date": "2024-01-01",
            "event_type": rng.choice(["Battles", "Riots"], n),
            "latitude": rng.uniform(26, 36, n),
            "longitude": rng.uniform(62, 74, n),
            "geo_precision": rng.choice([1, 3], n),
            "killed": np.where(rng.random(n) < 0.2, np.nan, rng.poisson(2, n)),
        }
    )
    colls = _incident_collections(_build(df))
    assert len(colls) == 4
    assert sum(len(c.get_offsets()) for c in colls) == n


# ---------------------------------------------------------------------- furniture


def test_scale_bar_is_true_on_the_ground(incidents: pd.DataFrame) -> None:
    fig = _build(incidents)
    ax = fig.axes[0]
    bar = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_zorder() == 30]
    x0 = min(p.get_x() for p in bar)
    x1 = max(p.get_x() + p.get_width() for p in bar)
    y = bar[0].get_y()
    label = next(t.get_text() for t in ax.texts if t.get_text().endswith(" km"))
    km = float(label.split()[0])
    back = Transformer.from_crs(carto.MAP_CRS, 4326, always_xy=True)
    (lon0, lon1), (lat0, lat1) = back.transform([x0, x1], [y, y])
    metres = Geod(ellps="WGS84").inv(lon0, lat0, lon1, lat1)[2]
    assert metres == pytest.approx(km * 1000, rel=0.01)


def test_nice_length_picks_round_numbers() -> None:
    assert carto.nice_length(540) == 500
    assert carto.nice_length(480) == 400
    assert carto.nice_length(17) == 10


def test_province_labels_do_not_overlap(incidents: pd.DataFrame) -> None:
    fig = _build(incidents)
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    adm1 = carto.default_basemap().adm1
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    in_frame = adm1[adm1["label_x"].between(x0, x1) & adm1["label_y"].between(y0, y1)]
    labels = [t for t in ax.texts if t.get_text() in set(adm1["admin1"])]
    assert len(in_frame) >= 12  # the frame holds the data and the provinces around it
    assert len(labels) >= 0.6 * len(in_frame)  # most of those fit at slide size
    boxes = [t.get_window_extent(renderer) for t in labels]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    frame = ax.get_window_extent(renderer)
    assert all(frame.contains(b.x0, b.y0) and frame.contains(b.x1, b.y1) for b in boxes)


def test_texts_tell_what_which_when_and_from_where(incidents: pd.DataFrame) -> None:
    filters = Filters(countries=("AFG", "PAK"), date_from=date(2024, 1, 1))
    fig = _build(incidents, filters, caveat="For briefing use only")
    text = "\n".join(t.get_text() for t in fig.texts)
    assert TITLE in text
    assert filters.describe() in text
    assert "For briefing use only" in text
    assert "Natural Earth" in text and "GeoNames" in text
    assert "Dawn" in text and "Reuters" in text and "AP" in text
    assert "Made 2026-01-15 09:30 UTC" in text
    assert "Data to 4 Jan 2025" in text
    # unknown tolls are counted, not added as zero
    assert "unknown in 3" in text
    assert "Not on the map (no coordinates): 1" in text


def test_province_filter_zooms_the_map(incidents: pd.DataFrame) -> None:
    whole = _build(incidents).axes[0]
    kabul = _build(incidents, Filters(admin1=("AF-KAB",))).axes[0]
    assert np.ptp(kabul.get_xlim()) < 0.3 * np.ptp(whole.get_xlim())
    x0, y0, x1, y1 = (
        carto.default_basemap().adm1.set_index("admin1_code").loc[["AF-KAB"]].total_bounds
    )
    (fx0, fx1), (fy0, fy1) = kabul.get_xlim(), kabul.get_ylim()
    assert fx0 < x0 < x1 < fx1 and fy0 < y0 < y1 < fy1  # the whole province, with a margin


# ---------------------------------------------------------------------- empty views


def test_empty_view_says_so(empty: pd.DataFrame) -> None:
    fig = _build(empty)
    assert any(t.get_text() == "No incidents match these filters" for t in fig.axes[0].texts)


def test_view_facts_and_sources(incidents: pd.DataFrame) -> None:
    facts = snapshot.view_facts(incidents, None, now=NOW)
    known = incidents["killed"].dropna()
    assert facts.killed_known == int(known.sum())
    assert facts.unknown == int(incidents["killed"].isna().sum())
    assert facts.date_max == pd.Timestamp("2025-01-04")
    assert facts.sources[0] == "Dawn"  # most used first; "Reuters; AP" split in two
    assert set(facts.sources) == {"Dawn", "Reuters", "AP"}


def test_top_provinces_keeps_unknowns_apart(incidents: pd.DataFrame) -> None:
    table = snapshot.top_provinces(incidents, 3)
    assert list(table["key"]) == ["PK-BA", "PK-KP", "AF-KDH"]
    kp = table.set_index("key").loc["PK-KP"]
    assert kp["incidents"] == 3 and kp["killed"] == 17 and kp["killed_unknown"] == 1


def test_choropleth_rejects_unknown_measure(incidents: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="choropleth"):
        snapshot.render_snapshot(incidents, None, "png", choropleth="population")


# ---------------------------------------------------------------------- vector formats


def test_pdf_is_one_a4_page_with_selectable_text(incidents: pd.DataFrame) -> None:
    from pypdf import PdfReader

    data = snapshot.render_snapshot(
        incidents, Filters(), "pdf", title="Costs $5 and $10", choropleth="killed", now=NOW
    )
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((842, 595), abs=1)
    text = reader.pages[0].extract_text()
    assert "Costs $5 and $10" in text  # dollars are text, not mathtext
    assert "Natural Earth" in text
    assert reader.metadata.title == "Costs $5 and $10"


def test_svg_parses_and_keeps_text(incidents: pd.DataFrame) -> None:
    data = snapshot.render_snapshot(incidents, Filters(), "svg", title=TITLE, now=NOW)
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    texts = "".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))
    assert TITLE in texts


def test_unknown_format_is_refused(incidents: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="png"):
        snapshot.render_snapshot(incidents, None, "jpeg")


def test_empty_view_facts_do_not_pretend(empty: pd.DataFrame) -> None:
    facts = snapshot.view_facts(empty, None, now=NOW)
    assert facts.as_of == "No events in this view"
    text = "\n".join(t.get_text() for t in _build(empty).texts)
    assert "No incidents in this view" in text and "No events in this view" in text
