"""Back office for the program office: operators appoint office members and set up labs.

Money rows (commitments, payments) are read-only here: they are written only by the services.
"""

from django.contrib import admin

from commonweal.programs.models import Commitment, Fund, GrantPayment, Lab, LabKpi, LabMember, LabProject, OfficeMember, Studio


@admin.register(OfficeMember)
class OfficeMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "created_at")
    list_filter = ("role",)
    raw_id_fields = ("user",)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Fund)
class FundAdmin(_ReadOnly):
    list_display = ("name_zh", "total_fen", "start_year", "end_year")


@admin.register(Commitment)
class CommitmentAdmin(_ReadOnly):
    list_display = ("public_id", "fund", "domain", "year", "program", "amount_fen", "source_kind")
    list_filter = ("domain", "year", "source_kind")


@admin.register(GrantPayment)
class GrantPaymentAdmin(_ReadOnly):
    list_display = ("public_id", "commitment", "amount_fen", "paid_on")


class LabMemberInline(admin.TabularInline):
    model = LabMember
    extra = 0


class LabKpiInline(admin.TabularInline):
    model = LabKpi
    extra = 0


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    """Team and KPIs are edited here; the lab itself is created by ``lab_create`` (it commits the
    budget), so its money fields are read-only."""

    list_display = ("name_zh", "domain", "budget_fen")
    readonly_fields = ("fund", "budget_fen", "commitment", "domain")
    inlines = [LabMemberInline, LabKpiInline]

    def has_add_permission(self, request):
        return False


@admin.register(LabProject)
class LabProjectAdmin(_ReadOnly):
    list_display = ("title", "lab", "stage")
    list_filter = ("stage",)


@admin.register(Studio)
class StudioAdmin(_ReadOnly):
    list_display = ("name", "project", "commitment")
