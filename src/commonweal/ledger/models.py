"""The ledger outbox: money events waiting to be appended to the public log.

Every money event writes exactly one row here in the same transaction as the event. The
sequencer (a later issue) assigns log indices in ``id`` order.
"""

from django.db import models


class OutboxEntry(models.Model):
    """One log entry as canonical JSON (RFC 8785), with no personal data."""

    entry_type = models.CharField(max_length=32)
    subject_id = models.CharField(max_length=32, help_text="public id of the money event")
    canonical_json = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    log_index = models.BigIntegerField(null=True, blank=True, unique=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry_type", "subject_id"], name="outbox_one_entry_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_type}:{self.subject_id}"
