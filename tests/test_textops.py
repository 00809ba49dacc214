"""geo.textops: whole-column text helpers agree with the plain per-value definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.textops import (
    CONTROL_RE,
    distinct_or_all,
    has_control_chars,
    is_text,
    map_codes,
    map_unique,
    strip_or_none,
    text_is_clean,
)

# text with the characters the helpers care about: C0/C1 controls, blanks, newlines, Arabic
_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(["\x00", "\x07", "\x0b", "\x1c", "\x7f", "\x80", "\x9f", "\xa0", "é"]),
        st.sampled_from([" ", "\t", "\n", "\r", "\u2003", "a", "Z", "9", "پ"]),
        st.characters(codec="utf-8"),
    ),
    max_size=12,
)
_VALUES = st.lists(st.one_of(st.none(), _TEXT), max_size=20)


@given(text=_TEXT)
def test_has_control_chars_is_the_regex(text: str) -> None:
    assert has_control_chars(text) == bool(CONTROL_RE.search(text))


@given(values=_VALUES, cap=st.one_of(st.none(), st.integers(0, 15)), control=st.booleans())
def test_text_is_clean_means_nothing_to_fix(values, cap, control) -> None:
    present = [v for v in values if v is not None]
    expected = (
        all(v and v == v.strip() for v in present)
        and (cap is None or all(len(v) <= cap for v in present))
        and not (control and any(CONTROL_RE.search(v) for v in present))
    )
    assert text_is_clean(values, control=control, cap=cap) == expected


@given(values=_VALUES)
def test_strip_or_none(values) -> None:
    expected = [None if v is None else (v.strip() or None) for v in values]
    assert strip_or_none(values) == expected


def test_is_text() -> None:
    assert is_text(["a", None, ""]) and is_text([])
    assert not is_text(["a", 1]) and not is_text([float("nan")])


def test_map_codes_calls_once_per_distinct_value_and_keeps_order() -> None:
    calls: list[object] = []

    def fn(v: object) -> object:
        calls.append(v)
        return None if v is None else str(v).upper()

    values = pd.Series(["a", None, "b", "a", float("nan"), "b"], dtype=object)
    out = map_codes(values, fn)
    assert out.tolist() == ["A", None, "B", "A", None, "B"]
    assert sorted(map(str, calls)) == ["None", "a", "b"]  # missing values share one call
    assert map_codes(["x", None], str.upper, missing="?").tolist() == ["X", "?"]
    assert isinstance(out, np.ndarray) and out.dtype == object


def test_map_unique_gives_none_for_missing() -> None:
    out = map_unique(np.array(["1", None, "2", "1"], dtype=object), int)
    assert out.tolist() == [1, None, 2, 1]


def test_long_repetitive_columns_are_judged_on_every_distinct_value() -> None:
    words = ["Battles", "Riots", None, "Protests"] * 2_000  # takes the distinct-values path
    assert text_is_clean(words, control=True, cap=10)
    for bad in (" Riots", "", "Ri\x07ots", "x" * 11):
        assert not text_is_clean([*words, bad], control=True, cap=10), repr(bad)


@settings(max_examples=60, deadline=None)
@given(
    alphabet=st.lists(
        st.sampled_from(["Kabul", " Kunar", "", "  ", None, "Khost\x07", 3, 1.0, float("nan")]),
        min_size=1,
        max_size=5,
    ),
    picks=st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=40),
)
def test_the_distinct_values_answer_as_every_value_does(alphabet: list, picks: list) -> None:
    """Over 4,000 rows (the picks repeated), as :func:`distinct_or_all` is used."""
    repeated = picks * (4_001 // len(picks) + 1)
    column = np.array([alphabet[p % len(alphabet)] for p in repeated], dtype=object)
    seen = distinct_or_all(column)
    assert len(seen) <= len(alphabet)
    every = column.tolist()
    assert is_text(seen) == is_text(every)
    if is_text(every):
        for control in (False, True):
            assert text_is_clean(seen, control=control) == text_is_clean(every, control=control)
