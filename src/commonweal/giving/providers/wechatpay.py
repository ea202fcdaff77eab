"""WeChat Pay API v3 payment notifications (支付结果通知), verified with a platform certificate.

Implements the published APIv3 scheme (pay.weixin.qq.com, "签名验证" and "证书和回调报文解密"):

1. Headers ``Wechatpay-Timestamp``, ``Wechatpay-Nonce``, ``Wechatpay-Signature``,
   ``Wechatpay-Serial``. The timestamp must be within 5 minutes of ``now``.
2. ``Wechatpay-Serial`` names the platform certificate; it must equal the serial number of the
   organization's configured certificate (hex, case-insensitive, leading zeros ignored).
3. ``Wechatpay-Signature`` is base64 of an RSA PKCS#1 v1.5 SHA-256 signature over the bytes
   ``timestamp + "\\n" + nonce + "\\n" + body + "\\n"``, verified with the certificate's public key.
4. The body is JSON whose ``resource`` is ``{"algorithm": "AEAD_AES_256_GCM", "ciphertext",
   "nonce", "associated_data"}``; AES-256-GCM with the 32-byte APIv3 key, the resource nonce and
   the associated data (RFC 5116) decrypts the base64 ciphertext (tag appended) to the
   transaction JSON.
5. The transaction must belong to the configured ``mchid`` and ``appid`` and have
   ``trade_state == "SUCCESS"``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Mapping
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from commonweal.core.errors import PaymentRejected

from . import _strict as s
from .base import PaymentNotification

__all__ = ["WeChatPayProvider", "WECHATPAY_TIMESTAMP_WINDOW_S"]

WECHATPAY_TIMESTAMP_WINDOW_S = 300
"""WeChat's guidance: accept a Wechatpay-Timestamp at most 5 minutes from the local clock."""

APIV3_KEY_BYTES = 32

TIMESTAMP_HEADER = "Wechatpay-Timestamp"
NONCE_HEADER = "Wechatpay-Nonce"
SIGNATURE_HEADER = "Wechatpay-Signature"
SERIAL_HEADER = "Wechatpay-Serial"

_SERIAL_RE = re.compile(r"[0-9A-Fa-f]{1,64}")
_DIGITS_RE = re.compile(r"[0-9]{1,32}")
_PRINTABLE_RE = re.compile(r"[\x20-\x7e]*")
_MAX_NONCE = 64
_MAX_SIGNATURE_B64 = 1400  # a 8192-bit RSA signature is 1368 base64 characters




@functools.lru_cache(maxsize=64)
def _load_certificate(pem: str) -> tuple[int, rsa.RSAPublicKey]:
    """(serial number, RSA public key) of a platform certificate; ValueError if unusable."""
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError(f"the certificate holds a {type(key).__name__}, WeChat Pay APIv3 signs with RSA")
    return cert.serial_number, key


class WeChatPayProvider:
    """WeChat Pay APIv3 JSAPI/Native/H5/App payment notifications for one merchant."""

    name = "wechatpay"
    credential_fields = ("mchid", "appid", "apiv3_key", "platform_certificate_pem")
    optional_credential_fields: tuple[str, ...] = ()

    def __init__(self, *, timestamp_window_s: int = WECHATPAY_TIMESTAMP_WINDOW_S):
        self.timestamp_window_s = timestamp_window_s

    def validate_credentials(self, credentials: Mapping[str, str]) -> None:
        s.check_credential_keys(self.name, credentials, self.credential_fields)
        if not _DIGITS_RE.fullmatch(credentials["mchid"]):
            raise s.credentials_error(
                self.name, "mchid", f"must be the digits of the merchant id, got {s.show(credentials['mchid'])}"
            )
        try:
            s.check_token(credentials["appid"], "appid", max_len=32)
        except PaymentRejected:
            raise s.credentials_error(
                self.name, "appid", f"must be 1 to 32 printable ASCII characters, got {s.show(credentials['appid'])}"
            ) from None
        key = credentials["apiv3_key"]
        if not key.isascii() or len(key) != APIV3_KEY_BYTES:
            raise s.credentials_error(
                self.name, "apiv3_key", f"must be exactly {APIV3_KEY_BYTES} ASCII characters, got {len(key)} characters"
            )
        try:
            _load_certificate(credentials["platform_certificate_pem"].strip())
        except (ValueError, TypeError, UnicodeEncodeError) as exc:
            raise s.credentials_error(
                self.name, "platform_certificate_pem", f"is not a usable X.509 PEM certificate ({exc})"
            ) from None

    def verify_notification(
        self,
        *,
        credentials: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        now: datetime,
    ) -> PaymentNotification:
        s.require_aware(now)
        self.validate_credentials(credentials)
        serial_number, public_key = _load_certificate(credentials["platform_certificate_pem"].strip())

        # 1. Size, then the four authentication headers and the timestamp window.
        s.check_body(body)
        hdrs = s.normalise_headers(headers)
        signature_b64 = s.header(hdrs, SIGNATURE_HEADER, code=s.SIGNATURE_INVALID)
        timestamp_text = s.header(hdrs, TIMESTAMP_HEADER)
        nonce = s.header(hdrs, NONCE_HEADER)
        serial = s.header(hdrs, SERIAL_HEADER)
        timestamp = s.parse_uint(timestamp_text, f"header {TIMESTAMP_HEADER}", max_digits=12)
        if len(nonce) > _MAX_NONCE or not _PRINTABLE_RE.fullmatch(nonce):
            raise s.rejected(
                s.MALFORMED,
                f"header {NONCE_HEADER} must be 1 to {_MAX_NONCE} printable ASCII characters, got {s.show(nonce)}",
            )
        s.check_window(sent_at=timestamp, now=now, window_s=self.timestamp_window_s, what=f"header {TIMESTAMP_HEADER}")

        # 2. The serial must name the configured platform certificate.
        if not _SERIAL_RE.fullmatch(serial) or int(serial, 16) != serial_number:
            raise s.rejected(
                s.SIGNATURE_INVALID,
                f"header {SERIAL_HEADER} {s.show(serial)} does not match the configured platform certificate "
                f"serial {serial_number:X}",
            )

        # 3. RSA-SHA256 PKCS#1 v1.5 over "timestamp\nnonce\nbody\n", using the header texts as sent.
        if len(signature_b64) > _MAX_SIGNATURE_B64:
            raise s.rejected(
                s.SIGNATURE_INVALID, f"header {SIGNATURE_HEADER} is longer than {_MAX_SIGNATURE_B64} characters"
            )
        try:
            signature = base64.b64decode(signature_b64, validate=True)
        except (binascii.Error, ValueError):
            raise s.rejected(
                s.SIGNATURE_INVALID, f"header {SIGNATURE_HEADER} is not valid base64: {s.show(signature_b64)}"
            ) from None
        message = b"%s\n%s\n%s\n" % (timestamp_text.encode("ascii"), nonce.encode("ascii"), bytes(body))
        try:
            public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise s.rejected(
                s.SIGNATURE_INVALID, "WeChat Pay signature does not verify with the platform certificate"
            ) from None

        # 4. The authentic envelope, then AEAD_AES_256_GCM decryption of the resource.
        envelope = s.load_json_object(body, "wechatpay notification")
        resource = s.get_object(envelope, "resource", "wechatpay notification")
        what = "wechatpay notification.resource"
        algorithm = resource.get("algorithm")
        if algorithm != "AEAD_AES_256_GCM":
            raise s.rejected(s.MALFORMED, f'{what}.algorithm must be "AEAD_AES_256_GCM", got {s.show(algorithm)}')
        ciphertext_b64 = s.get_str(resource, "ciphertext", what, max_len=s.MAX_BODY_BYTES)
        resource_nonce = s.get_str(resource, "nonce", what, max_len=128)
        if len(resource_nonce) < 8:
            raise s.rejected(s.MALFORMED, f"{what}.nonce must be 8 to 128 characters, got {s.show(resource_nonce)}")
        associated_data = resource.get("associated_data", "")
        if associated_data is None:
            associated_data = ""  # WeChat documents it as possibly empty; some senders write null
        if not isinstance(associated_data, str) or not associated_data.isascii():
            raise s.rejected(
                s.MALFORMED, f"{what}.associated_data must be an ASCII string, got {s.show(associated_data)}"
            )
        try:
            ciphertext = base64.b64decode(ciphertext_b64, validate=True)
        except (binascii.Error, ValueError):
            raise s.rejected(s.MALFORMED, f"{what}.ciphertext is not valid base64: {s.show(ciphertext_b64)}") from None
        if len(ciphertext) <= 16:
            raise s.rejected(
                s.DECRYPT_FAILED, f"{what}.ciphertext is {len(ciphertext)} bytes, shorter than a GCM tag plus data"
            )
        try:
            plaintext = AESGCM(credentials["apiv3_key"].encode("ascii")).decrypt(
                resource_nonce.encode("ascii"), ciphertext, associated_data.encode("ascii")
            )
        except InvalidTag:
            raise s.rejected(
                s.DECRYPT_FAILED,
                "WeChat Pay resource does not decrypt: wrong APIv3 key, or tampered ciphertext, nonce or associated data",
            ) from None

        # 5. The transaction: merchant, state, then the fields we keep.
        what = "wechatpay transaction"
        txn = s.load_json_object(plaintext, what)
        mchid = s.get_str(txn, "mchid", what, max_len=32)
        appid = s.get_str(txn, "appid", what, max_len=32)
        if mchid != credentials["mchid"] or appid != credentials["appid"]:
            raise s.rejected(
                s.MERCHANT_MISMATCH,
                f"transaction is for mchid {s.show(mchid)} appid {s.show(appid)}, this organization is configured "
                f"with mchid {s.show(credentials['mchid'])} appid {s.show(credentials['appid'])}",
            )
        trade_state = s.get_str(txn, "trade_state", what, max_len=32)
        if trade_state != "SUCCESS":
            raise s.rejected(s.NOT_PAID, f'{what}.trade_state must be "SUCCESS", got {s.show(trade_state)}')
        amount = s.get_object(txn, "amount", what)
        payer = s.get_object(txn, "payer", what)
        return PaymentNotification(
            provider=self.name,
            intent_reference=s.get_str(txn, "out_trade_no", what),
            provider_txn_id=s.get_str(txn, "transaction_id", what),
            amount_fen=s.get_amount(amount, "total", f"{what}.amount"),
            currency=s.check_currency(s.get_str(amount, "currency", f"{what}.amount"), f"{what}.amount.currency"),
            paid_at=s.parse_rfc3339(s.get_str(txn, "success_time", what), f"{what}.success_time"),
            payer_reference=s.get_str(payer, "openid", f"{what}.payer", max_len=128),
        )

    def success_response(self) -> tuple[int, str, bytes]:
        body = json.dumps({"code": "SUCCESS", "message": "成功"}, ensure_ascii=False).encode("utf-8")
        return 200, "application/json; charset=utf-8", body

    def failure_response(self, error: Exception) -> tuple[int, str, bytes]:
        # Only the stable code goes back: the message may name this merchant's configuration.
        body = json.dumps({"code": "FAIL", "message": s.error_code(error)}).encode("utf-8")
        return s.status_for(error), "application/json; charset=utf-8", body


PROVIDER = WeChatPayProvider()
"""The registry's instance."""
