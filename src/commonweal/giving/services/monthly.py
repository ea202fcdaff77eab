"""月捐 monthly giving: plans, the scheduled charge, retries, pausing and cancelling.

Each month's charge is its own intent and donation, confirmed through ``donation_confirm``
like any other gift. A failed charge is retried the next day; after ``MAX_ATTEMPTS`` failures
in one period the plan pauses and the donor is told.
"""

import datetime as dt
import logging
import secrets

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from commonweal.core.audit import audit_record
from commonweal.core.errors import Conflict, InvalidInput, NotFound, PaymentRejected
from commonweal.core.money import validate_fen
from commonweal.core.timeutil import add_months
from commonweal.giving.models import ChargeStatus, MonthlyCharge, MonthlyPlan, PlanStatus, Provider
from commonweal.giving.providers import sandbox_charge_recurring
from commonweal.giving.services.credentials import credentials_get
from commonweal.giving.services.donations import donation_confirm
from commonweal.giving.services.intents import intent_create
from commonweal.projects.models import Project, ProjectStatus

logger = logging.getLogger("commonweal.giving")

MAX_ATTEMPTS = 3
RETRY_AFTER = dt.timedelta(days=1)
# Recurring charges need a signed agreement with the provider; only the sandbox simulates it here.
RECURRING_CHARGERS = {Provider.SANDBOX: sandbox_charge_recurring}


def plan_create(*, donor, project: Project, amount_fen: int, day_of_month: int | None = None,
                donor_name: str = "", donor_public: bool = False, provider: str = Provider.SANDBOX,
                today: dt.date | None = None) -> MonthlyPlan:
    """Sign up for a monthly amount; the first charge is due today."""
    validate_fen(amount_fen)
    today = today or timezone.localdate()
    day = day_of_month or min(today.day, 28)
    if not 1 <= day <= 28:
        raise InvalidInput(f"day of month must be between 1 and 28, got {day}", field="day_of_month")
    if provider not in RECURRING_CHARGERS:
        raise InvalidInput(f"monthly giving is not available with {provider}", field="provider")
    if not getattr(donor, "is_authenticated", False):
        raise InvalidInput("sign in to give monthly", code="login_required")
    if project.status != ProjectStatus.FUNDRAISING:
        raise Conflict(f"this project is not raising funds (status {project.status})", code="project_not_fundraising")
    with transaction.atomic(durable=True):
        plan = MonthlyPlan.objects.create(
            donor=donor, project=project, amount_fen=amount_fen, provider=provider, day_of_month=day,
            payer_agreement=f"agreement-{secrets.token_hex(12)}", donor_name=donor_name.strip(),
            donor_public=donor_public, next_charge_on=today,
        )
        audit_record(actor=donor, action="plan.create", target=plan, data={"amount_fen": amount_fen})
    return plan


def plan_cancel(*, plan: MonthlyPlan, actor) -> MonthlyPlan:
    """The donor cancels at any time; no further charge is attempted."""
    with transaction.atomic(durable=True):
        plan = MonthlyPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.donor_id != getattr(actor, "pk", None):
            raise NotFound(f"no monthly plan {plan.public_id!r}")
        if plan.status == PlanStatus.CANCELLED:
            return plan
        plan.status = PlanStatus.CANCELLED
        plan.cancelled_at = timezone.now()
        plan.save(update_fields=["status", "cancelled_at"])
        audit_record(actor=actor, action="plan.cancel", target=plan)
    return plan


def monthly_charge_due(*, today: dt.date | None = None) -> dict[str, int]:
    """Charge every active plan that is due; returns counts by outcome. Safe to run twice."""
    today = today or timezone.localdate()
    outcome = {"succeeded": 0, "failed": 0, "paused": 0, "skipped": 0}
    due = MonthlyPlan.objects.filter(status=PlanStatus.ACTIVE, next_charge_on__lte=today).values_list("pk", flat=True)
    for plan_pk in list(due):
        result = monthly_charge(plan=MonthlyPlan(pk=plan_pk), today=today)
        outcome[result] += 1
    return outcome


def monthly_charge(*, plan: MonthlyPlan, today: dt.date) -> str:
    """Attempt this period's charge of one plan: "succeeded", "failed", "paused" or "skipped"."""
    period = today.strftime("%Y-%m")
    with transaction.atomic(durable=True):
        plan = MonthlyPlan.objects.select_for_update(of=("self",)).select_related("project").get(pk=plan.pk)
        if plan.status != PlanStatus.ACTIVE or plan.next_charge_on > today:
            return "skipped"  # charged, paused or cancelled since the due list was read
        attempt = plan.charges.filter(period=period).count() + 1
        # Claim the attempt first: a concurrent run of the same task collides on the unique key.
        charge = MonthlyCharge.objects.create(plan=plan, period=period, attempt=attempt, status=ChargeStatus.FAILED)
    try:
        donation = _charge(plan, period)
    except (PaymentRejected, Conflict) as exc:
        return _record_failure(plan, charge, exc.code, today)
    with transaction.atomic(durable=True):
        MonthlyCharge.objects.filter(pk=charge.pk).update(status=ChargeStatus.SUCCEEDED, donation=donation, error_code="")
        MonthlyPlan.objects.filter(pk=plan.pk).update(
            failed_attempts=0, next_charge_on=_next_due(today, plan.day_of_month)
        )
    return "succeeded"


def _charge(plan: MonthlyPlan, period: str):
    project = plan.project
    intent, _created = intent_create(
        project=project, amount_fen=plan.amount_fen, idempotency_key=f"monthly:{plan.public_id}:{period}",
        donor=plan.donor, donor_name=plan.donor_name, donor_public=plan.donor_public,
        provider=plan.provider, monthly_plan=plan,
    )
    if hasattr(intent, "donation"):
        return intent.donation
    credentials = credentials_get(org=project.recipient_org, provider=plan.provider)
    notification = RECURRING_CHARGERS[plan.provider](
        credentials=credentials, intent_reference=intent.public_id, amount_fen=plan.amount_fen,
        payer=plan.payer_agreement, now=timezone.now(),
    )
    return donation_confirm(notification=notification, recipient_org=project.recipient_org)


def _next_due(today: dt.date, day_of_month: int) -> dt.date:
    return add_months(today.replace(day=day_of_month), 1)


def _record_failure(plan: MonthlyPlan, charge: MonthlyCharge, code: str, today: dt.date) -> str:
    with transaction.atomic(durable=True):
        plan = MonthlyPlan.objects.select_for_update().get(pk=plan.pk)
        MonthlyCharge.objects.filter(pk=charge.pk).update(error_code=code)
        plan.failed_attempts += 1
        paused = plan.failed_attempts >= MAX_ATTEMPTS
        if paused:
            plan.status = PlanStatus.PAUSED
            transaction.on_commit(lambda: _tell_donor_paused(plan))
        else:
            plan.next_charge_on = today + RETRY_AFTER
        plan.save(update_fields=["failed_attempts", "status", "next_charge_on"])
        audit_record(actor=None, action="plan.charge_failed", target=plan, data={"code": code, "paused": paused})
    logger.warning("monthly_charge_failed plan=%s code=%s attempt=%s paused=%s", plan.public_id, code, charge.attempt, paused)
    return "paused" if paused else "failed"


def _tell_donor_paused(plan: MonthlyPlan) -> None:
    send_mail(
        subject="Commonweal 月捐已暂停 / Your monthly gift is paused",
        message=(
            f"您对「{plan.project.title_zh}」的月捐连续 {MAX_ATTEMPTS} 次扣款失败，已暂停。请检查支付方式后重新开启。\n"
            f"Your monthly gift to “{plan.project.title(lang='en')}” failed {MAX_ATTEMPTS} times and is paused. "
            "Please check your payment method and restart it."
        ),
        from_email=None,
        recipient_list=[plan.donor.email],
    )
