"""ui.state: the date field's value as filter days, the link's warning and the empty notice."""

from __future__ import annotations

from datetime import date

from ui.state import date_changes

LO, HI = date(2020, 1, 1), date(2025, 12, 31)


def test_a_typed_range_sets_both_days():
    assert date_changes((date(2023, 3, 1), date(2023, 6, 30)), (LO, HI)) == (
        date(2023, 3, 1),
        date(2023, 6, 30),
    )


def test_one_typed_day_sets_the_first_day_only():
    assert date_changes((date(2023, 3, 1),), (LO, HI)) == (date(2023, 3, 1), None)
    assert date_changes(date(2023, 3, 1), (LO, HI)) == (date(2023, 3, 1), None)


def test_days_typed_the_wrong_way_round_are_put_in_order():
    assert date_changes((date(2024, 5, 1), date(2023, 5, 1)), (LO, HI)) == (
        date(2023, 5, 1),
        date(2024, 5, 1),
    )


def test_the_store_bounds_and_days_outside_them():
    assert date_changes((LO, HI), (LO, HI)) == (None, None)  # whole store: no filter
    early = date(1999, 1, 1)  # before the first stored incident: still a day one may type
    assert date_changes((early, HI), (LO, HI)) == (early, None)
    assert date_changes((), (LO, HI)) == (None, None)
    assert date_changes(None, (LO, HI)) == (None, None)
