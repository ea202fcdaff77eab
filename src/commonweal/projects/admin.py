"""Back office for projects: the review queue (approve, reject with reason) and closure.

Decisions call ``projects.services.project_transition``; nothing here sets a status.
"""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from commonweal.core.admin import OperatorAdmin, QueueFilter
from commonweal.core.money import format_fen
from commonweal.orgs.admin import ask_reason_then, run_service_action
from commonweal.projects.models import BudgetLine, Project, ProjectStatus
from commonweal.projects.services import project_transition

__all__ = ["ProjectAdmin", "BudgetLineAdmin"]


class ReviewQueue(QueueFilter):
    title = _("status")
    parameter_name = "queue"
    field = "status"
    default = ProjectStatus.IN_REVIEW

    def lookups(self, request, model_admin):
        return [*ProjectStatus.choices, (self.all_value, _("All"))]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    fields = ("position", "name", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("Amount"))
    def amount(self, line):
        return format_fen(line.amount_fen)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return bool(getattr(request.user, "is_operator", False))


@admin.register(Project)
class ProjectAdmin(OperatorAdmin):
    list_display = ("title_zh", "organization", "status_label", "domain", "goal", "raised", "updated_at")
    list_filter = (ReviewQueue, "domain", "featured")
    search_fields = ("title_zh", "title_en", "public_id", "org__name_zh", "org__credit_code")
    list_select_related = ("org", "partner_org")
    ordering = ("updated_at",)
    inlines = (BudgetLineInline,)
    actions = ("approve", "reject", "close")
    fieldsets = (
        (_("Review"), {"fields": ("status", "review_note", "org", "partner_org", "recipient", "budget_total", "goal")}),
        (_("Project"), {"fields": (
            "public_id", "title_zh", "title_en", "summary_zh", "summary_en", "domain", "sdg_tags", "beneficiaries",
            "beneficiary_count", "region", "fundraising_plan", "starts_on", "ends_on", "cover", "story_zh", "story_en",
        )}),
        (_("Totals"), {"fields": ("raised", "refunded", "donation_count", "created_by", "created_at", "updated_at")}),
    )
    readonly_fields = tuple(name for _title, spec in fieldsets for name in spec["fields"])

    @admin.display(description=_("Organization"), ordering="org__name_zh")
    def organization(self, project):
        if project.partner_org_id:
            return format_html_join("", "{}<br><small>{}: {}</small>", [(project.org.name_zh, _("fundraising partner"), project.partner_org.name_zh)])
        return project.org.name_zh

    @admin.display(description=_("Status"), ordering="status")
    def status_label(self, project):
        return project.get_status_display()

    @admin.display(description=_("Goal"))
    def goal(self, project):
        return format_fen(project.goal_fen)

    @admin.display(description=_("Raised"))
    def raised(self, project):
        return format_fen(project.raised_fen)

    @admin.display(description=_("refunded"))
    def refunded(self, project):
        return format_fen(project.refunded_fen)

    @admin.display(description=_("Receives the funds"))
    def recipient(self, project):
        org = project.recipient_org
        return format_html_join(
            "", "{} ({}) · {}", [(org.name_zh, org.credit_code, _("qualified") if org.fundraising_qualified else _("NOT qualified"))]
        )

    @admin.display(description=_("Budget total"))
    def budget_total(self, project):
        return format_fen(sum(line.amount_fen for line in project.budget_lines.all()))

    @admin.action(description=_("Approve: start fundraising"), permissions=("change",))
    def approve(self, request, queryset):
        run_service_action(
            self, request, queryset,
            lambda p: project_transition(project=p, to=ProjectStatus.FUNDRAISING, actor=request.user),
            done_message=_("%(count)s project(s) approved."),
        )

    @admin.action(description=_("Reject: back to draft (with reason)"), permissions=("change",))
    def reject(self, request, queryset):
        return ask_reason_then(
            self, request, queryset,
            lambda p, reason: project_transition(project=p, to=ProjectStatus.DRAFT, actor=request.user, reason=reason),
            title=_("Reject: give the reason"),
            done_message=_("%(count)s project(s) returned to draft."),
        )

    @admin.action(description=_("Close the project (with reason)"), permissions=("change",))
    def close(self, request, queryset):
        return ask_reason_then(
            self, request, queryset,
            lambda p, reason: project_transition(project=p, to=ProjectStatus.CLOSED, actor=request.user, reason=reason),
            title=_("Close: give the reason"),
            done_message=_("%(count)s project(s) closed."),
        )


@admin.register(BudgetLine)
class BudgetLineAdmin(OperatorAdmin):
    list_display = ("project", "position", "name", "amount")
    search_fields = ("project__title_zh", "project__public_id", "name")
    list_select_related = ("project",)
    readonly_fields = ("project", "position", "name", "amount")
    fields = readonly_fields
    actions = None

    @admin.display(description=_("Amount"))
    def amount(self, line):
        return format_fen(line.amount_fen)
