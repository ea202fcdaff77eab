"""Reads about complaints: the reporter's confirmation, the operators' queue and its deadlines.

Complaints are never public: the reporter (signed in, or the browser session that sent it) sees
their own confirmation; operators see everything in the back office.
"""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import QuerySet

from commonweal.core.errors import NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.disclosure.models.complaints import Complaint, ComplaintStatus
from commonweal.disclosure.services.complaints import complaint_holidays
from commonweal.disclosure.workdays import working_days_between

__all__ = [
    "Deadline",
    "complaint_deadline",
    "complaint_get_for_reporter",
    "complaint_get_for_operator",
    "complaints_awaiting_response",
    "complaints_overdue",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Deadline:
    """Where a complaint stands against its five-working-day response deadline."""

    respond_by: dt.date
    """The last day to respond."""
    answered: bool
    """An outcome (of any kind) was recorded."""
    overdue: bool
    """Not answered and ``respond_by`` has passed."""
    working_days_left: int
    """Working days from today to ``respond_by``: 0 on the day, negative when overdue."""


def complaint_deadline(complaint: Complaint, *, today: dt.date) -> Deadline:
    """The complaint's deadline as seen on ``today`` (no query)."""
    holidays, workdays = complaint_holidays()
    answered = complaint.first_response_at is not None
    return Deadline(
        respond_by=complaint.respond_by,
        answered=answered,
        overdue=not answered and today > complaint.respond_by,
        working_days_left=working_days_between(today, complaint.respond_by, holidays=holidays, workdays=workdays),
    )


def complaint_get_for_reporter(*, public_id: str, user, session_ids: Collection[str] = ()) -> Complaint:
    """The reporter's own complaint, for the confirmation page; anyone else gets NotFound."""
    complaint = None
    if is_public_id(public_id):
        complaint = Complaint.objects.select_related("project").filter(public_id=public_id).first()
    mine = complaint is not None and (
        public_id in session_ids or (getattr(user, "is_authenticated", False) and complaint.reporter_id == user.pk)
    )
    if not mine:
        raise NotFound(f"no complaint {public_id!r}")
    return complaint


def complaint_get_for_operator(*, public_id: str, user) -> Complaint:
    """Any complaint, for operators only (the evidence download)."""
    complaint = None
    if getattr(user, "is_operator", False) and is_public_id(public_id):
        complaint = Complaint.objects.filter(public_id=public_id).first()
    if complaint is None:
        raise NotFound(f"no complaint {public_id!r}")
    return complaint


def complaints_awaiting_response() -> QuerySet[Complaint]:
    """Complaints with no outcome yet, the most urgent first."""
    return Complaint.objects.filter(status=ComplaintStatus.OPEN).order_by("respond_by", "received_at", "pk")


def complaints_overdue(*, today: dt.date) -> QuerySet[Complaint]:
    """Complaints past their deadline without any response."""
    return complaints_awaiting_response().filter(respond_by__lt=today)
