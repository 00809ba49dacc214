"""Parsers for the free-text cells analysts type: dates and casualty counts.

:func:`parse_date` accepts ISO dates, ACLED's ``11 February 2025`` and the
unambiguous numeric orders; :func:`parse_casualty` turns ``at least 5`` into 5
with a note and leaves words such as ``dozens`` unknown. Both return a reason
instead of raising, so the validator can report it against the file line.
The rules are listed in :mod:`geo.validate`.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["parse_casualty", "parse_date"]

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
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t]\d{1,2}:\d{2}.*)?$")
_DMY_NAME = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[ -]([a-z]+)\.?,?[ -](\d{4})$")
_MDY_NAME = re.compile(r"^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_YEAR = re.compile(r"^([a-z]+)\.? (\d{4})$")
_AT_LEAST = re.compile(
    r"^(?:at ?least|min(?:imum)?\.?|more than|over|>=?|≥)\s*(\d[\d,]*)$|^(\d[\d,]*)\s*(?:\+|or more)$"
)
_ABOUT = re.compile(
    r"^(?:about|approx(?:\.|imately)?|around|roughly|some|c\.|ca\.|circa|~|≈)\s*(\d[\d,]*)$"
)
_RANGE = re.compile(r"^(\d+)\s*(?:-|–|to)\s*(\d+)$")
_NUMBER = re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$")
_UNKNOWN = {"unknown", "unk", "n/a", "na", "nan", "null", "-", "--", "?", "not known", "unclear"}


def parse_date(text: str | None) -> tuple[dt.date | None, str | None, str | None]:
    """Read one date as written in a file.

    Parameters
    ----------
    text : str or None

    Returns
    -------
    (date or None, precision or None, problem or None)
        ``precision`` is "month" or "year" for partial dates, else ``None``;
        ``problem`` is a sentence when the text cannot be read.
    """
    if text is None or not str(text).strip():
        return None, None, None
    raw = str(text).strip()
    low = raw.lower()
    precision = None
    try:
        if m := _ISO.match(low):
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
        elif m := _DMY_NAME.match(low):
            y, mo, d = int(m[3]), _month(m[2]), int(m[1])
        elif m := _MDY_NAME.match(low):
            y, mo, d = int(m[3]), _month(m[1]), int(m[2])
        elif m := _NUMERIC.match(low):
            a, b = int(m[1]), int(m[2])
            if len(m[3]) == 2:
                return None, None, f"The year in {raw!r} has two digits; write it as YYYY-MM-DD."
            if a > 12 >= b or a == b:
                d, mo = a, b
            elif b > 12 >= a:
                d, mo = b, a
            elif a > 12 and b > 12:
                return None, None, f"{raw!r} is not a date (no month fits)."
            else:
                return (
                    None,
                    None,
                    (
                        f"The date {raw!r} is ambiguous ({a} {_month_name(b)} or {b} "
                        f"{_month_name(a)}?); write it as YYYY-MM-DD."
                    ),
                )
            y = int(m[3])
        elif m := _YEAR_MONTH.match(low):
            y, mo, d, precision = int(m[1]), int(m[2]), 1, "month"
        elif m := _MONTH_YEAR.match(low):
            y, mo, d, precision = int(m[2]), _month(m[1]), 1, "month"
        elif re.fullmatch(r"\d{4}", low):
            y, mo, d, precision = int(low), 1, 1, "year"
        elif re.fullmatch(r"\d{5}(?:\.\d+)?", low):
            return (
                None,
                None,
                (
                    f"{raw!r} looks like a spreadsheet date serial number; format the column as a "
                    "date (YYYY-MM-DD) before saving the CSV."
                ),
            )
        else:
            return (
                None,
                None,
                (f"Cannot read {raw[:40]!r} as a date; use YYYY-MM-DD or '11 February 2025'."),
            )
        return dt.date(y, mo, d), precision, None
    except (KeyError, ValueError, OverflowError):
        return None, None, f"{raw[:40]!r} is not a real date; use YYYY-MM-DD."


def _month(name: str) -> int:
    return _MONTHS[name]


def _month_name(number: int) -> str:
    return dt.date(2000, number, 1).strftime("%B")


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
