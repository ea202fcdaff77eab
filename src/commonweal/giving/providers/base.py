"""The payment-provider interface: one verified notification type, one provider protocol.

A provider turns an untrusted HTTP notification (headers and raw body) plus the receiving
organization's credentials into a :class:`PaymentNotification`, or raises
:class:`~commonweal.core.errors.PaymentRejected` with a stable code. Providers are pure: no
database, no clock (``now`` is passed in), no network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = ["PaymentNotification", "PaymentProvider"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentNotification:
    """A payment the provider has confirmed, after signature, decryption and field checks."""

    provider: str
    """Registry name of the provider that sent it: "sandbox", "wechatpay" or "alipay"."""
    intent_reference: str
    """Our out_trade_no: the public id of the donation intent that was paid."""
    provider_txn_id: str
    """The provider's transaction id, unique per provider (WeChat transaction_id, Alipay trade_no)."""
    amount_fen: int
    """The order amount in fen (分), always > 0."""
    currency: str
    """ISO 4217 code as sent by the provider, "CNY" in practice."""
    paid_at: datetime
    """When the payment succeeded, timezone-aware, in UTC."""
    payer_reference: str
    """The provider's payer account id (openid, buyer_id/buyer_open_id, sandbox payer); personal data."""


class PaymentProvider(Protocol):
    """What the notification endpoint and the org console need from each provider."""

    name: str
    """Registry key, stored with each credential set and each donation."""
    credential_fields: tuple[str, ...]
    """Credential keys the organization must configure."""
    optional_credential_fields: tuple[str, ...]
    """Credential keys that may be configured but are not required."""

    def validate_credentials(self, credentials: Mapping[str, str]) -> None:
        """Raise InvalidInput naming the field if a key is missing, unknown or unusable."""
        ...

    def verify_notification(
        self,
        *,
        credentials: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        now: datetime,
    ) -> PaymentNotification:
        """Authenticate and parse one notification, or raise PaymentRejected."""
        ...

    def success_response(self) -> tuple[int, str, bytes]:
        """(status, content type, body) that tells the provider to stop retrying."""
        ...

    def failure_response(self, error: Exception) -> tuple[int, str, bytes]:
        """(status, content type, body) that tells the provider the notification was not taken."""
        ...
