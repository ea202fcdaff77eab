"""Reads for reporting on the Charity Law's clock: each project's open deadlines, overdue
projects (for pages, search ranking and matching eligibility), reports, and followers.

The clock maths is :mod:`commonweal.disclosure.compliance`; this module gathers each project's
facts for it in one query: the latest report of each kind, and the days the project stopped
taking donations and ended, read from the audit records that ``projects.services.project_transition``
writes in the same transaction as each status change.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery

from commonweal.core.domains import Domain
from commonweal.core.models import AuditEvent
from commonweal.core.timeutil import shanghai_date
from commonweal.disclosure.compliance import ClockFacts, Deadline, deadlines
from commonweal.disclosure.models import Follow
from commonweal.giving.models import Donation
from commonweal.projects.models import Project, ProjectStatus, ProjectUpdate, ReportKind

__all__ = [
    "EMERGENCY_DOMAINS",
    "CLOCK_STATUSES",
    "project_under_clock",
    "projects_under_clock",
    "project_clock_facts",
    "project_deadlines",
    "project_is_overdue",
    "projects_overdue",
    "overdue_project_ids",
    "clocks_of",
    "last_report_on",
    "FollowState",
    "follow_state",
    "follow_by_token",
]

EMERGENCY_DOMAINS = frozenset({Domain.PUBLIC_EMERGENCY})
"""Projects in these domains are emergency appeals under Art. 72 (receipts every five days)."""

CLOCK_STATUSES = frozenset({ProjectStatus.FUNDRAISING, ProjectStatus.EXECUTING, ProjectStatus.COMPLETED, ProjectStatus.CLOSED})
"""Statuses in which a project owes reports: once public. A project closed without ever
receiving a donation owes nothing (see :func:`project_under_clock`)."""

# Audit actions of the project lifecycle (projects.lifecycle.PROJECT_TRANSITIONS).
_LEFT_FUNDRAISING = ("project.execute", "project.close")
_ENDED = ("project.complete", "project.close")
_REPORTS = (ReportKind.PROGRESS, ReportKind.FINAL)


def project_under_clock(project: Project) -> bool:
    """Whether ``project`` owes reports at all: public, and not closed without any donation."""
    if project.status not in CLOCK_STATUSES:
        return False
    return not (project.status == ProjectStatus.CLOSED and project.raised_fen == 0)


def _latest_report(kinds: Iterable[str]) -> Subquery:
    rows = ProjectUpdate.objects.filter(project=OuterRef("pk"), kind__in=list(kinds)).order_by("-published_at")
    return Subquery(rows.values("published_at")[:1])


def _latest_audit(actions: Iterable[str]) -> Subquery:
    rows = AuditEvent.objects.filter(target_type="project", target_id=OuterRef("public_id"), action__in=list(actions))
    return Subquery(rows.order_by("-at").values("at")[:1])


def _with_clock_facts(projects: QuerySet[Project]) -> QuerySet[Project]:
    return projects.annotate(
        clock_last_report_at=_latest_report(_REPORTS),
        clock_last_final_at=_latest_report([ReportKind.FINAL]),
        clock_last_receipts_at=_latest_report([ReportKind.RECEIPTS]),
        clock_left_fundraising_at=_latest_audit(_LEFT_FUNDRAISING),
        clock_ended_at=_latest_audit(_ENDED),
    )


def projects_under_clock() -> QuerySet[Project]:
    """Every project that owes reports, annotated with its clock facts (one query)."""
    closed_without_gifts = Q(status=ProjectStatus.CLOSED, raised_fen=0)
    return _with_clock_facts(Project.objects.filter(status__in=CLOCK_STATUSES).exclude(closed_without_gifts))


def _day(at: dt.datetime | None) -> dt.date | None:
    return shanghai_date(at) if at is not None else None


_FACT_FIELDS = ("clock_last_report_at", "clock_last_final_at", "clock_last_receipts_at", "clock_left_fundraising_at", "clock_ended_at")


def _facts_of(project: Project, annotated: dict | None = None) -> ClockFacts:
    """The facts of a project annotated by :func:`_with_clock_facts` (or of ``project`` with the
    annotations given in ``annotated``). A status change without its audit record (imported
    data) counts from the planned end date."""
    at = annotated if annotated is not None else {name: getattr(project, name) for name in _FACT_FIELDS}
    fundraising_closed_on = ended_on = None
    if project.status != ProjectStatus.FUNDRAISING:
        fundraising_closed_on = _day(at["clock_left_fundraising_at"]) or project.ends_on
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.CLOSED):
        ended_on = _day(at["clock_ended_at"]) or project.ends_on
    return ClockFacts(
        starts_on=project.starts_on,
        ends_on=project.ends_on,
        emergency=project.domain in EMERGENCY_DOMAINS,
        fundraising_closed_on=fundraising_closed_on,
        ended_on=ended_on,
        last_report_on=_day(at["clock_last_report_at"]),
        last_final_on=_day(at["clock_last_final_at"]),
        last_receipts_on=_day(at["clock_last_receipts_at"]),
    )


def project_clock_facts(project: Project) -> ClockFacts | None:
    """The clock facts of one project (one query), or None if it owes no reports."""
    if not project_under_clock(project):
        return None
    annotated = _with_clock_facts(Project.objects.filter(pk=project.pk)).values(*_FACT_FIELDS).first()
    return _facts_of(project, annotated) if annotated is not None else None


def project_deadlines(project: Project, *, today: dt.date) -> tuple[Deadline, ...]:
    """The project's open deadlines seen from ``today``, the most urgent first."""
    facts = project_clock_facts(project)
    return deadlines(facts, today=today) if facts is not None else ()


def project_is_overdue(project: Project, today: dt.date) -> bool:
    """Whether any of the project's deadlines has passed (for matching eligibility)."""
    return project.pk in projects_overdue([project], today)


def projects_overdue(projects: Iterable[Project], today: dt.date) -> set[int]:
    """The ids of those of ``projects`` with a deadline passed (one query; matching asks for a
    batch of confirmations at once)."""
    under = [project.pk for project in projects if project_under_clock(project)]
    if not under:
        return set()
    annotated = _with_clock_facts(Project.objects.filter(pk__in=under))  # a plain query: few rows
    return {project.pk for project in annotated if any(d.overdue for d in deadlines(_facts_of(project), today=today))}


def clocks_of(projects: QuerySet[Project] | None = None, *, today: dt.date) -> Iterator[tuple[Project, tuple[Deadline, ...]]]:
    """Each project under the clock (of ``projects``, when given) with its open deadlines."""
    annotated = projects_under_clock() if projects is None else _with_clock_facts(projects)
    for project in annotated.iterator(chunk_size=500):
        if project_under_clock(project):
            yield project, deadlines(_facts_of(project), today=today)


def overdue_project_ids(today: dt.date) -> set[int]:
    """Internal ids of every project with an overdue deadline (for matching eligibility)."""
    return {project.pk for project, found in clocks_of(today=today) if any(d.overdue for d in found)}


def last_report_on(project: Project) -> dt.date | None:
    """Day of the project's latest progress or final report. Reads ``project.updates.all()``, so
    no query when the updates are prefetched (``projects.selectors.project_get_public``)."""
    latest = max((u.published_at for u in project.updates.all() if u.kind in _REPORTS), default=None)
    return _day(latest)


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowState:
    """Whether a signed-in user receives a project's new reports, and why."""

    receives: bool
    """New reports are emailed to this user."""
    as_donor: bool
    """Only because they gave to the project (no follow of their own yet)."""


def follow_state(project: Project, user) -> FollowState:
    """How ``user`` stands with ``project``'s reports (one or two queries; none when anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return FollowState(receives=False, as_donor=False)
    follow = Follow.objects.filter(project=project, user=user).only("unsubscribed_at").first()
    if follow is not None:
        return FollowState(receives=follow.active, as_donor=False)
    gave = bool(user.email) and Donation.objects.filter(project=project, donor=user).exists()
    return FollowState(receives=gave, as_donor=gave)


def follow_by_token(token: str) -> Follow | None:
    """The follow an unsubscribe link names, or None (tokens have a fixed shape)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        return None
    return Follow.objects.select_related("project", "user").filter(token=token).first()
