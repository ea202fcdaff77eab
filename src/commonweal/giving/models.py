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
    # What the gift came through, for apps above giving, e.g. "team:<public id>" (matching).
    attribution = models.CharField(max_length=40, blank=True)
    # Keyed hashes (core.privacy.fingerprint) of the client's address and device, for risk signals.
    client_fingerprint = models.CharField(max_length=32, blank=True)
    device_fingerprint = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=IntentStatus.choices, default=IntentStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="intent_amount_positive")]
        indexes = [
            models.Index(fields=["client_fingerprint", "created_at"], name="intent_client_time"),
            models.Index(fields=["device_fingerprint", "created_at"], name="intent_device_time"),
        ]


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
        indexes = [
            models.Index(fields=["project", "-confirmed_at"]),
            models.Index(fields=["donor", "-confirmed_at"]),
            models.Index(fields=["payer_reference", "confirmed_at"], name="donation_payer_time"),
        ]
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


# --- official donation receipts (Charity Law Art. 38) ---------------------------------------

class ReceiptStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ISSUED = "issued", _("Issued")
    VOID = "void", _("Void")


class ReceiptScope(models.TextChoices):
    GIFT = "gift", _("One gift")
    YEAR = "year", _("All gifts of a year")


class DonationReceipt(models.Model):
    """An official donation receipt (捐赠票据) a donor asked for and the recipient's finance issues.

    The donor's name is the one given for this receipt only; it is never copied to the donation.
    Once issued the receipt is locked: nothing changes it except voiding (a refund of a gift it
    covers, or finance with a reason). ``giving.lifecycle.RECEIPT_TRANSITIONS`` holds the edges.
    """

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="donation_receipts")
    donor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="donation_receipts")
    scope = models.CharField(max_length=8, choices=ReceiptScope.choices)
    year = models.PositiveSmallIntegerField(help_text="calendar year (Beijing time) of the gifts covered")
    donor_name = models.CharField(_("name on the receipt"), max_length=64)
    amount_fen = models.BigIntegerField(help_text="sum of the lines, net of refunds when issued")
    currency = models.CharField(max_length=3, default="CNY")
    purpose = models.CharField(_("purpose"), max_length=300, help_text="the projects' titles")
    status = models.CharField(max_length=16, choices=ReceiptStatus.choices, default=ReceiptStatus.REQUESTED, db_index=True)
    # "2026-000123": the year of issue and a counter per organization and year (ReceiptCounter).
    number = models.CharField(max_length=16, null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    void_reason = models.TextField(blank=True)
    void_refund = models.ForeignKey("Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="voided_receipts")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["org", "status", "requested_at"]), models.Index(fields=["donor", "-requested_at"])]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="receipt_number_unique_in_org"),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="receipt_amount_nonnegative"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=9999), name="receipt_year_in_range"),
            models.CheckConstraint(condition=Q(number__isnull=True) | Q(number__regex=r"^[0-9]{4}-[0-9]{6,}$"), name="receipt_number_shape"),
            models.CheckConstraint(condition=~Q(donor_name=""), name="receipt_has_donor_name"),
            models.CheckConstraint(
                condition=~Q(status="issued") | (Q(number__isnull=False, issued_at__isnull=False, issued_by__isnull=False) & Q(amount_fen__gt=0)),
                name="receipt_issue_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="void") | (Q(voided_at__isnull=False) & ~Q(void_reason="")), name="receipt_void_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.number or self.public_id


class DonationReceiptLine(models.Model):
    """One gift a receipt covers. ``live`` is true while the receipt is requested or issued, so
    the database refuses a second live receipt for the same gift."""

    receipt = models.ForeignKey(DonationReceipt, on_delete=models.CASCADE, related_name="lines")
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="receipt_lines")
    amount_fen = models.BigIntegerField(help_text="the gift net of refunds, when requested and again when issued")
    live = models.BooleanField(default=True)

    class Meta:
        ordering = ["donation__confirmed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["donation"], condition=Q(live=True), name="receipt_line_one_live_per_donation"),
            models.UniqueConstraint(fields=["receipt", "donation"], name="receipt_line_unique"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="receipt_line_amount_positive"),
        ]


class ReceiptCounter(models.Model):
    """The last receipt number an organization issued in a year; locked while a number is taken."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="receipt_counter_one_per_org_year"),
            models.CheckConstraint(condition=Q(last_number__gte=0), name="receipt_counter_nonnegative"),
        ]


class ProjectTally(models.Model):
    """Gifts confirmed but not yet added to their project's totals, in shards.

    On PostgreSQL a confirmation adds its gift to one random shard, then moves the shard into the
    project row only if that row is free (``FOR UPDATE SKIP LOCKED``): donors of a popular project
    never queue on it. What is left here is moved by the next free confirmation or by
    ``giving.services.totals.project_totals_fold`` (run on every sequencer tick).
    docs/architecture.md, "Project totals"."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    shard = models.PositiveSmallIntegerField()
    raised_fen = models.BigIntegerField(default=0)
    donation_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "shard"], name="project_tally_unique_shard")]
