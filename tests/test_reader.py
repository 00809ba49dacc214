"""geo.ingest.reader: encodings, delimiters, quoting, line numbers, ragged rows, refusals."""

from __future__ import annotations

import gzip
import io
import unicodedata
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.ingest.reader import read_csv_bytes
from geo.report import FileRefused

HEADER = "event_date,location,latitude,longitude"
ENCODINGS = Path(__file__).resolve().parent / "data" / "encodings"
REALDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "realdata"


def _read(text: str, encoding: str = "utf-8", **kw: int):
    return read_csv_bytes(text.encode(encoding), **kw)


def _zip(members: dict[str, str]) -> bytes:
    """A zip of ``members`` with a fixed timestamp: the bytes name parametrized tests,
    and the two test workers must collect the same names (the clock differs between them)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()


# --------------------------------------------------------------------------- encodings


def test_utf8_without_bom_keeps_diacritics() -> None:
    result = _read(f"{HEADER}\n2025-01-05,Mazār-i-Sharīf,36.709,67.1109\n2025-01-06,Peshāwar,,\n")
    assert result.encoding == "utf-8"
    assert result.frame["location"].tolist() == ["Mazār-i-Sharīf", "Peshāwar"]


def test_utf8_bom_is_not_part_of_the_first_column_name() -> None:
    result = read_csv_bytes(("\ufeff" + HEADER + "\n2025-01-05,Quetta,30.1,66.9\n").encode())
    assert result.encoding == "utf-8-sig"
    assert result.frame.columns[0] == "event_date"


def test_cp1252_fallback_decodes_windows_punctuation() -> None:
    text = f"{HEADER}\n2025-01-05,Peshawar – “old city” café,34.0,71.5\n"
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = read_csv_bytes(data)
    assert result.encoding == "cp1252"
    assert result.frame.loc[0, "location"] == "Peshawar – “old city” café"
    assert result.warnings == []


def test_stray_bytes_in_utf8_keep_the_utf8_names_and_are_warned_per_value() -> None:
    data = (
        f"{HEADER}\n2025-01-05,مزار شریف,36.7,67.1\n".encode()
        + b"2025-01-06,Bara\x92s \x93market\x94,33.9,71.4\n"
        + b'"2025-01-07","Landi\nKotal\x81",34.1,71.1\n'
    )
    result = read_csv_bytes(data)
    assert result.encoding == "utf-8"
    assert result.frame["location"].tolist() == [
        "مزار شریف",
        "Bara’s “market”",
        "Landi\nKotal\ufffd",  # 0x81 means nothing in Windows-1252 either
    ]
    assert [(w.line, w.column, w.level) for w in result.warnings] == [
        (3, "location", "warning"),
        (4, "location", "warning"),
    ]
    assert "Windows-1252" in result.warnings[0].message


def test_windows_1252_sheet_with_an_undefined_byte_is_read_whole() -> None:
    """The hand-made sheet with one 0x90 byte: every row read, the byte named on its line."""
    data = (ENCODINGS / "handmade_cp1252_undefined_byte.csv").read_bytes()
    result = read_csv_bytes(data)
    assert result.encoding == "cp1252" and result.errors == []
    assert len(result.frame) == 30 and result.frame["_line"].tolist() == list(range(2, 32))
    (warning,) = result.warnings
    assert (warning.line, warning.column, warning.level) == (16, "Notes", "warning")
    assert "0x90" in warning.message
    note = result.frame.set_index("_line").loc[16, "Notes"]
    assert note == "Attack on a café near the bazaar\ufffd, owner’s son hurt"
    # the Windows-1252 letters and quotes of the other rows are read as such
    assert "“heavy exchange”" in result.frame["Notes"].tolist()[13]


def test_undefined_bytes_in_a_header_and_in_a_rejected_row() -> None:
    data = b"event_date,loc\x8fation,latitude,longitude\n2025-01-05,Qu\xe9tta\x9d\n"
    result = read_csv_bytes(data)
    assert result.frame.columns[1] == "loc\ufffdation"
    assert [e.line for e in result.errors] == [2]
    assert result.errors[0].value == "2025-01-05,Qu\xe9tta\ufffd"


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("gtd_1970_full_columns.csv", "cp1252"),  # Latin-1 letters, Windows-1252 quotes
        ("pakistan_drone_attacks_sheet.csv", "cp1252"),
        ("acled_2020_south_asia_excel_dates.csv", "utf-8"),
        ("ucdp_ged_pakistan_download.csv", "utf-8"),
    ],
)
def test_real_files_keep_decoding(name: str, codec: str) -> None:
    path = REALDATA / name
    if not path.exists():
        pytest.skip(f"../shared/realdata/{name} is absent (the real files are not in the repo)")
    data = path.read_bytes()
    result = read_csv_bytes(data)
    assert result.encoding == codec
    assert result.warnings == []  # no stray or undefined byte anywhere
    text = "".join(v for col in result.frame.columns[:-1] for v in result.frame[col].dropna())
    odd = {c for c in text if unicodedata.category(c) in ("Cc", "Cs", "Co") and c not in "\t\n\r"}
    assert odd == set() and "\ufffd" not in text  # no control, surrogate or replaced byte
    non_ascii = {c for c in text if ord(c) > 127}
    assert bool(non_ascii) == any(b > 127 for b in data)  # (the ACLED file is all ASCII)
    assert all(unicodedata.category(c)[0] in "LPSN" for c in non_ascii)


def test_stray_bytes_in_a_rejected_row_are_quoted_readably() -> None:
    data = f"{HEADER}\n2025-01-05,مزار شریف,36.7,67.1\n".encode() + b"2025-01-06,Bara\x92s\n"
    result = read_csv_bytes(data)
    assert [e.line for e in result.errors] == [3]
    assert "Bara’s" in result.errors[0].value


@pytest.mark.parametrize(
    ("codec", "bom", "expected"),
    [("utf-16-le", "\ufeff", "utf-16-le"), ("utf-16-be", "\ufeff", "utf-16-be")],
)
def test_utf16_with_bom(codec: str, bom: str, expected: str) -> None:
    text = bom + HEADER.replace(",", "\t") + "\r\n2025-01-05\tMazār\t36.7\t67.1\r\n"
    result = read_csv_bytes(text.encode(codec))
    assert result.encoding == expected
    assert result.delimiter == "\t"
    assert result.frame.loc[0, "location"] == "Mazār"
    assert list(result.frame.columns) == [*HEADER.split(","), "_line"]


def test_utf16_without_bom_is_recognised_by_its_zero_bytes() -> None:
    result = read_csv_bytes(f"{HEADER}\n2025-01-05,Quetta,30.1,66.9\n".encode("utf-16-le"))
    assert result.encoding == "utf-16-le"
    assert result.frame.loc[0, "location"] == "Quetta"


# --------------------------------------------------------------------------- delimiters


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_with_a_quoted_delimiter_inside_a_value(delimiter: str) -> None:
    d = delimiter
    text = f'event_date{d}location{d}notes\n2025-01-05{d}Quetta{d}"one{d} two"\n'
    result = _read(text)
    assert result.delimiter == delimiter
    assert result.frame.loc[0, "notes"] == f"one{d} two"
    assert result.errors == []


def test_delimiter_comes_from_the_header_not_from_the_data() -> None:
    # the data rows hold more commas than semicolons; the header decides
    text = "event_date;location;notes\n2025-01-05;Quetta;a, b, c, d, e\n"
    result = _read(text)
    assert result.delimiter == ";"
    assert result.frame.loc[0, "notes"] == "a, b, c, d, e"


def test_delimiters_inside_quoted_header_names_are_not_counted() -> None:
    result = _read('"a;b;c",location\n1,Quetta\n')
    assert result.delimiter == ","
    assert list(result.frame.columns) == ["a;b;c", "location", "_line"]


def test_excel_sep_line_sets_the_delimiter_and_moves_the_header() -> None:
    result = _read("sep=|\nevent_date|location\n2025-01-05|Quetta\n")
    assert result.delimiter == "|"
    assert result.header_line == 2
    assert result.frame["_line"].tolist() == [3]


# --------------------------------------------------------------------------- rows and lines


def test_quoted_newlines_give_file_lines_not_row_numbers() -> None:
    text = (
        "id,notes,location\n"  # 1
        '1,"line a\nline b\nline c",Quetta\n'  # 2-4
        '2,"say ""hi""",Bannu\n'  # 5
        "3,short\n"  # 6: one field missing
        '4,"x\r\ny",Khost\n'  # 7-8
        "5,z,Kabul,extra\n"  # 9: one field too many
    )
    result = _read(text)
    assert result.frame["_line"].tolist() == [2, 5, 7]
    assert result.frame.loc[0, "notes"] == "line a\nline b\nline c"
    assert result.frame.loc[1, "notes"] == 'say "hi"'
    assert [(e.line, e.level) for e in result.errors] == [(6, "error"), (9, "error")]
    assert "2 fields but the header has 3" in result.errors[0].message
    assert "4 fields but the header has 3" in result.errors[1].message


def test_blank_lines_are_skipped_but_counted() -> None:
    text = f"\n\n{HEADER}\n\n2025-01-05,Quetta,30.1,66.9\n   \n,,,\n2025-01-06,Bannu,32.9,70.6\n"
    result = _read(text)
    assert result.header_line == 3
    assert result.frame["_line"].tolist() == [5, 8]
    assert result.errors == []


def test_crlf_and_lone_cr_line_endings() -> None:
    crlf = _read(f"{HEADER}\r\n2025-01-05,Quetta,30.1,66.9\r\n2025-01-06,Bannu\r\n")
    cr = _read(f"{HEADER}\r2025-01-05,Quetta,30.1,66.9\r2025-01-06,Bannu\r")
    for result in (crlf, cr):
        assert result.frame["_line"].tolist() == [2]
        assert [e.line for e in result.errors] == [3]


def test_extra_empty_trailing_fields_are_dropped_not_rejected() -> None:
    result = _read(f"{HEADER}\n2025-01-05,Quetta,30.1,66.9,,\n2025-01-06,Bannu,32.9,70.6,x\n")
    assert result.frame["_line"].tolist() == [2]
    assert [e.line for e in result.errors] == [3]


def test_values_are_text_or_none_and_header_names_are_stripped() -> None:
    result = _read(" event_date , location ,killed\n2025-01-05,,007\n")
    assert list(result.frame.columns) == ["event_date", "location", "killed", "_line"]
    row = result.frame.iloc[0]
    assert row["location"] is None
    assert row["killed"] == "007"
    assert str(result.frame["_line"].dtype) == "int64"


def test_unnamed_columns_get_a_name_or_are_dropped_when_empty() -> None:
    result = _read("event_date,,location,\n2025-01-05,x,Quetta,\n")
    assert list(result.frame.columns) == ["event_date", "column_2", "location", "_line"]
    assert result.frame.loc[0, "column_2"] == "x"


def test_unterminated_quote_rejects_the_row_and_names_the_lines() -> None:
    text = f'{HEADER}\n2025-01-05,Quetta,30.1,66.9\n2025-01-06,"Bannu,32.9,70.6\n2025-01-07,Khost,33.3,69.9\n'
    result = _read(text)
    assert result.frame["_line"].tolist() == [2]
    assert len(result.errors) == 1
    assert result.errors[0].line == 3
    assert "never closed" in result.errors[0].message
    assert "3–4" in result.errors[0].message


def test_stray_nul_rejects_only_its_row() -> None:
    data = f"{HEADER}\n2025-01-05,Quetta,30.1,66.9\n2025-01-06,Ban\x00nu,32.9,70.6\n".encode()
    result = read_csv_bytes(data)
    assert result.frame["_line"].tolist() == [2]
    assert [e.line for e in result.errors] == [3]
    assert "NUL" in result.errors[0].message


def test_field_longer_than_csv_default_limit() -> None:
    long = "x" * 300_000
    result = _read(f"event_date,notes\n2025-01-05,{long}\n")
    assert len(result.frame.loc[0, "notes"]) == 300_000


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b" \r\n\t\n", "empty"),
        (_zip({"[Content_Types].xml": "x", "xl/workbook.xml": "x"}), "Excel workbook"),
        (
            _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}),
            "OpenDocument spreadsheet",
        ),
        (_zip({"a.csv": "event_date,location\n"}), "zip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (gzip.compress(b"event_date,location\n", mtime=0), "gzip"),
        (b"%PDF-1.7\n%\xe2\xe3\n", "PDF"),
        (b"\n  <!DOCTYPE html><html><body>Login</body></html>", "web page"),
        (b"<html><head></head></html>", "web page"),
        (b'[{"event_date": "2025-01-05"}]', "JSON"),
        (b'{"a": 1}\n{"a": 2}\n', "JSON"),
        (b'<?xml version="1.0"?><Workbook/>', "XML"),
        (b"event_date\n2025-01-05\n", "single column"),
        (b"2025-01-05,34.1,71.5\n2025-01-06,33.0,70.1\n", "not column names"),
        (b"event_date,location,event_date\n1,2,3\n", "twice"),
        (bytes(range(1, 32)) * 40, "binary"),
        (b"event_date,location\n" + b"\x00" * 200, "binary"),
        (b"event_date,location\n" + b"2025,\x81\x8d\x8f\x90\x9d\n" * 10, "not readable text"),
        (b"\xff\xfe" + b"a\x00,\x00b\x00" + b"\x00", "damaged"),
        (b"sep=;\n\n", "no header"),
    ],
)
def test_refusals_are_one_clear_sentence(data: bytes, fragment: str) -> None:
    with pytest.raises(FileRefused) as info:
        read_csv_bytes(data)
    message = str(info.value)
    assert fragment.lower() in message.lower()
    assert message[0].isupper() and message.endswith(".")
    assert "\n" not in message


def test_max_bytes_refusal_states_size_and_limit() -> None:
    data = (f"{HEADER}\n" + "2025-01-05,Quetta,30.1,66.9\n" * 100).encode()
    with pytest.raises(FileRefused, match=r"is 2\.8 KB, over the upload limit of 1 KB"):
        read_csv_bytes(data, max_bytes=1024)
    assert len(read_csv_bytes(data, max_bytes=len(data)).frame) == 100


def test_max_rows_refusal_counts_every_row() -> None:
    data = (f"{HEADER}\n" + "2025-01-05,Quetta,30.1,66.9\n" * 3 + "bad\n").encode()
    with pytest.raises(FileRefused, match="The file has 4 rows; the limit is 3"):
        read_csv_bytes(data, max_rows=3)
    assert len(read_csv_bytes(data, max_rows=4).frame) == 3


def test_limits_default_to_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_MAX_ROWS", "1")
    with pytest.raises(FileRefused, match="limit is 1"):
        _read(f"{HEADER}\n2025-01-05,Quetta,1,2\n2025-01-06,Bannu,3,4\n")
    monkeypatch.setenv("ATLAS_MAX_ROWS", "10")
    monkeypatch.setenv("ATLAS_MAX_UPLOAD_MB", "0.00001")
    with pytest.raises(FileRefused, match="over the upload limit of 10 bytes"):
        _read(f"{HEADER}\n2025-01-05,Quetta,1,2\n")


def test_header_only_file_is_read_with_no_rows() -> None:
    result = _read(f"{HEADER}\n")
    assert len(result.frame) == 0
    assert list(result.frame.columns) == [*HEADER.split(","), "_line"]
    assert result.errors == []


@pytest.mark.parametrize(
    "prefix",
    ["", "\ufeff", "\ufeff\ufeff", "\n\n", "sep=;\n", "\ufeff \r\n\t\n"],
    ids=["plain", "bom", "two-boms", "blank-lines", "sep-line", "bom-and-blanks"],
)
def test_a_utf8_file_is_read_from_its_own_bytes_with_the_same_result(prefix: str) -> None:
    """The fast reader takes the body from the file's bytes (not the text encoded
    again): the header after marks, blank and sep= lines is found, accents kept."""
    from geo.ingest.header import header_start
    from geo.ingest.reader import _parse, _utf8_body

    delim = ";" if "sep" in prefix else ","
    text = prefix + delim.join(["lieu", "année"]) + "\n" + delim.join(["Kaboul é", "2021"]) + "\n"
    raw = text.encode("utf-8")
    decoded = raw.decode("utf-8").lstrip("\ufeff")
    start = header_start(decoded)[0]
    assert decoded[start:].startswith("lieu")
    assert _utf8_body(raw, decoded, start) == decoded[start:].encode("utf-8")
    fast = _parse(decoded, "utf-8", 10, raw=raw).frame
    assert fast.to_dict("list") == _parse(decoded, "utf-8", 10).frame.to_dict("list")
    assert fast[["lieu", "année"]].values.tolist() == [["Kaboul é", "2021"]]


def _outcome(data: bytes) -> object:
    """Everything :func:`read_csv_bytes` says about ``data``, or the refusal."""
    try:
        r = read_csv_bytes(data, max_bytes=10**9, max_rows=10**6)
    except FileRefused as exc:
        return ("refused", str(exc))
    return (
        r.frame.to_dict("list"),
        r.encoding,
        r.delimiter,
        r.errors,
        r.header_line,
        r.warnings,
    )


def _read_whole(data: bytes) -> object:
    """:func:`_outcome` with the whole file decoded (the large-UTF-8 path turned off)."""
    with mock.patch("geo.ingest.reader._read_large_utf8", return_value=None):
        return _outcome(data)


_CELL = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6
) | st.sampled_from(['"q,"', "Kaboul é", "کابل", "", " ", '"a""b"'])


@settings(max_examples=60, deadline=None)
@given(
    prefix=st.sampled_from(
        ["", "\ufeff", "\n\n", "sep=;\n", "\ufeff \r\n", "{", "  [", "\n" * 70_000]
    ),
    delim=st.sampled_from([",", ";", "\t", "|"]),
    header=st.lists(
        st.sampled_from(["lieu", "année", "event_date", "", '"a,b"']), min_size=1, max_size=4
    ),
    rows=st.lists(st.lists(_CELL, min_size=0, max_size=5), max_size=12),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_a_large_utf8_file_read_from_its_beginning_reads_as_the_whole_text(
    prefix: str, delim: str, header: list[str], rows: list[list[str]], newline: str
) -> None:
    """Generated files made large by one long last value: the beginning of the text
    decides as the whole text does (same frame, lines, errors, warnings, refusals)."""
    from geo.ingest.reader import _HEAD_BYTES

    long_row = '"' + " " * _HEAD_BYTES + '"' + delim * (len(header) - 1) + newline
    body = "".join(delim.join(r) + newline for r in rows)
    data = (prefix + delim.join(header) + newline + body + long_row).encode("utf-8")
    assert _outcome(data) == _read_whole(data)


def test_a_large_utf8_file_is_not_decoded_whole() -> None:
    """Over :data:`~geo.ingest.reader._HEAD_BYTES` (about 4 MB) a UTF-8 file is read
    from its bytes and the text of its beginning: never one string of the whole file."""
    from geo.ingest import reader

    line = 'AFG{n},2024-05-0{d},Kaboul é,کابل,"a, b",{n}\n'
    body = "".join(line.format(n=n, d=n % 9 + 1) for n in range(90_000))
    data = ("id,date,place,name,note,count\n" + body).encode("utf-8")
    assert len(data) > reader._HEAD_BYTES
    whole = _read_whole(data)
    with mock.patch("geo.ingest.reader.decode", side_effect=AssertionError("decoded whole")):
        assert _outcome(data) == whole
    assert len(whole[0]["id"]) == 90_000


def test_a_large_json_file_is_refused_as_json() -> None:
    """Whether a file is JSON takes the whole text: a large one is decoded whole."""
    data = ("[" + ",\n".join(f"[{n}, {n}]" for n in range(400_000)) + "]\n").encode()
    outcome = _outcome(data)
    assert outcome == ("refused", outcome[1]) and "JSON" in outcome[1]
    assert outcome == _read_whole(data)
