"""Property: any bytes end in a report or a clear refusal, never an uncaught exception.

Inputs run through read_csv_bytes → to_canonical → validate. Set
ATLAS_HYPOTHESIS_EXAMPLES to try more (CI runs 500 per property).
"""

from __future__ import annotations

import os

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.ingest.formats import to_canonical
from geo.ingest.reader import read_csv_bytes
from geo.ingest.validate import validate
from geo.report import FileRefused, Issue
from geo.schema import INCIDENT_COLUMNS

EXAMPLES = int(os.environ.get("ATLAS_HYPOTHESIS_EXAMPLES", "500"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

COLUMNS = [
    *INCIDENT_COLUMNS,
    "event_id_cnty",
    "fatalities",
    "time_precision",
    "iso",
    "id",
    "date_start",
    "date_prec",
    "best",
    "low",
    "high",
    "where_prec",
    "type_of_violence",
    "eventid",
    "iyear",
    "imonth",
    "iday",
    "nkill",
    "nwound",
    "specificity",
    "attacktype1_txt",
    "claimed",
    "Lat",
    "LNG",
    "Deaths",
    "Place",
    "Date",
    "",
    " ",
    "junk",
]
CELLS = [
    "",
    " ",
    "2025-02-11",
    "11 February 2025",
    "03/04/2025",
    "25/12/2024",
    "2099-01-01",
    "1850-01-01",
    "45678",
    "2025-02",
    "0",
    "1",
    "3",
    "9",
    "-1",
    "2.5",
    "34.0151",
    "71.5249",
    "95",
    "nan",
    "inf",
    "1e308",
    "-0",
    "at least 5",
    "~3",
    "10-15",
    "dozens",
    "unknown",
    "Peshawar",
    "Mazār-i-Sharīf",
    "پشاور",
    "Battles",
    "day",
    "week",
    "yes",
    "=cmd()",
    '"',
    '""',
    "a,b",
    "a;b",
    "a\tb",
    "a|b",
    "line\nbreak",
    "cr\rret",
    "\x00",
    "\x07\x1b",
    "\ufeff",
    "\u202e",
    "x" * 5000,
]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"]


@st.composite
def csvish(draw: st.DrawFn) -> bytes:
    """Text shaped like a CSV, with random separators, quoting, raggedness and noise."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|", " "]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    header = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=10))
    cell = st.one_of(st.sampled_from(CELLS), st.text(max_size=20))
    width = len(header)
    rows = draw(
        st.lists(
            st.lists(cell, min_size=max(0, width - 2), max_size=width + 2),
            max_size=12,
        )
    )
    quote_all = draw(st.booleans())

    def render(value: str) -> str:
        if quote_all or draw(st.booleans()):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(render(c) for c in header)]
    lines += [delimiter.join(render(c) for c in row) for row in rows]
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 3, '"']))
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):  # splice in a few random bytes somewhere
        noise = draw(st.binary(min_size=1, max_size=8))
        at = draw(st.integers(0, len(data)))
        data = data[:at] + noise + data[at:]
    return data


def _run(data: bytes) -> None:
    """The pipeline ends in a refusal or in a consistent report."""
    try:
        read = read_csv_bytes(data)
    except FileRefused as exc:
        assert str(exc).strip()
        return
    frame = read.frame
    assert LINE in frame.columns
    assert all(isinstance(e, Issue) and isinstance(e.line, int) for e in read.errors)
    values = frame.drop(columns=LINE).to_numpy().ravel()
    assert all(v is None or isinstance(v, str) for v in values)
    assert not set(frame[LINE]) & {e.line for e in read.errors}
    try:
        canonical, _ = to_canonical(frame)
    except FileRefused as exc:
        assert "usable columns" in str(exc)
        return
    assert list(canonical.columns) == [*INCIDENT_COLUMNS, LINE]
    result = validate(canonical)
    valid = result.valid
    kept = set(valid[LINE].tolist())
    assert kept <= set(frame[LINE].tolist())
    assert not kept & {e.line for e in result.errors}
    assert all(e.level == "error" for e in result.errors)
    assert all(w.level == "warning" for w in result.warnings)
    for col in ("killed", "injured", "killed_low", "killed_high"):
        assert (valid[col].dropna() >= 0).all()
    assert valid["latitude"].dropna().between(-90, 90).all()
    assert valid["longitude"].dropna().between(-180, 180).all()
    assert valid["event_date"].notna().all()
    assert valid["incident_id"].is_unique
    assert pd.api.types.is_integer_dtype(valid[LINE])


LINE = "_line"


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes_never_crash(data: bytes) -> None:
    _run(data)


@SETTINGS
@given(csvish())
def test_csvish_text_never_crashes(data: bytes) -> None:
    _run(data)


@SETTINGS
@given(
    st.binary(max_size=200),
    st.sampled_from(
        [b"PK\x03\x04", b"\xff\xfe", b"\xef\xbb\xbf", b"\xfe\xff", b"sep=;\n", b"\x00"]
    ),
)
def test_magic_prefixes_with_random_tails_never_crash(tail: bytes, prefix: bytes) -> None:
    _run(prefix + tail)
