"""Dates as people write them, read one file column at a time.

A single cell often cannot say how it is meant: ``03/04/2020`` is 3 April or
4 March, ``9-May-20`` is 1920 or 2020. A file is written one way, though, so
:func:`parse_dates` reads every distinct value of a column first, decides the
file's conventions from the values that can only be read one way (and from a
``year`` column where the file has one), says once what it decided, and only
then turns each value into a day. A value is refused only when nothing in the
file settles it.

Forms read
----------
- ISO ``2020-05-09`` (``/`` or ``.`` too), with a time ``2020-05-09 14:30``,
  ``2020-05-09T14:30:00Z``; compact ``20200509``.
- Numeric day and month in either order, two- or four-digit year:
  ``27/03/1990``, ``03/27/1990 00:00:00``, ``27.03.1990``, ``25-12-24``.
- Month names, either order: ``9-May-20``, ``11 February 2025``,
  ``1st March 2025``, ``February 11, 2025``, ``Sept 3 2024``.
- A leading weekday: ``Friday, June 18, 2004``, ``Sunday-November 19-1995``
  (checked against the date; a wrong weekday is a warning).
- Spreadsheet day numbers (1900 date system): ``43960`` is 2020-05-09; a
  fraction is the time of day.
- Partial dates: ``2025-02``, ``02/2025``, ``February 2025`` (precision
  month) and ``2025`` (precision year), on the first day.

File conventions
----------------
Day/month order
    Decided by the numeric values whose first part is above 12 (day first) or
    second part is (month first), reported as one file-level warning. With no
    such value, values that read the same both ways (``05/05/2024``) pass and
    the others are refused as ambiguous; a file with both kinds is refused
    only on the ambiguous values, with both examples named.
Two-digit years
    The file's ``year`` column gives the century; without one, years up to
    this year's two digits are 20xx and the others 19xx (no date may lie in
    the future), said once.
Times
    A time written with the date is kept (``HH:MM`` or ``HH:MM:SS``), except
    the ``00:00:00`` that spreadsheets add to every date of a file.
Spans
    With an end date (UCDP ``date_end``) the precision comes from the span:
    the same day → day, up to 6 days later → week, up to 30 → month, longer →
    year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.ingest.parsing import Reading, read_date
from geo.report import Issue

__all__ = ["DateColumn", "parse_date", "parse_dates", "span_precision"]


@dataclass
class DateColumn:
    """A column of dates read with the file's conventions.

    Attributes
    ----------
    dates : pandas.Series
        ``datetime64[ns]``, NaT where the value is empty or refused.
    precision : pandas.Series
        ``object``: "month"/"year" for partial dates, the span's precision when
        end dates were given, else None.
    times : pandas.Series
        ``object``: the time written with the date, or None.
    errors : dict
        ``{position: reason}`` for the values refused.
    warnings : list of Issue
        File-level decisions (line None) and per-row remarks.
    """

    dates: pd.Series
    precision: pd.Series
    times: pd.Series
    errors: dict[int, str] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)


# --------------------------------------------------------------------------- one file


@dataclass(frozen=True)
class _Conventions:
    order: str | None  # "dmy", "mdy" or None (undecided)
    conflict: tuple[str, str] | None  # a day-first and a month-first example
    pivot: int  # two-digit years up to this are 20xx
    keep_midnight: bool


def _decide(readings: dict[str, Reading], today: dt.date) -> _Conventions:
    """The file's day/month order, two-digit-year pivot and whether midnight is a time."""
    day_first = month_first = None
    times = set()
    for raw, r in readings.items():
        if r.time is not None:
            times.add(r.time)
        if r.first is None:
            continue
        if r.first > 12 >= r.second and day_first is None:
            day_first = raw
        elif r.second > 12 >= r.first and month_first is None:
            month_first = raw
    order = None
    conflict = None
    if day_first and month_first:
        conflict = (day_first, month_first)
    elif day_first:
        order = "dmy"
    elif month_first:
        order = "mdy"
    midnight = times <= {"00:00", "00:00:00"}
    return _Conventions(order, conflict, today.year % 100, keep_midnight=not midnight)


def _resolve(raw: str, r: Reading, conv: _Conventions) -> tuple[dt.date | None, str | None]:
    """The day a reading means under the file's conventions, or the reason it has none."""
    if r.problem:
        return None, r.problem
    year = r.year
    if r.short_year:
        year = (2000 if year <= conv.pivot else 1900) + year
    if r.first is None:
        month, day = r.month, r.day
    elif r.first == r.second:
        month = day = r.first
    elif conv.order == "dmy" or (r.first > 12 and conv.conflict):
        day, month = r.first, r.second
    elif conv.order == "mdy" or (r.second > 12 and conv.conflict):
        month, day = r.first, r.second
    elif r.first > 12 and r.second > 12:
        return None, f"{raw[:40]!r} is not a date (neither of its first two parts is a month)."
    else:
        a, b = r.first, r.second
        both = f"it could be {a} {_month_name(b)} or {b} {_month_name(a)} {year}"
        if conv.conflict:
            d, m = conv.conflict
            why = f"the file writes some dates day first ({d!r}) and others month first ({m!r})"
        else:
            why = "no date in the file settles whether the day or the month comes first"
        return None, f"{raw!r} is ambiguous, {both}: {why}; write it as YYYY-MM-DD."
    try:
        return dt.date(year, month, day), None
    except (ValueError, OverflowError, TypeError):
        return None, f"{raw[:40]!r} is not a real date; write it as YYYY-MM-DD."


def _month_name(number: int) -> str:
    return dt.date(2000, number, 1).strftime("%B") if 1 <= number <= 12 else str(number)


def span_precision(days: int) -> str:
    """The precision of a date known to lie within a span of ``days`` after the first.

    Examples
    --------
    >>> [span_precision(d) for d in (0, 3, 7, 30, 31)]
    ['day', 'week', 'month', 'month', 'year']
    """
    if days <= 0:
        return "day"
    if days <= 6:
        return "week"
    return "month" if days <= 30 else "year"


def parse_dates(
    values: pd.Series,
    *,
    lines: Sequence[int] | None = None,
    years: pd.Series | None = None,
    ends: pd.Series | None = None,
    today: dt.date | None = None,
    column: str = "event_date",
) -> DateColumn:
    """Read a column of dates with the conventions of its file.

    Parameters
    ----------
    values : pandas.Series
        The date cells as text (``None`` for empty).
    lines : sequence of int, optional
        The file line of each value, for the warnings (default: position + 2).
    years : pandas.Series, optional
        The file's year column, aligned with ``values``: gives two-digit years
        their century and is compared with the year read.
    ends : pandas.Series, optional
        End dates of a span (UCDP ``date_end``), read with the same
        conventions; they set the precision.
    today : datetime.date, optional
        For the two-digit-year pivot (default: today).
    column : str
        The column named in the issues.

    Returns
    -------
    DateColumn

    Examples
    --------
    >>> col = parse_dates(pd.Series(["03/04/2020", "25/12/2020"]))
    >>> col.dates.dt.strftime("%Y-%m-%d").tolist()
    ['2020-04-03', '2020-12-25']
    >>> col.warnings[0].message.split(":")[0]
    'Numeric dates in this file are read day first (DD/MM/YYYY)'
    """
    today = today or dt.date.today()
    n = len(values)
    index = values.index
    lines = list(range(2, n + 2)) if lines is None else list(lines)
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    end_codes = end_uniques = None
    if ends is not None:
        end_codes, end_uniques = pd.factorize(ends.to_numpy(dtype=object), use_na_sentinel=True)
    readings = {str(u): read_date(str(u)) for u in uniques}
    if end_uniques is not None:
        readings.update({str(u): read_date(str(u)) for u in end_uniques if str(u) not in readings})
    conv = _decide(readings, today)
    resolved = {raw: _resolve(raw, r, conv) for raw, r in readings.items()}
    warnings = _file_notes(readings, conv, uniques, codes, lines, column, years is not None)

    days = _lookup(codes, uniques, lambda u: resolved[str(u)][0])
    problems = _lookup(codes, uniques, lambda u: resolved[str(u)][1])
    partial = _lookup(codes, uniques, lambda u: readings[str(u)].precision)
    keep = conv.keep_midnight
    times = _lookup(
        codes, uniques, lambda u: readings[str(u)].time if keep else _no_midnight(readings[str(u)])
    )
    dates = pd.Series(pd.to_datetime(days, errors="coerce"), index=index).astype("datetime64[ns]")
    if years is not None and any(r.short_year for r in readings.values()):
        dates, problems = _centuries(codes, uniques, years, dates, problems, readings)
    if years is not None:
        warnings += _year_mismatch(values, years, dates, lines, column)
    warnings += _weekdays(codes, uniques, readings, resolved, lines, column)
    precision = pd.Series(partial, index=index, dtype=object)
    if end_codes is not None:
        precision, span_warnings = _spans(
            dates, end_codes, end_uniques, resolved, precision, lines, ends
        )
        warnings += span_warnings
    errors = {pos: p for pos, p in enumerate(problems.tolist()) if p is not None}
    return DateColumn(
        dates=dates,
        precision=precision,
        times=pd.Series(times, index=index, dtype=object),
        errors=errors,
        warnings=warnings,
    )


def _lookup(codes: np.ndarray, uniques: np.ndarray, fn: Callable[[Any], Any]) -> np.ndarray:
    """``fn`` of each distinct value, spread over the rows (None where the cell is empty)."""
    mapped = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques):
        mapped[i] = fn(u)
    mapped[-1] = None
    return mapped[codes]


def _no_midnight(r: Reading | None) -> str | None:
    if r is None or r.time in ("00:00", "00:00:00"):
        return None
    return r.time


def _first_line(raw: object, uniques: np.ndarray, codes: np.ndarray, lines: list[int]) -> int:
    where = np.flatnonzero(uniques == raw)
    if not len(where):
        return lines[0] if lines else 2
    return lines[int(np.argmax(codes == where[0]))]


def _file_notes(
    readings: dict[str, Reading],
    conv: _Conventions,
    uniques: np.ndarray,
    codes: np.ndarray,
    lines: list[int],
    column: str,
    has_years: bool,
) -> list[Issue]:
    """The decisions made for the whole file, one warning each (line None)."""
    notes = []
    if conv.order:
        example = next(
            raw
            for raw, r in readings.items()
            if r.first is not None
            and ((r.first > 12 >= r.second) if conv.order == "dmy" else (r.second > 12 >= r.first))
        )
        line = _first_line(example, uniques, codes, lines)
        label = "day first (DD/MM/YYYY)" if conv.order == "dmy" else "month first (MM/DD/YYYY)"
        notes.append(
            Issue(
                None,
                column,
                example,
                f"Numeric dates in this file are read {label}: {example!r} on line {line} "
                "can only be read that way, so every numeric date is.",
                level="warning",
            )
        )
    elif conv.conflict:
        d, m = conv.conflict
        notes.append(
            Issue(
                None,
                column,
                f"{d}; {m}",
                f"This file writes some dates day first ({d!r}) and others month first "
                f"({m!r}): each is read the only way it can be, and dates that could be "
                "either are refused.",
                level="warning",
            )
        )
    short = [raw for raw, r in readings.items() if r.short_year]
    if short:
        if has_years:
            how = "with the century from the file's year column"
        else:
            how = (
                f"as 20{conv.pivot:02d} or earlier in this century when they are "
                f"{conv.pivot:02d} or less, otherwise as 19xx (a date cannot be in the future)"
            )
        notes.append(
            Issue(
                None,
                column,
                short[0],
                f"Two-digit years (e.g. {short[0]!r}) were read {how}.",
                level="warning",
            )
        )
    serials = [raw for raw, r in readings.items() if r.serial]
    if serials:
        r = readings[serials[0]]
        notes.append(
            Issue(
                None,
                column,
                serials[0],
                f"Dates written as spreadsheet day numbers were read in the 1900 date system "
                f"({serials[0]} = {r.year:04d}-{r.month:02d}-{r.day:02d}); check one against "
                "the original sheet.",
                level="warning",
            )
        )
    return notes


def _centuries(
    codes: np.ndarray,
    uniques: np.ndarray,
    years: pd.Series,
    dates: pd.Series,
    problems: np.ndarray,
    readings: dict[str, Reading],
) -> tuple[pd.Series, np.ndarray]:
    """Two-digit years given the century of the row's year column (vectorised).

    Rows whose year column does not end in the two digits written keep the
    pivot's reading (:func:`_year_mismatch` then warns).
    """
    short = np.array([readings[str(u)].short_year for u in uniques] + [False])[codes]
    full = pd.to_numeric(years, errors="coerce").to_numpy(dtype="float64")
    fits = short & ~np.isnan(full) & dates.notna().to_numpy()
    fits &= np.nan_to_num(full) % 100 == dates.dt.year.fillna(-1).to_numpy() % 100
    if not fits.any():
        return dates, problems
    rows = dates[fits]
    fixed = pd.to_datetime(
        pd.DataFrame({"year": full[fits], "month": rows.dt.month, "day": rows.dt.day}),
        errors="coerce",
    )
    dates = dates.copy()
    dates[fits] = fixed.to_numpy()
    problems = problems.copy()
    for pos in np.flatnonzero(fits)[fixed.isna().to_numpy()]:
        problems[pos] = f"{uniques[codes[pos]]!r} is not a real date in {int(full[pos])}."
    return dates, problems


def _year_mismatch(
    values: pd.Series, years: pd.Series, dates: pd.Series, lines: list[int], column: str
) -> list[Issue]:
    year_num = pd.to_numeric(years, errors="coerce")
    off = dates.notna() & year_num.notna() & (dates.dt.year != year_num)
    out = []
    for pos in np.flatnonzero(off.to_numpy()):
        out.append(
            Issue(
                lines[pos],
                column,
                values.iat[pos],
                f"{column} {values.iat[pos]!r} falls in {dates.iat[pos].year} but the year "
                f"column says {int(year_num.iat[pos])}; the date is kept as written.",
                level="warning",
            )
        )
    return out


def _weekdays(
    codes: np.ndarray,
    uniques: np.ndarray,
    readings: dict[str, Reading],
    resolved: dict[str, tuple[dt.date | None, str | None]],
    lines: list[int],
    column: str,
) -> list[Issue]:
    wrong = {
        i
        for i, u in enumerate(uniques)
        if (r := readings[str(u)]).weekday is not None
        and (day := resolved[str(u)][0]) is not None
        and day.weekday() != r.weekday
    }
    out = []
    for pos in np.flatnonzero(np.isin(codes, list(wrong))) if wrong else []:
        raw = str(uniques[codes[pos]])
        day = resolved[raw][0]
        assert day is not None
        out.append(
            Issue(
                lines[pos],
                column,
                raw,
                f"{raw!r}: {day:%d %B %Y} was a {day:%A}; the date is kept, the weekday ignored.",
                level="warning",
            )
        )
    return out


def _spans(
    dates: pd.Series,
    end_codes: np.ndarray,
    end_uniques: np.ndarray,
    resolved: dict[str, tuple[dt.date | None, str | None]],
    precision: pd.Series,
    lines: list[int],
    ends: pd.Series,
) -> tuple[pd.Series, list[Issue]]:
    """Precision from the span between each start and end date."""
    end_days = _lookup(end_codes, end_uniques, lambda u: resolved[str(u)][0])
    end = pd.Series(pd.to_datetime(end_days, errors="coerce"), index=dates.index)
    span = (end - dates).dt.days
    known = span.notna() & (span >= 0)
    by_span = span.where(known).map(
        lambda d: span_precision(int(d)) if d == d else None, na_action="ignore"
    )
    out = precision.where(precision.notna() | ~known, by_span).astype(object)
    warnings = []
    for pos in np.flatnonzero((span < 0).to_numpy()):
        warnings.append(
            Issue(
                lines[pos],
                "date_end",
                ends.iat[pos],
                f"The end date {ends.iat[pos]!r} is before the start date; the span is ignored.",
                level="warning",
            )
        )
    return out.where(out.notna(), None), warnings


def parse_date(text: str | None) -> tuple[dt.date | None, str | None, str | None]:
    """Read one date on its own, as :func:`parse_dates` reads a one-row file.

    Parameters
    ----------
    text : str or None

    Returns
    -------
    (date or None, precision or None, problem or None)
        ``precision`` is "month" or "year" for partial dates, else ``None``;
        ``problem`` is a sentence when the text cannot be read (a numeric date
        that reads two ways is ambiguous on its own).

    Examples
    --------
    >>> parse_date("Friday, June 18, 2004")
    (datetime.date(2004, 6, 18), None, None)
    >>> parse_date("03/04/2025")[2][:46]
    "'03/04/2025' is ambiguous, it could be 3 April"
    """
    read = parse_dates(pd.Series([text], dtype=object))
    day = read.dates.iloc[0]
    return (
        None if pd.isna(day) else day.date(),
        read.precision.iloc[0],
        read.errors.get(0),
    )
