"""Secrets at rest: AES-256-GCM sealing of organizations' payment-provider credentials.

The key comes from COMMONWEAL_CREDENTIALS_KEY (base64 of 32 bytes) or, in development, is
derived from SECRET_KEY with HKDF. A sealed value is "v1:" + base64(nonce ‖ ciphertext+tag).
"""

import base64
import binascii
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from commonweal.core.errors import InvalidInput

__all__ = ["seal_json", "unseal_json"]

_PREFIX = "v1:"
_AAD = b"commonweal credentials v1"


def _key() -> bytes:
    if settings.CREDENTIALS_KEY:
        try:
            key = base64.b64decode(settings.CREDENTIALS_KEY, validate=True)
        except binascii.Error as exc:
            raise RuntimeError("COMMONWEAL_CREDENTIALS_KEY must be base64") from exc
        if len(key) != 32:
            raise RuntimeError(f"COMMONWEAL_CREDENTIALS_KEY must decode to 32 bytes, got {len(key)}")
        return key
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"commonweal credentials")
    return hkdf.derive(settings.SECRET_KEY.encode())


def seal_json(value: dict) -> str:
    nonce = os.urandom(12)
    ciphertext = AESGCM(_key()).encrypt(nonce, json.dumps(value, sort_keys=True).encode(), _AAD)
    return _PREFIX + base64.b64encode(nonce + ciphertext).decode()


def unseal_json(sealed: str) -> dict:
    if not sealed.startswith(_PREFIX):
        raise InvalidInput("sealed credentials have an unknown format", code="credentials_unreadable")
    raw = base64.b64decode(sealed[len(_PREFIX):], validate=True)
    try:
        plaintext = AESGCM(_key()).decrypt(raw[:12], raw[12:], _AAD)
    except InvalidTag as exc:
        raise InvalidInput("credentials cannot be decrypted with this key", code="credentials_unreadable") from exc
    return json.loads(plaintext)
