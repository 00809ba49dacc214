"""geo.ingest.decimals: Arrow's parse of coordinate text equals the per-value path it replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.ingest.decimals import ARROW_UP_TO, DECIMAL, parse_decimals


def _per_value(values: list[str | None]) -> np.ndarray:
    """The validator's path before the change: pandas on the strings a regex let through."""
    s = pd.Series(values, dtype=object).astype("string")
    s = s.str.replace(",", ".", regex=False).str.rstrip("°")
    return (
        pd.to_numeric(s.where(s.str.fullmatch(DECIMAL)), errors="coerce").astype(float).to_numpy()
    )


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit for bit, except that a zero's sign may differ: pandas read "-0" as 0.0
    when every other cell of the column was an integer and as -0.0 otherwise; the
    Arrow path always gives -0.0 (a coordinate 0 is outside the region either way)."""
    both_nan = np.isnan(a) & np.isnan(b)
    both_zero = (a == 0) & (b == 0)
    return bool(((a.view(np.int64) == b.view(np.int64)) | both_nan | both_zero).all())


_digits = st.text(alphabet="0123456789", max_size=12)
_decimals = st.builds(
    lambda sign, whole, point, frac, tail: f"{sign}{whole}{point}{frac}{tail}",
    st.sampled_from(["", "-", "+"]),
    _digits,
    st.sampled_from([".", ",", ""]),
    _digits,
    st.sampled_from(["", "°", "°°", " ", "e5", "x"]),
)
_cells = st.one_of(_decimals, st.none(), st.text(max_size=20), st.just("٣٤.٥"), st.just("１２"))


@settings(max_examples=300, deadline=None)
@given(st.lists(_cells, max_size=40))
def test_equals_the_per_value_path_bit_for_bit(values: list[str | None]) -> None:
    assert _same_bits(parse_decimals(values), _per_value(values))


@pytest.mark.parametrize(
    "text",
    [
        "-0", "-0.0", "-.0", "+0", "00", "5.", ".5", "+.5", "007.25",
        "34.123456789012",  # 15 characters: Arrow
        "34.1234567890123",  # 16: pandas
        "+.9828140378384011",  # where the two parsers round differently
        "1" * 400,  # overflows to inf in both
    ],
)  # fmt: skip
def test_edge_cases_match(text: str) -> None:
    assert _same_bits(parse_decimals([text]), _per_value([text])), text


def test_a_negative_zero_is_read_the_same_whatever_else_the_column_holds() -> None:
    alone, mixed = parse_decimals(["-0", "3"]), parse_decimals(["-0", "3.5"])
    assert np.signbit(alone[0]) and np.signbit(mixed[0])


def test_long_values_keep_the_earlier_rounding() -> None:
    # pandas and Arrow disagree on the last bit of this one; the stored value must not move
    text = "+715.598351269570841"
    assert len(text) > ARROW_UP_TO
    assert parse_decimals([text])[0] == pd.to_numeric(pd.Series([text]))[0]


def test_a_million_random_short_decimals_agree() -> None:
    rng = np.random.default_rng(5)
    whole = rng.integers(-180, 180, 200_000).astype(str)
    frac = rng.integers(0, 10**9, 200_000).astype(str)
    values = [
        f"{w}.{f[: int(n)]}"
        for w, f, n in zip(whole, frac, rng.integers(0, 10, 200_000), strict=True)
    ]
    assert _same_bits(parse_decimals(values), _per_value(values))
