"""The client's network address behind trusted reverse proxies (``X-Forwarded-For``), set once
at both entry points (``commonweal.asgi``, ``commonweal.wsgi``) so that Django's ``REMOTE_ADDR``
and the donation hot path (``giving.intake``) see the same address.

Risk signals (gifts per minute per address) and complaint limits count per client address;
behind nginx or Caddy every request comes from the proxy, so every client would share one count.
When the immediate peer is in ``settings.TRUSTED_PROXIES`` (addresses or networks), the client is
the right-most ``X-Forwarded-For`` entry that is not itself a trusted proxy: entries further left
were written by the client and may be forged. From any other peer the header is ignored.
"""

import ipaddress
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["client_address", "asgi_behind_proxies", "wsgi_behind_proxies"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(peer: str, forwarded_for: str) -> str:
    """The client's address: ``peer`` itself unless it is a trusted proxy that says who it
    forwards for. A malformed entry stops the walk at the proxy that passed it on."""
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    address = _address(peer)
    if not trusted or address is None or not any(address in network for network in trusted):
        return peer
    client = peer
    for hop in reversed(forwarded_for.split(",") if forwarded_for.strip() else []):
        address = _address(hop)
        if address is None:
            return client
        client = str(address)
        if not any(address in network for network in trusted):
            return client
    return client


def asgi_behind_proxies(app):
    """ASGI middleware: ``scope["client"]`` becomes the client's address."""

    async def application(scope, receive, send):
        if scope["type"] in ("http", "websocket") and scope.get("client") and settings.TRUSTED_PROXIES:
            forwarded = ", ".join(value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for")
            peer = scope["client"][0]
            client = client_address(peer, forwarded)
            if client != peer:
                scope = {**scope, "client": (client, 0)}
        return await app(scope, receive, send)

    return application


def wsgi_behind_proxies(app):
    """WSGI middleware: ``REMOTE_ADDR`` becomes the client's address."""

    def application(environ, start_response):
        if settings.TRUSTED_PROXIES:
            environ["REMOTE_ADDR"] = client_address(environ.get("REMOTE_ADDR", ""), environ.get("HTTP_X_FORWARDED_FOR", ""))
        return app(environ, start_response)

    return application
