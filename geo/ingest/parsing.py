"""Parsers for the free-text cells analysts type: dates, times and casualty counts.

:func:`read_date` says what one date cell holds (the forms are listed in
:mod:`geo.ingest.dates`, which applies a file's conventions to them and also reads
one date on its own); :func:`parse_time` reads a time of day;
:func:`parse_casualty` turns ``at least 5`` into 5 with a note and
leaves words such as ``dozens`` unknown. Each returns a reason instead of
raising, so the validator can report it against the file line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["Reading", "parse_casualty", "parse_time", "read_date"]

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
_SEP = r"[\s\-/.,]+"
_ORD = r"(?:st|nd|rd|th)?"
_WEEKDAY = re.compile(r"^([a-z]+)\.?[\s,\-]+(?=\S)")
_TIME = re.compile(
    r"(?:[ t]|^)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?\s*(?:z|utc|[+-]\d{2}:?\d{2})?$"
)
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_DAY_NAME = re.compile(rf"^(\d{{1,2}}){_ORD}(?:\s+of)?{_SEP}([a-z]+){_SEP}(\d{{4}}|\d{{2}})$")
_NAME_DAY = re.compile(rf"^([a-z]+){_SEP}(\d{{1,2}}){_ORD}{_SEP}(\d{{4}}|\d{{2}})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_NAME_YEAR = re.compile(rf"^([a-z]+){_SEP}(\d{{4}})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.(\d+))?$")
#: Day 0 of the 1900 date system as spreadsheets count it (their 1900 has a 29 February).
_SERIAL_EPOCH = dt.date(1899, 12, 30)
_EARLIEST_SERIAL = 10_000  # 1927-05-18: smaller numbers are not dates in these files


@dataclass(frozen=True)
class Reading:
    """What one cell says before the file's conventions are applied.

    Attributes
    ----------
    year, month, day : int or None
        The parts known on their own. ``year`` may have two digits
        (``short_year``).
    first, second : int or None
        A numeric date's first two parts when their order is not known yet
        (``month`` and ``day`` are then None).
    short_year : bool
        The year was written with two digits.
    precision : str or None
        "month" or "year" for partial dates.
    time : str or None
        ``HH:MM`` or ``HH:MM:SS`` written with the date.
    weekday : int or None
        The weekday written before the date (Monday = 0).
    serial : bool
        The cell was a spreadsheet day number.
    problem : str or None
        Why the cell cannot be a date at all.
    """

    year: int | None = None
    month: int | None = None
    day: int | None = None
    first: int | None = None
    second: int | None = None
    short_year: bool = False
    precision: str | None = None
    time: str | None = None
    weekday: int | None = None
    serial: bool = False
    problem: str | None = None

    @property
    def order_free(self) -> bool:
        """Whether the reading needs no day/month decision."""
        return self.first is None


_AT_LEAST = re.compile(
    r"^(?:at ?least|min(?:imum)?\.?|more than|over|>=?|≥)\s*(\d[\d,]*)$|^(\d[\d,]*)\s*(?:\+|or more)$"
)
_ABOUT = re.compile(
    r"^(?:about|approx(?:\.|imately)?|around|roughly|some|c\.|ca\.|circa|~|≈)\s*(\d[\d,]*)$"
)
_RANGE = re.compile(r"^(\d+)\s*(?:-|–|to)\s*(\d+)$")
_NUMBER = re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$")
_UNKNOWN = {"unknown", "unk", "n/a", "na", "nan", "null", "-", "--", "?", "not known", "unclear"}


def parse_time(text: str | None) -> tuple[str | None, str | None]:
    """Read a time of day such as ``22:00``, ``9:30 pm`` or ``21:30:15``.

    Returns
    -------
    (str or None, str or None)
        ``HH:MM`` (or ``HH:MM:SS`` when seconds are given) and a problem
        sentence when the text is not a time.

    Examples
    --------
    >>> parse_time("9:05 pm")
    ('21:05', None)
    >>> parse_time("25:00")[1]
    "'25:00' is not a time of day (HH:MM)."
    """
    if text is None or not str(text).strip():
        return None, None
    raw = str(text).strip()
    m = _TIME.fullmatch(" " + raw.lower()) or _TIME.fullmatch(raw.lower())
    if m is None:
        return None, f"{raw[:40]!r} is not a time of day (HH:MM)."
    return _time_of(m, raw)


def _time_of(m: re.Match[str], raw: str) -> tuple[str | None, str | None]:
    hour, minute = int(m[1]), int(m[2])
    second = int(m[3]) if m[3] else None
    meridian = (m[4] or "").replace(".", "")
    if meridian:
        if not 1 <= hour <= 12:
            return None, f"{raw[:40]!r} is not a time of day (HH:MM)."
        hour = hour % 12 + (12 if meridian == "pm" else 0)
    if hour > 23 or minute > 59 or (second or 0) > 59:
        return None, f"{raw[:40]!r} is not a time of day (HH:MM)."
    text = f"{hour:02d}:{minute:02d}"
    return (text if second is None else f"{text}:{second:02d}"), None


def read_date(text: str | None) -> Reading | None:
    """Read one cell into a :class:`Reading` (None for an empty cell).

    Examples
    --------
    >>> read_date("Friday, June 18, 2004")
    Reading(year=2004, month=6, day=18, first=None, second=None, short_year=False, \
precision=None, time=None, weekday=4, serial=False, problem=None)
    >>> r = read_date("03/04/2020")
    >>> (r.first, r.second, r.year)
    (3, 4, 2020)
    """
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    low = " ".join(raw.lower().split())
    weekday = None
    if (m := _WEEKDAY.match(low)) and m[1] in _WEEKDAYS:
        weekday, low = _WEEKDAYS[m[1]], low[m.end() :]
    time = None
    if (m := _TIME.search(low)) and m.start() > 0:
        time, problem = _time_of(m, raw)
        if problem:
            return Reading(problem=f"The time in {raw[:40]!r} is not a time of day.")
        low = low[: m.start()].rstrip(" ,t")
    reading = _core(low, raw)
    if reading.problem:
        return reading
    return Reading(**{**reading.__dict__, "time": time or reading.time, "weekday": weekday})


def _core(low: str, raw: str) -> Reading:
    if m := _ISO.match(low) or _COMPACT.match(low):
        return Reading(year=int(m[1]), month=int(m[2]), day=int(m[3]))
    if m := _NUMERIC.match(low):
        return Reading(year=int(m[3]), first=int(m[1]), second=int(m[2]), short_year=len(m[3]) == 2)
    if (m := _DAY_NAME.match(low)) and m[2] in _MONTHS:
        return Reading(
            year=int(m[3]), month=_MONTHS[m[2]], day=int(m[1]), short_year=len(m[3]) == 2
        )
    if (m := _NAME_DAY.match(low)) and m[1] in _MONTHS:
        return Reading(
            year=int(m[3]), month=_MONTHS[m[1]], day=int(m[2]), short_year=len(m[3]) == 2
        )
    if m := _YEAR_MONTH.match(low):
        return Reading(year=int(m[1]), month=int(m[2]), day=1, precision="month")
    if m := _MONTH_YEAR.match(low):
        return Reading(year=int(m[2]), month=int(m[1]), day=1, precision="month")
    if (m := _NAME_YEAR.match(low)) and m[1] in _MONTHS:
        return Reading(year=int(m[2]), month=_MONTHS[m[1]], day=1, precision="month")
    if re.fullmatch(r"\d{4}", low):
        return Reading(year=int(low), month=1, day=1, precision="year")
    if (m := _SERIAL.match(low)) and int(m[1]) >= _EARLIEST_SERIAL:
        day = _SERIAL_EPOCH + dt.timedelta(days=int(m[1]))
        time = None
        if m[2] and int(m[2]):
            seconds = round(float("0." + m[2]) * 86400)
            time = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
        return Reading(year=day.year, month=day.month, day=day.day, time=time, serial=True)
    return Reading(
        problem=f"Cannot read {raw[:40]!r} as a date; write it as YYYY-MM-DD (or 11 February 2025)."
    )


def parse_casualty(text: str | None) -> tuple[float | None, str, str | None]:
    """Read one casualty figure.

    Parameters
    ----------
    text : str or None

    Returns
    -------
    (number or None, kind, note or None)
        ``kind`` is one of "empty", "number", "at least", "about", "range",
        "unknown", "words", "error". For "range" the note is ``"low-high"``;
        for "words" it is the wording; for qualifiers the qualifier.

    Examples
    --------
    >>> parse_casualty("at least 5")
    (5.0, 'at least', 'at least')
    >>> parse_casualty("3-5")
    (None, 'range', '3-5')
    >>> parse_casualty("dozens")
    (None, 'words', 'dozens')
    """
    if text is None or not str(text).strip():
        return None, "empty", None
    raw = " ".join(str(text).split())
    low = raw.lower()
    if _NUMBER.match(low):
        return float(low.replace(",", "")), "number", None
    if low in _UNKNOWN:
        return None, "unknown", None
    for pattern, kind in ((_AT_LEAST, "at least"), (_ABOUT, "about")):
        if m := pattern.match(low):
            digits = (m.group(1) or m.group(m.lastindex or 1)).replace(",", "")
            if digits.isdigit():
                return float(digits), kind, kind
    if m := _RANGE.match(low):
        return None, "range", f"{int(m[1])}-{int(m[2])}"
    if not any(ch.isdigit() for ch in low):
        return None, "words", raw
    return None, "error", None


# --------------------------------------------------------------------------- validate
