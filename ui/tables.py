"""What a table shows: territory codes as names, "no claim reported", a height fitted to its rows.

Kept apart from :mod:`ui.widgets` so any table (incidents, claims) can use it.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

__all__ = ["NO_CLAIM", "fitted_height", "for_display", "territory_name", "text_px"]

#: What an empty claimant cell says: the source reports no claim (not "unknown").
NO_CLAIM = "no claim reported"
#: Columns holding ISO 3166 country codes, shown as names.
CODE_COLUMNS: tuple[str, ...] = (
    "country_code",
    "origin_country_code",
    "claimant_country_code",
    "territory_code",
    "accused_country_code",
)
_ROW_PX, _HEADER_PX, _MAX_ROWS = 35, 38, 10


@cache
def territory_name(code: str) -> str:
    """The common name of an ISO 3166 alpha-3 or alpha-2 code or of a subdivision
    code such as ``PK-BA`` (the code itself if unknown).

    Examples
    --------
    >>> territory_name("AFG"), territory_name("PK-BA"), territory_name("(unspecified)")
    ('Afghanistan', 'Balochistan', '(unspecified)')
    """
    import pycountry

    text = str(code).strip().upper()
    if "-" in text and len(text) <= 6:
        sub = pycountry.subdivisions.get(code=text)
        return str(code) if sub is None else sub.name
    field = "alpha_2" if len(text) == 2 else "alpha_3"
    found = pycountry.countries.get(**{field: text}) if len(text) in (2, 3) else None
    if found is None:
        return str(code)
    return getattr(found, "common_name", None) or found.name


def for_display(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` for a table: codes as names, an empty claimant as :data:`NO_CLAIM`."""
    out = df.copy()
    for col in CODE_COLUMNS:
        if col in out.columns:
            codes = out[col].astype(object)
            out[col] = codes.map(lambda c: territory_name(c) if isinstance(c, str) and c else c)
    if "claimed_by" in out.columns:
        claimed = out["claimed_by"].astype(object)
        empty = claimed.isna() | (claimed.astype(str).str.strip() == "")
        out["claimed_by"] = claimed.where(~empty, NO_CLAIM)
    return out


def fitted_height(n_rows: int, *, max_rows: int = _MAX_ROWS) -> int:
    """A table height (px) that holds ``n_rows`` rows and no blank ones (scrolls past ``max_rows``)."""
    return _HEADER_PX + _ROW_PX * max(1, min(n_rows, max_rows)) + 2


def text_px(values: pd.Series, *, least: int = 80, most: int = 320) -> int:
    """A column width (px) that shows the longest of ``values`` whole, within bounds.

    Examples
    --------
    >>> text_px(pd.Series(["Khyber Pakhtunkhwa", "Balkh", None]))
    154
    """
    longest = int(values.dropna().astype(str).str.len().max()) if values.notna().any() else 0
    return max(least, min(most, round(longest * 7.2) + 24))
