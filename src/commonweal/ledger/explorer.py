"""Reads for the public ledger explorer: the latest checkpoint, entries by index, by donation, by project.

Only entries covered by the latest signed checkpoint are public. Entries are read from the
outbox rows (the same bytes as the entry bundles, indexed by ``log_index``) and shown as
amounts, times and public ids: the log holds no personal data (donors are a commitment).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from commonweal.ledger.models import LogState, OutboxEntry
from commonweal.tlog import Checkpoint, parse_checkpoint, parse_note

__all__ = [
    "ExplorerEntry",
    "LatestCheckpoint",
    "MoneyTotals",
    "entries_by_index",
    "entry_at",
    "entry_index_of_donation",
    "explorer_entries",
    "latest_checkpoint",
    "money_totals",
    "project_entries",
    "recent_entries",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class LatestCheckpoint:
    """The latest signed checkpoint, as the explorer shows it."""

    checkpoint: Checkpoint
    """Origin, size and root hash."""
    text: str
    """The signed note as /log/checkpoint serves it."""
    signed_at: dt.datetime | None
    """When the sequencer signed it."""
    verifier_key: str
    """The log's verifier key (/log/vkey)."""
    cosigners: tuple[str, ...]
    """Names on the signature lines other than the log's own (witnesses; not verified here)."""

    @property
    def size(self) -> int:
        """Entries in the signed tree."""
        return self.checkpoint.size

    @property
    def root_b64(self) -> str:
        """The root hash in base64, as the checkpoint writes it."""
        return base64.b64encode(self.checkpoint.root_hash).decode("ascii")


@dataclass(frozen=True, slots=True, kw_only=True)
class ExplorerEntry:
    """One public log entry."""

    index: int
    """Log index."""
    entry_type: str
    """``donation``, ``refund``, …"""
    subject_id: str
    """Public id of the money event."""
    amount_fen: int | None
    """Amount in fen, if the entry has one."""
    currency: str
    """Currency code (CNY)."""
    time: dt.datetime | None
    """When the event happened (aware), if the entry says."""
    project: str
    """Public id of the project, if any."""
    org: str
    """Public id of the receiving organization, if any."""
    donation: str
    """For a refund: the public id of the donation refunded."""
    canonical_json: str
    """The entry exactly as logged (RFC 8785 JSON)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MoneyTotals:
    """Donations − refunds over some entries, computed from the entries alone."""

    donations_fen: int
    """Sum of donation amounts."""
    refunds_fen: int
    """Sum of refund amounts."""
    donation_count: int
    """Number of donations."""

    @property
    def net_fen(self) -> int:
        """Donations − refunds."""
        return self.donations_fen - self.refunds_fen


def _time(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _entry(index: int, raw: bytes) -> ExplorerEntry:
    text = bytes(raw).decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    amount = data.get("amount_fen")

    def string(key: str) -> str:
        value = data.get(key)
        return value if isinstance(value, str) else ""

    return ExplorerEntry(
        index=index,
        entry_type=string("type"),
        subject_id=string("id"),
        amount_fen=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
        currency=string("currency"),
        time=_time(data.get("time")),
        project=string("project"),
        org=string("org"),
        donation=string("donation"),
        canonical_json=text,
    )


def latest_checkpoint() -> LatestCheckpoint | None:
    """The latest signed checkpoint, or None before the first one (one query)."""
    row = LogState.objects.filter(pk=1).values("checkpoint", "signed_at", "verifier_key").first()
    if not row or not row["checkpoint"]:
        return None
    note = parse_note(row["checkpoint"])
    checkpoint = parse_checkpoint(note.text)
    cosigners = tuple(dict.fromkeys(s.name for s in note.signatures if s.name != checkpoint.origin))
    return LatestCheckpoint(
        checkpoint=checkpoint, text=row["checkpoint"], signed_at=row["signed_at"],
        verifier_key=row["verifier_key"], cosigners=cosigners,
    )


def _public(size: int) -> QuerySet[OutboxEntry]:
    return OutboxEntry.objects.filter(log_index__isnull=False, log_index__lt=size)


def recent_entries(*, size: int, limit: int = 20) -> list[ExplorerEntry]:
    """The newest ``limit`` entries of the signed tree of ``size`` (one query)."""
    rows = _public(size).order_by("-log_index").values_list("log_index", "canonical_json")[:limit]
    return [_entry(i, raw) for i, raw in rows]


def entries_by_index(*, size: int, before: int | None = None, limit: int = 50) -> list[ExplorerEntry]:
    """Up to ``limit`` entries with an index below ``before`` (default: all), newest first (one query)."""
    rows = _public(size if before is None else min(size, before))
    return [_entry(i, raw) for i, raw in rows.order_by("-log_index").values_list("log_index", "canonical_json")[:limit]]


def entry_at(*, index: int, size: int) -> ExplorerEntry | None:
    """Entry ``index``, if the signed tree of ``size`` has it (one query)."""
    if not 0 <= index < size:
        return None
    row = OutboxEntry.objects.filter(log_index=index).values_list("log_index", "canonical_json").first()
    return _entry(*row) if row else None


def entry_index_of_donation(*, donation_public_id: str) -> int | None:
    """The log index given to a donation's entry, or None (not logged, or not yet sequenced)."""
    return (
        OutboxEntry.objects.filter(entry_type="donation", subject_id=donation_public_id)
        .values_list("log_index", flat=True)
        .first()
    )


def project_entries(*, size: int, donation_ids: Iterable[str] | QuerySet, refund_ids: Iterable[str] | QuerySet) -> QuerySet:
    """The signed entries of a project's donations and refunds, newest first, as (index, json) rows.

    The caller (the page, which sits above the giving app) passes the public ids, or querysets of
    them, of the project's donations and refunds.
    """
    return (
        _public(size)
        .filter(Q(entry_type="donation", subject_id__in=donation_ids) | Q(entry_type="refund", subject_id__in=refund_ids))
        .order_by("-log_index")
        .values_list("log_index", "canonical_json")
    )


def explorer_entries(rows: Iterable[tuple[int, bytes]]) -> list[ExplorerEntry]:
    """Rows of (index, canonical JSON) as ``ExplorerEntry``s."""
    return [_entry(i, raw) for i, raw in rows]


def money_totals(entries: Iterable[ExplorerEntry]) -> MoneyTotals:
    """Donations − refunds over ``entries``."""
    donations = refunds = count = 0
    for entry in entries:
        if entry.amount_fen is None:
            continue
        if entry.entry_type == "donation":
            donations += entry.amount_fen
            count += 1
        elif entry.entry_type == "refund":
            refunds += entry.amount_fen
    return MoneyTotals(donations_fen=donations, refunds_fen=refunds, donation_count=count)
