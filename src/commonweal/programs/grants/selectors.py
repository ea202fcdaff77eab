"""Reads for the grants pages. Scores of others reach a reviewer only through
:func:`round_reviews_for_reviewer`, which refuses until the reviewer's own review is in."""

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Prefetch, Q

from commonweal.core.errors import Conflict, NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.programs.grants.models import (
    Application,
    Assignment,
    AssignmentStatus,
    Call,
    Decision,
    Installment,
    InstallmentStatus,
    Review,
    Round,
    Route,
)
from commonweal.programs.grants.permissions import require_finance, require_manager
from commonweal.programs.grants.rubric import application_average

__all__ = [
    "call_list_public",
    "call_get_public",
    "applications_of",
    "referees_required",
    "assignments_of_reviewer",
    "round_reviews_for_reviewer",
    "RankedApplication",
    "round_ranking",
    "calls_for_manager",
    "installments_for_finance",
]


def call_list_public():
    return Call.objects.select_related("program").order_by("-opens_on", "-pk")


def call_get_public(*, public_id: str) -> Call:
    if not is_public_id(public_id):
        raise NotFound("no such call")
    call = Call.objects.select_related("program__fund").filter(public_id=public_id).first()
    if call is None:
        raise NotFound("no such call")
    return call


def applications_of(user):
    """The user's applications with their call, referees, decisions and award."""
    return (Application.objects.filter(applicant_id=user.pk)
            .select_related("call__program", "current_round", "award")
            .prefetch_related("referees", "decisions__round", "award__installments")
            .order_by("-submitted_at"))


def referees_required(application: Application) -> int:
    call = application.call
    return call.referees_nomination if application.route == Route.NOMINATION else call.referees_self


def assignments_of_reviewer(user):
    return (Assignment.objects.filter(reviewer__user_id=user.pk)
            .select_related("round__call__program", "application", "review")
            .order_by("-created_at"))


def round_reviews_for_reviewer(*, actor, assignment: Assignment) -> list[Review]:
    """Other reviewers' submitted reviews of the same application in the same round, for the
    reviewer of ``assignment`` once their own review is in; ``Conflict("submit_first")`` before."""
    if assignment.reviewer.user_id != getattr(actor, "pk", None):
        raise NotFound("no such assignment")
    if assignment.status != AssignmentStatus.SUBMITTED:
        raise Conflict("submit your own review first", code="submit_first")
    return list(
        Review.objects.filter(
            assignment__round_id=assignment.round_id, assignment__application_id=assignment.application_id,
            assignment__status=AssignmentStatus.SUBMITTED,
        ).exclude(assignment_id=assignment.pk).select_related("assignment__reviewer").order_by("submitted_at")
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RankedApplication:
    """One line of a round's ranking."""

    application: Application
    """With referees prefetched."""
    average: Fraction | None
    """Mean of the submitted, non-recused reviews' averages (n/a excluded)."""
    reviews: int
    """Submitted reviews counted."""
    pending: int
    """Assignments still to review."""
    recused: int
    """Recused assignments."""
    decision: Decision | None
    """The decision in this round, if made."""


def round_ranking(*, actor, round: Round) -> list[RankedApplication]:
    """Applications in ``round`` (still in it, or decided in it), best average first; unscored last."""
    require_manager(actor)
    applications = (
        Application.objects.filter(Q(current_round=round) | Q(decisions__round=round)).distinct()
        .select_related("call").prefetch_related(
            "referees",
            Prefetch("assignments", queryset=Assignment.objects.filter(round=round).select_related("review", "reviewer")),
            Prefetch("decisions", queryset=Decision.objects.filter(round=round)),
        )
    )
    ranked = []
    for application in applications:
        assignments = list(application.assignments.all())
        submitted = [a.review for a in assignments if a.status == AssignmentStatus.SUBMITTED]
        decisions = list(application.decisions.all())
        ranked.append(RankedApplication(
            application=application, average=application_average(submitted), reviews=len(submitted),
            pending=sum(a.status == AssignmentStatus.ASSIGNED for a in assignments),
            recused=sum(a.status == AssignmentStatus.RECUSED for a in assignments),
            decision=decisions[0] if decisions else None,
        ))
    ranked.sort(key=lambda r: (r.average is None, -(r.average or 0), r.application.submitted_at))
    return ranked


def calls_for_manager(*, actor):
    require_manager(actor)
    return Call.objects.select_related("program").prefetch_related("rounds").order_by("-opens_on", "-pk")


def installments_for_finance(*, actor):
    """Installments finance can act on (report received, or proposed), due first."""
    require_finance(actor)
    return (Installment.objects.filter(status__in=[InstallmentStatus.REPORTED, InstallmentStatus.PROPOSED])
            .select_related("award__application__call__program", "proposed_by")
            .order_by("due_on", "pk"))
