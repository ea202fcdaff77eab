"""Programs: Tech-for-Good labs, their projects, stage-gate reviews and spun-off studios.

A lab project moves idea → incubating → pilot → scaling → spun off (as a studio), or is stopped;
``programs.lifecycle.STAGE_TRANSITIONS`` holds the legal edges and
``programs.services.labs.gate_review_record`` is the only code that changes a stage. Every gate
review, approved or rejected, stays on the project: a studio shows its project's gates.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commonweal.core.domains import Domain
from commonweal.core.identifiers import new_public_id
from commonweal.disclosure.models.spending import EvidenceType, evidence_storage

__all__ = [
    "Lab",
    "LabMember",
    "KpiKind",
    "LabKpi",
    "Stage",
    "LabProject",
    "GateDecision",
    "GateReview",
    "Studio",
]


class Lab(models.Model):
    """A lab with a mission in one domain, a team, a budget line on a fund and mission KPIs."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    mission = models.TextField(_("mission"))
    domain = models.CharField(_("domain"), max_length=32, choices=Domain.choices)
    fund = models.ForeignKey("programs.Fund", on_delete=models.PROTECT, related_name="labs")
    budget_fen = models.BigIntegerField(_("budget (fen)"))
    commitment = models.OneToOneField(
        "programs.Commitment", null=True, blank=True, on_delete=models.PROTECT, related_name="lab"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(budget_fen__gt=0), name="lab_budget_positive"),
            models.CheckConstraint(condition=Q(domain__in=Domain.values), name="lab_domain_known"),
        ]

    def __str__(self) -> str:
        return self.name_zh

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh


class LabMember(models.Model):
    """One person on a lab's team, from their home department."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=120)
    department = models.CharField(_("department"), max_length=120)
    role = models.CharField(_("role on the team"), max_length=120, blank=True)

    class Meta:
        ordering = ["department", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.department})"


class KpiKind(models.TextChoices):
    OUTPUT = "output", _("Output")
    REACH = "reach", _("Reach")


class LabKpi(models.Model):
    """A mission KPI: an output made or people reached (never revenue), target and actual."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="kpis")
    kind = models.CharField(_("kind"), max_length=16, choices=KpiKind.choices)
    label = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    target = models.BigIntegerField(_("target"))
    actual = models.BigIntegerField(_("actual"), default=0)

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=KpiKind.values), name="lab_kpi_kind_known"),
            models.CheckConstraint(condition=Q(target__gte=0) & Q(actual__gte=0), name="lab_kpi_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.actual}/{self.target}"


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    INCUBATING = "incubating", _("Incubating")
    PILOT = "pilot", _("Pilot")
    SCALING = "scaling", _("Scaling")
    SPUN_OFF = "spun_off", _("Spun off")
    STOPPED = "stopped", _("Stopped")


class LabProject(models.Model):
    """A project incubated in a lab."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.IDEA, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    stage_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(stage__in=Stage.values), name="lab_project_stage_known")]

    def __str__(self) -> str:
        return self.title


class GateDecision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")


class GateReview(models.Model):
    """One stage-gate review: the criteria, the evidence, who reviewed and what was decided."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    project = models.ForeignKey(LabProject, on_delete=models.PROTECT, related_name="gates")
    from_stage = models.CharField(max_length=16, choices=Stage.choices)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    criteria = models.TextField(_("criteria"))
    evidence = models.TextField(_("evidence"))
    evidence_links = models.JSONField(_("evidence links"), default=list, blank=True)
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    decision = models.CharField(_("decision"), max_length=16, choices=GateDecision.choices)
    reasons = models.TextField(_("reasons"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=GateDecision.values), name="gate_decision_known"),
            models.CheckConstraint(condition=~Q(reasons=""), name="gate_decision_has_reasons"),
            models.CheckConstraint(condition=~Q(from_stage=models.F("to_stage")), name="gate_changes_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage} → {self.to_stage} ({self.decision})"


class GateEvidence(models.Model):
    """A file presented at a stage gate (JPEG, PNG, WebP or PDF, checked by content with
    ``disclosure.evidence``), kept in private storage: office members download it; the public
    history shows only its kind and fingerprint."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    gate = models.ForeignKey(GateReview, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(storage=evidence_storage, upload_to="programs/gates/", max_length=255)
    content_type = models.CharField(max_length=32, choices=EvidenceType.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


class Studio(models.Model):
    """An independent studio spun off from a lab project, with its own budget line (a
    commitment of the lab's fund with source "studio")."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    name = models.CharField(_("name"), max_length=200)
    project = models.OneToOneField(LabProject, on_delete=models.PROTECT, related_name="studio")
    commitment = models.OneToOneField("programs.Commitment", on_delete=models.PROTECT, related_name="studio")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name
