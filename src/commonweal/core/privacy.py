"""Donor privacy: masked public names and salted commitments (Charity Law Art. 82).

A donor's name is public only if the donor opted in; otherwise pages show a masked name, and the
public log never sees a name at all, only :func:`donor_commitment`.
"""

import hashlib
import hmac
import secrets
import unicodedata

__all__ = [
    "SALT_LENGTH",
    "ANONYMOUS_DONOR",
    "anonymous_label",
    "mask_name",
    "public_donor_name",
    "donor_commitment",
    "new_salt",
]

SALT_LENGTH = 32
"""Bytes of salt per commitment."""

ANONYMOUS_DONOR: dict[str, str] = {"zh": "爱心网友", "en": "A kind donor"}
"""What pages call a donor who gave no name, by language family."""

_MASK = "*"
_LATIN_MASK = "***"  # fixed width, so a masked Latin name does not reveal its length
_LATIN_PUNCTUATION = frozenset(" -'.’")


def _is_zh(lang: str) -> bool:
    return lang.lower().startswith("zh")


def anonymous_label(lang: str) -> str:
    """爱心网友 (zh-*) or "A kind donor" (anything else)."""
    return ANONYMOUS_DONOR["zh" if _is_zh(lang) else "en"]


def _is_latin_name(name: str) -> bool:
    """Latin letters with spaces, hyphens, apostrophes and dots ("Mary-Jane O'Neil")."""
    return any(c.isalpha() for c in name) and all(
        c in _LATIN_PUNCTUATION or (c.isalpha() and "LATIN" in unicodedata.name(c, ""))
        for c in name
    )


def mask_name(name: str, *, lang: str) -> str:
    """Mask a name for public display; an empty name gives :func:`anonymous_label`.

    - Latin-script names keep each word's first letter and hide the rest behind a fixed "***":
      "John Smith" -> "J*** S***", "Mary-Jane O'Neil" -> "M*** O***".
    - Any other name (Chinese, or anything mixed) keeps its first character and replaces each
      other character with "*": 张三 -> 张*, 欧阳娜娜 -> 欧***. A one-character name gets one
      "*" (张 -> 张*) so that it never appears unmasked.
    """
    name = " ".join(unicodedata.normalize("NFC", name or "").split())
    if not name:
        return anonymous_label(lang)
    if _is_latin_name(name):
        # The first letter of each word that has one ("'t Hooft" -> "t*** H***").
        initials = [next(c for c in word if c.isalpha()) for word in name.split() if any(map(str.isalpha, word))]
        return " ".join(f"{initial}{_LATIN_MASK}" for initial in initials)
    return name[0] + _MASK * max(1, len(name) - 1)


def public_donor_name(*, name: str | None, opted_in: bool, lang: str) -> str:
    """The name pages may show: the full name if the donor opted in, else the masked name,
    and 爱心网友 / "A kind donor" when there is no name."""
    cleaned = " ".join(unicodedata.normalize("NFC", name or "").split())
    if not cleaned:
        return anonymous_label(lang)
    if opted_in:
        return cleaned
    return mask_name(cleaned, lang=lang)


def donor_commitment(salt: bytes, donor_reference: str) -> str:
    """Hex SHA-256(salt ‖ UTF-8(donor_reference)): the only donor identity the public log holds.

    The salt has a fixed length (:data:`SALT_LENGTH`), so salt and reference cannot be shifted
    against each other to give the same input. Whoever knows the salt and the reference (the
    donor, from the receipt) can recompute it; nobody else can link it to a person.
    """
    if not isinstance(salt, bytes):
        raise TypeError(f"salt must be bytes, got {type(salt).__name__}")
    if len(salt) != SALT_LENGTH:
        raise ValueError(f"salt must be {SALT_LENGTH} bytes, got {len(salt)}")
    if not isinstance(donor_reference, str):
        raise TypeError(f"donor_reference must be a str, got {type(donor_reference).__name__}")
    if not donor_reference:
        raise ValueError("donor_reference must not be empty")
    return hashlib.sha256(salt + donor_reference.encode("utf-8")).hexdigest()


def new_salt() -> bytes:
    """:data:`SALT_LENGTH` random bytes from the operating system's CSPRNG."""
    return secrets.token_bytes(SALT_LENGTH)


def fingerprint(kind: str, value: str) -> str:
    """A keyed hash of a network address or device id, for anti-fraud counting only: equal inputs
    give equal fingerprints, but the value cannot be read back or guessed without SECRET_KEY."""
    if not value:
        return ""
    from django.conf import settings  # core.privacy is otherwise Django-free

    key = hashlib.sha256(f"commonweal-fingerprint:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]
