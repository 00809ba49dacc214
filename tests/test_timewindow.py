"""geo.views.timewindow: aligned weeks, months and quarters, their URL text, stepping, the mask."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo.views.timewindow import MAX_WINDOWS, TimeWindow, in_window, windows


@pytest.mark.parametrize(
    ("day", "size", "start", "end", "label"),
    [
        (date(2024, 3, 6), "week", date(2024, 3, 4), date(2024, 3, 11), "week of 4 Mar 2024"),
        (date(2024, 2, 29), "month", date(2024, 2, 1), date(2024, 3, 1), "February 2024"),
        (date(2024, 12, 31), "month", date(2024, 12, 1), date(2025, 1, 1), "December 2024"),
        (date(2024, 11, 5), "quarter", date(2024, 10, 1), date(2025, 1, 1), "2024 Q4"),
    ],
)
def test_a_window_is_the_calendar_period_holding_a_day(day, size, start, end, label):
    w = TimeWindow.containing(day, size)
    assert (w.start, w.end, w.label()) == (start, end, label)
    assert w.last_day == end - pd.Timedelta(days=1)


def test_the_url_text_reads_back_and_any_day_in_the_period_aligns():
    w = TimeWindow.containing(date(2023, 8, 9), "quarter")
    assert w.text() == "quarter:2023-07-01" and TimeWindow.parse(w.text()) == w
    assert TimeWindow.parse("MONTH:2024-03") == TimeWindow(date(2024, 3, 1), "month")
    assert TimeWindow.parse(" week:2024-03-10 ").start == date(2024, 3, 4)  # a Sunday → Monday


@pytest.mark.parametrize("text", ["", "month", "year:2024-01-01", "month:2024-13-01", "2024-03"])
def test_anything_else_is_refused_with_a_reason(text):
    with pytest.raises(ValueError, match=r"window|date"):
        TimeWindow.parse(text)


def test_an_unaligned_start_or_unknown_size_is_refused():
    with pytest.raises(ValueError, match="first day"):
        TimeWindow(date(2024, 3, 2), "month")
    with pytest.raises(ValueError, match="week, a month or a quarter"):
        TimeWindow(date(2024, 1, 1), "year")  # type: ignore[arg-type]


def test_stepping_forward_and_back_crosses_years():
    w = TimeWindow(date(2024, 12, 1), "month")
    assert w.next() == TimeWindow(date(2025, 1, 1), "month")
    assert w.next().previous() == w
    assert TimeWindow(date(2025, 1, 1), "quarter").previous().label() == "2024 Q4"


def test_windows_cover_the_range_in_order_and_stop_at_the_limit():
    ws = windows(date(2024, 1, 15), date(2024, 4, 2), "month")
    assert [w.slug() for w in ws] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert windows(date(2024, 4, 2), date(2024, 1, 15), "month") == ws  # either order
    assert len(windows(date(1900, 1, 1), date(2025, 1, 1), "week")) == MAX_WINDOWS


def test_the_mask_keeps_the_period_and_never_an_unknown_date():
    days = ["2024-02-29 00:00", "2024-03-01 00:00", "2024-03-31 23:00", None]
    dates = pd.Series(pd.to_datetime(days, format="%Y-%m-%d %H:%M"))
    keep = in_window(dates, TimeWindow(date(2024, 3, 1), "month"))
    assert keep.tolist() == [False, True, True, False]


def test_slugs_are_short_and_file_safe():
    assert TimeWindow(date(2024, 3, 4), "week").slug() == "2024-W10"
    assert TimeWindow(date(2024, 4, 1), "quarter").slug() == "2024Q2"
