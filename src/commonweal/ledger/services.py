"""Writing money events to the outbox, inside the caller's transaction."""

import json
import logging

import rfc8785
from django.db import transaction

from commonweal.core.bulk import insert_many
from commonweal.ledger.models import OutboxEntry

__all__ = ["outbox_append", "outbox_append_many", "outbox_entry_json", "ENTRY_VERSION", "FORBIDDEN_ENTRY_KEYS"]

logger = logging.getLogger("commonweal.ledger")

ENTRY_VERSION = 1
# Keys that would carry personal data; an entry holding one is a programming error.
FORBIDDEN_ENTRY_KEYS = frozenset({"name", "phone", "email", "address", "id_number", "donor_name"})


def outbox_entry_json(*, entry_type: str, subject_id: str, fields: dict) -> bytes:
    """The canonical JSON (RFC 8785) of one versioned entry: what an outbox row holds.

    Pure, so bulk writers (the demo generator) produce exactly the bytes ``outbox_append`` would.
    """
    assert not FORBIDDEN_ENTRY_KEYS & fields.keys(), "personal data never enters the log"
    entry = {"v": ENTRY_VERSION, "type": entry_type, "id": subject_id, **fields}
    if _plain(entry):
        # Same bytes as RFC 8785 for these values (tests/ledger/test_canonical_json.py), 5× faster:
        # a burst of donations writes two entries per gift.
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return rfc8785.dumps(entry)


_SAFE_INTEGER = 2**53 - 1


def _plain(value) -> bool:
    """Whether ``value`` holds only what json.dumps writes exactly as RFC 8785 does: objects with
    ASCII keys, strings without lone surrogates, integers within ±(2⁵³ − 1), booleans, null."""
    if value is None or value is True or value is False:
        return True
    kind = type(value)
    if kind is str:
        return value.isascii() or _encodable(value)
    if kind is int:
        return -_SAFE_INTEGER <= value <= _SAFE_INTEGER
    if kind is dict:
        return all(type(k) is str and k.isascii() and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(item) for item in value)
    return False


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def outbox_append(*, entry_type: str, subject_id: str, fields: dict) -> OutboxEntry:
    """Append one versioned entry; must run inside the transaction of the money event."""
    assert transaction.get_connection().in_atomic_block, "outbox rows are written inside the event's transaction"
    canonical_json = outbox_entry_json(entry_type=entry_type, subject_id=subject_id, fields=fields)
    row = OutboxEntry.objects.create(entry_type=entry_type, subject_id=subject_id, canonical_json=canonical_json)
    logger.info("outbox_append type=%s id=%s outbox=%s", entry_type, subject_id, row.pk)
    return row


def outbox_append_many(entries: list[tuple[str, str, dict]]) -> None:
    """Append several (entry_type, subject_id, fields) entries in one statement, in list order;
    must run inside the transaction of their money events (a batch of confirmations)."""
    assert transaction.get_connection().in_atomic_block, "outbox rows are written inside the event's transaction"
    insert_many([
        OutboxEntry(entry_type=entry_type, subject_id=subject_id,
                    canonical_json=outbox_entry_json(entry_type=entry_type, subject_id=subject_id, fields=fields))
        for entry_type, subject_id, fields in entries
    ])
    logger.info("outbox_append_many count=%s", len(entries))
