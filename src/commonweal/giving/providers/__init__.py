"""Payment providers: verify a provider's payment notification into a PaymentNotification.

Pure Python (no database, no Django). See docs/payments.md for the schemes as implemented.
"""

from .alipay import AlipayProvider, yuan_to_fen
from .base import PaymentNotification, PaymentProvider
from .registry import CREDENTIAL_FIELDS, PROVIDERS, get_provider, validate_credentials
from .sandbox import (
    SANDBOX_DECLINE_RANGE_FEN,
    SandboxProvider,
    sandbox_build_notification,
    sandbox_charge_recurring,
    sandbox_sign,
)
from .wechatpay import WeChatPayProvider

__all__ = [
    "PaymentNotification",
    "PaymentProvider",
    "PROVIDERS",
    "CREDENTIAL_FIELDS",
    "get_provider",
    "validate_credentials",
    "SandboxProvider",
    "WeChatPayProvider",
    "AlipayProvider",
    "sandbox_sign",
    "sandbox_build_notification",
    "sandbox_charge_recurring",
    "SANDBOX_DECLINE_RANGE_FEN",
    "yuan_to_fen",
]
