"""geo.views.claims_files: the ledger as CSV and as GeoJSON territories, on tiny inline frames."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from geo.views.claims_files import claims_csv, claims_geojson, territory_features

ADM0 = gpd.GeoDataFrame(
    {"country_code": ["AFG", "PAK"], "country": ["Afghanistan", "Pakistan"]},
    geometry=[box(60, 29, 75, 38), box(61, 23, 77, 37)],
    crs="EPSG:4326",
)
ADM1 = gpd.GeoDataFrame(
    {"admin1_code": ["PK-KP"], "admin1": ["Khyber Pakhtunkhwa"]},
    geometry=[box(69, 31, 74, 36)],
    crs="EPSG:4326",
)


def _claims(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"claim_id": cid, "statement_date": "2025-01-01", "stance": stance,
             "groups": groups, "territory_code": where}
            for cid, stance, groups, where in rows
        ]
    )  # fmt: skip


def test_each_territory_has_its_polygon_and_each_groups_state():
    claims = _claims(
        ("C1", "asserts_presence", "ISIS-K;TTP", "AFG"),
        ("C2", "denies_presence", "IS-KP", "AFG"),
        ("C3", "asserts_presence", "TTP", "PK-KP"),
    )
    feats = {f["properties"]["territory_code"]: f for f in territory_features(claims, ADM0, ADM1)}
    assert sorted(feats) == ["AFG", "PK-KP"]
    afg = feats["AFG"]
    assert afg["geometry"]["type"] == "Polygon" and afg["properties"]["name"] == "Afghanistan"
    groups = {g["group"]: g for g in afg["properties"]["groups"]}
    assert (groups["IS-KP"]["state"], groups["IS-KP"]["claim_ids"]) == ("contested", ["C1", "C2"])
    assert (groups["TTP"]["state"], groups["TTP"]["n_assert"]) == ("asserted", 1)
    assert feats["PK-KP"]["properties"]["name"] == "Khyber Pakhtunkhwa"


def test_a_territory_without_a_polygon_is_kept_with_a_null_geometry():
    feats = territory_features(_claims(("C1", "asserts_presence", "TTP", "IND")), ADM0, ADM1)
    assert [(f["properties"]["name"], f["geometry"]) for f in feats] == [("IND", None)]


def test_the_files_are_formula_safe_and_valid_json():
    claims = _claims(("C1", "asserts_presence", "TTP", "AFG"))
    claims["quote"] = ["=cmd|'/c calc'!A1"]
    text = claims_csv(claims).decode("utf-8-sig")
    assert "'=cmd|" in text and text.splitlines()[0].startswith("claim_id,statement_date,")
    collection = json.loads(claims_geojson(claims))
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["territory_code"] for f in collection["features"]] == ["AFG"]
