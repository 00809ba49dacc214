"""Places: names to points, and points to countries and provinces.

Owns the offline gazetteer (``gazetteer``, ``gazetteer_sources``, ``names``,
``place``, ``placequery``, ``admin_names``), geocoding a frame of rows
(``geocode``, ``geocode_place``, the opt-in online ``nominatim``), the
boundaries (``boundaries``, ``proximity``) and the spatial join (``spatial``).

May import: the base modules of :mod:`geo` only (``config``, ``report``,
``schema``, ``textops``). Never the store, the ingest or the views.

>>> import geo.places
>>> geo.places.locate(34.0, 71.5)["country_code"].tolist()
['PAK']
"""

from __future__ import annotations

from geo._lazy import lazy_attributes

__all__ = ["Gazetteer", "geocode_rows", "locate", "spatial_join"]

__getattr__ = lazy_attributes(
    __name__,
    {
        "Gazetteer": ("geo.places.gazetteer", "Gazetteer"),
        "geocode_rows": ("geo.places.geocode", "geocode_rows"),
        "locate": ("geo.places.boundaries", "locate"),
        "spatial_join": ("geo.places.spatial", "join"),
    },
)
