"""The ledger: the outbox of money events, and the state and tiles of the public log.

Every money event writes exactly one ``OutboxEntry`` in the same transaction as the event. The
sequencer (``ledger.sequencer``) gives each row a log index, stores the new tiles (``LogTile`` for
the embedded database store, or a directory) and signs checkpoints, keeping its progress in the
single ``LogState`` row. docs/ledger.md describes the formats and the crash and recovery rules.
"""

from django.db import models
from django.db.models import F, Q


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
            models.CheckConstraint(condition=Q(log_index__gte=0), name="outbox_log_index_not_negative"),
        ]
        indexes = [
            # The sequencer's queue: only rows still waiting for an index are in this index.
            models.Index(fields=["id"], condition=Q(log_index__isnull=True), name="outbox_unsequenced"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_type}:{self.subject_id}"


class LogState(models.Model):
    """The sequencer's progress: a single row (id 1), changed only by the sequencer.

    Invariants: ``signed_size <= tiles_size <= size``; rows with a ``log_index`` are exactly
    ``0 … size-1``; tiles and entry bundles are durable for the tree of ``tiles_size``.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    origin = models.CharField(max_length=255, help_text="checkpoint origin line; never changes")
    verifier_key = models.CharField(max_length=512, help_text="public verifier key served at /log/vkey")
    size = models.BigIntegerField(default=0, help_text="outbox rows that have a log index")
    tiles_size = models.BigIntegerField(default=0, help_text="tree size whose tiles are durable")
    root_hash = models.BinaryField(max_length=32, help_text="RFC 9162 root of the tree of tiles_size")
    signed_size = models.BigIntegerField(default=0, help_text="tree size of the last signed checkpoint")
    signed_root = models.BinaryField(max_length=32, help_text="root hash of the last signed checkpoint")
    checkpoint = models.TextField(blank=True, help_text="last signed checkpoint, as served (with cosignatures)")
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="log_state_single_row"),
            models.CheckConstraint(
                condition=Q(signed_size__gte=0, signed_size__lte=F("tiles_size"), tiles_size__lte=F("size")),
                name="log_state_sizes_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin} size {self.size} signed {self.signed_size}"


class LogTile(models.Model):
    """One tile or entry bundle of the database tile store, at the widest width written so far.

    ``path`` is the full-tile path (``tile/0/x001/234``, ``tile/entries/000``) whatever the width:
    a partial tile of width W is the first W hashes (or entries) of any wider one, so one row
    serves every width. docs/ledger.md, "Tile storage".
    """

    path = models.CharField(max_length=128, primary_key=True)
    data = models.BinaryField()

    def __str__(self) -> str:
        return self.path
