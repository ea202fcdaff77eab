"""Back office for organizations: the verification queue and the qualification decision.

Every decision is an admin action that calls ``orgs.services``; nothing here sets a status.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonweal.core.admin import OperatorAdmin, QueueFilter
from commonweal.core.errors import DomainError
from commonweal.orgs.forms import error_text
from commonweal.orgs.models import Membership, Organization, VerificationStatus
from commonweal.orgs.services import org_grant_fundraising_qualification, org_transition

__all__ = ["ReasonForm", "run_service_action", "ask_reason_then", "OrganizationAdmin", "MembershipAdmin"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Shown to the organization. Say what must change."),
    )


def run_service_action(modeladmin, request, queryset, call, *, done_message) -> int:
    """Call ``call(obj)`` (one service call) per selected object; report each refusal."""
    done = 0
    for obj in queryset:
        try:
            call(obj)
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {error_text(exc)}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
    return done


def ask_reason_then(modeladmin, request, queryset, call, *, title, done_message, form_class=None):
    """An intermediate page asking for a reason; on confirm, ``call(obj, reason)`` for each object.

    ``form_class`` (default ReasonForm) must have a ``reason`` field; only its wording differs."""
    form = (form_class or ReasonForm)(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"]
        run_service_action(modeladmin, request, queryset, lambda obj: call(obj, reason), done_message=done_message)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "objects": list(queryset),
        "form": form,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "orgs/admin_reason.html", context)


class VerificationQueue(QueueFilter):
    title = _("verification")
    parameter_name = "verification"
    field = "verification_status"
    default = VerificationStatus.SUBMITTED
    EXPIRED = "expired"

    def lookups(self, request, model_admin):
        return [
            *VerificationStatus.choices,
            (self.EXPIRED, _("Verification expired")),
            (self.all_value, _("All")),
        ]

    def filter(self, queryset, value):
        if value == self.EXPIRED:
            return queryset.filter(verification_status=VerificationStatus.VERIFIED, verified_until__lt=timezone.localdate())
        return super().filter(queryset, value)


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return bool(getattr(request.user, "is_operator", False))


@admin.register(Organization)
class OrganizationAdmin(OperatorAdmin):
    list_display = ("name_zh", "credit_code", "org_type", "verification", "valid_until", "qualified", "registration_date")
    list_filter = (VerificationQueue, "fundraising_qualified", "org_type")
    search_fields = ("name_zh", "name_en", "credit_code", "public_id")
    ordering = ("created_at",)
    inlines = (MembershipInline,)
    actions = ("verify", "reject", "requeue", "grant_qualification")
    fieldsets = (
        (_("Verification"), {"fields": (
            "verification_status", "verified_until", "rejection_reason", "fundraising_qualified", "fundraising_qualified_on",
        )}),
        (_("Registration"), {"fields": (
            "public_id", "name_zh", "name_en", "credit_code", "certificate_number", "registration_date", "org_type",
        )}),
        (_("Contacts"), {"fields": ("contact_name", "contact_phone", "contact_email", "address", "website")}),
        (_("Description"), {"fields": ("description_zh", "description_en", "created_at", "updated_at")}),
    )
    readonly_fields = tuple(name for _title, spec in fieldsets for name in spec["fields"])

    @admin.display(description=_("Verification"), ordering="verification_status")
    def verification(self, org):
        return org.get_verification_status_display()

    @admin.display(description=_("Valid until"), ordering="verified_until")
    def valid_until(self, org):
        return org.verified_until

    @admin.display(description=_("public fundraising qualification"), boolean=True, ordering="fundraising_qualified")
    def qualified(self, org):
        return org.fundraising_qualified

    @admin.action(description=_("Verify (or renew for another year)"), permissions=("change",))
    def verify(self, request, queryset):
        run_service_action(
            self, request, queryset,
            lambda org: org_transition(org=org, to=VerificationStatus.VERIFIED, actor=request.user),
            done_message=_("%(count)s organization(s) verified."),
        )

    @admin.action(description=_("Reject or revoke verification (with reason)"), permissions=("change",))
    def reject(self, request, queryset):
        return ask_reason_then(
            self, request, queryset,
            lambda org, reason: org_transition(org=org, to=VerificationStatus.REJECTED, actor=request.user, reason=reason),
            title=_("Reject: give the reason"),
            done_message=_("%(count)s organization(s) rejected."),
        )

    @admin.action(description=_("Return to the verification queue"), permissions=("change",))
    def requeue(self, request, queryset):
        run_service_action(
            self, request, queryset,
            lambda org: org_transition(org=org, to=VerificationStatus.SUBMITTED, actor=request.user),
            done_message=_("%(count)s organization(s) returned to the queue."),
        )

    @admin.action(description=_("Grant the public fundraising qualification"), permissions=("change",))
    def grant_qualification(self, request, queryset):
        run_service_action(
            self, request, queryset,
            lambda org: org_grant_fundraising_qualification(org=org, actor=request.user),
            done_message=_("%(count)s organization(s) qualified."),
        )


@admin.register(Membership)
class MembershipAdmin(OperatorAdmin):
    list_display = ("user", "org", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "org__name_zh", "org__credit_code")
    list_select_related = ("user", "org")
    readonly_fields = ("org", "user", "role", "created_at")
    actions = None
