"""Review: assignments with automatic conflict detection, declared conflicts, rubric reviews,
and the program manager's decisions.

Fairness rules enforced here, not only on pages:

- :func:`assignment_create` runs ``grants.conflicts`` (same institution, referee of the
  applicant, listed co-author); a conflict recuses the reviewer at once.
- :func:`conflict_declare`: a reviewer declares a conflict and is recused.
- :func:`review_submit` refuses a recused reviewer (``recused``), a second submission and a
  round the application has left; scores are 0–5 or n/a per criterion of the call's rubric.
- Others' scores are read only through ``grants.selectors.round_reviews_for_reviewer``, which
  refuses until the reviewer's own review is in.
- :func:`decision_record`: advance / reject / award along ``grants.lifecycle``, with a reason;
  an award creates the fund commitment and the installment schedule in the same transaction.
"""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from commonweal.core.audit import audit_record
from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.timeutil import shanghai_date
from commonweal.programs.grants.conflicts import Person, conflicts_detect
from commonweal.programs.grants.eligibility import position_division
from commonweal.programs.grants.lifecycle import APPLICATION_TRANSITIONS, OUTCOME_TARGET
from commonweal.programs.grants.models import (
    Application,
    ApplicationStatus,
    Assignment,
    AssignmentStatus,
    Award,
    Call,
    Decision,
    Installment,
    Outcome,
    Review,
    Reviewer,
    Round,
    Route,
)
from commonweal.programs.grants.permissions import require_manager
from commonweal.programs.grants.rubric import scores_clean
from commonweal.programs.grants.schedule import payment_schedule
from commonweal.programs.models import Commitment, RecipientKind, SourceKind
from commonweal.programs.services import commitment_create
from commonweal.programs.services.validation import check_text

__all__ = ["Recused", "assignment_create", "award_commitment_create", "conflict_declare", "review_submit", "decision_record"]

logger = logging.getLogger("commonweal.programs.grants")


class Recused(Conflict):
    """A recused reviewer tried to score."""

    code = "recused"


def assignment_create(*, actor, round: Round, application: Application, reviewer: Reviewer,
                      now: dt.datetime | None = None) -> Assignment:
    """Assign ``reviewer`` to ``application`` in ``round``; detected conflicts recuse at once."""
    require_manager(actor)
    now = now or timezone.now()
    if reviewer.program_id != round.call.program_id:
        raise InvalidInput("the reviewer does not review for this program", field="reviewer", code="wrong_program")
    with transaction.atomic(durable=True):
        locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        if locked.status != ApplicationStatus.IN_REVIEW or locked.current_round_id != round.pk:
            raise Conflict("the application is not in this round", code="not_in_round")
        if Assignment.objects.filter(round=round, application=locked, reviewer=reviewer).exists():
            raise Conflict("this reviewer is already assigned", code="duplicate_assignment")
        found = conflicts_detect(
            reviewer=Person(name=reviewer.name, email=reviewer.user.email, institution=reviewer.institution),
            applicant_institution=locked.institution,
            referees=[Person(name=r.name, email=r.email, institution=r.institution) for r in locked.referees.all()],
            coauthors=locked.coauthors,
        )
        assignment = Assignment.objects.create(
            round=round, application=locked, reviewer=reviewer, assigned_by=actor, conflicts=found,
            status=AssignmentStatus.RECUSED if found else AssignmentStatus.ASSIGNED, recused_at=now if found else None,
        )
        audit_record(actor=actor, action="grant_assignment.create", target=assignment,
                     data={"application": locked.public_id, "round": round.public_id,
                           "recused_for": [c["rule"] for c in found]})
    return assignment


def _own(actor, assignment: Assignment) -> Assignment:
    """The assignment locked, if ``actor`` is its reviewer; NotFound otherwise."""
    locked = (Assignment.objects.select_for_update(of=("self",)).select_related("reviewer", "round__call", "application")
              .filter(pk=assignment.pk, reviewer__user_id=getattr(actor, "pk", None)).first())
    if locked is None:
        raise NotFound("no such assignment")
    return locked


def conflict_declare(*, actor, assignment: Assignment, reason: str, now: dt.datetime | None = None) -> Assignment:
    """The reviewer declares a conflict of interest and is recused (a submitted review then no
    longer counts)."""
    now = now or timezone.now()
    reason = check_text(reason, field="declared_conflict", max_length=2000)
    with transaction.atomic(durable=True):
        locked = _own(actor, assignment)
        if locked.status == AssignmentStatus.RECUSED and locked.declared_conflict:
            raise Conflict("you have already declared a conflict", code="already_recused")
        locked.declared_conflict = reason
        locked.status = AssignmentStatus.RECUSED
        locked.recused_at = locked.recused_at or now
        locked.save(update_fields=["declared_conflict", "status", "recused_at"])
        audit_record(actor=actor, action="grant_assignment.declare_conflict", target=locked, reason=reason)
    return locked


def review_submit(*, actor, assignment: Assignment, scores: dict, comment: str = "", now: dt.datetime | None = None) -> Review:
    """Submit the reviewer's rubric scores (0–5 or None for n/a, one per criterion)."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    if len(comment) > 5000:
        raise InvalidInput(f"comment must be at most 5000 characters, got {len(comment)}", field="comment", code="too_long")
    with transaction.atomic(durable=True):
        locked = _own(actor, assignment)
        if locked.status == AssignmentStatus.RECUSED:
            raise Recused("you are recused from this application because of a conflict of interest and cannot score it")
        if locked.status == AssignmentStatus.SUBMITTED:
            raise Conflict("you have already submitted this review", code="already_submitted")
        application = Application.objects.get(pk=locked.application_id)
        if application.status != ApplicationStatus.IN_REVIEW or application.current_round_id != locked.round_id:
            raise Conflict("this round is over for the application", code="round_closed")
        clean = scores_clean(locked.round.call.rubric, scores)
        values = [v for v in clean.values() if v is not None]
        review = Review.objects.create(
            assignment=locked, scores=clean, score_sum=sum(values), score_count=len(values), comment=comment, submitted_at=now,
        )
        locked.status = AssignmentStatus.SUBMITTED
        locked.save(update_fields=["status"])
        audit_record(actor=actor, action="grant_review.submit", target=locked, data={"application": application.public_id})
    return review


def _letters_missing(application: Application) -> int:
    call = application.call
    required = call.referees_nomination if application.route == Route.NOMINATION else call.referees_self
    have = application.referees.exclude(letter="").count()
    return max(required - have, 0)


def decision_record(*, actor, application: Application, outcome: str, reason: str, first_due_on: dt.date | None = None,
                    now: dt.datetime | None = None) -> Decision:
    """Record the program manager's decision in the application's current round (see the module
    docstring). ``first_due_on`` is the first installment's date for an award (default: today)."""
    require_manager(actor)
    now = now or timezone.now()
    if outcome not in Outcome.values:
        raise InvalidInput(f"outcome must be one of {', '.join(Outcome.values)}, got {outcome!r}", field="outcome")
    reason = check_text(reason, field="reason", max_length=5000)
    with transaction.atomic(durable=True):
        call = Call.objects.select_for_update(of=("self",)).select_related("program__fund").get(pk=application.call_id)
        locked = Application.objects.select_for_update(of=("self",)).select_related("current_round").get(pk=application.pk)
        locked.call = call
        rule = APPLICATION_TRANSITIONS.get((locked.status, OUTCOME_TARGET[outcome]))
        if rule is None:
            raise Conflict(f"an application {locked.status} cannot be decided {outcome}", code="illegal_transition")
        current = locked.current_round
        if current is None:
            raise Conflict("the call has no review round yet", code="no_round")
        next_round = call.rounds.filter(position__gt=current.position).order_by("position").first()
        if rule.needs_next_round and next_round is None:
            raise Conflict("this is the last round: award or reject", code="no_next_round", field="outcome")
        if rule.last_round_only and next_round is not None:
            raise Conflict("awards are made in the last round", code="not_last_round", field="outcome")
        missing = _letters_missing(locked) if rule.needs_letters else 0
        if missing:
            raise Conflict(f"{missing} referee letter(s) still missing", code="letters_missing")
        if Decision.objects.filter(application=locked, round=current).exists():
            raise Conflict("already decided in this round", code="already_decided")
        decision = Decision.objects.create(
            application=locked, round=current, outcome=outcome, reason=reason, decided_by=actor, decided_at=now,
        )
        locked.status = OUTCOME_TARGET[outcome]
        if outcome == Outcome.ADVANCE:
            locked.current_round = next_round
        locked.save(update_fields=["status", "current_round"])
        award = _award_make(actor=actor, call=call, application=locked, first_due_on=first_due_on or shanghai_date(now), now=now) \
            if outcome == Outcome.AWARD else None
        audit_record(actor=actor, action=rule.action, target=locked, reason=reason,
                     data={"round": current.public_id, "award": award.public_id if award else None})
    logger.info("grant_decision application=%s outcome=%s", locked.public_id, outcome)
    return decision


def award_commitment_create(*, actor, award: Award) -> Commitment:
    """Commit the fund to an award that is about to be saved: the recipient, the program, and
    the region of the applicant's position, so the fund's drill-down by region counts it."""
    application = award.application
    call = application.call
    program = call.program
    return commitment_create(
        actor=actor, fund=program.fund, domain=program.domain, year=call.year, amount_fen=award.amount_fen,
        recipient_name=application.full_name, recipient_kind=RecipientKind.INDIVIDUAL, program=program.name_zh,
        source_kind=SourceKind.GRANT, source_public_id=award.public_id,
        region=position_division(region=application.region, province=application.province),
    )


def _award_make(*, actor, call: Call, application: Application, first_due_on: dt.date, now: dt.datetime) -> Award:
    """The award, its fund commitment and its installments (inside the decision's transaction)."""
    awarded = Award.objects.filter(application__call=call).aggregate(s=Sum("amount_fen"))["s"] or 0
    if awarded + call.award_amount_fen > call.budget_fen:
        raise Conflict(
            f"the call's budget is {call.budget_fen} fen, {awarded} fen already awarded; "
            f"another award of {call.award_amount_fen} fen would exceed it",
            code="call_budget_exceeded",
        )
    award = Award(application=application, amount_fen=call.award_amount_fen, awarded_by=actor, awarded_at=now)
    award.commitment = award_commitment_create(actor=actor, award=award)
    award.save()
    Installment.objects.bulk_create([
        Installment(award=award, number=p.number, due_on=p.due_on, amount_fen=p.amount_fen)
        for p in payment_schedule(amount_fen=award.amount_fen, count=call.installments, first_due_on=first_due_on)
    ])
    audit_record(actor=actor, action="grant_award.make", target=award,
                 data={"commitment": award.commitment.public_id, "amount_fen": award.amount_fen, "installments": call.installments})
    return award
