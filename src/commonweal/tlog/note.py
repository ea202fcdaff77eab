"""c2sp.org/signed-note: parse, verify and sign notes; Ed25519 (signature type 0x01) keys.

Key strings follow golang.org/x/mod/sumdb/note: a verifier key is ``<name>+<hex key ID>+<base64>``
and a signer key ``PRIVATE+KEY+<name>+<hex key ID>+<base64>``. The wire format is in docs/ledger.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

__all__ = [
    "MAX_NOTE_SIZE",
    "MAX_SIGNATURES",
    "SIG_TYPE_ED25519",
    "Ed25519Signer",
    "Ed25519Verifier",
    "Note",
    "NoteError",
    "Signature",
    "Signer",
    "VerifiedNote",
    "Verifier",
    "decode_base64",
    "format_note",
    "format_signer_key",
    "format_verifier_key",
    "generate_signer_key",
    "is_valid_key_name",
    "key_id",
    "open_note",
    "parse_key_string",
    "parse_note",
    "parse_signer_key",
    "parse_verifier_key",
    "sign_note",
]

MAX_NOTE_SIZE = 128 * 1024
"""Largest note accepted, in bytes (room for 16 post-quantum signatures)."""

MAX_SIGNATURES = 100
"""Most signature lines accepted in one note (the spec requires at least 16)."""

SIG_TYPE_ED25519 = 0x01
"""c2sp.org/signed-note signature type of Ed25519 signatures."""

_SIG_PREFIX = "\u2014 "
_HEX8 = re.compile(r"[0-9a-f]{8}", re.ASCII)


class NoteError(ValueError):
    """A note, signature or key is malformed, or a note does not verify."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Signature:
    """One signature line of a note."""

    name: str
    """Key name."""
    key_id: int
    """32-bit key ID (the first four bytes of the decoded signature, big-endian)."""
    signature: bytes
    """Signature bytes after the key ID."""

    def line(self) -> str:
        """c2sp.org/signed-note: the signature line, without its newline."""
        sig = base64.b64encode(self.key_id.to_bytes(4, "big") + self.signature).decode("ascii")
        return f"{_SIG_PREFIX}{self.name} {sig}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A parsed, not yet verified, signed note."""

    text: str
    """Note text, including its final newline."""
    signatures: tuple[Signature, ...]
    """Signature lines, in order."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedNote:
    """A note with at least one valid signature from a known key."""

    text: str
    """Note text, including its final newline."""
    verified: tuple[Signature, ...]
    """Signatures from known keys, all valid (duplicates removed)."""
    unverified: tuple[Signature, ...]
    """Signatures from unknown keys, ignored."""


class Verifier(Protocol):
    """Verifies note signatures of one key."""

    @property
    def name(self) -> str:
        """Key name."""
        ...

    @property
    def key_id(self) -> int:
        """32-bit key ID."""
        ...

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (after the key ID) is valid for ``message`` (the note text)."""
        ...


class Signer(Protocol):
    """Signs notes with one key."""

    @property
    def name(self) -> str:
        """Key name."""
        ...

    @property
    def key_id(self) -> int:
        """32-bit key ID."""
        ...

    def sign(self, message: bytes) -> bytes:
        """Signature bytes (after the key ID) for ``message`` (the note text)."""
        ...


def is_valid_key_name(name: str) -> bool:
    """c2sp.org/signed-note: key names are non-empty with no Unicode space and no '+'."""
    return (
        isinstance(name, str)
        and name != ""
        and "+" not in name
        and not any(c.isspace() or ord(c) < 0x20 for c in name)
        and _is_utf8(name)
    )


def key_id(name: str, sig_type: int, public_key: bytes) -> int:
    """c2sp.org/signed-note: key ID = SHA-256(name ‖ 0x0A ‖ signature type ‖ public key)[:4]."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([sig_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def decode_base64(text: str, what: str, error: type[ValueError] = NoteError) -> bytes:
    """RFC 4648 §4 standard base64, strictly: valid alphabet and padding, canonical encoding."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise error(f"malformed base64 in {what}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise error(f"non-canonical base64 in {what}")
    return raw


@dataclass(frozen=True, slots=True, kw_only=True)
class Ed25519Verifier:
    """c2sp.org/signed-note Ed25519 (type 0x01) verifier."""

    name: str
    """Key name."""
    public_key: bytes
    """32-byte Ed25519 public key."""
    key_id: int = field(init=False)
    """32-bit key ID, derived from the name and key."""

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.public_key) != 32:
            raise NoteError(f"Ed25519 public keys are 32 bytes, got {len(self.public_key)}")
        object.__setattr__(self, "key_id", key_id(self.name, SIG_TYPE_ED25519, self.public_key))

    def verify(self, message: bytes, signature: bytes) -> bool:
        """RFC 8032 Ed25519 verification of the note text."""
        if len(signature) != 64:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True, kw_only=True)
class Ed25519Signer:
    """c2sp.org/signed-note Ed25519 (type 0x01) signer."""

    name: str
    """Key name."""
    seed: bytes = field(repr=False)
    """32-byte Ed25519 private key seed (secret)."""
    key_id: int = field(init=False)
    """32-bit key ID of the matching public key."""

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.seed) != 32:
            raise NoteError(f"Ed25519 seeds are 32 bytes, got {len(self.seed)}")
        object.__setattr__(self, "key_id", self.verifier().key_id)

    def public_key(self) -> bytes:
        """The 32-byte Ed25519 public key."""
        return _public_from_seed(self.seed)

    def verifier(self) -> Ed25519Verifier:
        """The matching verifier."""
        return Ed25519Verifier(name=self.name, public_key=self.public_key())

    def sign(self, message: bytes) -> bytes:
        """RFC 8032 Ed25519 signature of the note text."""
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def _public_from_seed(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _check_name(name: str) -> None:
    if not is_valid_key_name(name):
        raise NoteError(f"invalid key name {name!r}")


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _split_key(text: str, parts: int) -> list[str]:
    # Split on the first parts-1 '+' only: the trailing base64 may itself contain '+'.
    if not isinstance(text, str) or len(text) > 1024:
        raise NoteError("malformed key")
    fields = text.split("+", parts - 1)
    if len(fields) != parts:
        raise NoteError("malformed key")
    return fields


def parse_key_string(vkey: str) -> tuple[str, int, int, bytes]:
    """c2sp.org/signed-note: split ``<name>+<hex ID>+<base64(type ‖ key)>`` into its parts.

    Returns (name, key ID, signature type, key bytes) without checking the key ID.
    """
    name, hex_id, key64 = _split_key(vkey, 3)
    _check_name(name)
    if not _HEX8.fullmatch(hex_id):
        raise NoteError("key ID must be 8 lowercase hex digits")
    raw = decode_base64(key64, "key")
    if len(raw) < 2:
        raise NoteError("key too short")
    return name, int(hex_id, 16), raw[0], raw[1:]


def parse_verifier_key(vkey: str) -> Ed25519Verifier:
    """c2sp.org/signed-note: parse an Ed25519 verifier key ``<name>+<hex ID>+base64(0x01 ‖ key)``."""
    name, kid, sig_type, key = parse_key_string(vkey)
    if sig_type != SIG_TYPE_ED25519:
        raise NoteError(f"unsupported signature type 0x{sig_type:02x}")
    verifier = Ed25519Verifier(name=name, public_key=key)
    if verifier.key_id != kid:
        raise NoteError("key ID does not match the key name and key")
    return verifier


def format_verifier_key(verifier: Ed25519Verifier) -> str:
    """c2sp.org/signed-note: the verifier key string of an Ed25519 verifier."""
    key64 = base64.b64encode(bytes([SIG_TYPE_ED25519]) + verifier.public_key).decode("ascii")
    return f"{verifier.name}+{verifier.key_id:08x}+{key64}"


def parse_signer_key(skey: str) -> Ed25519Signer:
    """golang.org/x/mod/sumdb/note: parse ``PRIVATE+KEY+<name>+<hex ID>+base64(0x01 ‖ seed)``."""
    private, key, rest = _split_key(skey, 3)
    if private != "PRIVATE" or key != "KEY":
        raise NoteError("signer keys start with PRIVATE+KEY+")
    name, kid, sig_type, seed = parse_key_string(rest)
    if sig_type != SIG_TYPE_ED25519:
        raise NoteError(f"unsupported signature type 0x{sig_type:02x}")
    signer = Ed25519Signer(name=name, seed=seed)
    if signer.key_id != kid:
        raise NoteError("key ID does not match the key name and key")
    return signer


def format_signer_key(signer: Ed25519Signer) -> str:
    """golang.org/x/mod/sumdb/note: the signer key string (secret) of an Ed25519 signer."""
    key64 = base64.b64encode(bytes([SIG_TYPE_ED25519]) + signer.seed).decode("ascii")
    return f"PRIVATE+KEY+{signer.name}+{signer.key_id:08x}+{key64}"


def generate_signer_key(name: str) -> tuple[str, str]:
    """golang.org/x/mod/sumdb/note GenerateKey: a new Ed25519 (signer key, verifier key) pair."""
    seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    signer = Ed25519Signer(name=name, seed=seed)
    return format_signer_key(signer), format_verifier_key(signer.verifier())


def _to_text(msg: str | bytes) -> str:
    if isinstance(msg, bytes | bytearray):
        if len(msg) > MAX_NOTE_SIZE:
            raise NoteError(f"note is larger than {MAX_NOTE_SIZE} bytes")
        try:
            return bytes(msg).decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("note is not valid UTF-8") from None
    if not isinstance(msg, str):
        raise NoteError("note must be str or bytes")
    if len(msg) > MAX_NOTE_SIZE:
        raise NoteError(f"note is larger than {MAX_NOTE_SIZE} bytes")
    if not _is_utf8(msg) or len(msg.encode("utf-8")) > MAX_NOTE_SIZE:
        raise NoteError("note is not valid UTF-8 or too large")
    return msg


def parse_note(msg: str | bytes) -> Note:
    """c2sp.org/signed-note: parse a signed note strictly, without verifying it."""
    # 1. Size limit, UTF-8, and no control characters but newline.
    text = _to_text(msg)
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note contains a control character")
    # 2. The text ends at the last blank line; signature lines follow, each ending in newline.
    split = text.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no signature block")
    body, block = text[: split + 1], text[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("note must end with a signature line and a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")
    # 3. Each line: em dash, space, key name, space, base64(key ID ‖ signature).
    signatures = []
    for line in lines:
        if not line.startswith(_SIG_PREFIX):
            raise NoteError("signature lines start with an em dash and a space")
        name, sep, sig64 = line[len(_SIG_PREFIX) :].partition(" ")
        if not sep or not is_valid_key_name(name):
            raise NoteError("malformed signature line")
        raw = decode_base64(sig64, "signature")
        if len(raw) < 5:
            raise NoteError("signature too short")
        signatures.append(Signature(name=name, key_id=int.from_bytes(raw[:4], "big"), signature=raw[4:]))
    return Note(text=body, signatures=tuple(signatures))


def open_note(msg: str | bytes | Note, verifiers: Iterable[Verifier]) -> VerifiedNote:
    """c2sp.org/signed-note: parse and verify a note against known keys.

    Signatures from unknown (name, key ID) pairs are ignored; every signature from a known key
    must verify; at least one must. Raises ``NoteError`` otherwise.
    """
    note = msg if isinstance(msg, Note) else parse_note(msg)
    # 1. Index the known keys by (name, key ID); two keys with the same pair are ambiguous.
    known: dict[tuple[str, int], Verifier] = {}
    for v in verifiers:
        pair = (v.name, v.key_id)
        if pair in known and known[pair] != v:
            raise NoteError(f"ambiguous key {v.name}+{v.key_id:08x}")
        known[pair] = v
    # 2. Verify each signature of a known key; collect the others.
    message = note.text.encode("utf-8")
    verified: dict[tuple[str, int], Signature] = {}
    unverified: list[Signature] = []
    for sig in note.signatures:
        pair = (sig.name, sig.key_id)
        verifier = known.get(pair)
        if verifier is None:
            if sig not in unverified:
                unverified.append(sig)
            continue
        if not verifier.verify(message, sig.signature):
            raise NoteError(f"invalid signature for key {sig.name}+{sig.key_id:08x}")
        verified.setdefault(pair, sig)
    # 3. At least one known key must have signed.
    if not verified:
        raise NoteError("note has no valid signature from a known key")
    return VerifiedNote(text=note.text, verified=tuple(verified.values()), unverified=tuple(unverified))


def format_note(note: Note) -> str:
    """c2sp.org/signed-note: the text, a blank line, and the signature lines."""
    if not note.text.endswith("\n") or not note.signatures:
        raise NoteError("a note needs text ending in newline and at least one signature")
    return note.text + "\n" + "".join(sig.line() + "\n" for sig in note.signatures)


def sign_note(text: str, signers: Sequence[Signer], *, signatures: Sequence[Signature] = ()) -> str:
    """c2sp.org/signed-note: sign ``text`` with each signer, after any existing ``signatures``.

    An existing signature by the same (name, key ID) as a signer is replaced.
    """
    if not isinstance(text, str) or not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text) or not _is_utf8(text):
        raise NoteError("note text contains a control character or is not UTF-8")
    message = text.encode("utf-8")
    fresh = []
    for signer in signers:
        _check_name(signer.name)
        fresh.append(Signature(name=signer.name, key_id=signer.key_id, signature=signer.sign(message)))
    replaced = {(s.name, s.key_id) for s in fresh}
    kept = [s for s in signatures if (s.name, s.key_id) not in replaced]
    signed = format_note(Note(text=text, signatures=(*kept, *fresh)))
    parse_note(signed)  # the result must itself be a well-formed note
    return signed
