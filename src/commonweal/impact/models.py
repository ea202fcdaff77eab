"""Impact: indicators with baselines, targets and results per period; SROI worksheets.

An indicator belongs to one subject: a project (``project``) or any other object through the
contenttypes framework (``subject_type`` + ``subject_id``), so the programs app can attach
indicators to labs and grants without this app importing it. ``org`` is the organization that
keeps the indicator (the project's for a project; given by the caller otherwise, or none when
only platform staff keep it). Values are exact decimals (``impact.values``).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commonweal.core.domains import Domain
from commonweal.core.identifiers import new_public_id
from commonweal.disclosure.models.spending import EVIDENCE_MAX_BYTES, EvidenceType, evidence_storage
from commonweal.impact.frameworks import Direction, Framework
from commonweal.impact.periods import PERIOD_MAX_LENGTH
from commonweal.impact.sroi import DEFAULT_DISCOUNT_RATE_PCT, MAX_DURATION_YEARS
from commonweal.impact.values import VALUE_DIGITS, VALUE_PLACES
from commonweal.orgs.models import Organization
from commonweal.projects.models import Project

__all__ = ["Indicator", "Target", "Result", "SroiWorksheet", "SroiOutcome"]

_PCT = {"max_digits": 5, "decimal_places": 2}


def _pct_range(name: str) -> Q:
    return Q(**{f"{name}__gte": 0}) & Q(**{f"{name}__lte": 100})


class Indicator(models.Model):
    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="indicators")
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    domain = models.CharField(_("domain"), max_length=32, choices=Domain.choices)

    framework = models.CharField(_("framework"), max_length=8, choices=Framework.choices)
    code = models.CharField(_("identifier"), max_length=16, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=32)
    additive = models.BooleanField(
        _("values add up"), default=True,
        help_text=_("Counts such as people reached or tonnes of CO2e add up across periods and projects; rates and shares do not."),
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    baseline_value = models.DecimalField(_("baseline"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True)
    baseline_on = models.DateField(_("baseline date"), null=True, blank=True)

    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="impact_indicator_subject"),
            models.Index(fields=["domain"], name="impact_indicator_domain"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(subject_type__isnull=True) & Q(subject_id__isnull=True))
                | (Q(project__isnull=True) & Q(subject_type__isnull=False) & Q(subject_id__isnull=False)),
                name="impact_indicator_one_subject",
            ),
            models.CheckConstraint(condition=Q(project__isnull=True) | Q(org__isnull=False), name="impact_indicator_project_has_org"),
            models.CheckConstraint(condition=Q(framework__in=Framework.values), name="impact_indicator_framework_known"),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="impact_indicator_direction_known"),
            models.CheckConstraint(condition=Q(domain__in=Domain.values), name="impact_indicator_domain_known"),
            models.CheckConstraint(
                condition=Q(framework=Framework.CUSTOM, code="") | (~Q(framework=Framework.CUSTOM) & ~Q(code="")),
                name="impact_indicator_code_by_framework",
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True, baseline_on__isnull=True)
                | Q(baseline_value__isnull=False, baseline_on__isnull=False),
                name="impact_indicator_baseline_dated",
            ),
            models.CheckConstraint(condition=~Q(name_zh=""), name="impact_indicator_named"),
            models.CheckConstraint(condition=~Q(unit=""), name="impact_indicator_has_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.unit})"

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh


class Target(models.Model):
    """The value an indicator aims for in one period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period = models.CharField(_("period"), max_length=PERIOD_MAX_LENGTH)
    ends_on = models.DateField()
    value = models.DecimalField(_("target"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)

    class Meta:
        ordering = ["ends_on", "period"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="impact_target_one_per_period")]


class Result(models.Model):
    """The value an indicator reached in one period, with its evidence: a text and a link or a
    file (checked by content with ``disclosure.evidence``, kept in private storage)."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="results")
    period = models.CharField(_("period"), max_length=PERIOD_MAX_LENGTH)
    ends_on = models.DateField()
    value = models.DecimalField(_("actual value"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    evidence_text = models.CharField(_("evidence"), max_length=500)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_file = models.FileField(storage=evidence_storage, upload_to="impact/", max_length=255, blank=True)
    evidence_content_type = models.CharField(max_length=32, choices=EvidenceType.choices, blank=True)
    evidence_size = models.PositiveIntegerField(default=0)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ends_on", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="impact_result_one_per_period"),
            models.CheckConstraint(condition=~Q(evidence_text=""), name="impact_result_evidence_text"),
            models.CheckConstraint(condition=~Q(evidence_url="") | ~Q(evidence_file=""), name="impact_result_link_or_file"),
            models.CheckConstraint(
                condition=Q(evidence_file="", evidence_content_type="", evidence_size=0, evidence_sha256="")
                | (~Q(evidence_file="") & Q(evidence_content_type__in=EvidenceType.values)
                   & Q(evidence_size__gt=0, evidence_size__lte=EVIDENCE_MAX_BYTES)),
                name="impact_result_file_described",
            ),
        ]

    @property
    def evidence_is_image(self) -> bool:
        return self.evidence_content_type.startswith("image/")


class SroiWorksheet(models.Model):
    """A project's SROI worksheet: its outcomes, the discount rate and the investment."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="sroi_worksheet")
    discount_rate_pct = models.DecimalField(_("discount rate (%)"), max_digits=5, decimal_places=2, default=DEFAULT_DISCOUNT_RATE_PCT)
    investment_fen = models.BigIntegerField(_("investment (fen)"))
    notes = models.TextField(_("notes on the assumptions"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(investment_fen__gt=0), name="impact_sroi_investment_positive"),
            models.CheckConstraint(condition=Q(discount_rate_pct__gte=0, discount_rate_pct__lte=50), name="impact_sroi_discount_range"),
        ]


class SroiOutcome(models.Model):
    worksheet = models.ForeignKey(SroiWorksheet, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("outcome"), max_length=200)
    stakeholder = models.CharField(_("stakeholder"), max_length=120, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    proxy_fen = models.BigIntegerField(_("financial proxy (fen per unit)"))
    proxy_source = models.CharField(_("source of the proxy"), max_length=200, blank=True)
    deadweight_pct = models.DecimalField(_("deadweight (%)"), **_PCT)
    attribution_pct = models.DecimalField(_("attribution to others (%)"), **_PCT)
    displacement_pct = models.DecimalField(_("displacement (%)"), **_PCT)
    drop_off_pct = models.DecimalField(_("drop-off per year (%)"), **_PCT)
    duration_years = models.PositiveSmallIntegerField(_("duration (years)"))

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="impact_outcome_quantity_positive"),
            models.CheckConstraint(condition=Q(proxy_fen__gt=0), name="impact_outcome_proxy_positive"),
            models.CheckConstraint(
                condition=_pct_range("deadweight_pct") & _pct_range("attribution_pct") & _pct_range("displacement_pct")
                & _pct_range("drop_off_pct"),
                name="impact_outcome_percentages_in_range",
            ),
            models.CheckConstraint(
                condition=Q(duration_years__gte=1, duration_years__lte=MAX_DURATION_YEARS), name="impact_outcome_duration_range"
            ),
        ]
