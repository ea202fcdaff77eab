"""Public identifiers: ULIDs in URLs and the log, integers stay internal."""

from ulid import ULID

__all__ = ["new_public_id", "PUBLIC_ID_LENGTH"]

PUBLIC_ID_LENGTH = 26


def new_public_id() -> str:
    """A new ULID string: sortable by creation time, not guessable as a sequence."""
    return str(ULID()).lower()
