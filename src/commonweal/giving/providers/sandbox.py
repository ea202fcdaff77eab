"""The sandbox provider: the platform's built-in, honest test double for real payment providers.

Scheme (docs/payments.md, "Sandbox"): the body is a JSON object
``{"out_trade_no", "transaction_id", "amount_fen", "currency", "paid_at", "payer"}``; the headers
are ``X-Sandbox-Timestamp`` (unix seconds) and ``X-Sandbox-Signature``, the lower-case hex
HMAC-SHA256 under the organization's ``secret`` of ``f"{timestamp}\\n".encode() + body``.
Timestamps more than 300 s from ``now`` are refused (replay window).

The sandbox also simulates monthly charges with :func:`sandbox_charge_recurring`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from datetime import datetime

from commonweal.core.errors import DomainError, InvalidInput, PaymentRejected

from . import _strict as s
from .base import PaymentNotification

__all__ = [
    "SandboxProvider",
    "SANDBOX_REPLAY_WINDOW_S",
    "SANDBOX_DECLINE_RANGE_FEN",
    "sandbox_sign",
    "sandbox_build_notification",
    "sandbox_charge_recurring",
]

SANDBOX_REPLAY_WINDOW_S = 300
"""A notification's timestamp may differ from ``now`` by at most this many seconds, either way."""

SANDBOX_DECLINE_RANGE_FEN = range(666_00, 667_00)
"""Recurring charges of 666.00 to 666.99 yuan are always declined, to demo and test failures."""

MIN_SECRET_LENGTH = 16

TIMESTAMP_HEADER = "X-Sandbox-Timestamp"
SIGNATURE_HEADER = "X-Sandbox-Signature"

_HEX64_RE = re.compile(r"[0-9a-fA-F]{64}")


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}\n".encode("ascii") + bytes(body)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sandbox_sign(*, secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The two headers that authenticate ``body`` as sent at ``timestamp`` (unix seconds)."""
    if type(timestamp) is not int or timestamp < 0:
        raise ValueError(f"timestamp must be a non-negative int, got {timestamp!r}")
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: _mac(secret, timestamp, body)}


def _format_utc(moment: datetime) -> str:
    s.require_aware(moment)
    return moment.astimezone(s.UTC).strftime("%Y-%m-%dT%H:%M:%S") + (
        f".{moment.microsecond:06d}Z" if moment.microsecond else "Z"
    )


def sandbox_build_notification(
    *,
    secret: str,
    out_trade_no: str,
    transaction_id: str,
    amount_fen: int,
    currency: str,
    payer: str,
    paid_at: datetime,
    now: datetime,
) -> tuple[dict[str, str], bytes]:
    """A signed notification (headers, body), as the sandbox payment page sends it."""
    s.require_aware(now)
    payload = {
        "out_trade_no": out_trade_no,
        "transaction_id": transaction_id,
        "amount_fen": amount_fen,
        "currency": currency,
        "paid_at": _format_utc(paid_at),
        "payer": payer,
    }
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")
    return sandbox_sign(secret=secret, body=body, timestamp=int(now.timestamp())), body


class SandboxProvider:
    """Verifies sandbox notifications; the default provider for the demo and the tests."""

    name = "sandbox"
    credential_fields = ("secret",)
    optional_credential_fields = ("decline_recurring",)

    def __init__(self, *, replay_window_s: int = SANDBOX_REPLAY_WINDOW_S):
        self.replay_window_s = replay_window_s

    def validate_credentials(self, credentials: Mapping[str, str]) -> None:
        s.check_credential_keys(self.name, credentials, self.credential_fields, self.optional_credential_fields)
        if len(credentials["secret"]) < MIN_SECRET_LENGTH:
            raise s.credentials_error(
                self.name,
                "secret",
                f"must be at least {MIN_SECRET_LENGTH} characters, got {len(credentials['secret'])}",
            )
        decline = credentials.get("decline_recurring")
        if decline is not None and decline not in ("true", "false"):
            raise s.credentials_error(
                self.name, "decline_recurring", f'must be "true" or "false", got {s.show(decline)}'
            )

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
        # 1. Size first, then the authentication headers.
        s.check_body(body)
        hdrs = s.normalise_headers(headers)
        signature = s.header(hdrs, SIGNATURE_HEADER, code=s.SIGNATURE_INVALID)
        timestamp = s.parse_uint(s.header(hdrs, TIMESTAMP_HEADER), f"header {TIMESTAMP_HEADER}", max_digits=12)
        if not _HEX64_RE.fullmatch(signature):
            raise s.rejected(
                s.SIGNATURE_INVALID, f"header {SIGNATURE_HEADER} must be 64 hex digits, got {s.show(signature)}"
            )
        # 2. Replay window, then the MAC in constant time.
        s.check_window(sent_at=timestamp, now=now, window_s=self.replay_window_s, what=f"header {TIMESTAMP_HEADER}")
        expected = _mac(credentials["secret"], timestamp, body)
        if not hmac.compare_digest(expected.encode("ascii"), signature.lower().encode("ascii")):
            raise s.rejected(s.SIGNATURE_INVALID, "sandbox signature does not match the body and timestamp")
        # 3. The now-authentic body.
        what = "sandbox notification"
        data = s.load_json_object(body, what)
        return PaymentNotification(
            provider=self.name,
            intent_reference=s.get_str(data, "out_trade_no", what),
            provider_txn_id=s.get_str(data, "transaction_id", what),
            amount_fen=s.get_amount(data, "amount_fen", what),
            currency=s.check_currency(s.get_str(data, "currency", what), f"{what}.currency"),
            paid_at=s.parse_rfc3339(s.get_str(data, "paid_at", what), f"{what}.paid_at", utc_only=True),
            payer_reference=s.get_str(data, "payer", what, max_len=128),
        )

    def success_response(self) -> tuple[int, str, bytes]:
        return 200, "application/json", b'{"status":"ok"}'

    def failure_response(self, error: Exception) -> tuple[int, str, bytes]:
        # The sandbox is ours, so it gets the platform's error shape, message included.
        message = error.message if isinstance(error, DomainError) else "internal error"
        body = {"error": {"code": s.error_code(error), "message": message}}
        return s.status_for(error), "application/json", json.dumps(body, ensure_ascii=False).encode("utf-8")


def sandbox_charge_recurring(
    *,
    credentials: Mapping[str, str],
    intent_reference: str,
    amount_fen: int,
    payer: str,
    now: datetime,
    currency: str = "CNY",
) -> PaymentNotification:
    """Simulate one monthly charge against a sandbox payer; synchronous, no notification needed.

    The charge is declined (``PaymentRejected``, code ``charge_declined``) when the credentials say
    ``"decline_recurring": "true"`` or when ``amount_fen`` is in :data:`SANDBOX_DECLINE_RANGE_FEN`
    (666.00 to 666.99 yuan). Otherwise it succeeds at ``now``. The transaction id is derived from
    the secret and ``intent_reference``, so charging the same intent twice yields the same
    transaction id and the platform's unique constraint turns the repeat into a no-op.
    """
    provider = PROVIDER
    s.require_aware(now)
    provider.validate_credentials(credentials)
    try:
        s.check_token(intent_reference, "intent_reference")
        s.check_token(payer, "payer", max_len=128)
        s.check_currency(currency, "currency")
        if type(amount_fen) is not int:
            raise s.rejected(s.MALFORMED, f"amount_fen must be an int, got {s.show(amount_fen)}")
        s.check_amount(amount_fen, "amount_fen")
    except PaymentRejected as exc:  # bad arguments from our own caller, not a provider's refusal
        raise InvalidInput(exc.message) from None
    if credentials.get("decline_recurring") == "true":
        raise s.rejected(s.CHARGE_DECLINED, "sandbox recurring charge declined: credentials set decline_recurring")
    if amount_fen in SANDBOX_DECLINE_RANGE_FEN:
        raise s.rejected(
            s.CHARGE_DECLINED,
            f"sandbox recurring charge declined: amounts from {SANDBOX_DECLINE_RANGE_FEN.start} to "
            f"{SANDBOX_DECLINE_RANGE_FEN.stop - 1} fen always decline, got {amount_fen}",
        )
    digest = hmac.new(
        credentials["secret"].encode("utf-8"), b"recurring\n" + intent_reference.encode("ascii"), hashlib.sha256
    ).hexdigest()
    return PaymentNotification(
        provider=provider.name,
        intent_reference=intent_reference,
        provider_txn_id=f"sbx_r_{digest[:32]}",
        amount_fen=amount_fen,
        currency=currency,
        paid_at=now.astimezone(s.UTC),
        payer_reference=payer,
    )


PROVIDER = SandboxProvider()
"""The registry's instance."""
