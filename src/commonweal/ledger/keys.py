"""The log's Ed25519 signing key: a signed-note signer key in a file, never in the database.

The file holds one line, ``PRIVATE+KEY+<origin>+<hex key ID>+<base64>`` (the Go ``note`` format,
c2sp.org/signed-note), readable only by its owner (mode 0600). The key name is the log's origin.
Nothing here ever prints or logs the private key; errors name the file, not its contents.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from commonweal.tlog import Ed25519Signer, NoteError, format_verifier_key, generate_signer_key, parse_signer_key

__all__ = ["KeyFileError", "log_key_generate", "log_signer_load", "verifier_key_of"]

logger = logging.getLogger("commonweal.ledger")

_MAX_KEY_FILE = 4096


class KeyFileError(Exception):
    """The signing key file is missing, unreadable, malformed or for another origin."""


def log_key_generate(*, path: Path, origin: str, force: bool = False) -> str:
    """Write a new signer key for ``origin`` to ``path`` (mode 0600); return its verifier key.

    Refuses to replace an existing file unless ``force``; the new file appears atomically.
    """
    path = Path(path)
    if path.exists() and not force:
        raise KeyFileError(f"{path} already exists; pass --force to replace it (the old key is then lost)")
    skey, vkey = generate_signer_key(origin)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (skey + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return vkey


def log_signer_load(*, path: Path, origin: str, create_missing: bool = False) -> tuple[Ed25519Signer, bool]:
    """Read the signer key at ``path``; returns ``(signer, created)``.

    With ``create_missing`` (development only) a missing file is generated first. The key's name
    must be ``origin``.
    """
    path = Path(path)
    created = False
    if not path.exists():
        if not create_missing:
            raise KeyFileError(
                f"the log signing key {path} does not exist; create it with "
                f"`commonweal log_keygen --path {path}` and keep a copy somewhere safe"
            )
        log_key_generate(path=path, origin=origin)
        created = True
    try:
        mode = path.stat().st_mode
        with path.open("rb") as f:
            raw = f.read(_MAX_KEY_FILE + 1)
    except OSError as exc:
        raise KeyFileError(f"cannot read the log signing key {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        logger.warning("log_key_permissions path=%s mode=%o (should be 600)", path, stat.S_IMODE(mode))
    try:
        if len(raw) > _MAX_KEY_FILE:
            raise NoteError("too large")
        signer = parse_signer_key(raw.decode("ascii").strip())
    except (NoteError, UnicodeDecodeError):
        # Never echo the file's contents: it may be a key.
        raise KeyFileError(f"{path} is not a signed-note Ed25519 signer key (PRIVATE+KEY+<name>+<id>+<key>)") from None
    if signer.name != origin:
        raise KeyFileError(
            f"the key in {path} is named {signer.name!r} but the log origin (COMMONWEAL_LOG_ORIGIN) is {origin!r}; "
            "the key name must be the origin"
        )
    return signer, created


def verifier_key_of(signer: Ed25519Signer) -> str:
    """The public verifier key string of ``signer`` (what /log/vkey serves)."""
    return format_verifier_key(signer.verifier())
