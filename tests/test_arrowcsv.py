"""geo.ingest.arrowcsv: the fast path reads every file it accepts exactly as the reference parser does."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.ingest import arrowcsv, reader
from geo.ingest.reader import read_csv_bytes
from geo.report import FileRefused

EXAMPLES = int(os.environ.get("ATLAS_HYPOTHESIS_EXAMPLES", "500"))


def _read(data: bytes, *, fast: bool, monkeypatch: pytest.MonkeyPatch, max_rows: int = 50):
    """read_csv_bytes with the fast path allowed or switched off: (frame, errors) or refusal."""
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(arrowcsv, "applicable", lambda data, delimiter: False)
        try:
            result = read_csv_bytes(data, max_rows=max_rows)
        except FileRefused as exc:
            return ("refused", str(exc))
    errors = [(e.line, e.column, e.value, e.message) for e in result.errors]
    return (result.frame, errors, result.delimiter, result.encoding)


def _same(a, b) -> None:
    if isinstance(a[0], str) or isinstance(b[0], str):  # a refusal
        assert a == b
        return
    pd.testing.assert_frame_equal(a[0], b[0])
    assert a[1:] == b[1:]


# --------------------------------------------------------------------------- generated files

_TEXT = st.text(
    alphabet=st.sampled_from([*"ab Z9-.'\"\t;|,", "پ", "ش", "é", "\xa0", "\x1c", " "]),
    max_size=8,
)


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@st.composite
def csv_files(draw) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(2, 5))
    header = delimiter.join(f"col{i}" for i in range(width))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [header]
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["row", "row", "row", "blank", "spaces", "empties"]))
        if kind == "blank":
            lines.append("")
        elif kind == "spaces":
            lines.append(draw(st.sampled_from([" ", "  \t", "\u00a0"])))
        elif kind == "empties":
            lines.append(delimiter * draw(st.integers(1, width + 1)))
        else:
            n = draw(st.sampled_from([width, width, width, width - 1, width + 1, width + 2]))
            fields = []
            for _ in range(n):
                value = draw(_TEXT)
                style = draw(st.sampled_from(["plain", "quoted", "raw"]))
                if style == "quoted":
                    fields.append(_quoted(value))
                elif style == "plain":
                    fields.append(value.replace('"', "").replace(delimiter, ""))
                else:  # as it comes: stray quotes and delimiters included
                    fields.append(value)
            lines.append(delimiter.join(fields))
    text = end.join(lines) + draw(st.sampled_from(["", end]))
    return text.encode("utf-8")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=csv_files())
def test_fast_and_reference_parsers_agree(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    _same(
        _read(data, fast=True, monkeypatch=monkeypatch),
        _read(data, fast=False, monkeypatch=monkeypatch),
    )


# --------------------------------------------------------------------------- chosen cases


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("a,b\n1,2\n", True),
        ("a,b\r\n1,2\r\n", True),
        ('a,b\n"x,1",2\n"say ""hi""",3\n', True),
        ("a,b\n1,2\r3,4\n", False),  # a lone CR ends a line for csv, not for Arrow
        ('a,b\n"two\nlines",2\n', False),  # a record over two lines
        ('a,b\nab"c,2\n', False),  # odd quotes on a line
        ('a,b\nab"c"d,2\n', False),  # quotes inside a field
        ('a,b\n"ab"c,2\n', False),  # text after a closing quote
        ("a,b\n1,\x002\n", False),
    ],
)
def test_applicable(body: str, expected: bool) -> None:
    assert arrowcsv.applicable(body.encode(), ",") is expected


def test_odd_rows_keep_their_lines_and_blank_rows_vanish(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"a,b,c\n1,2,3\n\n4,5\n ,\t, \n6,7,8,,\n9,10,11,12\n13,14,15\n"
    fast = _read(data, fast=True, monkeypatch=monkeypatch)
    frame, errors = fast[0], fast[1]
    assert frame["_line"].tolist() == [2, 6, 8]
    assert frame["a"].tolist() == ["1", "6", "13"]  # 6,7,8,, keeps its three fields
    assert [(line, value) for line, _, value, _ in errors] == [(4, "4,5"), (7, "9,10,11,12")]
    _same(fast, _read(data, fast=False, monkeypatch=monkeypatch))


def test_the_fast_path_is_taken_for_a_regular_file(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = arrowcsv.parse
    monkeypatch.setattr(arrowcsv, "parse", lambda *a: calls.append(a) or real(*a))
    result = reader.read_csv_bytes(b'a,b\n"x, y",2\n')
    assert calls and result.frame.loc[0, "a"] == "x, y"


def test_row_limit_counts_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"a,b\n1,2\n,\n3,4\n5\n6,7\n"  # 4 records: one blank, one short
    for fast in (True, False):
        refused = _read(data, fast=fast, monkeypatch=monkeypatch, max_rows=3)
        assert refused == (
            "refused",
            "The file has 4 rows; the limit is 3: split it into smaller files.",
        )
