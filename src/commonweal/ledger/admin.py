"""Back office view of the ledger outbox: read-only, as the log it feeds is append-only."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from commonweal.core.admin import ReadOnlyOperatorAdmin
from commonweal.ledger.models import OutboxEntry

__all__ = ["OutboxEntryAdmin"]


@admin.register(OutboxEntry)
class OutboxEntryAdmin(ReadOnlyOperatorAdmin):
    list_display = ("id", "entry_type", "subject_id", "created_at", "log_index")
    list_filter = ("entry_type",)
    search_fields = ("subject_id",)
    date_hierarchy = "created_at"
    readonly_fields = ("entry_type", "subject_id", "entry", "created_at", "log_index")
    fields = readonly_fields

    @admin.display(description=_("Entry (RFC 8785 JSON)"))
    def entry(self, row):
        return format_html("<pre>{}</pre>", bytes(row.canonical_json).decode("utf-8", "replace"))
