"""Working days for the complaint deadline: vectors over weekends, configured holidays, properties."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonweal.disclosure.workdays import add_working_days, is_working_day, working_days_between

D = dt.date


@pytest.mark.parametrize("start, n, due", [
    (D(2026, 11, 20), 5, D(2026, 11, 27)),  # Friday -> next Friday
    (D(2026, 11, 21), 5, D(2026, 11, 27)),  # Saturday -> Friday (the weekend does not count)
    (D(2026, 11, 22), 5, D(2026, 11, 27)),  # Sunday -> Friday
    (D(2026, 11, 23), 5, D(2026, 11, 30)),  # Monday -> next Monday
    (D(2026, 11, 26), 5, D(2026, 12, 3)),  # Thursday -> Thursday, across a month end
    (D(2026, 12, 31), 5, D(2027, 1, 7)),  # across a year end
    (D(2028, 2, 25), 5, D(2028, 3, 3)),  # Friday before a leap day (Tue 29 Feb counts)
    (D(2026, 11, 20), 1, D(2026, 11, 23)),  # Friday + 1 -> Monday
])
def test_deadlines_skip_weekends(start, n, due):
    assert add_working_days(start, n) == due


def test_configured_holidays_and_weekend_workdays():
    # National Day week 2026 as a deployment might configure it: Thu 1 Oct - Wed 7 Oct off,
    # Sat 10 Oct worked instead.
    holidays = {D(2026, 10, day) for day in range(1, 8)}
    workdays = {D(2026, 10, 10)}
    assert add_working_days(D(2026, 9, 30), 5, holidays=holidays, workdays=workdays) == D(2026, 10, 13)
    assert add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 7)  # unconfigured: holidays not modelled
    assert is_working_day(D(2026, 10, 10), workdays=workdays) and not is_working_day(D(2026, 10, 10))


@pytest.mark.parametrize("n, error", [(0, ValueError), (-1, ValueError), (True, TypeError), (1.0, TypeError)])
def test_bad_counts_are_refused(n, error):
    with pytest.raises(error):
        add_working_days(D(2026, 1, 1), n)


def test_a_datetime_is_not_a_date():
    with pytest.raises(TypeError):
        add_working_days(dt.datetime(2026, 1, 1, 12, 0), 5)


def test_every_day_a_holiday_is_refused_not_looped():
    start = D(2026, 1, 1)
    holidays = {start + dt.timedelta(days=k) for k in range(1, 4000)}
    with pytest.raises(ValueError):
        add_working_days(start, 1, holidays=holidays)


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31))


@given(start=dates, n=st.integers(min_value=1, max_value=60))
def test_the_deadline_is_a_weekday_exactly_n_weekdays_later(start, n):
    due = add_working_days(start, n)
    assert due.weekday() < 5  # never a Saturday or Sunday
    weekdays = [start + dt.timedelta(days=k) for k in range(1, (due - start).days + 1)]
    assert sum(1 for day in weekdays if day.weekday() < 5) == n  # exactly n weekdays in (start, due]
    assert working_days_between(start, due) == n
    assert due - start <= dt.timedelta(days=n + 2 * (n // 5 + 1))  # no more than the weekends in between


@given(start=dates, n=st.integers(min_value=1, max_value=30), holidays=st.sets(dates, max_size=40))
def test_holidays_are_skipped_and_only_push_the_deadline_later(start, n, holidays):
    due = add_working_days(start, n, holidays=holidays)
    assert due.weekday() < 5 and due not in holidays
    assert working_days_between(start, due, holidays=holidays) == n
    assert due >= add_working_days(start, n)


@given(start=dates, end=dates)
def test_working_days_between_is_antisymmetric(start, end):
    assert working_days_between(start, end) == -working_days_between(end, start)
