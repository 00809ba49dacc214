"""The read side: what a reader sees, built once as a frozen View.

Owns the :class:`~geo.views.view.View` (``view``, ``viewfacts``, ``rows``), the filter
table (``filters``, ``filterspec``, ``query``, ``timewindow``), the summaries
(``summaries``), the map's layers and view state (``layers``, ``layers_*``,
``cells``, ``palette``, ``mapview``), the static map (``cartography``,
``mapkey``, ``markers``, ``snapshot``), the exports and their registry
(``outputs``, ``export``, ``briefing``, ``templates/``) and the seed's
documents (``sources``).

May import: the base modules of :mod:`geo`, :mod:`geo.store` (to read) and
:mod:`geo.places` (boundaries, the gazetteer). Never :mod:`geo.ingest`.

>>> import geo.views
>>> geo.views.Filters().describe()
'all incidents'
"""

from __future__ import annotations

from geo._lazy import lazy_attributes

__all__ = ["OUTPUTS", "Filters", "View", "apply_filters"]

__getattr__ = lazy_attributes(
    __name__,
    {
        "Filters": ("geo.views.filters", "Filters"),
        "View": ("geo.views.view", "View"),
        "apply_filters": ("geo.views.query", "apply"),
        "OUTPUTS": ("geo.views.outputs", "OUTPUTS"),
    },
)
