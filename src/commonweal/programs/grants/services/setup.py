"""Program managers set up programs, calls, review rounds, reviewers and nominators."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from commonweal.core.audit import audit_record
from commonweal.core.errors import Conflict, InvalidInput
from commonweal.programs.grants.custom_fields import form_fields_validate
from commonweal.programs.grants.eligibility import REGION_CODES
from commonweal.programs.grants.models import MAX_REFEREES, ApplicationStatus, Call, Nominator, Program, ProgramKind, Reviewer, Round, RoundKind
from commonweal.programs.grants.permissions import require_manager
from commonweal.programs.grants.rubric import rubric_validate
from commonweal.programs.grants.tokens import token_new
from commonweal.programs.models import Fund
from commonweal.programs.services.validation import check_domain, check_fen, check_text, check_year

__all__ = ["program_create", "call_create", "round_create", "reviewer_add", "nominator_invite"]

logger = logging.getLogger("commonweal.programs.grants")


def program_create(*, actor, kind: str, name_zh: str, domain: str, fund: Fund, fields: list[str], name_en: str = "",
                   description: str = "") -> Program:
    require_manager(actor)
    if kind not in ProgramKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(ProgramKind.values)}, got {kind!r}", field="kind")
    domain = check_domain(domain)
    clean_fields = [check_text(f, field="fields", max_length=100) for f in fields]
    if len(set(clean_fields)) != len(clean_fields):
        raise InvalidInput("each field is listed once", field="fields", code="duplicate_field")
    with transaction.atomic(durable=True):
        program = Program.objects.create(
            kind=kind, name_zh=check_text(name_zh, field="name_zh", max_length=120),
            name_en=check_text(name_en, field="name_en", max_length=200, required=False), domain=domain, fund=fund,
            fields=clean_fields, description=(description or "").strip(), created_by=actor,
        )
        audit_record(actor=actor, action="grant_program.create", target=program, data={"fund": fund.public_id, "domain": domain})
    return program


def _check_referees(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_REFEREES:
        raise InvalidInput(f"referees required must be 0–{MAX_REFEREES}, got {value!r}", field=field, code="invalid_referees")
    return value


def _check_age(value, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 16 <= value <= 100:
        raise InvalidInput(f"an age limit must be 16–100, got {value!r}", field=field, code="invalid_age")
    return value


def call_create(
    *, actor, program: Program, title_zh: str, year: int, opens_on: dt.date, closes_on: dt.date, budget_fen: int,
    award_amount_fen: int, installments: int = 1, rubric: list[dict], title_en: str = "", description: str = "",
    max_age: int | None = None, max_age_women: int | None = None, women_limit_from_year: int | None = None,
    require_full_time: bool = False, eligible_regions: list[str] | None = None, require_field: bool = True,
    self_application: bool = True, nomination: bool = False, referees_self: int = 2, referees_nomination: int = 2,
    form_fields: list[dict] | None = None,
) -> Call:
    """A call for applications, with its rules; a program manager only."""
    require_manager(actor)
    year = check_year(year, field="year")
    if closes_on < opens_on:
        raise InvalidInput(f"the call closes on {closes_on} before it opens on {opens_on}", field="closes_on", code="invalid_dates")
    budget_fen = check_fen(budget_fen, field="budget_fen")
    award_amount_fen = check_fen(award_amount_fen, field="award_amount_fen")
    if award_amount_fen > budget_fen:
        raise InvalidInput("one award cannot exceed the call's budget", field="award_amount_fen", code="award_over_budget")
    if isinstance(installments, bool) or not isinstance(installments, int) or not 1 <= installments <= 10:
        raise InvalidInput(f"installments must be 1–10, got {installments!r}", field="installments", code="invalid_installments")
    if award_amount_fen < installments:
        raise InvalidInput("the award is too small to split", field="award_amount_fen", code="invalid_installments")
    regions = list(eligible_regions or [])
    unknown = [r for r in regions if r not in REGION_CODES]
    if unknown:
        raise InvalidInput(f"unknown regions: {', '.join(unknown)}", field="eligible_regions", code="invalid_region")
    if not (self_application or nomination):
        raise InvalidInput("a call needs at least one entry route", field="self_application", code="no_route")
    with transaction.atomic(durable=True):
        call = Call.objects.create(
            program=program, title_zh=check_text(title_zh, field="title_zh", max_length=120),
            title_en=check_text(title_en, field="title_en", max_length=200, required=False), year=year,
            opens_on=opens_on, closes_on=closes_on, budget_fen=budget_fen, award_amount_fen=award_amount_fen,
            installments=installments, rubric=rubric_validate(rubric), description=(description or "").strip(),
            max_age=_check_age(max_age, "max_age"), max_age_women=_check_age(max_age_women, "max_age_women"),
            women_limit_from_year=women_limit_from_year, require_full_time=bool(require_full_time),
            eligible_regions=regions, require_field=bool(require_field), self_application=bool(self_application),
            nomination=bool(nomination), referees_self=_check_referees(referees_self, "referees_self"),
            referees_nomination=_check_referees(referees_nomination, "referees_nomination"),
            form_fields=form_fields_validate(form_fields or []),
        )
        audit_record(actor=actor, action="grant_call.create", target=call, data={"program": program.public_id, "year": year})
    return call


def round_create(*, actor, call: Call, kind: str, defence_at: dt.datetime | None = None, defence_place: str = "") -> Round:
    """The next review round of ``call``. Only the final round has a defence; nothing follows it."""
    require_manager(actor)
    if kind not in RoundKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(RoundKind.values)}, got {kind!r}", field="kind")
    if kind != RoundKind.FINAL and (defence_at or defence_place):
        raise InvalidInput("only the final round has a defence", field="defence_at", code="defence_not_final")
    with transaction.atomic(durable=True):
        locked = Call.objects.select_for_update().get(pk=call.pk)
        last = locked.rounds.order_by("-position").first()
        if last is not None and last.kind == RoundKind.FINAL:
            raise Conflict("the final round is the last one", code="after_final")
        review_round = Round.objects.create(
            call=locked, kind=kind, position=(last.position + 1) if last else 1, defence_at=defence_at,
            defence_place=check_text(defence_place, field="defence_place", max_length=200, required=False),
        )
        if last is None:
            # Applications that arrived before any round existed start in the first one.
            locked.applications.filter(current_round__isnull=True, status=ApplicationStatus.IN_REVIEW).update(current_round=review_round)
        audit_record(actor=actor, action="grant_round.create", target=review_round, data={"call": locked.public_id, "kind": kind})
    return review_round


def reviewer_add(*, actor, program: Program, user, name: str, institution: str) -> Reviewer:
    """Make ``user`` a reviewer of ``program``; the institution feeds conflict detection."""
    require_manager(actor)
    with transaction.atomic(durable=True):
        if Reviewer.objects.filter(program=program, user=user).exists():
            raise Conflict("already a reviewer of this program", code="duplicate_reviewer")
        reviewer = Reviewer.objects.create(
            program=program, user=user, name=check_text(name, field="name", max_length=100),
            institution=check_text(institution, field="institution", max_length=200),
        )
        audit_record(actor=actor, action="grant_reviewer.add", target=program, data={"reviewer": reviewer.pk})
    return reviewer


def nominator_invite(*, actor, call: Call, name: str, email: str, institution: str = "") -> tuple[Nominator, str]:
    """Invite a nominator; returns the nominator and the private link's token (emailed on commit,
    never stored)."""
    require_manager(actor)
    if not call.nomination:
        raise Conflict("this call takes no nominations", code="route_closed")
    email = check_text(email, field="email", max_length=254).lower()
    token, digest = token_new()
    with transaction.atomic(durable=True):
        if Nominator.objects.filter(call=call, email=email).exists():
            raise Conflict("this person is already a nominator for the call", code="duplicate_nominator")
        nominator = Nominator.objects.create(
            call=call, name=check_text(name, field="name", max_length=100), email=email,
            institution=check_text(institution, field="institution", max_length=200, required=False),
            token_hash=digest, invited_by=actor,
        )
        audit_record(actor=actor, action="grant_nominator.invite", target=nominator, data={"call": call.public_id})
        transaction.on_commit(lambda: _mail_nominator(nominator, token))
    return nominator, token


def link_for(view_name: str, token: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse(view_name, args=[token])}"


def _mail_nominator(nominator: Nominator, token: str) -> None:
    call = nominator.call
    send_mail(
        subject=f"Commonweal: 提名邀请 / invitation to nominate: {call.title_zh}",
        message=(
            f"{nominator.name}：\n项目办公室邀请您为“{call.title_zh}”提名候选人。请通过下面的专用链接提名（请勿转发）：\n"
            f"You are invited to nominate candidates for \"{call.title_en or call.title_zh}\". Use this private link "
            f"(do not forward it):\n\n{link_for('grants-nominator', token)}\n"
        ),
        from_email=None, recipient_list=[nominator.email],
    )
