"""Programs: the fund portfolio. Funds, their allocations per domain and year, commitments to
grantees and projects, and the payments made against them.

Every write goes through ``programs.services.portfolio``: it keeps commitments within the
allocation and the fund's total, and payments within what was committed. The database backs what
one row can say: amounts are positive, one allocation per (fund, domain, year), and nobody
approves a payment they recorded (four eyes).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commonweal.core.domains import Domain
from commonweal.core.identifiers import new_public_id
from commonweal.core.money import CURRENCY, SUPPORTED_CURRENCIES

__all__ = [
    "OfficeRole",
    "OfficeMember",
    "Fund",
    "FundAllocation",
    "SourceKind",
    "RecipientKind",
    "Commitment",
    "GrantPayment",
]


class OfficeRole(models.TextChoices):
    MANAGER = "manager", _("Program manager")
    FINANCE = "finance", _("Program finance")


class OfficeMember(models.Model):
    """Someone who works in the program office, with one role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_office")
    role = models.CharField(_("role"), max_length=16, choices=OfficeRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(role__in=OfficeRole.values), name="office_member_role_known")]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.role})"


class Fund(models.Model):
    """A social-value fund: a total the foundation commits across the eight domains."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    total_fen = models.BigIntegerField(_("total (fen)"))
    currency = models.CharField(max_length=3, default=CURRENCY)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(total_fen__gt=0), name="fund_total_positive"),
            models.CheckConstraint(condition=Q(currency__in=SUPPORTED_CURRENCIES), name="fund_currency_supported"),
            models.CheckConstraint(condition=Q(end_year__gte=F("start_year")), name="fund_years_ordered"),
        ]

    def __str__(self) -> str:
        return self.name_zh

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh


class FundAllocation(models.Model):
    """How much of a fund one domain may commit in one year."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="allocations")
    domain = models.CharField(_("domain"), max_length=32, choices=Domain.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))

    class Meta:
        ordering = ["fund", "year", "domain"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "domain", "year"], name="allocation_one_per_fund_domain_year"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(condition=Q(domain__in=Domain.values), name="allocation_domain_known"),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.domain} {self.year}: {self.amount_fen} fen"


class SourceKind(models.TextChoices):
    GRANT = "grant", _("Grant or prize")
    LAB = "lab", _("Lab")
    STUDIO = "studio", _("Studio")
    DIRECT = "direct", _("Direct commitment")


class RecipientKind(models.TextChoices):
    ORGANIZATION = "organization", _("Organization")
    INDIVIDUAL = "individual", _("Individual")


class Commitment(models.Model):
    """Money of a fund promised to one recipient, within a domain's allocation for a year.

    ``recipient_name`` is shown on the portfolio only when the recipient is an organization;
    an individual grantee is named on pages the program office controls, never in the log.
    """

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="commitments")
    domain = models.CharField(_("domain"), max_length=32, choices=Domain.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.CharField(_("region"), max_length=64, blank=True, help_text="province name")
    program = models.CharField(_("program"), max_length=120)
    recipient_name = models.CharField(_("recipient"), max_length=200)
    recipient_kind = models.CharField(
        _("recipient kind"), max_length=16, choices=RecipientKind.choices, default=RecipientKind.ORGANIZATION
    )
    recipient_org = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="program_commitments"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="program_commitments"
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    currency = models.CharField(max_length=3, default=CURRENCY)
    source_kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices)
    source_public_id = models.CharField(max_length=26, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["fund", "domain", "year"], name="commitment_fund_domain_year"),
            models.Index(fields=["source_kind", "source_public_id"], name="commitment_source"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="commitment_amount_positive"),
            models.CheckConstraint(condition=Q(domain__in=Domain.values), name="commitment_domain_known"),
            models.CheckConstraint(condition=Q(source_kind__in=SourceKind.values), name="commitment_source_known"),
            models.CheckConstraint(condition=Q(recipient_kind__in=RecipientKind.values), name="commitment_recipient_kind_known"),
            models.CheckConstraint(condition=Q(currency__in=SUPPORTED_CURRENCIES), name="commitment_currency_supported"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.amount_fen} fen"


class GrantPayment(models.Model):
    """Money actually paid against a commitment, recorded by one person and approved by finance."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="payments")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    currency = models.CharField(max_length=3, default=CURRENCY)
    paid_on = models.DateField(_("paid on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="grant_payment_amount_positive"),
            models.CheckConstraint(condition=~Q(approved_by=F("created_by")), name="grant_payment_four_eyes"),
            models.CheckConstraint(condition=Q(currency__in=SUPPORTED_CURRENCIES), name="grant_payment_currency_supported"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.amount_fen} fen"
