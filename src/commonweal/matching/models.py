"""Matching campaigns: sponsors' pools with daily tranches, the rule, caps, every match decision,
risk flags, bans and team pages (一起捐).

Exactness rests on :class:`Counter`: every limit (a tranche of a pool, a cap per project, per
organization, per donor and day, per donor and project) is a set of counter rows whose ``used_fen``
the database keeps within ``limit_fen`` (CHECK). Pool and project limits are split into shards so
that donors of one popular project do not all queue on one row (docs/architecture.md, "Matching").
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commonweal.core.identifiers import new_public_id
from commonweal.giving.models import Donation
from commonweal.orgs.models import Organization
from commonweal.projects.models import Project


class RuleKind(models.TextChoices):
    FIXED = "fixed", _("Fixed ratio")
    TIERS = "tiers", _("Tiers by donation size")
    RANDOM = "random", _("Random, with an expected ratio")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Campaign(models.Model):
    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    slug = models.SlugField(_("address"), max_length=40, unique=True, help_text=_("Used in the page address, e.g. 99-giving-day-2026."))
    name_zh = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    review_days = models.PositiveSmallIntegerField(
        _("review window (days)"), default=7, help_text=_("Matches stay pending this long after the campaign ends.")
    )
    # Eligibility: projects of these domains, organizations or the listed projects (all, if none is set).
    domains = models.JSONField(_("domains"), default=list, blank=True)
    orgs = models.ManyToManyField(Organization, blank=True, related_name="+", verbose_name=_("organizations"))
    projects = models.ManyToManyField(Project, blank=True, related_name="+", verbose_name=_("projects"))
    # The rule.
    rule_kind = models.CharField(_("rule"), max_length=8, choices=RuleKind.choices, default=RuleKind.FIXED)
    ratio_num = models.PositiveIntegerField(_("ratio numerator"), default=1)
    ratio_den = models.PositiveIntegerField(_("ratio denominator"), default=1)
    tiers = models.JSONField(
        _("tiers"), default=list, blank=True,
        help_text=_('For the tiers rule: [{"min_fen": 10000, "num": 1, "den": 2}, …], the highest tier reached applies.'),
    )
    min_donation_fen = models.BigIntegerField(_("minimum donation (fen)"), default=100)
    cap_donor_day_fen = models.BigIntegerField(_("cap per donor per day (fen)"), null=True, blank=True)
    cap_donor_project_fen = models.BigIntegerField(_("cap per donor per project (fen)"), null=True, blank=True)
    cap_project_fen = models.BigIntegerField(_("cap per project (fen)"), null=True, blank=True)
    cap_org_fen = models.BigIntegerField(_("cap per organization (fen)"), null=True, blank=True)
    quota_percent = models.PositiveIntegerField(
        _("fundraising quota (% of funds executed)"), null=True, blank=True,
        help_text=_("An organization's matching is capped at this share of what it paid out in the last 12 months."),
    )
    unique_donors_only = models.BooleanField(_("match each donor once per project"), default=False)
    monthly_first_only = models.BooleanField(_("match only the first payment of a monthly gift"), default=True)
    refund_returns_to_pool = models.BooleanField(_("clawed-back matches return to the pool"), default=True)
    shards = models.PositiveSmallIntegerField(_("counter shards"), default=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="campaign_ends_after_start"),
            models.CheckConstraint(condition=Q(ratio_den__gt=0), name="campaign_ratio_den_positive"),
            models.CheckConstraint(condition=Q(min_donation_fen__gte=1), name="campaign_min_donation_positive"),
            models.CheckConstraint(condition=Q(shards__gte=1) & Q(shards__lte=256), name="campaign_shards_range"),
        ]

    def __str__(self) -> str:
        return self.name_zh

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh


class Sponsor(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sponsors")
    name_zh = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    def __str__(self) -> str:
        return self.name_zh


class Pool(models.Model):
    """A sponsor's budget. Its tranches (daily sub-budgets) sum to its total."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="pools")
    sponsor = models.ForeignKey(Sponsor, on_delete=models.PROTECT, related_name="pools")
    name = models.CharField(_("name"), max_length=80)
    total_fen = models.BigIntegerField(_("total (fen)"))
    priority = models.PositiveSmallIntegerField(_("priority"), default=1, help_text=_("Pools are drawn in this order."))

    class Meta:
        ordering = ["priority", "id"]
        constraints = [models.CheckConstraint(condition=Q(total_fen__gt=0), name="pool_total_positive")]

    def __str__(self) -> str:
        return self.name


class Tranche(models.Model):
    """Part of a pool that opens at a set time (e.g. ¥100M at 10:00 each day) and is drawn first
    come, first served until the next tranche of the pool opens."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="tranches")
    opens_at = models.DateTimeField(_("opens at"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))

    class Meta:
        ordering = ["opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="tranche_amount_positive"),
            models.UniqueConstraint(fields=["pool", "opens_at"], name="tranche_unique_opening"),
        ]


class Counter(models.Model):
    """One shard of one limit. ``key`` names the limit: ``tranche:<id>``, ``project:<id>``,
    ``org:<id>``, ``donor-day:<donor>:<date>``, ``donor-project:<donor>:<project id>``."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+", db_index=False)  # leads counter_unique_shard
    key = models.CharField(max_length=96)
    shard = models.PositiveSmallIntegerField()
    limit_fen = models.BigIntegerField()
    used_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key", "shard"], name="counter_unique_shard"),
            models.CheckConstraint(condition=Q(used_fen__gte=0) & Q(used_fen__lte=F("limit_fen")), name="counter_within_limit"),
        ]


class MatchStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    FROZEN = "frozen", _("Frozen")
    RELEASED = "released", _("Released")
    CLAWED_BACK = "clawed_back", _("Clawed back")


class Team(models.Model):
    """A supporter's team page (一起捐) under a project; gifts through it count for both."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="teams")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("team name"), max_length=60)
    goal_fen = models.BigIntegerField(_("goal (fen)"))
    story = models.TextField(_("story"), max_length=2000, blank=True)
    cover = models.ImageField(_("cover"), upload_to="teams/", blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPROVED)
    raised_fen = models.BigIntegerField(default=0)
    donation_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_fen", "id"]
        constraints = [models.CheckConstraint(condition=Q(goal_fen__gt=0), name="team_goal_positive")]

    def __str__(self) -> str:
        return self.name


class TeamPolicy(models.Model):
    """An organization's choice, per project, to approve team pages before they go live."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="team_policy")
    requires_approval = models.BooleanField(default=False)


class MatchDecision(models.Model):
    """The match of one donation, decided once at confirmation, with the rule that produced it."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="decisions")
    donation = models.OneToOneField(Donation, on_delete=models.PROTECT, related_name="match")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    donor_key = models.CharField(max_length=64)
    donation_fen = models.BigIntegerField()
    desired_fen = models.BigIntegerField(help_text="what the rule asked for before pools and caps")
    amount_fen = models.BigIntegerField(help_text="what was matched")
    rule = models.CharField(max_length=64, help_text="the rule that produced the desired amount")
    seed = models.CharField(max_length=32, blank=True, help_text="random rule: reproduces the draw")
    binding = models.CharField(max_length=32, blank=True, help_text="what limited the match, or why there was none")
    takes = models.JSONField(default=list, help_text="[[counter key, shard, fen], …] still taken from counters")
    status = models.CharField(max_length=16, choices=MatchStatus.choices, default=MatchStatus.PENDING, db_index=True)
    clawed_back_fen = models.BigIntegerField(default=0)
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at"]
        indexes = [
            models.Index(fields=["campaign", "project"]),
            models.Index(fields=["campaign", "donor_key", "project"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0) & Q(amount_fen__lte=F("desired_fen")), name="match_within_desired"),
            models.CheckConstraint(
                condition=Q(clawed_back_fen__gte=0) & Q(clawed_back_fen__lte=F("amount_fen")), name="match_clawback_within_amount"
            ),
        ]

    @property
    def net_fen(self) -> int:
        return self.amount_fen - self.clawed_back_fen


class RiskKind(models.TextChoices):
    VELOCITY_ACCOUNT = "velocity_account", _("More than 4 gifts a minute from one account")
    VELOCITY_PAYMENT = "velocity_payment", _("More than 4 gifts a minute from one payment account")
    VELOCITY_DEVICE = "velocity_device", _("More than 4 gifts a minute from one device")
    VELOCITY_ADDRESS = "velocity_address", _("More than 4 gifts a minute from one network address")
    SHARED_PAYMENT = "shared_payment", _("Several accounts share one payment account")
    OWN_STAFF = "own_staff", _("Donor is staff of the project's organization")
    DONATE_THEN_REFUND = "donate_then_refund", _("Matched gift refunded")
    CAP_CLUSTER = "cap_cluster", _("Amount sized just under a cap")


class RiskFlag(models.Model):
    decision = models.ForeignKey(MatchDecision, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=24, choices=RiskKind.choices)
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["decision", "kind"], name="riskflag_unique_kind")]


class OrgBan(models.Model):
    """An organization excluded from matching (of one campaign, or all) until a date."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="bans")
    until = models.DateTimeField()
    reason = models.CharField(max_length=255)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
