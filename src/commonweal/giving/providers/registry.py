"""The provider registry: name -> provider, and what each provider needs configured."""

from __future__ import annotations

from collections.abc import Mapping

from commonweal.core.errors import NotFound

from . import alipay, sandbox, wechatpay
from .base import PaymentProvider

__all__ = ["PROVIDERS", "CREDENTIAL_FIELDS", "get_provider", "validate_credentials"]

PROVIDERS: dict[str, PaymentProvider] = {
    sandbox.PROVIDER.name: sandbox.PROVIDER,
    wechatpay.PROVIDER.name: wechatpay.PROVIDER,
    alipay.PROVIDER.name: alipay.PROVIDER,
}
"""Every provider by registry name; the sandbox is the default for the demo and the tests."""

CREDENTIAL_FIELDS: dict[str, tuple[str, ...]] = {
    name: provider.credential_fields for name, provider in PROVIDERS.items()
}
"""Required credential keys per provider, in the order the org console shows them."""


def get_provider(name: str) -> PaymentProvider:
    """The provider registered as ``name``; NotFound (404 on a notify URL) otherwise."""
    try:
        return PROVIDERS[name]
    except (KeyError, TypeError):
        raise NotFound(
            f"unknown payment provider {name!r:.40}; expected one of {', '.join(PROVIDERS)}", field="provider"
        ) from None


def validate_credentials(provider: str, credentials: Mapping[str, str]) -> None:
    """Raise InvalidInput (with ``field`` set) if ``credentials`` cannot work for ``provider``."""
    get_provider(provider).validate_credentials(credentials)
