"""Decimal numbers typed into a column, parsed on whole Arrow arrays.

Coordinates arrive as text such as ``34.52``, ``-70,45`` (a decimal comma) or
``69.17°``. :func:`parse_decimals` reads a column of them to float64, with NaN for
anything that is not a plain decimal (words, exponents, two numbers, Unicode digits).

It gives, bit for bit, what the validator's earlier per-value path gave (pandas'
``to_numeric`` on the strings a regular expression let through): rows stored
before and after read the same, so their row hashes agree and a repeated upload
stays a repeat. Arrow's parser is correctly rounded and pandas' is not past
about 17 characters, so values longer than :data:`ARROW_UP_TO` characters,
rare in real files, still go through pandas. One difference is deliberate: pandas
read ``-0`` as 0.0 when every other cell of the column was a whole number and as
-0.0 otherwise; here it is always -0.0 (a coordinate 0 lies outside the region
and is rejected or, as the pair 0, 0, cleared, so nothing stored changes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["ARROW_UP_TO", "DECIMAL", "parse_decimals"]

#: A plain decimal: optional sign, digits with an optional fraction, or only a fraction.
DECIMAL = r"[+-]?\d+(?:\.\d*)?|[+-]?\.\d+"
#: The longest text Arrow parses; both parsers agree on every decimal up to 17
#: characters (a million random ones checked, and tests/test_decimals.py).
ARROW_UP_TO = 15


def parse_decimals(values: Any) -> np.ndarray:
    """Float64 values of a text column; NaN where a cell is empty or not a decimal.

    A decimal comma is read as a point and trailing degree signs are ignored.

    Parameters
    ----------
    values : array-like of str or None
        One column, as text (the validator's cleaned cells).

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> parse_decimals(["34.5", "-70,25", "69.17°", "+.5", "1e3", "north", None]).tolist()
    [34.5, -70.25, 69.17, 0.5, nan, nan, nan]
    """
    text = pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)
    text = pc.utf8_rtrim(pc.replace_substring(text, ",", "."), characters="°")
    plain = pc.fill_null(pc.match_substring_regex(text, f"^(?:{DECIMAL})$"), False)
    short = pc.and_(plain, pc.less_equal(pc.utf8_length(text), ARROW_UP_TO))
    null = pa.scalar(None, pa.string())
    out = pc.cast(pc.if_else(short, text, null), pa.float64()).to_numpy(zero_copy_only=False)
    long = np.flatnonzero(pc.and_not(plain, short).to_numpy(zero_copy_only=False))
    if len(long):
        rest = pd.Series(text.take(pa.array(long)).to_pylist(), dtype=object)
        out[long] = pd.to_numeric(rest, errors="coerce").astype(float).to_numpy()
    return out
