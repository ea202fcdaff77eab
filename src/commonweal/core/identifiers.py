"""Public identifiers: ULIDs in URLs and the log, integers stay internal."""

import re

from ulid import ULID

__all__ = ["new_public_id", "is_public_id", "PUBLIC_ID_LENGTH", "PUBLIC_ID_PATTERN"]

PUBLIC_ID_LENGTH = 26

PUBLIC_ID_PATTERN = r"^[0-9a-z]{26}$"
"""The canonical shape of a public id (a lower-case ULID), as a JSON-schema/regex pattern."""

_PUBLIC_ID_RE = re.compile(r"[0-9a-z]{26}")


def new_public_id() -> str:
    """A new ULID string: sortable by creation time, not guessable as a sequence."""
    return str(ULID()).lower()


def is_public_id(text: object) -> bool:
    """Whether ``text`` has the canonical shape of a public id; check before any lookup, so
    untrusted text (NUL bytes, megabytes) never reaches a query."""
    return isinstance(text, str) and _PUBLIC_ID_RE.fullmatch(text) is not None
