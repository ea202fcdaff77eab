"""Template hooks of reporting for pages of lower apps (``giving``'s project page and donate
form), which may not import ``disclosure``: ``{% load disclosure_reporting %}``, then

- ``{% project_clock project as clock %}``: the project's open deadlines today (one query);
- ``{% follow_state project user as follow %}``: whether ``user`` receives its reports;
- ``{% last_report_on project as day %}``: its latest progress or final report (no query when
  the updates are prefetched);
- ``{% financial_summary project as money %}``: ``disclosure.selectors.spending``'s summary.
"""

import dataclasses
import datetime as dt

from django import template
from django.utils import timezone

from commonweal.disclosure.compliance import Deadline
from commonweal.disclosure.selectors import reporting
from commonweal.disclosure.selectors.spending import project_financial_summary

register = template.Library()


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ProjectClock:
    """What the compliance badge shows."""

    deadlines: tuple[Deadline, ...]
    """Open deadlines, the most urgent first."""
    today: dt.date

    @property
    def next(self) -> Deadline | None:
        return self.deadlines[0] if self.deadlines else None

    @property
    def overdue(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.overdue]


@register.simple_tag
def project_clock(project) -> ProjectClock:
    today = timezone.localdate()
    return ProjectClock(deadlines=reporting.project_deadlines(project, today=today), today=today)


@register.simple_tag
def follow_state(project, user) -> reporting.FollowState:
    return reporting.follow_state(project, user)


@register.simple_tag
def last_report_on(project) -> dt.date | None:
    return reporting.last_report_on(project)


@register.simple_tag
def financial_summary(project):
    return project_financial_summary(project)


@register.filter
def days_late(deadline: Deadline) -> int:
    """Days past the due date of an overdue deadline (``-days_left``)."""
    return -deadline.days_left
