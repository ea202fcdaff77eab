"""Donation intents, confirmed donations, refunds and monthly giving plans (money in fen)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commonweal.core.identifiers import new_public_id
from commonweal.orgs.models import Organization
from commonweal.projects.models import Project


class Provider(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox (test payments)")
    WECHATPAY = "wechatpay", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")


class IntentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")


class DonationIntent(models.Model):
    """A donor's promise to pay, before the provider confirms it."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    # A retried request with the same key returns the same intent instead of a new one.
    idempotency_key = models.CharField(max_length=64, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="intents")
    recipient_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.SANDBOX)
    donor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    donor_name = models.CharField(max_length=64, blank=True)
    donor_public = models.BooleanField(default=False)
    message = models.CharField(max_length=200, blank=True)
    monthly_plan = models.ForeignKey("MonthlyPlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="intents")
    status = models.CharField(max_length=16, choices=IntentStatus.choices, default=IntentStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="intent_amount_positive")]


class Donation(models.Model):
    """A confirmed gift: exactly one per provider transaction."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    intent = models.OneToOneField(DonationIntent, on_delete=models.PROTECT, related_name="donation")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="donations")
    recipient_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="donations_received")
    amount_fen = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    provider_txn_id = models.CharField(max_length=64)
    payer_reference = models.CharField(max_length=128, blank=True)
    donor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="donations")
    donor_name = models.CharField(max_length=64, blank=True)
    donor_public = models.BooleanField(default=False)
    message = models.CharField(max_length=200, blank=True)
    # SHA-256(salt ‖ donor reference): the only trace of the donor in the public log.
    donor_salt = models.CharField(max_length=64)
    donor_commitment = models.CharField(max_length=64)
    monthly_plan = models.ForeignKey("MonthlyPlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="donations")
    refunded_fen = models.BigIntegerField(default=0)
    confirmed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-confirmed_at"]
        indexes = [models.Index(fields=["project", "-confirmed_at"]), models.Index(fields=["donor", "-confirmed_at"])]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_txn_id"], name="donation_unique_provider_txn"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_fen__gte=0) & Q(refunded_fen__lte=F("amount_fen")), name="donation_refund_within_amount"
            ),
        ]

    @property
    def net_fen(self) -> int:
        return self.amount_fen - self.refunded_fen


class Refund(models.Model):
    """A full or partial refund of one donation, as its own record."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.BigIntegerField()
    reason = models.CharField(max_length=255)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="refund_amount_positive")]


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused after failed charges")
    CANCELLED = "cancelled", _("Cancelled")


class MonthlyPlan(models.Model):
    """月捐: a monthly amount charged by a scheduled task, each charge its own donation."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    donor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="monthly_plans")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="monthly_plans")
    amount_fen = models.BigIntegerField()
    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.SANDBOX)
    payer_agreement = models.CharField(max_length=128, help_text="provider's signed recurring agreement id")
    donor_name = models.CharField(max_length=64, blank=True)
    donor_public = models.BooleanField(default=False)
    day_of_month = models.PositiveSmallIntegerField()
    next_charge_on = models.DateField(db_index=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="plan_amount_positive"),
            models.CheckConstraint(condition=Q(day_of_month__gte=1) & Q(day_of_month__lte=28), name="plan_day_in_month"),
        ]


class ChargeStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class MonthlyCharge(models.Model):
    """One attempt to charge a plan for one period (YYYY-MM); at most one success per period."""

    plan = models.ForeignKey(MonthlyPlan, on_delete=models.CASCADE, related_name="charges")
    period = models.CharField(max_length=7)
    attempt = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=ChargeStatus.choices)
    error_code = models.CharField(max_length=64, blank=True)
    donation = models.OneToOneField(Donation, null=True, blank=True, on_delete=models.PROTECT, related_name="monthly_charge")
    attempted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "period", "attempt"], name="charge_attempt_unique"),
            models.UniqueConstraint(
                fields=["plan", "period"], condition=Q(status="succeeded"), name="charge_one_success_per_period"
            ),
        ]
