"""Disclosure: complaints about projects, and the organization scorecards they feed.

- :class:`Complaint`: anyone (signed in or not, with an email address for the answer) reports a
  project. Operators answer within five working days (``respond_by``); the outcome and its note
  are recorded by ``disclosure.services.complaints.complaint_decide`` and emailed to the reporter.
  ``disclosure.complaints_lifecycle`` holds the legal edges.
- :class:`OrgScorecard`: an organization's measured facts and its score 0–100, recomputed by
  ``disclosure.services.complaints.scorecard_recompute`` (daily, and after each outcome), so the
  project list can rank by it with one join instead of computing it per request.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commonweal.core.identifiers import new_public_id
from commonweal.disclosure.models.spending import evidence_storage
from commonweal.orgs.models import Organization
from commonweal.projects.models import Project

__all__ = [
    "ComplaintReason",
    "ComplaintStatus",
    "Complaint",
    "COMPLAINT_DETAILS_MAX_LENGTH",
    "RESPONSE_WORKING_DAYS",
    "OrgScorecard",
]

RESPONSE_WORKING_DAYS = 5
"""Complaints to the platform are answered within five working days."""
COMPLAINT_DETAILS_MAX_LENGTH = 5000


class ComplaintReason(models.TextChoices):
    FRAUD = "fraud", _("Fraud")
    MISUSE = "misuse", _("Misuse of funds")
    FALSE_INFORMATION = "false_information", _("False information")
    PRIVACY = "privacy", _("Privacy")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Awaiting a response")
    NEEDS_INFORMATION = "needs_information", _("Needs more information")
    UPHELD = "upheld", _("Upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")


class Complaint(models.Model):
    """A report that something about a project is wrong, and the platform's answer."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="complaints")
    # The organization running the project when the complaint arrived: its scorecard counts it.
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="complaints")
    reason = models.CharField(_("reason"), max_length=24, choices=ComplaintReason.choices)
    details = models.TextField(_("details"), max_length=COMPLAINT_DETAILS_MAX_LENGTH)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints")
    reporter_email = models.EmailField(_("email for the answer"))
    # The mailbox behind reporter_email (services.complaints.mailbox_key), for the rate limits only:
    # "A.Li+1@Gmail.com" and "ali@gmail.com" are one sender.
    reporter_mailbox = models.CharField(max_length=254, blank=True)
    # Keyed hash (core.privacy.fingerprint) of the sender's network address, for the rate limits only.
    client_fingerprint = models.CharField(max_length=32, blank=True)
    # Checked by content (disclosure.evidence), stored privately, shown to operators only.
    evidence = models.FileField(storage=evidence_storage, upload_to="complaints/", max_length=255, blank=True)
    evidence_content_type = models.CharField(max_length=32, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)

    received_at = models.DateTimeField()
    received_on = models.DateField(help_text="calendar day in Beijing time the complaint arrived")
    respond_by = models.DateField(db_index=True, help_text="five working days after received_on")
    status = models.CharField(max_length=24, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN, db_index=True)
    outcome_note = models.TextField(_("note to the reporter"), blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["respond_by", "received_at", "pk"]
        indexes = [
            models.Index(fields=["status", "respond_by"], name="complaint_queue"),
            models.Index(fields=["org", "status", "decided_at"], name="complaint_org_outcomes"),
            # The rate limits count one reporter's recent complaints by each identity.
            models.Index(fields=["reporter", "received_at"], name="complaint_reporter_time"),
            models.Index(fields=["reporter_mailbox", "received_at"], name="complaint_mailbox_time"),
            models.Index(fields=["client_fingerprint", "received_at"], name="complaint_client_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(reason__in=ComplaintReason.values), name="complaint_reason_known"),
            models.CheckConstraint(condition=Q(status__in=ComplaintStatus.values), name="complaint_status_known"),
            models.CheckConstraint(condition=Q(respond_by__gt=models.F("received_on")), name="complaint_deadline_after_receipt"),
            models.CheckConstraint(condition=~Q(details=""), name="complaint_has_details"),
            models.CheckConstraint(
                condition=Q(status=ComplaintStatus.OPEN)
                | (Q(decided_at__isnull=False, first_response_at__isnull=False) & ~Q(outcome_note="")),
                name="complaint_outcome_recorded",
            ),
            models.CheckConstraint(
                condition=Q(evidence="", evidence_content_type="", evidence_sha256="")
                | (~Q(evidence="") & ~Q(evidence_content_type="") & ~Q(evidence_sha256="")),
                name="complaint_evidence_described",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.get_reason_display()}, {self.get_status_display()})"


class OrgScorecard(models.Model):
    """An organization's scorecard: the measured facts and the score computed from them.

    Counts of projects are of the organization's public projects (those it runs); amounts are in
    fen. A share whose denominator is 0 is "not measured" and left out of the score.
    """

    org = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="scorecard")
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0–100; null until enough is measured")
    computed_at = models.DateTimeField()
    # On-time reports (disclosure.selectors.reporting): projects owing reports, and those up to date.
    clock_projects = models.PositiveIntegerField(default=0)
    clock_on_time = models.PositiveIntegerField(default=0)
    # Disclosure completeness.
    public_projects = models.PositiveIntegerField(default=0)
    with_budget = models.PositiveIntegerField(default=0)
    with_reports = models.PositiveIntegerField(default=0)
    spending_projects = models.PositiveIntegerField(default=0, help_text="public projects past fundraising")
    with_evidenced_spending = models.PositiveIntegerField(default=0)
    # Spending ratio (disclosure.selectors.spending.project_financial_summary).
    net_received_fen = models.BigIntegerField(default=0)
    spent_fen = models.BigIntegerField(default=0)
    # Complaints upheld in the last twelve months.
    complaints_upheld = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__lte=100), name="scorecard_score_in_range"),
            models.CheckConstraint(condition=Q(clock_on_time__lte=models.F("clock_projects")), name="scorecard_on_time_within"),
            models.CheckConstraint(
                condition=Q(with_budget__lte=models.F("public_projects")) & Q(with_reports__lte=models.F("public_projects"))
                & Q(spending_projects__lte=models.F("public_projects"))
                & Q(with_evidenced_spending__lte=models.F("spending_projects")),
                name="scorecard_shares_within",
            ),
            models.CheckConstraint(condition=Q(spent_fen__gte=0), name="scorecard_spent_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.score if self.score is not None else '—'}"
