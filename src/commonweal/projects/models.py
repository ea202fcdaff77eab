"""Projects: what organizations raise money for, with budget lines and progress reports."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonweal.core.domains import Domain
from commonweal.core.identifiers import new_public_id
from commonweal.orgs.models import Organization


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    FUNDRAISING = "fundraising", _("Fundraising")
    EXECUTING = "executing", _("Executing")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")


class Project(models.Model):
    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="projects")
    # Charity Law Art. 26: without its own qualification, a qualified partner receives the funds.
    partner_org = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="partnered_projects",
        verbose_name=_("fundraising partner"),
    )
    # A parent project's child plans (e.g. one per county) have their own pages; totals roll up.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent project"),
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_zh = models.CharField(_("summary (Chinese)"), max_length=300)
    summary_en = models.CharField(_("summary (English)"), max_length=500, blank=True)
    story_zh = models.TextField(_("story (Chinese)"), blank=True)
    story_en = models.TextField(_("story (English)"), blank=True)
    cover = models.ImageField(_("cover image"), upload_to="covers/", blank=True)
    domain = models.CharField(_("domain"), max_length=32, choices=Domain.choices)
    sdg_tags = models.JSONField(_("SDG goals and targets"), default=list, blank=True)
    goal_fen = models.BigIntegerField(_("fundraising goal (fen)"))
    beneficiaries = models.CharField(_("beneficiaries"), max_length=255)
    beneficiary_count = models.PositiveIntegerField(_("number of beneficiaries"), default=0)
    region = models.CharField(_("region"), max_length=64)
    fundraising_plan = models.TextField(_("fundraising plan"))
    starts_on = models.DateField(_("fundraising starts"))
    ends_on = models.DateField(_("fundraising ends"))

    status = models.CharField(max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT, db_index=True)
    review_note = models.TextField(blank=True)
    featured = models.BooleanField(default=False)

    # Running totals, updated with F() in the same transaction as each donation or refund.
    raised_fen = models.BigIntegerField(default=0)
    refunded_fen = models.BigIntegerField(default=0)
    donation_count = models.PositiveIntegerField(default=0)

    # The next disclosure deadline on the Charity Law's clock (None: nothing owed), kept by
    # disclosure.services.reporting on each report and daily, so lists can rank overdue projects
    # last in SQL. Pages compute the clock afresh (disclosure.selectors.reporting).
    report_due_on = models.DateField(null=True, blank=True, editable=False, db_index=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "domain"]), models.Index(fields=["org", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(goal_fen__gt=0), name="project_goal_positive"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="project_period_ordered"),
            models.CheckConstraint(condition=Q(raised_fen__gte=0) & Q(refunded_fen__gte=0), name="project_totals_nonnegative"),
            models.CheckConstraint(condition=Q(refunded_fen__lte=F("raised_fen")), name="project_refunds_within_raised"),
            models.CheckConstraint(condition=~Q(partner_org=F("org")), name="project_partner_not_self"),
        ]

    def __str__(self) -> str:
        return self.title_zh

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_zh

    def summary(self, lang: str) -> str:
        return self.summary_en if lang == "en" and self.summary_en else self.summary_zh

    def story(self, lang: str) -> str:
        return self.story_en if lang == "en" and self.story_en else self.story_zh

    @property
    def recipient_org(self) -> Organization:
        """The organization whose merchant account receives the donations."""
        return self.partner_org or self.org

    @property
    def net_raised_fen(self) -> int:
        return self.raised_fen - self.refunded_fen

    @property
    def progress_percent(self) -> int:
        return min(100, self.net_raised_fen * 100 // self.goal_fen) if self.goal_fen else 0


class BudgetLine(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    name = models.CharField(_("budget item"), max_length=120)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="budget_line_positive")]


class ReportKind(models.TextChoices):
    """What a published report is; the values match ``disclosure.compliance.Duty``."""

    PROGRESS = "progress", _("Progress report")
    FINAL = "final", _("Final report")
    RECEIPTS = "receipts", _("List of donations received")


class ProjectUpdate(models.Model):
    """A progress report (Charity Law Art. 79), final report, or publication of the donations
    received (Art. 72), shown on the project page. Written by ``disclosure.services.reporting``."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("kind of report"), max_length=16, choices=ReportKind.choices,
                            default=ReportKind.PROGRESS, db_default=ReportKind.PROGRESS)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    # Figures toward the project's indicators: [{"label": "图书送达", "value": "1200", "unit": "册"}],
    # values as exact decimal strings (checked by disclosure.services.reporting.report_publish).
    figures = models.JSONField(_("figures"), default=list, blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["project", "kind", "-published_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReportKind.values), name="project_update_kind_known"),
        ]


class ProjectUpdatePhoto(models.Model):
    """A photo of a report: checked by content and re-encoded without metadata before storage."""

    update = models.ForeignKey(ProjectUpdate, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="reports/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    description = models.CharField(_("photo description"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
