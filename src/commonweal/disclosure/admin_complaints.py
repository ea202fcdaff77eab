"""Back office: the complaint queue, with each complaint's five-working-day deadline.

Opens on the complaints awaiting a response, the most urgent first; overdue ones are marked.
Outcomes are admin actions that ask for a note to the reporter and call
``disclosure.services.complaints.complaint_decide``; nothing here sets a status.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from commonweal.core.admin import OperatorAdmin, QueueFilter, ReadOnlyOperatorAdmin
from commonweal.disclosure.models.complaints import Complaint, ComplaintStatus, OrgScorecard
from commonweal.disclosure.selectors.complaints import complaint_deadline
from commonweal.disclosure.services.complaints import complaint_decide
from commonweal.orgs.admin import ask_reason_then

__all__ = ["ComplaintAdmin", "OrgScorecardAdmin"]

DUE_SOON_WORKING_DAYS = 1


class NoteForm(forms.Form):
    reason = forms.CharField(
        label=_("Note to the reporter"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        help_text=_("Emailed to the reporter with the outcome. Say what was checked and what happens next."),
    )


class ComplaintQueue(QueueFilter):
    title = _("status")
    parameter_name = "queue"
    field = "status"
    default = ComplaintStatus.OPEN
    OVERDUE = "overdue"

    def lookups(self, request, model_admin):
        return [*ComplaintStatus.choices, (self.OVERDUE, _("Overdue")), (self.all_value, _("All"))]

    def filter(self, queryset, value):
        if value == self.OVERDUE:
            return queryset.filter(status=ComplaintStatus.OPEN, respond_by__lt=timezone.localdate())
        return super().filter(queryset, value)


@admin.register(Complaint)
class ComplaintAdmin(OperatorAdmin):
    list_display = ("received_on", "deadline", "project_title", "org", "reason", "status", "has_evidence")
    list_filter = (ComplaintQueue, "reason")
    search_fields = ("public_id", "project__title_zh", "project__public_id", "org__name_zh", "reporter_email")
    list_select_related = ("project", "org")
    ordering = ("respond_by", "received_at")
    actions = ("uphold", "dismiss", "ask_information")
    fieldsets = (
        (_("Complaint"), {"fields": ("public_id", "project", "org", "reason", "details", "evidence_link", "received_at", "deadline")}),
        (_("Reporter"), {"fields": ("reporter", "reporter_email")}),
        (_("Outcome"), {"fields": ("status", "outcome_note", "first_response_at", "decided_at", "decided_by")}),
    )
    readonly_fields = tuple(name for _title, spec in fieldsets for name in spec["fields"])

    class Media:
        css = {"all": ("disclosure/admin.css",)}

    @admin.display(description=_("Respond by"), ordering="respond_by")
    def deadline(self, complaint):
        found = complaint_deadline(complaint, today=timezone.localdate())
        day = found.respond_by.isoformat()
        if found.answered:
            return format_html('<span class="complaint-answered">{} · {}</span>', day, _("answered"))
        if found.overdue:
            return format_html(
                '<strong class="complaint-overdue">{} · {} {}</strong>', day, _("OVERDUE by working days:"),
                -found.working_days_left,
            )
        if found.working_days_left <= DUE_SOON_WORKING_DAYS:
            return format_html('<strong class="complaint-due-soon">{} · {} {}</strong>', day, _("working days left:"), found.working_days_left)
        return format_html("{} · {} {}", day, _("working days left:"), found.working_days_left)

    @admin.display(description=_("Project"), ordering="project__title_zh")
    def project_title(self, complaint):
        return complaint.project.title_zh

    @admin.display(description=_("Evidence"), boolean=True)
    def has_evidence(self, complaint):
        return bool(complaint.evidence)

    @admin.display(description=_("Evidence"))
    def evidence_link(self, complaint):
        if not complaint.evidence:
            return "—"
        url = reverse("complaint-evidence", args=[complaint.public_id])
        return format_html('<a href="{}">{}</a> ({})', url, _("Download"), complaint.evidence_content_type)

    def _decide(self, request, queryset, outcome, *, title, done_message):
        return ask_reason_then(
            self, request, queryset,
            lambda complaint, note: complaint_decide(complaint=complaint, actor=request.user, outcome=outcome, note=note),
            title=title, done_message=done_message, form_class=NoteForm,
        )

    @admin.action(description=_("Outcome: upheld (with a note)"), permissions=("change",))
    def uphold(self, request, queryset):
        return self._decide(request, queryset, ComplaintStatus.UPHELD, title=_("Upheld: note to the reporter"),
                            done_message=_("%(count)s complaint(s) upheld; the reporters were emailed."))

    @admin.action(description=_("Outcome: not upheld (with a note)"), permissions=("change",))
    def dismiss(self, request, queryset):
        return self._decide(request, queryset, ComplaintStatus.NOT_UPHELD, title=_("Not upheld: note to the reporter"),
                            done_message=_("%(count)s complaint(s) not upheld; the reporters were emailed."))

    @admin.action(description=_("Outcome: needs more information (with a note)"), permissions=("change",))
    def ask_information(self, request, queryset):
        return self._decide(request, queryset, ComplaintStatus.NEEDS_INFORMATION,
                            title=_("Needs more information: note to the reporter"),
                            done_message=_("%(count)s reporter(s) asked for more information."))


@admin.register(OrgScorecard)
class OrgScorecardAdmin(ReadOnlyOperatorAdmin):
    list_display = ("org", "score", "computed_at", "clock_on_time", "clock_projects", "public_projects", "complaints_upheld")
    search_fields = ("org__name_zh", "org__public_id")
    list_select_related = ("org",)
    ordering = ("-computed_at",)
    readonly_fields = (
        "org", "score", "computed_at", "clock_projects", "clock_on_time", "public_projects", "with_budget", "with_reports",
        "spending_projects", "with_evidenced_spending", "net_received_fen", "spent_fen", "complaints_upheld",
    )
    fields = readonly_fields
