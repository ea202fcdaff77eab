"""c2sp.org/tlog-checkpoint: checkpoints; c2sp.org/tlog-cosignature: Ed25519 cosignature/v1.

A checkpoint is the text of a signed note: origin, tree size, base64 root hash, optional extension
lines. A witness cosignature (signature type 0x04) signs ``cosignature/v1``, a timestamp line and
the checkpoint text. The wire formats are in docs/ledger.md.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from .merkle import HASH_SIZE
from .note import (
    Ed25519Verifier,
    NoteError,
    Signature,
    Signer,
    VerifiedNote,
    Verifier,
    decode_base64,
    is_valid_key_name,
    key_id,
    open_note,
    parse_key_string,
    parse_verifier_key,
    sign_note,
)

__all__ = [
    "COSIGNATURE_V1_HEADER",
    "MAX_CHECKPOINT_TEXT",
    "MAX_TIMESTAMP",
    "SIG_TYPE_COSIGNATURE_V1",
    "Checkpoint",
    "CheckpointError",
    "CosignatureSigner",
    "CosignatureVerifier",
    "SignedCheckpoint",
    "cosignature_timestamp",
    "cosigned_message",
    "format_checkpoint",
    "format_cosigner_key",
    "format_cosigner_signer_key",
    "generate_cosigner_key",
    "open_checkpoint",
    "parse_any_verifier_key",
    "parse_checkpoint",
    "parse_cosigner_key",
    "parse_cosigner_signer_key",
    "sign_checkpoint",
]

MAX_CHECKPOINT_TEXT = 8 * 1024
"""Largest checkpoint text accepted, in bytes."""

SIG_TYPE_COSIGNATURE_V1 = 0x04
"""c2sp.org/signed-note signature type of timestamped Ed25519 witness cosignatures."""

COSIGNATURE_V1_HEADER = b"cosignature/v1\n"
"""c2sp.org/tlog-cosignature: first line of the Ed25519 cosigned message."""

MAX_TIMESTAMP = (1 << 63) - 1
"""c2sp.org/tlog-cosignature: the timestamp must not exceed 2^63 - 1."""

_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}", re.ASCII)
_COSIGNATURE_SIZE = 8 + 64


class CheckpointError(ValueError):
    """A checkpoint or cosignature is malformed, or does not verify."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkpoint:
    """The tree head a log signs: c2sp.org/tlog-checkpoint note text."""

    origin: str
    """Unique identity of the log, e.g. ``commonweal.example.org/log``."""
    size: int
    """Number of leaves in the tree."""
    root_hash: bytes
    """RFC 9162 root hash of the tree at ``size`` (32 bytes)."""
    extensions: tuple[str, ...] = ()
    """Optional, opaque, non-empty extension lines (not recommended; Commonweal writes none)."""

    def __post_init__(self) -> None:
        if not self.origin or not _is_line(self.origin):
            raise CheckpointError("origin must be a non-empty line")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or not 0 <= self.size < 1 << 64:
            raise CheckpointError(f"tree size must be in [0, 2^64), got {self.size!r}")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"root hash must be {HASH_SIZE} bytes")
        if not isinstance(self.extensions, tuple) or not all(e and _is_line(e) for e in self.extensions):
            raise CheckpointError("extension lines must be non-empty lines")


def _is_line(text: str) -> bool:
    return isinstance(text, str) and not any(ord(c) < 0x20 for c in text)


def format_checkpoint(checkpoint: Checkpoint) -> str:
    """c2sp.org/tlog-checkpoint: the note text of a checkpoint."""
    lines = [
        checkpoint.origin,
        str(checkpoint.size),
        base64.b64encode(checkpoint.root_hash).decode("ascii"),
        *checkpoint.extensions,
    ]
    return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """c2sp.org/tlog-checkpoint: parse checkpoint note text strictly."""
    # 0. Size limit first.
    if not isinstance(text, str) or len(text) > MAX_CHECKPOINT_TEXT:
        raise CheckpointError("checkpoint text missing or too large")
    try:
        if len(text.encode("utf-8")) > MAX_CHECKPOINT_TEXT:
            raise CheckpointError("checkpoint text too large")
    except UnicodeEncodeError:
        raise CheckpointError("checkpoint text is not valid UTF-8") from None
    # 1. At least three non-empty lines, each ending in newline, no control characters.
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or not all(lines) or not all(_is_line(line) for line in lines):
        raise CheckpointError("checkpoint text needs at least three non-empty lines")
    origin, size_text, root_text, *extensions = lines
    # 2. Tree size: ASCII decimal, no leading zeros unless the tree is empty.
    if not _DECIMAL.fullmatch(size_text) or int(size_text) >= 1 << 64:
        raise CheckpointError("malformed tree size")
    # 3. Root hash: canonical base64 of 32 bytes.
    root = decode_base64(root_text, "root hash", CheckpointError)
    if len(root) != HASH_SIZE:
        raise CheckpointError(f"root hash must be {HASH_SIZE} bytes, got {len(root)}")
    # 4. Extension lines are opaque (checked non-empty above).
    checkpoint = Checkpoint(origin=origin, size=int(size_text), root_hash=root, extensions=tuple(extensions))
    if format_checkpoint(checkpoint) != text:
        raise CheckpointError("non-canonical checkpoint")
    return checkpoint


def sign_checkpoint(checkpoint: Checkpoint, signers: Sequence[Signer]) -> str:
    """c2sp.org/tlog-checkpoint: the signed note of a checkpoint, signed by each signer."""
    return sign_note(format_checkpoint(checkpoint), signers)


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedCheckpoint:
    """A checkpoint whose note verified."""

    checkpoint: Checkpoint
    """The parsed checkpoint."""
    note: VerifiedNote
    """The verified note (which keys signed, which signatures were ignored)."""


def open_checkpoint(msg: str | bytes, *, origin: str, verifiers: Iterable[Verifier]) -> SignedCheckpoint:
    """c2sp.org/tlog-checkpoint: verify a signed checkpoint and check its origin.

    Raises ``CheckpointError``, for signature problems too.
    """
    try:
        note = open_note(msg, verifiers)
    except NoteError as exc:
        raise CheckpointError(f"checkpoint note does not verify: {exc}") from exc
    checkpoint = parse_checkpoint(note.text)
    if checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint origin is {checkpoint.origin!r}, expected {origin!r}")
    return SignedCheckpoint(checkpoint=checkpoint, note=note)


def cosigned_message(text: bytes, timestamp: int) -> bytes:
    """c2sp.org/tlog-cosignature: ``cosignature/v1\\ntime <T>\\n`` followed by the checkpoint text."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise CheckpointError(f"timestamp must be in [0, 2^63 - 1], got {timestamp}")
    return COSIGNATURE_V1_HEADER + b"time %d\n" % timestamp + text


def cosignature_timestamp(signature: Signature) -> int:
    """c2sp.org/tlog-cosignature: the POSIX timestamp of a cosignature/v1 signature."""
    if len(signature.signature) != _COSIGNATURE_SIZE:
        raise CheckpointError("a cosignature/v1 signature is 72 bytes after the key ID")
    timestamp = int.from_bytes(signature.signature[:8], "big")
    if timestamp > MAX_TIMESTAMP:
        raise CheckpointError("cosignature timestamp exceeds 2^63 - 1")
    return timestamp


@dataclass(frozen=True, slots=True, kw_only=True)
class CosignatureVerifier:
    """c2sp.org/tlog-cosignature Ed25519 cosignature/v1 (type 0x04) verifier."""

    name: str
    """Cosigner (witness) name."""
    public_key: bytes
    """32-byte Ed25519 public key."""
    key_id: int = field(init=False)
    """32-bit key ID: SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]."""

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise NoteError(f"invalid key name {self.name!r}")
        if len(self.public_key) != 32:
            raise NoteError(f"Ed25519 public keys are 32 bytes, got {len(self.public_key)}")
        object.__setattr__(self, "key_id", key_id(self.name, SIG_TYPE_COSIGNATURE_V1, self.public_key))

    def verify(self, message: bytes, signature: bytes) -> bool:
        """c2sp.org/tlog-cosignature: check timestamp ‖ Ed25519 signature over the cosigned message."""
        # 1. timestamped_signature: u64 big-endian timestamp, then the 64-byte signature.
        if len(signature) != _COSIGNATURE_SIZE:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            return False
        # 2. The signed message: header line, timestamp line, checkpoint text.
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(
                signature[8:], cosigned_message(message, timestamp)
            )
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True, kw_only=True)
class CosignatureSigner:
    """c2sp.org/tlog-cosignature Ed25519 cosignature/v1 (type 0x04) signer."""

    name: str
    """Cosigner (witness) name."""
    seed: bytes = field(repr=False)
    """32-byte Ed25519 private key seed (secret)."""
    clock: Callable[[], int] = lambda: int(time.time())
    """Returns the POSIX time to put in each cosignature."""
    key_id: int = field(init=False)
    """32-bit key ID of the matching public key."""

    def __post_init__(self) -> None:
        if len(self.seed) != 32:
            raise NoteError(f"Ed25519 seeds are 32 bytes, got {len(self.seed)}")
        object.__setattr__(self, "key_id", self.verifier().key_id)

    def verifier(self) -> CosignatureVerifier:
        """The matching verifier."""
        public = Ed25519PrivateKey.from_private_bytes(self.seed).public_key()
        return CosignatureVerifier(name=self.name, public_key=public.public_bytes(Encoding.Raw, PublicFormat.Raw))

    def sign(self, message: bytes) -> bytes:
        """c2sp.org/tlog-cosignature: timestamp ‖ Ed25519 signature over the cosigned message."""
        timestamp = self.clock()
        signature = Ed25519PrivateKey.from_private_bytes(self.seed).sign(cosigned_message(message, timestamp))
        return timestamp.to_bytes(8, "big") + signature


def parse_cosigner_key(vkey: str) -> CosignatureVerifier:
    """c2sp.org/tlog-cosignature: parse ``<name>+<hex ID>+base64(0x04 ‖ key)``."""
    name, kid, sig_type, key = parse_key_string(vkey)
    if sig_type != SIG_TYPE_COSIGNATURE_V1:
        raise NoteError(f"expected signature type 0x04, got 0x{sig_type:02x}")
    verifier = CosignatureVerifier(name=name, public_key=key)
    if verifier.key_id != kid:
        raise NoteError("key ID does not match the key name and key")
    return verifier


def format_cosigner_key(verifier: CosignatureVerifier) -> str:
    """c2sp.org/tlog-cosignature: the vkey of a cosigner, with signature type 0x04."""
    key64 = base64.b64encode(bytes([SIG_TYPE_COSIGNATURE_V1]) + verifier.public_key).decode("ascii")
    return f"{verifier.name}+{verifier.key_id:08x}+{key64}"


def parse_cosigner_signer_key(skey: str, *, clock: Callable[[], int] | None = None) -> CosignatureSigner:
    """c2sp.org/tlog-cosignature, Commonweal signer-key convention: parse
    ``PRIVATE+KEY+<name>+<hex ID>+base64(0x04 ‖ seed)``."""
    parts = skey.split("+", 2) if isinstance(skey, str) else []
    if len(parts) != 3 or parts[0] != "PRIVATE" or parts[1] != "KEY":
        raise NoteError("signer keys start with PRIVATE+KEY+")
    name, kid, sig_type, seed = parse_key_string(parts[2])
    if sig_type != SIG_TYPE_COSIGNATURE_V1:
        raise NoteError(f"expected signature type 0x04, got 0x{sig_type:02x}")
    signer = CosignatureSigner(name=name, seed=seed) if clock is None else CosignatureSigner(
        name=name, seed=seed, clock=clock
    )
    if signer.key_id != kid:
        raise NoteError("key ID does not match the key name and key")
    return signer


def format_cosigner_signer_key(signer: CosignatureSigner) -> str:
    """c2sp.org/tlog-cosignature, Commonweal signer-key convention: the secret key string of a cosigner."""
    key64 = base64.b64encode(bytes([SIG_TYPE_COSIGNATURE_V1]) + signer.seed).decode("ascii")
    return f"PRIVATE+KEY+{signer.name}+{signer.key_id:08x}+{key64}"


def generate_cosigner_key(name: str) -> tuple[str, str]:
    """c2sp.org/tlog-cosignature: a new cosigner (signer key, verifier key) pair, signature type 0x04."""
    seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    signer = CosignatureSigner(name=name, seed=seed)
    return format_cosigner_signer_key(signer), format_cosigner_key(signer.verifier())


_VERIFIER_PARSERS: dict[int, Callable[[str], Verifier]] = {
    0x01: parse_verifier_key,
    SIG_TYPE_COSIGNATURE_V1: parse_cosigner_key,
}


def parse_any_verifier_key(vkey: str) -> Ed25519Verifier | CosignatureVerifier:
    """c2sp.org/signed-note: parse a vkey of signature type 0x01 (Ed25519) or 0x04 (cosignature/v1)."""
    _, _, sig_type, _ = parse_key_string(vkey)
    parser = _VERIFIER_PARSERS.get(sig_type)
    if parser is None:
        raise NoteError(f"unsupported signature type 0x{sig_type:02x}")
    return parser(vkey)  # type: ignore[return-value]
