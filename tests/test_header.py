"""geo.ingest.header: the header's place, its delimiter and its names."""

from __future__ import annotations

import pytest

from geo.ingest.header import clean_header, header_start, pick_delimiter
from geo.report import FileRefused


def test_blank_lines_and_an_excel_sep_line_come_before_the_header() -> None:
    text = "\n \r\nsep=;\nlieu;année\nKaboul;2021\n"
    start, line, forced = header_start(text)
    assert text[start:].startswith("lieu") and line == 4 and forced == ";"
    assert pick_delimiter(text, start, forced) == ";"


def test_a_header_past_the_first_65536_characters_is_still_found() -> None:
    text = "\n" * 70_000 + "a,b\n1,2\n"
    start, line, _ = header_start(text)
    assert start == 70_000 and line == 70_001


@pytest.mark.parametrize(
    ("header", "expected"),
    [('"a,b";c;d\n', ";"), ("a|b,c|d\n", "|"), ("a\tb\n", "\t"), ("a;b,c\n", ",")],
)
def test_the_delimiter_is_counted_outside_quotes_ties_in_order(header: str, expected: str) -> None:
    assert pick_delimiter(header, 0, None) == expected


def test_a_single_column_is_refused_naming_it() -> None:
    with pytest.raises(FileRefused, match="single column \\('incidents'\\)"):
        pick_delimiter("incidents\n1\n", 0, None)


def test_names_are_stripped_filled_and_repeats_refused() -> None:
    assert clean_header(["\ufeff id ", "", "name"]) == ["id", "column_2", "name"]
    with pytest.raises(FileRefused, match="'id' twice"):
        clean_header(["id", " id"])
    with pytest.raises(FileRefused, match="holds values, not column names"):
        clean_header(["2021-01-02", "34.5", "71.2"])
