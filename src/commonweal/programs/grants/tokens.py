"""Private links for referees and nominators: a random token in the link, its SHA-256 stored.

Whoever holds the link can use it; nobody, not even the program office, can read it back from
the database. Untrusted tokens are checked for shape before they are hashed and looked up.
"""

import hashlib
import re
import secrets

__all__ = ["token_new", "token_hash", "token_looks_valid"]

_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def token_new() -> tuple[str, str]:
    """(token for the link, hash to store): 256 random bits, URL-safe base64 without padding."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def token_looks_valid(token: object) -> bool:
    return isinstance(token, str) and _TOKEN_RE.fullmatch(token) is not None
