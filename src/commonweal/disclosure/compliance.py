"""The Charity Law's disclosure clocks: pure date maths, dates in, deadlines out.

PRC Charity Law as amended 2023 (in force 2024-09-05):

- Art. 79: a project whose implementation runs longer than six months discloses at least every
  three months, and in full within three months after it ends.
- Art. 72: an appeal for a major emergency publishes the donations it received at least every
  five days.

This module knows nothing of Django or the database: the caller gathers the facts of one project
(:class:`ClockFacts`) and asks for its open deadlines (:func:`deadlines`) or the most urgent one
(:func:`next_deadline`). Month arithmetic clamps to the end of the month
(:func:`commonweal.core.timeutil.add_months`): Jan 31 + 3 months is Apr 30, Nov 30 + 3 months is
Feb 28, or Feb 29 in a leap year. The rules as applied (docs/architecture.md, "Reporting on the
law's clock"):

1. Periodic progress reports (:attr:`Duty.PROGRESS`) while the project runs, if it runs longer
   than six months: from ``starts_on`` to ``ends_on``, or to today while it is still running
   after ``ends_on``. Due three months after the last progress or final report, or after the
   start when there is none (or when the last one predates the start).
2. A final report (:attr:`Duty.FINAL`) once the project has ended (completed, or closed after
   going public): due three months after ``ended_on``. A final report counts if it was published
   on or after the planned end or the actual end, whichever came first.
3. Receipts (:attr:`Duty.RECEIPTS`) for emergency appeals while donations can arrive: due five
   days after the last receipts publication, or after the start. Once fundraising has closed, one
   publication on or after the closing day ends the duty.

Due dates are inclusive: on the due date ``days_left`` is 0 and the project is not overdue; the
day after, ``days_left`` is -1 and it is.
"""

import dataclasses
import datetime as dt
import enum

from commonweal.core.timeutil import add_months

__all__ = [
    "Duty",
    "ClockFacts",
    "Deadline",
    "LONG_PROJECT_MONTHS",
    "PROGRESS_EVERY_MONTHS",
    "FINAL_WITHIN_MONTHS",
    "RECEIPTS_EVERY_DAYS",
    "is_long_running",
    "progress_due",
    "final_due",
    "receipts_due",
    "deadlines",
    "next_deadline",
]

LONG_PROJECT_MONTHS = 6
"""Projects running longer than this many months report periodically (Art. 79)."""
PROGRESS_EVERY_MONTHS = 3
"""At least one progress report every this many months (Art. 79)."""
FINAL_WITHIN_MONTHS = 3
"""The final report is due this many months after the end (Art. 79)."""
RECEIPTS_EVERY_DAYS = 5
"""Emergency appeals publish receipts at least every this many days (Art. 72)."""


class Duty(enum.StrEnum):
    """What must be published. The values are the report kinds that fulfil each duty
    (``projects.models.ReportKind``); the order is the tie-break between equal due dates."""

    RECEIPTS = "receipts"
    FINAL = "final"
    PROGRESS = "progress"


_DUTY_ORDER = {duty: index for index, duty in enumerate(Duty)}


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ClockFacts:
    """What the clocks need to know about one project; all dates are Shanghai calendar dates."""

    starts_on: dt.date
    """First day of the project's period."""
    ends_on: dt.date
    """Last day of the planned period (on or after ``starts_on``)."""
    emergency: bool = False
    """Whether the project is an appeal for a public emergency (Art. 72 receipts clock)."""
    fundraising_closed_on: dt.date | None = None
    """The day the project stopped taking donations; None while it still takes them."""
    ended_on: dt.date | None = None
    """The day the project was completed or closed; None while it runs."""
    last_report_on: dt.date | None = None
    """Day of the latest progress or final report."""
    last_final_on: dt.date | None = None
    """Day of the latest final report."""
    last_receipts_on: dt.date | None = None
    """Day of the latest receipts publication."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Deadline:
    """One open duty of a project, seen from ``today``."""

    duty: Duty
    """What must be published."""
    due_on: dt.date
    """The last day on which publishing it is on time."""
    days_left: int
    """Days from today to ``due_on``: 0 on the due date, negative once overdue."""

    @property
    def overdue(self) -> bool:
        """Whether the due date has passed without the publication."""
        return self.days_left < 0

    @classmethod
    def seen_on(cls, duty: Duty, due_on: dt.date, today: dt.date) -> "Deadline":
        return cls(duty=duty, due_on=due_on, days_left=(due_on - today).days)


def is_long_running(facts: ClockFacts, *, today: dt.date) -> bool:
    """Whether the period is longer than six months: planned, or so far for a project still
    running past its planned end."""
    if facts.ended_on is not None:
        end = max(facts.ends_on, facts.ended_on)
    else:
        end = max(facts.ends_on, today)
    return end > add_months(facts.starts_on, LONG_PROJECT_MONTHS)


def progress_due(facts: ClockFacts, *, today: dt.date) -> dt.date | None:
    """Rule 1: the next periodic progress report, or None when none is owed."""
    if facts.ended_on is not None or not is_long_running(facts, today=today):
        return None
    anchor = facts.starts_on
    if facts.last_report_on is not None and facts.last_report_on > anchor:
        anchor = facts.last_report_on
    return add_months(anchor, PROGRESS_EVERY_MONTHS)


def final_due(facts: ClockFacts) -> dt.date | None:
    """Rule 2: the final report, or None while the project runs or once it is published."""
    if facts.ended_on is None:
        return None
    counts_from = min(facts.ends_on, facts.ended_on)
    if facts.last_final_on is not None and facts.last_final_on >= counts_from:
        return None
    return add_months(facts.ended_on, FINAL_WITHIN_MONTHS)


def receipts_due(facts: ClockFacts) -> dt.date | None:
    """Rule 3: the next receipts publication of an emergency appeal, or None."""
    if not facts.emergency:
        return None
    last = facts.last_receipts_on
    closed = facts.fundraising_closed_on
    if closed is not None and last is not None and last >= closed:
        return None
    anchor = facts.starts_on if last is None or last < facts.starts_on else last
    return anchor + dt.timedelta(days=RECEIPTS_EVERY_DAYS)


def deadlines(facts: ClockFacts, *, today: dt.date) -> tuple[Deadline, ...]:
    """Every open duty, the most urgent first (earliest due date; receipts, final, progress)."""
    found = [
        Deadline.seen_on(duty, due_on, today)
        for duty, due_on in (
            (Duty.RECEIPTS, receipts_due(facts)),
            (Duty.FINAL, final_due(facts)),
            (Duty.PROGRESS, progress_due(facts, today=today)),
        )
        if due_on is not None
    ]
    return tuple(sorted(found, key=lambda d: (d.due_on, _DUTY_ORDER[d.duty])))


def next_deadline(facts: ClockFacts, *, today: dt.date) -> Deadline | None:
    """The most urgent open duty, or None when the project owes nothing."""
    found = deadlines(facts, today=today)
    return found[0] if found else None
