"""Back office records of money: donations and refunds are read-only (refunds are recorded by
the organization, or through ``giving.services.refund_create``)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from commonweal.core.admin import ReadOnlyOperatorAdmin
from commonweal.core.money import format_fen
from commonweal.giving.models import Donation, DonationReceipt, Refund

__all__ = ["DonationAdmin", "RefundAdmin", "DonationReceiptAdmin"]


@admin.register(Donation)
class DonationAdmin(ReadOnlyOperatorAdmin):
    list_display = ("public_id", "confirmed_at", "amount", "refunded", "project", "recipient_org", "provider", "provider_txn_id")
    list_filter = ("provider", "currency")
    search_fields = ("public_id", "provider_txn_id", "project__title_zh", "project__public_id", "recipient_org__name_zh")
    list_select_related = ("project", "recipient_org")
    date_hierarchy = "confirmed_at"
    readonly_fields = (
        "public_id", "intent", "project", "recipient_org", "amount", "refunded", "currency", "provider", "provider_txn_id",
        "payer_reference", "donor", "donor_name", "donor_public", "message", "donor_commitment", "monthly_plan", "confirmed_at",
    )
    fields = readonly_fields

    @admin.display(description=_("Amount"))
    def amount(self, donation):
        return format_fen(donation.amount_fen)

    @admin.display(description=_("refunded"))
    def refunded(self, donation):
        return format_fen(donation.refunded_fen)


@admin.register(Refund)
class RefundAdmin(ReadOnlyOperatorAdmin):
    list_display = ("public_id", "created_at", "amount", "donation", "reason", "requested_by")
    search_fields = ("public_id", "donation__public_id", "reason")
    list_select_related = ("donation", "requested_by")
    date_hierarchy = "created_at"
    readonly_fields = ("public_id", "donation", "amount", "reason", "requested_by", "created_at")
    fields = readonly_fields

    @admin.display(description=_("Amount"))
    def amount(self, refund):
        return format_fen(refund.amount_fen)


@admin.register(DonationReceipt)
class DonationReceiptAdmin(ReadOnlyOperatorAdmin):
    """Receipts are issued and voided by the organization's finance (``giving.services.receipts``)."""

    list_display = ("number", "org", "status", "scope", "year", "amount", "requested_at", "issued_at")
    list_filter = ("status", "scope")
    search_fields = ("number", "public_id", "org__name_zh", "lines__donation__public_id")
    list_select_related = ("org",)
    date_hierarchy = "requested_at"
    readonly_fields = (
        "public_id", "org", "donor", "scope", "year", "donor_name", "amount", "purpose", "status", "number",
        "requested_at", "issued_at", "issued_by", "voided_at", "voided_by", "void_reason", "void_refund",
    )
    fields = readonly_fields

    @admin.display(description=_("Amount"))
    def amount(self, receipt):
        return format_fen(receipt.amount_fen)

