"""The Charity Law's disclosure clocks (disclosure.compliance): table tests and properties over
random dates, across month ends and leap years. Pure functions: no database, no clock."""

import calendar
import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from commonweal.core.timeutil import add_months
from commonweal.disclosure.compliance import (
    ClockFacts,
    Deadline,
    Duty,
    deadlines,
    final_due,
    is_long_running,
    next_deadline,
    progress_due,
    receipts_due,
)
from commonweal.projects.models import ReportKind

D = dt.date


def long_project(starts_on: dt.date, **overrides) -> ClockFacts:
    """A project planned to run a year from ``starts_on``."""
    return ClockFacts(starts_on=starts_on, ends_on=add_months(starts_on, 12), **overrides)


def test_duties_are_the_report_kinds_that_fulfil_them():
    assert {duty.value for duty in Duty} == set(ReportKind.values)


# --- month ends and leap years -----------------------------------------------------------------

@pytest.mark.parametrize(
    "start, due",
    [
        (D(2025, 1, 31), D(2025, 4, 30)),   # April has 30 days
        (D(2024, 11, 30), D(2025, 2, 28)),  # 2025 is not a leap year
        (D(2023, 11, 30), D(2024, 2, 29)),  # 2024 is
        (D(2023, 11, 29), D(2024, 2, 29)),
        (D(2024, 11, 29), D(2025, 2, 28)),
        (D(2099, 11, 30), D(2100, 2, 28)),  # 2100 is not a leap year (century rule)
        (D(1999, 11, 30), D(2000, 2, 29)),  # 2000 is (400-year rule)
        (D(2024, 12, 31), D(2025, 3, 31)),
        (D(2024, 10, 31), D(2025, 1, 31)),  # over the year end
        (D(2025, 5, 31), D(2025, 8, 31)),
        (D(2025, 3, 31), D(2025, 6, 30)),
        (D(2024, 2, 29), D(2024, 5, 29)),   # from a leap day
        (D(2025, 2, 28), D(2025, 5, 28)),   # a clamped date is not pushed back to the month end
    ],
)
def test_first_progress_report_three_calendar_months_after_the_start(start, due):
    assert progress_due(long_project(start), today=start) == due


@pytest.mark.parametrize(
    "last_report, due",
    [
        (D(2025, 1, 31), D(2025, 4, 30)),
        (D(2024, 11, 30), D(2025, 2, 28)),
        (D(2023, 11, 30), D(2024, 2, 29)),
        (D(2024, 5, 31), D(2024, 8, 31)),
    ],
)
def test_next_progress_report_three_months_after_the_last_one(last_report, due):
    facts = ClockFacts(starts_on=D(2023, 6, 1), ends_on=D(2026, 6, 1), last_report_on=last_report)
    assert progress_due(facts, today=last_report) == due


@pytest.mark.parametrize(
    "ended_on, due",
    [
        (D(2025, 1, 31), D(2025, 4, 30)),
        (D(2024, 11, 30), D(2025, 2, 28)),
        (D(2023, 11, 30), D(2024, 2, 29)),
        (D(2025, 6, 15), D(2025, 9, 15)),
    ],
)
def test_final_report_three_months_after_the_end(ended_on, due):
    facts = ClockFacts(starts_on=D(2023, 1, 1), ends_on=ended_on, ended_on=ended_on, fundraising_closed_on=ended_on)
    assert final_due(facts) == due


# --- which duties apply ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "starts_on, ends_on, today, long",
    [
        (D(2025, 1, 1), D(2025, 7, 1), D(2025, 1, 1), False),   # exactly six months: not longer
        (D(2025, 1, 1), D(2025, 7, 2), D(2025, 1, 1), True),
        (D(2025, 8, 31), D(2026, 2, 28), D(2025, 9, 1), False),  # Aug 31 + 6 months = Feb 28
        (D(2025, 8, 31), D(2026, 3, 1), D(2025, 9, 1), True),
        (D(2025, 1, 1), D(2025, 3, 1), D(2025, 7, 1), False),   # short, still running 6 months on
        (D(2025, 1, 1), D(2025, 3, 1), D(2025, 7, 2), True),    # ... and one day more: long
    ],
)
def test_long_running_means_longer_than_six_months(starts_on, ends_on, today, long):
    assert is_long_running(ClockFacts(starts_on=starts_on, ends_on=ends_on), today=today) is long


def test_a_short_project_owes_no_progress_report_while_it_runs():
    facts = ClockFacts(starts_on=D(2025, 1, 1), ends_on=D(2025, 4, 30))
    assert deadlines(facts, today=D(2025, 4, 30)) == ()


def test_a_project_still_running_past_six_months_owes_a_report_already_overdue():
    facts = ClockFacts(starts_on=D(2025, 1, 1), ends_on=D(2025, 3, 1))
    assert deadlines(facts, today=D(2025, 7, 2)) == (
        Deadline(duty=Duty.PROGRESS, due_on=D(2025, 4, 1), days_left=-92),
    )


def test_once_ended_the_final_report_replaces_the_periodic_one():
    facts = long_project(D(2024, 1, 10), ended_on=D(2025, 1, 10), fundraising_closed_on=D(2024, 12, 1),
                         last_report_on=D(2024, 6, 1))
    assert progress_due(facts, today=D(2025, 1, 11)) is None
    assert next_deadline(facts, today=D(2025, 1, 11)) == Deadline(duty=Duty.FINAL, due_on=D(2025, 4, 10), days_left=89)


@pytest.mark.parametrize(
    "final_on, owed",
    [
        (None, True),
        (D(2024, 12, 31), True),    # before the planned end and the actual end: not the final report
        (D(2025, 1, 10), False),    # on the planned end
        (D(2025, 3, 1), False),
    ],
)
def test_a_final_report_counts_from_the_earlier_of_the_planned_and_actual_end(final_on, owed):
    facts = ClockFacts(starts_on=D(2024, 1, 10), ends_on=D(2025, 1, 10), ended_on=D(2025, 2, 1),
                       fundraising_closed_on=D(2025, 1, 10), last_final_on=final_on, last_report_on=final_on)
    assert (final_due(facts) is not None) is owed


def test_a_final_report_published_after_an_early_end_counts():
    facts = ClockFacts(starts_on=D(2024, 1, 10), ends_on=D(2025, 1, 10), ended_on=D(2024, 9, 1),
                       fundraising_closed_on=D(2024, 9, 1), last_final_on=D(2024, 9, 2))
    assert final_due(facts) is None


def test_emergency_receipts_every_five_days_while_donations_arrive():
    facts = ClockFacts(starts_on=D(2025, 2, 26), ends_on=D(2025, 3, 30), emergency=True)
    assert receipts_due(facts) == D(2025, 3, 3)  # across the end of February
    facts = ClockFacts(starts_on=D(2024, 2, 26), ends_on=D(2024, 3, 30), emergency=True, last_receipts_on=D(2024, 2, 27))
    assert receipts_due(facts) == D(2024, 3, 3)  # 2024 has a Feb 29
    assert receipts_due(ClockFacts(starts_on=D(2025, 2, 26), ends_on=D(2025, 3, 30))) is None  # not an emergency


def test_emergency_receipts_end_with_one_publication_after_fundraising_closes():
    base = dict(starts_on=D(2025, 7, 1), ends_on=D(2025, 7, 31), emergency=True, fundraising_closed_on=D(2025, 7, 20))
    assert receipts_due(ClockFacts(**base, last_receipts_on=D(2025, 7, 18))) == D(2025, 7, 23)
    assert receipts_due(ClockFacts(**base, last_receipts_on=D(2025, 7, 20))) is None


def test_deadlines_are_inclusive_and_the_most_urgent_comes_first():
    facts = ClockFacts(starts_on=D(2025, 1, 1), ends_on=D(2026, 1, 1), emergency=True, last_receipts_on=D(2025, 3, 28))
    on_due_day = deadlines(facts, today=D(2025, 4, 1))
    assert [(d.duty, d.due_on, d.days_left, d.overdue) for d in on_due_day] == [
        (Duty.PROGRESS, D(2025, 4, 1), 0, False),
        (Duty.RECEIPTS, D(2025, 4, 2), 1, False),
    ]
    day_after = next_deadline(facts, today=D(2025, 4, 2))
    assert (day_after.duty, day_after.days_left, day_after.overdue) == (Duty.PROGRESS, -1, True)


def test_equal_due_dates_break_ties_receipts_first():
    facts = ClockFacts(starts_on=D(2025, 1, 1), ends_on=D(2026, 1, 1), emergency=True, last_receipts_on=D(2025, 3, 27))
    assert [d.duty for d in deadlines(facts, today=D(2025, 3, 1))] == [Duty.RECEIPTS, Duty.PROGRESS]


def test_a_report_before_the_start_does_not_move_the_clock_back():
    facts = long_project(D(2025, 3, 1), last_report_on=D(2025, 2, 1))
    assert progress_due(facts, today=D(2025, 3, 1)) == D(2025, 6, 1)


# --- properties over random dates ------------------------------------------------------------

dates = st.dates(min_value=D(1999, 1, 1), max_value=D(2101, 12, 31))
gaps = st.integers(min_value=0, max_value=800)


@st.composite
def running_projects(draw):
    """A running project, a day inside or after its period, and maybe a report since the start."""
    starts_on = draw(dates)
    ends_on = starts_on + dt.timedelta(days=draw(gaps))
    today = starts_on + dt.timedelta(days=draw(gaps))
    last = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=(today - starts_on).days)))
    last_report_on = None if last is None else starts_on + dt.timedelta(days=last)
    facts = ClockFacts(starts_on=starts_on, ends_on=ends_on, last_report_on=last_report_on,
                       emergency=draw(st.booleans()), last_receipts_on=last_report_on)
    return facts, today


@given(dates, st.integers(min_value=-1200, max_value=1200))
def test_add_months_clamps_to_the_end_of_the_month(d, months):
    moved = add_months(d, months)
    assert (moved.year * 12 + moved.month) - (d.year * 12 + d.month) == months
    assert moved.day == min(d.day, calendar.monthrange(moved.year, moved.month)[1])


@given(dates, dates)
def test_add_months_never_reorders_dates(a, b):
    assume(a <= b)
    assert add_months(a, 3) <= add_months(b, 3)


@settings(max_examples=500)
@given(running_projects())
def test_progress_due_is_three_calendar_months_after_the_last_report_never_before_it(case):
    facts, today = case
    due = progress_due(facts, today=today)
    if not is_long_running(facts, today=today):
        assert due is None
        return
    anchor = facts.last_report_on or facts.starts_on
    assert due > anchor  # never before (or on) the previous report
    assert 89 <= (due - anchor).days <= 92  # three calendar months are 89 to 92 days
    assert due == add_months(anchor, 3)


@settings(max_examples=500)
@given(running_projects())
def test_days_left_and_overdue_follow_the_due_date(case):
    facts, today = case
    for deadline in deadlines(facts, today=today):
        assert deadline.days_left == (deadline.due_on - today).days
        assert deadline.overdue == (today > deadline.due_on)
        # Without a new report, an overdue deadline stays overdue the next day, a day later.
        later = {d.duty: d for d in deadlines(facts, today=today + dt.timedelta(days=1))}
        if deadline.overdue and deadline.duty in later:
            assert later[deadline.duty].overdue
            assert later[deadline.duty].days_left == deadline.days_left - 1


@settings(max_examples=500)
@given(running_projects(), st.integers(min_value=0, max_value=200))
def test_publishing_on_time_never_brings_the_next_deadline_forward(case, offset):
    facts, today = case
    due = progress_due(facts, today=today)
    assume(due is not None)
    anchor = facts.last_report_on or facts.starts_on
    published = min(anchor + dt.timedelta(days=offset), due)
    after = ClockFacts(starts_on=facts.starts_on, ends_on=facts.ends_on, last_report_on=published)
    new_due = progress_due(after, today=max(today, published))
    assert new_due is not None and new_due >= due and new_due > published


@settings(max_examples=300)
@given(running_projects())
def test_receipts_every_five_days_never_before_the_last_publication(case):
    facts, today = case
    due = receipts_due(facts)
    if not facts.emergency:
        assert due is None
        return
    anchor = max(facts.starts_on, facts.last_receipts_on or facts.starts_on)
    assert due == anchor + dt.timedelta(days=5)


@settings(max_examples=300)
@given(dates, gaps, gaps, st.integers(min_value=0, max_value=400))
def test_final_report_due_three_months_after_the_end_until_published(starts_on, planned, actual, later):
    ends_on = starts_on + dt.timedelta(days=planned)
    ended_on = starts_on + dt.timedelta(days=actual)
    facts = ClockFacts(starts_on=starts_on, ends_on=ends_on, ended_on=ended_on, fundraising_closed_on=ended_on)
    due = final_due(facts)
    assert due == add_months(ended_on, 3) and 89 <= (due - ended_on).days <= 92
    published = ClockFacts(starts_on=starts_on, ends_on=ends_on, ended_on=ended_on, fundraising_closed_on=ended_on,
                           last_final_on=ended_on + dt.timedelta(days=later), last_report_on=ended_on)
    assert final_due(published) is None
    assert deadlines(published, today=ended_on + dt.timedelta(days=later)) == ()


@settings(max_examples=300)
@given(running_projects())
def test_next_deadline_is_the_earliest(case):
    facts, today = case
    found = deadlines(facts, today=today)
    nearest = next_deadline(facts, today=today)
    if not found:
        assert nearest is None
    else:
        assert nearest == found[0] and nearest.due_on == min(d.due_on for d in found)
