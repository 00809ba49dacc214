"""Every file a view can be exported as, in one registry: name → media type, label, renderer.

The Export page draws one download button per entry of :data:`OUTPUTS` (map
and briefing files, then data files), and ``python -m geo snapshot`` /
``export`` pick an entry by the output's suffix or ``--format``. Both call
the same ``render(view)``, so the same view made at the same time gives
byte-identical files wherever it is exported from.

>>> [o.name for o in of_kind("map")]
['png', 'pdf', 'svg', 'html', 'pptx']
>>> OUTPUTS["gpkg"].media_type
'application/geopackage+sqlite3'
>>> by_suffix("brief.HTM").name
'html'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from geo.views.view import View

__all__ = ["OUTPUTS", "Output", "by_suffix", "of_kind", "render", "write"]

Kind = Literal["map", "data", "claims"]


@dataclass(frozen=True)
class Output:
    """One export format.

    Attributes
    ----------
    name : str
        Registry key and file suffix (``png``).
    media_type : str
        MIME type of the download.
    label : str
        Button label on the Export page.
    help : str
        One line on what the file is.
    kind : {"map", "data", "claims"}
        A rendered map or briefing file, the incidents as data, or the claims
        ledger as data (named ``claims.<suffix>``).
    render : callable
        ``render(view) -> bytes``.
    """

    name: str
    media_type: str
    label: str
    help: str
    kind: Kind
    render: Callable[[View], bytes]


def _snapshot(fmt: str) -> Callable[[View], bytes]:
    def render_snapshot(view: View) -> bytes:
        from geo.views.snapshot import render

        return render(view, fmt)

    return render_snapshot


def _html(view: View) -> bytes:
    from geo.views.briefing import to_html

    return to_html(view)


def _pptx(view: View) -> bytes:
    from geo.views.briefing import to_pptx

    return to_pptx(view)


def _csv(view: View) -> bytes:
    from geo.views.export import to_csv_bytes

    return to_csv_bytes(view.plain_incidents)


def _geojson(view: View) -> bytes:
    from geo.views.export import to_geojson_bytes

    return to_geojson_bytes(view.plain_incidents)


def _claims_csv(view: View) -> bytes:
    from geo.views.claims_files import claims_csv

    return claims_csv(view.claims)


def _claims_geojson(view: View) -> bytes:
    from geo.views.claims_files import claims_geojson

    return claims_geojson(view.claims)


def _gpkg(view: View) -> bytes:
    from geo.views.export import to_gpkg_bytes

    return to_gpkg_bytes(view.plain_incidents, made_at=view.made_at)


_ALL = (
    Output("png", "image/png", "PNG slide", "1920×1080 image for slides", "map", _snapshot("png")),
    Output(
        "pdf",
        "application/pdf",
        "PDF (A4)",
        "one A4 landscape page, vector, selectable text",
        "map",
        _snapshot("pdf"),
    ),
    Output(
        "svg",
        "image/svg+xml",
        "SVG",
        "vector image with text kept as text",
        "map",
        _snapshot("svg"),
    ),
    Output(
        "html", "text/html", "HTML map", "interactive map in one file; works offline", "map", _html
    ),
    Output(
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint",
        "one 16:9 slide: map, top provinces, sources in the notes",
        "map",
        _pptx,
    ),
    Output("csv", "text/csv", "CSV", "formula-safe, canonical columns", "data", _csv),
    Output("geojson", "application/geo+json", "GeoJSON", "RFC 7946 points", "data", _geojson),
    Output("gpkg", "application/geopackage+sqlite3", "GeoPackage", "for GIS", "data", _gpkg),
    Output(
        "claims.csv",
        "text/csv",
        "Claims CSV",
        "the statements in the period, formula-safe, the ledger's columns",
        "claims",
        _claims_csv,
    ),
    Output(
        "claims.geojson",
        "application/geo+json",
        "Claims GeoJSON",
        "claimed territories as polygons, each group's state and statements",
        "claims",
        _claims_geojson,
    ),
)

#: Every export format, by name, map files first.
OUTPUTS = MappingProxyType({o.name: o for o in _ALL})

_SUFFIX_ALIASES = {"htm": "html"}


def of_kind(kind: Kind) -> list[Output]:
    """The formats of one kind, in registry order."""
    return [o for o in OUTPUTS.values() if o.kind == kind]


def by_suffix(path: str | Path, kind: Kind | None = None) -> Output:
    """The format a file name asks for (``.htm`` reads as ``.html``).

    Raises
    ------
    ValueError
        For a suffix no format of ``kind`` has; the message lists those that are.
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    name = _SUFFIX_ALIASES.get(suffix, suffix)
    choices = of_kind(kind) if kind else list(OUTPUTS.values())
    found = next((o for o in choices if o.name == name), None)
    if found is None:
        allowed = ", ".join(f".{o.name}" for o in choices)
        raise ValueError(f"cannot tell the format from {Path(path).name!r}: use {allowed}")
    return found


def render(view: View, name: str) -> bytes:
    """The view as a file of format ``name``.

    Raises
    ------
    ValueError
        For a name not in :data:`OUTPUTS`.
    """
    try:
        output = OUTPUTS[name]
    except KeyError:
        raise ValueError(
            f"unknown export format {name!r}: use one of {', '.join(OUTPUTS)}"
        ) from None
    return output.render(view)


def write(view: View, name: str, path: str | Path) -> Path:
    """Render the view as ``name`` and write it to ``path`` atomically (never half a file)."""
    from geo.views.export import write_atomically

    return write_atomically(path, render(view, name))
