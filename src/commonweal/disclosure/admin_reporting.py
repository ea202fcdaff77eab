"""Back office: who receives a project's reports, and the deadline reminders already sent.

Both are records, read-only here: follows change only through the follow, unfollow and
unsubscribe services (which keep the unsubscribe token working), reminders only by
``disclosure.services.reporting.reminders_send``. Operators look here to answer "why did (or
didn't) I get this email?".
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from commonweal.core.admin import ReadOnlyOperatorAdmin
from commonweal.disclosure.models.reporting import Follow, ReminderSent

__all__ = ["FollowAdmin", "ReminderSentAdmin"]


class FollowActive(admin.SimpleListFilter):
    title = _("subscription")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("Receiving reports")), ("no", _("Unsubscribed"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(unsubscribed_at__isnull=self.value() == "yes")
        return queryset


@admin.register(Follow)
class FollowAdmin(ReadOnlyOperatorAdmin):
    list_display = ("created_at", "project", "user__email", "email", "source", "unsubscribed_at")
    list_filter = (FollowActive, "source")
    search_fields = ("project__title_zh", "project__public_id", "user__email", "email")
    list_select_related = ("project", "user")
    ordering = ("-created_at",)
    exclude = ("token",)  # the unsubscribe link's secret


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyOperatorAdmin):
    list_display = ("sent_on", "project", "duty", "due_on", "step", "week", "recipients")
    list_filter = ("duty", "step")
    search_fields = ("project__title_zh", "project__public_id")
    list_select_related = ("project",)
    ordering = ("-sent_on", "-pk")
