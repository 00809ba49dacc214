"""Checks that a downloaded file is a valid file of its type (one function per suffix)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def check_png(path: Path) -> str:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, "no PNG signature"
    img = Image.open(io.BytesIO(data))
    img.load()
    # issue 6: the slide preset is 1920×1080
    assert img.size == (1920, 1080), f"PNG is {img.size}, the slide preset is 1920×1080"
    colours = img.convert("RGB").resize((480, 270)).getcolors(480 * 270) or []
    assert len(colours) > 20, f"PNG looks blank ({len(colours)} colours)"
    return f"{img.size[0]}x{img.size[1]}"


def check_pdf(path: Path) -> str:
    from pypdf import PdfReader

    data = path.read_bytes()
    assert data[:5] == b"%PDF-", "no %PDF- header"
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    text = "".join(p.extract_text() or "" for p in reader.pages)
    assert text.strip(), "PDF has no selectable text (title, legend, attribution)"
    return f"{len(reader.pages)} page(s)"


def check_svg(path: Path) -> str:
    root = ET.fromstring(path.read_bytes())
    assert root.tag.rsplit("}", 1)[-1] == "svg", f"root element is {root.tag}"
    assert len(list(root.iter())) > 50, "SVG holds almost nothing"
    return "svg"


def check_html(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    low = text.lower()
    assert "<html" in low and "</html>" in low, "not an HTML document"
    assert "<script" in low, "no script: the map cannot draw"
    return f"{len(text)} chars"


def check_pptx(path: Path) -> str:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    prs = Presentation(str(path))
    slides = list(prs.slides)
    assert slides, "no slide"
    shapes = list(slides[0].shapes)
    assert any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in shapes), "no map picture"
    return f"{len(slides)} slide(s)"


def _csv_rows(path: Path) -> list[list[str]]:
    """A downloaded CSV's rows (byte-order mark dropped), checked to be non-empty."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert rows, "empty CSV"
    return rows


def _features(path: Path, none: str) -> list[dict]:
    """A downloaded GeoJSON's features; ``none`` is the message when it has none."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc.get("type") == "FeatureCollection", doc.get("type")
    feats = doc.get("features") or []
    assert feats, none
    return feats


def check_csv(path: Path) -> str:
    rows = _csv_rows(path)
    header = rows[0]
    assert "incident_id" in header, f"not the canonical columns: {header[:8]}"
    assert len(rows) > 1, "no incident rows"
    assert {len(r) for r in rows[1:]} == {len(header)}, "ragged rows"
    return f"{len(rows) - 1} rows"


def check_geojson(path: Path) -> str:
    feats = _features(path, "no features")
    for f in feats:
        assert f["type"] == "Feature"
        geom = f.get("geometry")
        if geom is not None:
            lon, lat = geom["coordinates"][:2]
            assert -180 <= lon <= 180 and -90 <= lat <= 90
    return f"{len(feats)} features"


def check_gpkg(path: Path) -> str:
    data = path.read_bytes()
    assert data[:16] == b"SQLite format 3\x00", "not an SQLite/GeoPackage file"
    import pyogrio

    layers = pyogrio.list_layers(str(path))
    assert len(layers), "no layer"
    df = pyogrio.read_dataframe(str(path), layer=layers[0][0])
    assert len(df) > 0, "no features"
    assert df.geometry.notna().any()
    return f"{len(df)} features"


def check_claims_csv(path: Path) -> str:
    rows = _csv_rows(path)
    assert rows[0][:2] == ["claim_id", "statement_date"], f"not the ledger: {rows[:1]}"
    assert len(rows) > 1, "no statements"
    assert {len(r) for r in rows[1:]} == {len(rows[0])}, "ragged rows"
    return f"{len(rows) - 1} statements"


def check_claims_geojson(path: Path) -> str:
    feats = _features(path, "no territory")
    for f in feats:  # territories: polygons, never points
        assert f["geometry"] is None or f["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        assert f["properties"]["territory_code"] and f["properties"]["groups"]
    return f"{len(feats)} territories"


CHECKS = {
    ".claims.csv": check_claims_csv,
    ".claims.geojson": check_claims_geojson,
    ".png": check_png,
    ".pdf": check_pdf,
    ".svg": check_svg,
    ".html": check_html,
    ".htm": check_html,
    ".pptx": check_pptx,
    ".csv": check_csv,
    ".geojson": check_geojson,
    ".json": check_geojson,
    ".gpkg": check_gpkg,
}
EXPECTED = {".png", ".pdf", ".svg", ".html", ".pptx", ".csv", ".geojson", ".gpkg"}


def check_for(path: Path):
    """The check of a file's kind: ``x.claims.csv`` is the ledger, ``x.csv`` incidents."""
    two = "".join(path.suffixes[-2:]).lower()
    return CHECKS.get(two) or CHECKS.get(path.suffix.lower())
