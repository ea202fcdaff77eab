"""Alipay asynchronous notifications (异步通知) signed with RSA2, verified with the Alipay public key.

Implements the published scheme (opendocs.alipay.com, "异步通知验签"):

1. The body is ``application/x-www-form-urlencoded`` UTF-8; every parameter appears once.
2. Remove ``sign`` and ``sign_type``; drop parameters whose (URL-decoded) value is empty; sort the
   rest by key; join them as ``key=value`` with ``&``, values URL-decoded, not re-encoded.
3. ``sign`` is base64 of an RSA PKCS#1 v1.5 SHA-256 signature (``sign_type=RSA2``) over the UTF-8
   bytes of that string, verified with the Alipay public key (支付宝公钥, not the app's own key).
4. ``app_id`` must be the organization's; ``trade_status`` must be ``TRADE_SUCCESS`` or
   ``TRADE_FINISHED``; ``total_amount`` is yuan with at most 2 decimals; times are
   ``YYYY-MM-DD HH:MM:SS`` in Asia/Shanghai.

Alipay notifications carry no timestamp header. Alipay retries an unacknowledged notification 8
times over about 25 hours (2m, 10m, 10m, 1h, 2h, 6h, 15h), so ``notify_time`` may be at most
:data:`ALIPAY_MAX_AGE` (26 h) old and at most :data:`ALIPAY_MAX_FUTURE` (5 min) ahead of ``now``.
Within that window a replay is harmless: the platform records each ``trade_no`` once.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from . import _strict as s
from .base import PaymentNotification

__all__ = ["AlipayProvider", "ALIPAY_MAX_AGE", "ALIPAY_MAX_FUTURE", "yuan_to_fen"]

ALIPAY_MAX_AGE = timedelta(hours=26)
"""Oldest notify_time accepted: Alipay's 25-hour retry schedule plus an hour of slack."""

ALIPAY_MAX_FUTURE = timedelta(minutes=5)
"""Clock skew tolerated for a notify_time ahead of ``now``."""

ACCEPTED_TRADE_STATUSES = ("TRADE_SUCCESS", "TRADE_FINISHED")

_MAX_FIELDS = 100
_YUAN_RE = re.compile(r"(0|[1-9][0-9]{0,10})(?:\.([0-9]{1,2}))?")
_CHINA_TIME_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")
_DIGITS_RE = re.compile(r"[0-9]{1,32}")
_MAX_SIGN_B64 = 1400


def yuan_to_fen(text: str, what: str = "total_amount") -> int:
    """Exact conversion of Alipay's "12.34" to 1234 fen with integer arithmetic only.

    Accepts ``0|[1-9][0-9]{0,10}`` with an optional ``.`` and 1 or 2 decimals; refuses signs,
    spaces, exponents, a third decimal, leading zeros and non-ASCII digits.
    """
    match = _YUAN_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise s.rejected(
            s.MALFORMED, f"{what} must be yuan with at most 2 decimals, like 12.34, got {s.show(text)}"
        )
    whole, fraction = match.groups()
    return s.check_amount(int(whole) * 100 + int((fraction or "0").ljust(2, "0")), what)


def _parse_china_time(text: str, what: str) -> datetime:
    match = _CHINA_TIME_RE.fullmatch(text)
    if match is None:
        raise s.rejected(s.MALFORMED, f"{what} must be YYYY-MM-DD HH:MM:SS (Asia/Shanghai), got {s.show(text)}")
    try:
        local = datetime(*(int(part) for part in match.groups()), tzinfo=s.CHINA)
    except ValueError:
        raise s.rejected(s.MALFORMED, f"{what} is not a real date and time, got {s.show(text)}") from None
    return local.astimezone(s.UTC)


def _pem(text: str) -> bytes:
    """The Alipay console shows the key as bare base64; accept that as well as a PEM block."""
    text = text.strip()
    if not text.startswith("-----BEGIN"):
        text = "-----BEGIN PUBLIC KEY-----\n" + text + "\n-----END PUBLIC KEY-----\n"
    return text.encode("ascii")


@functools.lru_cache(maxsize=64)
def _load_public_key(text: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(_pem(text))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError(f"the key is a {type(key).__name__}, RSA2 needs an RSA key")
    return key


def _parse_form(body: bytes) -> dict[str, str]:
    try:
        text = bytes(body).decode("utf-8")
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=_MAX_FIELDS,
        )
    except ValueError as exc:  # includes UnicodeDecodeError
        raise s.rejected(s.MALFORMED, f"alipay notification is not a valid UTF-8 form body: {exc}") from None
    params: dict[str, str] = {}
    for key, value in pairs:
        if key in params:
            raise s.rejected(s.MALFORMED, f"alipay notification repeats parameter {s.show(key)}")
        params[key] = value
    return params


def signed_content(params: Mapping[str, str]) -> bytes:
    """Step 2: the bytes Alipay signs, from URL-decoded parameters."""
    items = sorted((k, v) for k, v in params.items() if k not in ("sign", "sign_type") and v != "")
    return "&".join(f"{k}={v}" for k, v in items).encode("utf-8")


class AlipayProvider:
    """Alipay open-platform (app_id based) payment notifications with RSA2 and a public key."""

    name = "alipay"
    credential_fields = ("app_id", "alipay_public_key_pem")
    optional_credential_fields: tuple[str, ...] = ()

    def __init__(self, *, max_age: timedelta = ALIPAY_MAX_AGE, max_future: timedelta = ALIPAY_MAX_FUTURE):
        self.max_age = max_age
        self.max_future = max_future

    def validate_credentials(self, credentials: Mapping[str, str]) -> None:
        s.check_credential_keys(self.name, credentials, self.credential_fields)
        if not _DIGITS_RE.fullmatch(credentials["app_id"]):
            raise s.credentials_error(
                self.name, "app_id", f"must be the digits of the app id, got {s.show(credentials['app_id'])}"
            )
        try:
            _load_public_key(credentials["alipay_public_key_pem"].strip())
        except (ValueError, TypeError, UnicodeEncodeError, UnsupportedAlgorithm) as exc:
            raise s.credentials_error(
                self.name, "alipay_public_key_pem", f"is not a usable RSA public key in PEM or base64 ({exc})"
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
        public_key = _load_public_key(credentials["alipay_public_key_pem"].strip())

        # 1. Size, then the form.
        s.check_body(body)
        params = _parse_form(body)
        charset = params.get("charset", "utf-8")
        if charset.lower() not in ("utf-8", "utf8"):
            raise s.rejected(s.MALFORMED, f"alipay notification charset must be utf-8, got {s.show(charset)}")

        # 2-3. RSA2 signature over the sorted, URL-decoded, non-empty parameters.
        sign_type = params.get("sign_type")
        if sign_type != "RSA2":
            raise s.rejected(s.SIGNATURE_INVALID, f'alipay sign_type must be "RSA2", got {s.show(sign_type)}')
        sign_b64 = params.get("sign", "")
        if not sign_b64:
            raise s.rejected(s.SIGNATURE_INVALID, "alipay notification has no sign")
        if len(sign_b64) > _MAX_SIGN_B64:
            raise s.rejected(s.SIGNATURE_INVALID, f"alipay sign is longer than {_MAX_SIGN_B64} characters")
        try:
            signature = base64.b64decode(sign_b64, validate=True)
        except (binascii.Error, ValueError):
            raise s.rejected(s.SIGNATURE_INVALID, f"alipay sign is not valid base64: {s.show(sign_b64)}") from None
        try:
            public_key.verify(signature, signed_content(params), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise s.rejected(
                s.SIGNATURE_INVALID, "alipay sign does not verify with the configured Alipay public key"
            ) from None

        # 4. The authentic parameters: merchant, freshness, state, then the fields we keep.
        what = "alipay notification"
        app_id = s.get_str(params, "app_id", what, max_len=32)
        if app_id != credentials["app_id"]:
            raise s.rejected(
                s.MERCHANT_MISMATCH,
                f"notification is for app_id {s.show(app_id)}, this organization is configured with "
                f"app_id {s.show(credentials['app_id'])}",
            )
        notify_time = _parse_china_time(
            s.get_str(params, "notify_time", what, max_len=19, token=False), f"{what}.notify_time"
        )
        age = now - notify_time
        if age > self.max_age or -age > self.max_future:
            raise s.rejected(
                s.TIMESTAMP_STALE,
                f"{what}.notify_time {params['notify_time']} is {abs(int(age.total_seconds()))} s "
                f"{'old' if age > self.max_age else 'in the future'}; the limits are "
                f"{int(self.max_age.total_seconds())} s old and {int(self.max_future.total_seconds())} s ahead",
            )
        trade_status = s.get_str(params, "trade_status", what, max_len=32)
        if trade_status not in ACCEPTED_TRADE_STATUSES:
            raise s.rejected(
                s.NOT_PAID, f"{what}.trade_status must be TRADE_SUCCESS or TRADE_FINISHED, got {s.show(trade_status)}"
            )
        # Apps created since 2023 receive buyer_open_id instead of buyer_id.
        payer_key = "buyer_id" if params.get("buyer_id") else "buyer_open_id"
        if not params.get(payer_key):
            raise s.rejected(s.MALFORMED, f"{what} has neither buyer_id nor buyer_open_id")
        return PaymentNotification(
            provider=self.name,
            intent_reference=s.get_str(params, "out_trade_no", what),
            provider_txn_id=s.get_str(params, "trade_no", what),
            amount_fen=yuan_to_fen(s.get_str(params, "total_amount", what, max_len=16), f"{what}.total_amount"),
            currency="CNY",  # total_amount is always in yuan for domestic Alipay
            paid_at=_parse_china_time(
                s.get_str(params, "gmt_payment", what, max_len=19, token=False), f"{what}.gmt_payment"
            ),
            payer_reference=s.get_str(params, payer_key, what, max_len=128),
        )

    def success_response(self) -> tuple[int, str, bytes]:
        return 200, "text/plain; charset=utf-8", b"success"

    def failure_response(self, error: Exception) -> tuple[int, str, bytes]:
        # Anything but "success" makes Alipay retry on its schedule.
        return s.status_for(error), "text/plain; charset=utf-8", b"failure"


PROVIDER = AlipayProvider()
"""The registry's instance."""
