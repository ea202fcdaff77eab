"""Public identifiers: ULIDs in URLs and the log, integers stay internal."""

import os
import re
import time

__all__ = ["new_public_id", "ulid_str", "is_public_id", "PUBLIC_ID_LENGTH", "PUBLIC_ID_PATTERN"]

PUBLIC_ID_LENGTH = 26

PUBLIC_ID_PATTERN = r"^[0-9a-z]{26}$"
"""The canonical shape of a public id (a lower-case ULID), as a JSON-schema/regex pattern."""

_PUBLIC_ID_RE = re.compile(r"[0-9a-z]{26}")


def new_public_id() -> str:
    """A new ULID string: sortable by creation time (to the millisecond), not guessable.

    Its 80 random bits are fresh for every id. A monotonic ULID (the ``ulid`` package's default)
    adds one to the previous id within a millisecond, and a batch of intents made in one
    millisecond would then have consecutive ids: anyone holding one could name the others.
    """
    return ulid_str(time.time_ns() // 1_000_000, int.from_bytes(os.urandom(10), "big"))


# Crockford's base32 in lower case, two characters (10 bits) per lookup.
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_PAIRS = tuple(a + b for a in _CROCKFORD for b in _CROCKFORD)
_SHIFTS = tuple(range(120, -1, -10))


def ulid_str(milliseconds: int, randomness: int) -> str:
    """The ULID (26 lower-case characters) of a Unix time in ms and 80 random bits.

    Same text as ``str(ulid.ULID.from_int(...)).lower()``, about twice as fast: the 128-bit value
    read as 130 bits, big-endian, in 13 pairs of base32 digits.
    """
    value = (milliseconds << 80) | randomness
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])


def is_public_id(text: object) -> bool:
    """Whether ``text`` has the canonical shape of a public id; check before any lookup, so
    untrusted text (NUL bytes, megabytes) never reaches a query."""
    return isinstance(text, str) and _PUBLIC_ID_RE.fullmatch(text) is not None
