"""core.timeutil: UTC storage, Shanghai display, calendar months, RFC 3339."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonweal.core.timeutil import SHANGHAI, add_months, rfc3339, shanghai_date, to_shanghai, utcnow


def test_shanghai_is_utc_plus_8():
    assert str(SHANGHAI) == "Asia/Shanghai"
    assert datetime(2024, 7, 1, tzinfo=SHANGHAI).utcoffset() == timedelta(hours=8)
    assert datetime(2024, 1, 1, tzinfo=SHANGHAI).utcoffset() == timedelta(hours=8)


def test_utcnow_is_aware_utc_and_current():
    before = datetime.now(UTC)
    now = utcnow()
    after = datetime.now(UTC)
    assert now.tzinfo is UTC
    assert before <= now <= after


@pytest.mark.parametrize(
    ("utc", "local"),
    [
        (datetime(2024, 9, 4, 16, 0, tzinfo=UTC), datetime(2024, 9, 5, 0, 0)),
        (datetime(2024, 12, 31, 15, 59, 59, tzinfo=UTC), datetime(2024, 12, 31, 23, 59, 59)),
        (datetime(2024, 12, 31, 16, 0, tzinfo=UTC), datetime(2025, 1, 1, 0, 0)),
    ],
)
def test_to_shanghai(utc, local):
    converted = to_shanghai(utc)
    assert converted.replace(tzinfo=None) == local
    assert converted == utc  # the same instant
    assert converted.tzinfo is SHANGHAI
    assert shanghai_date(utc) == local.date()


def test_to_shanghai_from_another_zone():
    new_york_summer = timezone(timedelta(hours=-4))
    dt = datetime(2024, 7, 1, 20, 0, tzinfo=new_york_summer)
    assert to_shanghai(dt).replace(tzinfo=None) == datetime(2024, 7, 2, 8, 0)


@pytest.mark.parametrize("func", [to_shanghai, shanghai_date, rfc3339])
def test_naive_datetimes_are_refused(func):
    with pytest.raises(ValueError, match="timezone-aware"):
        func(datetime(2024, 9, 5, 8, 0))


@pytest.mark.parametrize("func", [to_shanghai, rfc3339])
def test_dates_are_refused(func):
    with pytest.raises(TypeError):
        func(date(2024, 9, 5))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 15), 1, date(2024, 2, 15)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2100, 1, 31), 1, date(2100, 2, 28)),  # divisible by 100: not a leap year
        (date(2000, 1, 31), 1, date(2000, 2, 29)),  # divisible by 400: leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 3, 31), 6, date(2024, 9, 30)),  # Charity Law Art. 79: "longer than 6 months"
        (date(2024, 11, 30), 3, date(2025, 2, 28)),  # "at least every 3 months"
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2024, 5, 31), -15, date(2023, 2, 28)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
        (date(2024, 5, 10), 120, date(2034, 5, 10)),
        (date(1, 1, 1), 0, date(1, 1, 1)),
        (date(9999, 12, 31), 0, date(9999, 12, 31)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_add_months_keeps_time_and_zone():
    start = datetime(2024, 1, 31, 23, 30, 15, tzinfo=SHANGHAI)
    result = add_months(start, 1)
    assert result == datetime(2024, 2, 29, 23, 30, 15, tzinfo=SHANGHAI)
    assert type(result) is datetime and result.tzinfo is SHANGHAI
    assert type(add_months(date(2024, 1, 31), 1)) is date


@pytest.mark.parametrize(("start", "months"), [(date(9999, 12, 1), 1), (date(1, 1, 1), -1)])
def test_add_months_overflow(start, months):
    with pytest.raises(OverflowError):
        add_months(start, months)


@pytest.mark.parametrize("months", [1.0, "1", True, None])
def test_add_months_needs_an_int(months):
    with pytest.raises(TypeError):
        add_months(date(2024, 1, 1), months)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(-1200, 1200))
def test_add_months_properties(start, months):
    result = add_months(start, months)
    # Lands in the right month ...
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    # ... on the same day, or the last day of a month too short for it.
    if result.day != start.day:
        assert result.day < start.day
        assert (result + timedelta(days=1)).month != result.month


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(0, 600), st.integers(0, 600))
def test_add_months_composes_when_no_clamping(start, a, b):
    if start.day <= 28:
        assert add_months(add_months(start, a), b) == add_months(start, a + b)


@pytest.mark.parametrize(
    ("dt", "timespec", "text"),
    [
        (datetime(2024, 9, 5, 0, 0, tzinfo=UTC), "seconds", "2024-09-05T00:00:00Z"),
        (datetime(2024, 9, 5, 8, 0, tzinfo=SHANGHAI), "seconds", "2024-09-05T00:00:00Z"),
        (datetime(2024, 9, 5, 0, 0, 0, 123456, tzinfo=UTC), "seconds", "2024-09-05T00:00:00Z"),
        (datetime(2024, 9, 5, 0, 0, 0, 123456, tzinfo=UTC), "milliseconds", "2024-09-05T00:00:00.123Z"),
        (datetime(2024, 9, 5, 0, 0, 0, 123456, tzinfo=UTC), "microseconds", "2024-09-05T00:00:00.123456Z"),
        (datetime(2024, 9, 5, 0, 0, tzinfo=UTC), "microseconds", "2024-09-05T00:00:00.000000Z"),
        (datetime(2024, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=-5))), "seconds", "2024-01-01T07:00:00Z"),
    ],
)
def test_rfc3339(dt, timespec, text):
    assert rfc3339(dt, timespec=timespec) == text


def test_rfc3339_rejects_unknown_timespec():
    with pytest.raises(ValueError):
        rfc3339(datetime(2024, 9, 5, tzinfo=UTC), timespec="auto")


# From 1992: China's 1986-1991 summer time leaves wall-clock times that never existed.
@given(st.datetimes(min_value=datetime(1992, 1, 1), timezones=st.sampled_from([UTC, SHANGHAI, timezone(timedelta(hours=-7))])))
def test_rfc3339_round_trips(dt):
    text = rfc3339(dt, timespec="microseconds")
    assert text.endswith("Z")
    assert datetime.fromisoformat(text) == dt
    # One instant, one string: the zone it was given in does not matter.
    assert rfc3339(to_shanghai(dt), timespec="microseconds") == text
