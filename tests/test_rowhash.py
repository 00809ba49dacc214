"""geo.store.rowhash: the columnar row hash equals the Python reference, and both equal
the hashes stores already hold."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.schema import ADDED_COLUMNS, FLOAT_COLUMNS, INT_COLUMNS, normalise_dtypes
from geo.store import rowhash
from geo.store.rowhash import CONTENT_COLUMNS, hash_rows, hash_rows_python
from geo.store.storage import storage_columns


@pytest.fixture
def three() -> dict[str, list]:
    frame = normalise_dtypes(
        pd.DataFrame(
            {
                "incident_id": ["A", "B", "C"],
                "event_date": ["2025-02-11", "2024-12-11", None],
                "event_time": ["10:30", None, None],
                "killed": [5, None, 0],
                "injured_low": [None, 2, None],
                "latitude": [36.72895, 34.52813, None],
                "longitude": [68.857, 69.17233, None],
                "cross_border": [False, None, True],
                "location": ["Kunduz", "Kabul", "Ẓhob \x00"],
                "notes": ["None", None, 'multi\nline, "quoted"'],
            }
        )
    )
    return storage_columns(frame)


#: The digests the store wrote for ``three`` before the columnar hash existed (computed
#: with the previous ``geo.store.storage.hash_rows``): stored rows must keep matching.
PINNED = [
    "924b0c2742056ed44586babcd695208cf07fe33f",
    "c0bc648e5d7c160dbc2e025c974b6626b28898e9",
    "330ae801ee15fcc03b887ddf0cbbf6416c477d7b",
]


def test_both_paths_give_the_hashes_already_stored(three: dict[str, list]) -> None:
    assert hash_rows_python(three) == PINNED
    assert rowhash._hash_columnar(three, 3) == PINNED


def test_a_large_batch_takes_the_columnar_path_and_agrees(
    three: dict[str, list], monkeypatch: pytest.MonkeyPatch
) -> None:
    n = rowhash._COLUMNAR_FROM
    cols = {c: (v * n)[:n] for c, v in three.items()}
    cols["incident_id"] = [f"ID-{i}" for i in range(n)]
    calls: list[int] = []
    real = rowhash._hash_columnar
    monkeypatch.setattr(
        rowhash, "_hash_columnar", lambda c, k, t=None: calls.append(k) or real(c, k, t)
    )
    assert hash_rows(cols) == hash_rows_python(cols)
    assert calls == [n]


def test_text_arrow_cannot_hold_falls_back_to_the_reference(three: dict[str, list]) -> None:
    cols = {**three, "notes": ["\ud800 lone surrogate", None, None]}
    assert rowhash._hash_columnar(cols, 3) is None
    n = rowhash._COLUMNAR_FROM
    many = {c: (v * n)[:n] for c, v in cols.items()}
    assert hash_rows(many) == hash_rows_python(many)


def test_without_duckdb_the_reference_is_used(
    three: dict[str, list], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rowhash, "_duckdb", lambda: None)
    n = rowhash._COLUMNAR_FROM
    many = {c: (v * n)[:n] for c, v in three.items()}
    assert rowhash._hash_columnar(many, n) is None
    assert hash_rows(many)[:3] == PINNED


_text = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["", "\x00", "None", "1.0"]))
_ints = st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1))
_floats = st.one_of(
    st.none(),
    st.floats(allow_nan=False, width=64),
    st.sampled_from([0.0, -0.0, 1e-05, 1e16, 2.5, 100.0, -math.inf, 66.986, 0.1 + 0.2]),
)


def _column(col: str) -> st.SearchStrategy:
    if col in INT_COLUMNS:
        return _ints
    if col == "cross_border":
        return st.sampled_from([None, 0, 1])
    if col in FLOAT_COLUMNS:
        return _floats
    return _text


_row = st.fixed_dictionaries({c: _column(c) for c in CONTENT_COLUMNS})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_row, min_size=1, max_size=8), drop=st.sets(st.sampled_from(ADDED_COLUMNS)))
def test_columnar_text_is_the_reference_text_byte_for_byte(
    rows: list[dict], drop: set[str]
) -> None:
    cols = {c: [r[c] for r in rows] for c in CONTENT_COLUMNS if c not in drop}
    cols["incident_id"] = [f"{i}:{v}" for i, v in enumerate(cols["incident_id"])]
    assert rowhash._hash_columnar(cols, len(rows)) == hash_rows_python(cols)
