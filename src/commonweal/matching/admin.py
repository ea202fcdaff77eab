"""Back office for matching: operators configure campaigns (sponsors, pools, tranches, rules,
caps) and review risk flags, sorted by money at risk, freezing, releasing or clawing back matches
per donation, project or organization, each with a reason; and ban organizations for a period.
Every decision calls ``matching.services``."""

from django import forms
from django.contrib import admin
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonweal.core.admin import OperatorAdmin, _is_operator
from commonweal.core.errors import DomainError
from commonweal.matching import services
from commonweal.matching.models import Campaign, CampaignStatus, MatchDecision, OrgBan, Pool, RiskKind, Sponsor, Tranche
from commonweal.orgs.admin import ask_reason_then
from commonweal.orgs.forms import error_text


class OperatorEditAdmin(admin.ModelAdmin):
    """Configuration operators may create and change."""

    def has_module_permission(self, request):
        return _is_operator(request)

    def has_view_permission(self, request, obj=None):
        return _is_operator(request)

    def has_add_permission(self, request, obj=None):
        return _is_operator(request)

    def has_change_permission(self, request, obj=None):
        return _is_operator(request)

    def has_delete_permission(self, request, obj=None):
        return False


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        exclude = ()

    def clean(self):
        data = super().clean()
        candidate = self.instance
        for name, value in data.items():
            if name not in ("orgs", "projects"):
                setattr(candidate, name, value)
        try:
            services.campaign_check(candidate)
            if data.get("status") == CampaignStatus.PUBLISHED and candidate.pk and not candidate.pools.exists():
                raise forms.ValidationError(_("Add at least one pool before publishing."))
        except DomainError as error:
            raise forms.ValidationError(error_text(error)) from None
        return data


class OperatorInline(admin.TabularInline):
    """Inline rows operators may edit (they hold no model permissions, only the operator role)."""

    def has_view_permission(self, request, obj=None):
        return _is_operator(request)

    has_add_permission = has_change_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return False


class SponsorInline(OperatorInline):
    model = Sponsor
    extra = 1


class PoolInline(OperatorInline):
    model = Pool
    extra = 0
    fields = ("name", "sponsor", "total_fen", "priority")
    show_change_link = True


@admin.register(Campaign)
class CampaignAdmin(OperatorEditAdmin):
    form = CampaignForm
    list_display = ("name_zh", "slug", "status", "starts_at", "ends_at", "rule_kind")
    list_filter = ("status",)
    filter_horizontal = ("orgs", "projects")
    autocomplete_fields = ()
    inlines = (SponsorInline, PoolInline)
    fieldsets = (
        (None, {"fields": ("slug", "name_zh", "name_en", "description_zh", "description_en", "status", "starts_at", "ends_at", "review_days")}),
        (_("Eligible projects"), {"fields": ("domains", "orgs", "projects")}),
        (_("Rule"), {"fields": ("rule_kind", "ratio_num", "ratio_den", "tiers", "min_donation_fen")}),
        (_("Caps"), {"fields": ("cap_donor_day_fen", "cap_donor_project_fen", "cap_project_fen", "cap_org_fen", "quota_percent",
                                "unique_donors_only", "monthly_first_only", "refund_returns_to_pool", "shards")}),
    )


class TrancheInline(OperatorInline):
    model = Tranche
    extra = 1


@admin.register(Pool)
class PoolAdmin(OperatorEditAdmin):
    list_display = ("name", "campaign", "sponsor", "total_fen", "priority")
    inlines = (TrancheInline,)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pool = form.instance
        if not pool.tranches.exists():
            # No daily sub-budgets: the whole pool opens with the campaign.
            Tranche.objects.create(pool=pool, opens_at=pool.campaign.starts_at, amount_fen=pool.total_fen)


class FlaggedFilter(admin.SimpleListFilter):
    title = _("risk flags")
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return [("any", _("Any flag")), *RiskKind.choices]

    def queryset(self, request, queryset):
        if self.value() == "any":
            return queryset.filter(flags__isnull=False).distinct()
        if self.value():
            return queryset.filter(flags__kind=self.value())
        return queryset


class ReasonForOperatorsForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
                             help_text=_("Recorded in the audit log with your name."))


@admin.register(MatchDecision)
class MatchDecisionAdmin(OperatorAdmin):
    """The review queue: matches with flags first by money at risk (open with ?flag=any)."""

    list_display = ("donation_ref", "project", "org", "amount_fen", "at_risk_fen", "status", "flag_list", "binding", "decided_at")
    list_filter = (FlaggedFilter, "status", "campaign")
    search_fields = ("donation__public_id", "project__public_id", "org__public_id", "public_id")
    list_select_related = ("donation", "project", "org")
    actions = ("freeze", "release", "claw_back", "freeze_projects", "freeze_orgs", "claw_back_projects", "claw_back_orgs")

    def get_queryset(self, request):
        return (super().get_queryset(request).prefetch_related("flags")
                .annotate(at_risk=F("amount_fen") - F("clawed_back_fen")).order_by("-at_risk", "-decided_at"))

    @admin.display(description=_("donation"))
    def donation_ref(self, decision):
        return decision.donation.public_id

    @admin.display(description=_("money at risk (fen)"), ordering="at_risk")
    def at_risk_fen(self, decision):
        return decision.at_risk

    @admin.display(description=_("flags"))
    def flag_list(self, decision):
        return ", ".join(str(RiskKind(f.kind).label) for f in decision.flags.all())

    def _act(self, request, queryset, action, scope, *, title, done):
        def call(decision, reason):
            decisions = services.decisions_in_scope(decision.campaign, **{scope: getattr(decision, scope).public_id})
            services.match_act(actor=request.user, action=action, decisions=decisions, reason=reason)

        return ask_reason_then(self, request, queryset, call, title=title, done_message=done, form_class=ReasonForOperatorsForm)

    @admin.action(description=_("Freeze the selected matches"), permissions=("change",))
    def freeze(self, request, queryset):
        return self._act(request, queryset, services.Action.FREEZE, "donation", title=_("Freeze matches"), done=_("%(count)s match(es) frozen."))

    @admin.action(description=_("Release the selected matches"), permissions=("change",))
    def release(self, request, queryset):
        return self._act(request, queryset, services.Action.RELEASE, "donation", title=_("Release matches"), done=_("%(count)s match(es) released."))

    @admin.action(description=_("Claw back the selected matches"), permissions=("change",))
    def claw_back(self, request, queryset):
        return self._act(request, queryset, services.Action.CLAW_BACK, "donation", title=_("Claw back matches"), done=_("%(count)s match(es) clawed back."))

    @admin.action(description=_("Freeze every match of the selected matches' projects"), permissions=("change",))
    def freeze_projects(self, request, queryset):
        return self._act(request, queryset, services.Action.FREEZE, "project", title=_("Freeze projects' matches"), done=_("Done for %(count)s selection(s)."))

    @admin.action(description=_("Freeze every match of the selected matches' organizations"), permissions=("change",))
    def freeze_orgs(self, request, queryset):
        return self._act(request, queryset, services.Action.FREEZE, "org", title=_("Freeze organizations' matches"), done=_("Done for %(count)s selection(s)."))

    @admin.action(description=_("Claw back every match of the selected matches' projects"), permissions=("change",))
    def claw_back_projects(self, request, queryset):
        return self._act(request, queryset, services.Action.CLAW_BACK, "project", title=_("Claw back projects' matches"), done=_("Done for %(count)s selection(s)."))

    @admin.action(description=_("Claw back every match of the selected matches' organizations"), permissions=("change",))
    def claw_back_orgs(self, request, queryset):
        return self._act(request, queryset, services.Action.CLAW_BACK, "org", title=_("Claw back organizations' matches"), done=_("Done for %(count)s selection(s)."))


class OrgBanForm(forms.ModelForm):
    class Meta:
        model = OrgBan
        fields = ("org", "campaign", "until", "reason")

    def clean(self):
        data = super().clean()
        if data.get("until") and data["until"] <= timezone.now():
            self.add_error("until", _("A ban must end in the future."))
        return data


@admin.register(OrgBan)
class OrgBanAdmin(OperatorEditAdmin):
    form = OrgBanForm
    list_display = ("org", "campaign", "until", "reason", "created_by", "created_at")
    autocomplete_fields = ()

    def has_change_permission(self, request, obj=None):
        return obj is None and _is_operator(request)

    def save_model(self, request, obj, form, change):
        obj.pk = services.org_ban(actor=request.user, org=obj.org, until=obj.until, reason=obj.reason, campaign=obj.campaign).pk
