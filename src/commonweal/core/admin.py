"""The operator back office (Django admin): shared rules, and the audit trail.

- Operators are active staff users (``User.is_operator``), the same test the services apply;
  every one of them has enrolled TOTP (``accounts.middleware.OperatorMFAMiddleware``).
- The admin never writes a row itself. Records are read-only; decisions are admin actions that
  call a service, and a service's refusal is shown as an admin message.
- The admin has no password form of its own: /admin/login/ sends people to allauth's sign-in,
  which asks for the second factor. (Django's admin login would skip it.)
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from commonweal.core.models import AuditEvent

__all__ = ["OperatorAdmin", "ReadOnlyOperatorAdmin", "QueueFilter"]


def _is_operator(request) -> bool:
    return bool(getattr(request.user, "is_operator", False))


class OperatorAdmin(admin.ModelAdmin):
    """Visible to every operator; rows are read-only; actions (which call services) are allowed."""

    def has_module_permission(self, request):
        return _is_operator(request)

    def has_view_permission(self, request, obj=None):
        return _is_operator(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # True only for the change list, so that actions run; a single row is never editable.
        return obj is None and _is_operator(request)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyOperatorAdmin(OperatorAdmin):
    """Records of what happened (donations, refunds, outbox, audit): look, never touch."""

    actions = None

    def has_change_permission(self, request, obj=None):
        return False


class QueueFilter(admin.SimpleListFilter):
    """A status filter that opens on a work queue (``default``) instead of everything."""

    field: str
    default: str
    all_value = "all"

    def lookups(self, request, model_admin):
        raise NotImplementedError

    def choices(self, changelist):
        current = self.value() or self.default
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.default
        if value == self.all_value:
            return queryset
        return self.filter(queryset, value)

    def filter(self, queryset, value):
        return queryset.filter(**{self.field: value})


def _login_through_allauth(request, extra_context=None):
    """Replaces ``admin.site.login``: sign in with allauth (password, then TOTP)."""
    next_url = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        raise PermissionDenied("the back office is for operators")
    return redirect_to_login(next_url)


admin.site.login = _login_through_allauth
admin.site.site_header = _("Commonweal back office")
admin.site.site_title = _("Commonweal back office")
admin.site.index_title = _("Reviews and records")
admin.site.enable_nav_sidebar = False  # review queues need the width


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyOperatorAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_id", "reason")
    list_filter = ("action", "target_type")
    search_fields = ("target_id", "action", "actor__email")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    readonly_fields = ("at", "actor", "action", "target_type", "target_id", "reason", "data")
