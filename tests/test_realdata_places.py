"""Issue 14, places: geocoding and the spatial join on analysts' real files.

The real files are read from ``../shared/realdata/`` (never copied into the
project); those tests skip with that reason where the folder is absent. The
dates of those files do not parse on this branch yet (issue 14, engineer A),
so the frames are built through ``geo.ingest.reader.read_csv_bytes`` and
``geo.ingest.formats.to_canonical`` and handed to ``geo.places.geocode.geocode_rows`` and
``geo.places.spatial.join`` directly, bypassing date validation.

Measured on the Afghan and Pakistani rows of the ACLED South Asia 2020 export
and of the drone-strike sheet:

* with coordinates kept, the province from the point equals the file's
  (FATA and its agencies counted as Khyber Pakhtunkhwa);
* with coordinates removed, every row is placed in the province and country it
  names, and the share placed within 25 km of the file's point is measured.

The second half of the file runs the same pipeline on small synthetic files in
the same layouts (``tests/data/places/``, invented lines), so a plain clone
tests every rule too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.ingest.formats import default_mapping, detect_format, to_canonical
from geo.ingest.reader import read_csv_bytes
from geo.places.admin_names import resolve_admin1, resolve_country
from geo.places.boundaries import locate
from geo.places.gazetteer import Gazetteer
from geo.places.geocode import geocode_rows
from geo.places.names import match_key
from geo.places.place import distance_km
from geo.places.spatial import NEAR_BOUNDARY, join

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"
PLACES = Path(__file__).parent / "data" / "places"
ACLED = "acled_2020_south_asia_excel_dates.csv"
DRONE = "pakistan_drone_attacks_sheet.csv"
#: The drone sheet's "City" column holds the agency (the district).
DRONE_MAPPING = {"City": "admin2"}

needs_realdata = pytest.mark.skipif(
    not (REALDATA / ACLED).exists() or not (REALDATA / DRONE).exists(),
    reason="../shared/realdata is absent (the analysts' real files are not part of the project)",
)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def canonical(path: Path, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """The file as canonical rows, read and mapped as the ingest does (no validation)."""
    read = read_csv_bytes(path.read_bytes())
    columns = [c for c in read.frame.columns if c != "_line"]
    fmt = detect_format(columns)
    mapping = {**default_mapping(columns, fmt), **(extra or {})}
    frame, _ = to_canonical(read.frame, fmt, mapping)
    return frame


def without_points(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in ("latitude", "longitude", "geo_precision", "geocode_source"):
        out[col] = None
    return out


def stated_country(df: pd.DataFrame) -> np.ndarray:
    """The country each row names: its country column, else its province's country."""
    out = []
    for country, code, admin1 in zip(df["country"], df["country_code"], df["admin1"], strict=True):
        cc = resolve_country(None if pd.isna(code) else str(code)) or resolve_country(
            None if pd.isna(country) else str(country)
        )
        if cc is None and isinstance(admin1, str):
            province = resolve_admin1(admin1)
            cc = None if province is None else ("AFG" if province[:2] == "AF" else "PAK")
        out.append(cc)
    return np.array(out, dtype=object)


def stated_province(df: pd.DataFrame, countries: np.ndarray) -> np.ndarray:
    return np.array(
        [
            resolve_admin1(a, c) if isinstance(a, str) else None
            for a, c in zip(df["admin1"], countries, strict=True)
        ],
        dtype=object,
    )


@dataclass
class Measured:
    """Per-row outcome of one run, with the file each row came from."""

    file: np.ndarray
    want_country: np.ndarray
    want_province: np.ndarray
    province: np.ndarray
    country: np.ndarray
    km: np.ndarray  # distance from the file's point; NaN when not placed

    def share(self, hit: np.ndarray, which: str | None = None) -> float:
        rows = np.ones(len(hit), dtype=bool) if which is None else self.file == which
        return float(hit[rows].mean())


def run(gaz: Gazetteer, df: pd.DataFrame, files: np.ndarray, *, keep_points: bool) -> Measured:
    real_lat = pd.to_numeric(df["latitude"], errors="coerce").to_numpy()
    real_lon = pd.to_numeric(df["longitude"], errors="coerce").to_numpy()
    want_cc = stated_country(df)
    want_code = stated_province(df, want_cc)
    source = df if keep_points else without_points(df)
    geocoded, _ = geocode_rows(source, gaz, online=False)
    lat = pd.to_numeric(geocoded["latitude"]).to_numpy(dtype=float)
    lon = pd.to_numeric(geocoded["longitude"]).to_numpy(dtype=float)
    placed = ~np.isnan(lat)
    joined, _ = join(geocoded.loc[placed].reset_index(drop=True))
    province = np.full(len(df), None, dtype=object)
    country = np.full(len(df), None, dtype=object)
    province[placed] = joined["admin1_code"].to_numpy(dtype=object)
    country[placed] = joined["country_code"].to_numpy(dtype=object)
    km = np.array(
        [
            distance_km(a, b, c, d) if ok else np.nan
            for a, b, c, d, ok in zip(lat, lon, real_lat, real_lon, placed, strict=True)
        ]
    )
    return Measured(files, want_cc, want_code, province, country, km)


@pytest.fixture(scope="module")
def real_rows() -> tuple[pd.DataFrame, np.ndarray]:
    acled = canonical(REALDATA / ACLED)
    acled = acled[acled["country"].isin(["Afghanistan", "Pakistan"])]
    drone = canonical(REALDATA / DRONE, DRONE_MAPPING)
    drone = drone[drone["latitude"].notna() & drone["admin1"].notna()]
    rows = pd.concat([acled, drone], ignore_index=True)
    files = np.array(["acled"] * len(acled) + ["drone"] * len(drone), dtype=object)
    return rows, files


@pytest.fixture(scope="module")
def kept(gaz: Gazetteer, real_rows: tuple[pd.DataFrame, np.ndarray]) -> Measured:
    return run(gaz, *real_rows, keep_points=True)


@pytest.fixture(scope="module")
def names_only(gaz: Gazetteer, real_rows: tuple[pd.DataFrame, np.ndarray]) -> Measured:
    return run(gaz, *real_rows, keep_points=False)


@needs_realdata
def test_the_rows_measured_are_the_afghan_and_pakistani_rows(
    real_rows: tuple[pd.DataFrame, np.ndarray], kept: Measured
) -> None:
    _, files = real_rows
    assert (files == "acled").sum() >= 400 and (files == "drone").sum() >= 400
    assert set(kept.want_country) == {"AFG", "PAK"}
    assert pd.notna(kept.want_province).all()


@needs_realdata
def test_with_coordinates_the_province_is_the_files(kept: Measured) -> None:
    equal = kept.province == kept.want_province
    assert kept.share(equal) >= 0.995, f"{kept.share(equal):.2%} equal"


@needs_realdata
def test_without_coordinates_every_row_is_placed_in_its_province(names_only: Measured) -> None:
    right = names_only.province == names_only.want_province
    assert names_only.share(right) >= 0.98, f"{names_only.share(right):.2%} right"
    assert pd.notna(names_only.province).all()


@needs_realdata
def test_without_coordinates_no_row_lands_in_another_country(names_only: Measured) -> None:
    other = pd.notna(names_only.country) & (names_only.country != names_only.want_country)
    assert int(other.sum()) == 0


@needs_realdata
def test_without_coordinates_the_acled_rows_stay_near_their_points(names_only: Measured) -> None:
    # a floor under the share measured when this was written (81.8%), against regressions
    near = np.nan_to_num(names_only.km, nan=np.inf) <= 25
    assert names_only.share(near, "acled") >= 0.80, f"{names_only.share(near, 'acled'):.2%}"


@needs_realdata
@pytest.mark.xfail(
    strict=True,
    reason="not reached: about 1 ACLED row in 5 names a district or village that neither "
    "GeoNames' cities500 nor data/gazetteer.csv holds (no licensed offline source of Afghan "
    "and Pakistani district points was found), so it is placed at its province's point; and "
    "386 of the drone sheet's 403 rows carry one of 6 agency-level points, not the strike's",
)
def test_without_coordinates_95_percent_are_within_25_km(names_only: Measured) -> None:
    near = np.nan_to_num(names_only.km, nan=np.inf) <= 25
    assert names_only.share(near) >= 0.95, (
        f"{names_only.share(near):.2%} within 25 km (ACLED {names_only.share(near, 'acled'):.2%},"
        f" drone {names_only.share(near, 'drone'):.2%})"
    )


@needs_realdata
def test_the_drone_sheets_points_are_mostly_agency_placeholders(
    real_rows: tuple[pd.DataFrame, np.ndarray],
) -> None:
    # why the 25 km measure says little for this file: many places share one point
    rows, files = real_rows
    drone = rows[files == "drone"]
    keys = drone["location"].map(match_key)
    per_point = keys.groupby([drone["latitude"], drone["longitude"]]).transform("nunique")
    assert (per_point >= 3).mean() > 0.9


# -- synthetic files in the same layouts (invented lines) -------------------------------------


@pytest.fixture(scope="module")
def acled_style(gaz: Gazetteer) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    rows = canonical(PLACES / "acled_style.csv")
    names, _ = geocode_rows(without_points(rows), gaz, online=False)
    joined, issues = join(geocode_rows(rows, gaz, online=False)[0])
    return names, joined, issues


def by_id(df: pd.DataFrame, incident: str) -> pd.Series:
    return df.loc[df["incident_id"] == incident].iloc[0]


def where(row: pd.Series) -> tuple[str, str]:
    found = locate([row["latitude"]], [row["longitude"]]).iloc[0]
    return found["country_code"], found["admin1_code"]


def test_acled_layout_names_only_stay_in_the_rows_province(
    acled_style: tuple[pd.DataFrame, pd.DataFrame, list],
) -> None:
    names, _, _ = acled_style
    assert where(by_id(names, "AFGX0001")) == ("AFG", "AF-PIA")  # Ahmadabad, not Kunar
    assert where(by_id(names, "PAKX0002")) == ("PAK", "PK-KP")  # Mir Ali, not Ghazni
    near_wana = by_id(names, "PAKX0003")
    assert where(near_wana) == ("PAK", "PK-KP") and near_wana["geo_precision"] == 2
    india = by_id(names, "INDX0004")
    assert pd.isna(india["latitude"])  # never placed in Pakistan's Punjab


def test_acled_layout_points_keep_the_files_units(
    acled_style: tuple[pd.DataFrame, pd.DataFrame, list],
) -> None:
    _, joined, issues = acled_style
    amritsar = by_id(joined, "INDX0004")
    assert (amritsar["country_code"], amritsar["admin1"], amritsar["admin1_code"]) == (
        "IND",
        "Punjab",
        "IN-PB",
    )
    east = by_id(joined, "INDX0005")  # Indian row, point on the AJK side of the line
    assert (east["country_code"], east["admin1"]) == ("IND", "Jammu and Kashmir")
    west = by_id(joined, "PAKX0006")  # Pakistani row, point on the Indian side
    assert (west["country_code"], west["admin1_code"]) == ("PAK", "PK-JK")
    harbour = by_id(joined, "PAKX0007")
    assert (harbour["admin1_code"], harbour["qa_flags"]) == ("PK-SD", "at_sea")
    border = by_id(joined, "PAKX0008")
    assert (border["country_code"], border["admin1_code"]) == ("PAK", "PK-KP")
    assert NEAR_BOUNDARY in border["qa_flags"]
    assert {i.line for i in issues} == {6, 7, 8, 9}


@pytest.fixture(scope="module")
def drone_style(gaz: Gazetteer) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = canonical(PLACES / "drone_style.csv", DRONE_MAPPING)
    names, _ = geocode_rows(without_points(rows), gaz, online=False)
    placed = names[names["latitude"].notna()].reset_index(drop=True)
    joined, _ = join(placed)
    return names, joined


def test_drone_layout_every_strike_is_in_khyber_pakhtunkhwa(
    drone_style: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    names, joined = drone_style
    assert names["latitude"].notna().all()
    assert joined["country_code"].tolist() == ["PAK"] * len(names)
    assert joined["admin1_code"].tolist() == ["PK-KP"] * len(names)
    assert joined["admin2"].tolist() == [
        "South Waziristan",
        "North Waziristan",
        "North Waziristan",
        "Bajaur  Agency",  # the file's own spelling of the district is kept
        "North Waziristan",
        "South Waziristan",
        "North Waziristan",
        "South Waziristan",
    ]


def test_drone_layout_qualifiers_lower_the_precision(
    drone_style: tuple[pd.DataFrame, pd.DataFrame], gaz: Gazetteer
) -> None:
    names, _ = drone_style
    precision = dict(zip(names["location"], names["geo_precision"], strict=True))
    assert precision["Near Wana"] == 2
    assert precision["village in Wana"] == 2
    assert precision["Mir Ali (Near Afghan Border)"] == 2
    assert precision["Haisori- Miran Shah"] == 2
    assert precision["Damadola Village"] == 2  # known only by its district
    miranshah = gaz.lookup("Miranshah", country="PAK")[0]
    moved = names.loc[names["location"].str.startswith("Xzoy")].iloc[0]
    km = distance_km(moved["latitude"], moved["longitude"], miranshah.latitude, miranshah.longitude)
    assert km == pytest.approx(15, abs=0.5)
