"""Disclosure: spending. Disbursements against a project's budget lines, with their evidence.

A disbursement is created by a finance member, approved by a *different* administrator and
then marked paid; ``disclosure.spending_lifecycle`` holds the legal edges and
``disclosure.services.spending.disbursement_transition`` is the only code that changes a status.
The four-eyes rule is also a database CHECK: ``approved_by`` (and ``rejected_by``) can never be
``created_by``, whatever code writes the row.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, InvalidStorageError, Storage, storages
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commonweal.core.identifiers import new_public_id
from commonweal.core.money import CURRENCY, SUPPORTED_CURRENCIES
from commonweal.projects.models import BudgetLine, Project

__all__ = [
    "DisbursementKind",
    "DisbursementStatus",
    "CHARITABLE_KINDS",
    "MANAGEMENT_KINDS",
    "Disbursement",
    "Evidence",
    "EvidenceType",
    "EVIDENCE_MAX_BYTES",
    "evidence_storage",
]


class DisbursementKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase of goods or services")
    GRANT = "grant", _("Grant to a beneficiary")
    LOGISTICS = "logistics", _("Logistics")
    STAFF = "staff", _("Staff costs")
    OTHER = "other", _("Other administrative costs")


CHARITABLE_KINDS: frozenset[str] = frozenset({DisbursementKind.PURCHASE, DisbursementKind.GRANT, DisbursementKind.LOGISTICS})
"""Kinds counted as charitable activity spending in the annual report (Charity Law Art. 61)."""
MANAGEMENT_KINDS: frozenset[str] = frozenset({DisbursementKind.STAFF, DisbursementKind.OTHER})
"""Kinds counted as management cost in the annual report (Art. 61: at most 10%)."""


class DisbursementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


_S = DisbursementStatus


class Disbursement(models.Model):
    """Money paid out of a project's funds against one of its budget lines."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="disbursements")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="disbursements")
    kind = models.CharField(_("kind"), max_length=16, choices=DisbursementKind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    currency = models.CharField(max_length=3, default=CURRENCY)
    # For the organization and the platform only: public pages and the log never show it, since
    # it may name a beneficiary or a supplier's staff.
    description = models.CharField(_("description"), max_length=500)
    status = models.CharField(max_length=16, choices=DisbursementStatus.choices, default=_S.DRAFT, db_index=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # An administrator's reason for going over the budget line or the funds received.
    overspend_reason = models.TextField(blank=True)
    overspend_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["project", "status"], name="disbursement_project_status"),
            models.Index(fields=["budget_line", "status"], name="disbursement_line_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="disbursement_amount_positive"),
            models.CheckConstraint(condition=Q(currency__in=SUPPORTED_CURRENCIES), name="disbursement_currency_supported"),
            # Four eyes, in the database: nobody approves or rejects what they wrote.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")), name="disbursement_four_eyes_approval"
            ),
            models.CheckConstraint(
                condition=Q(rejected_by__isnull=True) | ~Q(rejected_by=F("created_by")), name="disbursement_four_eyes_rejection"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[_S.APPROVED, _S.PAID]) | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="disbursement_approval_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status=_S.PAID) | Q(paid_by__isnull=False, paid_at__isnull=False),
                name="disbursement_payment_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status=_S.REJECTED) | (Q(rejected_by__isnull=False) & ~Q(rejection_reason="")),
                name="disbursement_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(overspend_reason="", overspend_by__isnull=True)
                | (~Q(overspend_reason="") & Q(overspend_by__isnull=False)),
                name="disbursement_overspend_reason_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.amount_fen} fen ({self.status})"


EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
"""The largest evidence file accepted: 10 MiB."""


class EvidenceType(models.TextChoices):
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"
    WEBP = "image/webp", "WebP"
    PDF = "application/pdf", "PDF"


def evidence_storage() -> Storage:
    """Where evidence files go: ``STORAGES["evidence"]`` when configured (a private bucket),
    else ``VAR_DIR/private`` on disk. Not ``MEDIA_ROOT``: a web server may serve that to
    anyone, and receipts can carry personal data; the console streams evidence to members."""
    try:
        return storages["evidence"]
    except InvalidStorageError:
        return FileSystemStorage(location=settings.VAR_DIR / "private", base_url=None)


class Evidence(models.Model):
    """An invoice, receipt, photo or PDF backing a disbursement, checked by content on upload."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    disbursement = models.ForeignKey(Disbursement, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(storage=evidence_storage, upload_to="evidence/", max_length=255)
    content_type = models.CharField(max_length=32, choices=EvidenceType.choices)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, help_text="of the stored (cleaned) file")
    original_name = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size_bytes__gt=0) & Q(size_bytes__lte=EVIDENCE_MAX_BYTES), name="evidence_size_in_range"
            ),
            models.CheckConstraint(condition=Q(content_type__in=EvidenceType.values), name="evidence_type_allowed"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.content_type}, {self.size_bytes} bytes)"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
