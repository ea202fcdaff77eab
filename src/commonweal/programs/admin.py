"""Back office for the program office: operators appoint office members and set up labs.

Money rows (commitments, payments) and the prize and grant programs (calls, applications,
referees, awards, installments) are read-only here: they are written only by the services,
through the program office's own pages. A referee's token hash is never shown.
"""

from django.contrib import admin

from commonweal.core.admin import ReadOnlyOperatorAdmin
from commonweal.programs.grants.models import Application, Award, Call, Installment, Program, Referee
from commonweal.programs.models import Commitment, Fund, GrantPayment, Lab, LabKpi, LabMember, LabProject, OfficeMember, Studio


@admin.register(OfficeMember)
class OfficeMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "created_at")
    list_filter = ("role",)
    raw_id_fields = ("user",)


@admin.register(Fund)
class FundAdmin(ReadOnlyOperatorAdmin):
    list_display = ("name_zh", "total_fen", "start_year", "end_year")


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyOperatorAdmin):
    list_display = ("public_id", "fund", "domain", "year", "program", "amount_fen", "source_kind")
    list_filter = ("domain", "year", "source_kind")


@admin.register(GrantPayment)
class GrantPaymentAdmin(ReadOnlyOperatorAdmin):
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
class LabProjectAdmin(ReadOnlyOperatorAdmin):
    list_display = ("title", "lab", "stage")
    list_filter = ("stage",)


@admin.register(Studio)
class StudioAdmin(ReadOnlyOperatorAdmin):
    list_display = ("name", "project", "commitment")


@admin.register(Program)
class ProgramAdmin(ReadOnlyOperatorAdmin):
    list_display = ("name_zh", "kind", "domain", "fund")
    list_filter = ("kind", "domain")
    search_fields = ("public_id", "name_zh", "name_en")


@admin.register(Call)
class CallAdmin(ReadOnlyOperatorAdmin):
    list_display = ("title_zh", "program", "opens_on", "closes_on")
    list_filter = ("program",)
    search_fields = ("public_id", "title_zh", "title_en")


class RefereeInline(admin.TabularInline):
    model = Referee
    fields = ("name", "email", "institution", "has_letter", "letter_uploaded_at", "link_sent_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return bool(getattr(request.user, "is_operator", False))  # as ReadOnlyOperatorAdmin

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyOperatorAdmin):
    list_display = ("submitted_at", "full_name", "call", "route", "status")
    list_filter = ("status", "route", "call")
    search_fields = ("public_id", "full_name", "applicant__email", "institution")
    list_select_related = ("call",)
    inlines = [RefereeInline]


@admin.register(Award)
class AwardAdmin(ReadOnlyOperatorAdmin):
    list_display = ("public_id", "application", "amount_fen", "awarded_at")
    search_fields = ("public_id", "application__full_name")


@admin.register(Installment)
class InstallmentAdmin(ReadOnlyOperatorAdmin):
    list_display = ("public_id", "award", "number", "due_on", "amount_fen", "status", "paid_on")
    list_filter = ("status",)
    search_fields = ("public_id", "award__application__full_name")
