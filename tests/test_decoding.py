"""geo.ingest.decoding: encodings, stray bytes, and the files refused before any parsing."""

from __future__ import annotations

import codecs

import pytest

from geo.ingest.decoding import (
    decode,
    mend_fields,
    refuse_by_content,
    refuse_by_magic,
    stray_bytes,
    stray_warnings,
    unstray,
)
from geo.report import FileRefused

TEXT = "event_date,location\n2025-02-11,مزار شریف – Kunduz\n"


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM: told by its zero bytes
    ],
)
def test_decode_gives_the_text_back(data: bytes, codec: str) -> None:
    text, used, stray = decode(data)
    assert (text, used, stray) == (TEXT, codec, False)


def test_windows_1252_when_nothing_is_utf8() -> None:
    text, used, stray = decode("a,b\nBara’s café,1\n".encode("cp1252"))
    assert (text, used, stray) == ("a,b\nBara’s café,1\n", "cp1252", False)


def test_utf8_with_a_stray_byte_stays_utf8_and_says_so() -> None:
    text, used, stray = decode(TEXT.encode() + b"2025-02-12,Bara\x92s\n")
    assert used == "utf-8" and stray
    assert "مزار شریف" in text
    assert unstray(text).endswith("Bara’s\n")


def test_stray_warnings_are_capped_with_a_count() -> None:
    found = [(n, "location", f"x{n}", "0x92") for n in range(2, 105)]
    warnings = stray_warnings(found, limit=100)
    assert len(warnings) == 101 and all(w.level == "warning" for w in warnings)
    assert warnings[0].line == 2 and warnings[-1].line is None and "3 more" in warnings[-1].message
    assert "0x92" in warnings[0].message and "not UTF-8" in warnings[0].message


@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_windows_1252_with_an_undefined_byte_is_read_not_refused(byte: int) -> None:
    data = "a,b\nBara’s café,1\n".encode("cp1252") + b"Kotal " + bytes([byte]) + b",2\n"
    text, used, stray = decode(data)
    assert used == "cp1252" and stray
    assert unstray(text) == "a,b\nBara’s café,1\nKotal \ufffd,2\n"
    assert stray_bytes(text) == f"0x{byte:02X}"


def test_mend_fields_notes_line_column_value_and_byte() -> None:
    text, _, _ = decode("a,b\ncafé,1\n".encode("cp1252") + b"Kotal\x90,2\n")
    fields = text.splitlines()[2].split(",")
    found: list[tuple[int, str, str, str]] = []
    assert mend_fields(fields, ["a", "b"], 3, found) == ["Kotal\ufffd", "2"]
    assert found == [(3, "a", "Kotal\ufffd", "0x90")]
    (warning,) = stray_warnings(found, codec="cp1252")
    assert (warning.line, warning.column, warning.level) == (3, "a", "warning")
    assert "0x90" in warning.message and "does not define" in warning.message


def test_text_made_mostly_of_undefined_bytes_is_still_refused() -> None:
    data = b"a,b\n" + b"\x81\x8d\x8f\x90\x9d" * 40
    with pytest.raises(FileRefused, match="not readable text"):
        decode(data)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"PK\x03\x04" + b"xl/workbook.xml" + b"\x00" * 50, "Excel workbook"),
        (b"%PDF-1.7\n" + b"\x00" * 50, "PDF"),
        (b"\x1f\x8b\x08" + b"\x00" * 50, "compressed"),
    ],
)
def test_refuse_by_magic(data: bytes, fragment: str) -> None:
    with pytest.raises(FileRefused, match=fragment):
        refuse_by_magic(data)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("   \n\t\n", "blank space"),
        ("<!DOCTYPE html><html><body>Login</body></html>", "web page"),
        ('[{"event_date": "2025-01-01"}]', "JSON"),
        ('<?xml version="1.0"?><rows/>', "XML"),
    ],
)
def test_refuse_by_content(text: str, fragment: str) -> None:
    with pytest.raises(FileRefused, match=fragment):
        refuse_by_content(text)
    refuse_by_content(TEXT)  # a CSV passes
