"""The client's address behind trusted reverse proxies: the right-most X-Forwarded-For entry
that is not a trusted proxy, and only when the peer itself is trusted."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from commonweal.core.privacy import fingerprint
from commonweal.core.proxies import client_address, wsgi_behind_proxies


@pytest.fixture
def proxies(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8", "2001:db8::/32"]
    return settings


@pytest.mark.parametrize(("peer", "forwarded", "client"), [
    ("10.1.2.3", "203.0.113.9", "203.0.113.9"),  # one proxy
    ("10.1.2.3", "198.51.100.7, 203.0.113.9, 10.9.9.9", "203.0.113.9"),  # two proxies; the client forged the first entry
    ("127.0.0.1", "2001:db8::5, 2001:db9::1", "2001:db9::1"),  # IPv6
    ("10.1.2.3", "", "10.1.2.3"),  # no header: the proxy's own request
    ("10.1.2.3", "10.7.7.7, 10.8.8.8", "10.7.7.7"),  # every hop internal: the left-most
    ("10.1.2.3", "203.0.113.9, not-an-address", "10.1.2.3"),  # a malformed hop ends the walk at the proxy
    ("10.1.2.3", "198.51.100.7, junk, 10.9.9.9", "10.9.9.9"),
    ("198.51.100.1", "203.0.113.9", "198.51.100.1"),  # an untrusted peer's header is ignored
    ("unix-socket", "203.0.113.9", "unix-socket"),
])
def test_client_address(proxies, peer, forwarded, client):
    assert client_address(peer, forwarded) == client


def test_nothing_is_trusted_by_default(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address("10.1.2.3", "203.0.113.9") == "10.1.2.3"


def test_a_bad_setting_is_a_clear_configuration_error(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "ten-dot"]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        client_address("10.1.2.3", "203.0.113.9")


def test_the_wsgi_entry_point_rewrites_remote_addr(proxies):
    seen = {}

    def app(environ, start_response):
        seen["address"] = environ["REMOTE_ADDR"]
        return [b""]

    wrapped = wsgi_behind_proxies(app)
    wrapped({"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, None)
    assert seen["address"] == "203.0.113.9"
    wrapped({"REMOTE_ADDR": "198.51.100.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, None)
    assert seen["address"] == "198.51.100.1"


@pytest.mark.django_db(transaction=True)
def test_the_asgi_hot_path_records_the_forwarded_client(proxies):
    """Through commonweal.asgi: an intent taken by giving.intake keeps the fingerprint of the
    client its proxy named, and a forged header from an untrusted peer changes nothing."""
    from commonweal.giving.models import DonationIntent
    from tests.factories import make_project
    from tests.giving.test_intake import INTENTS, _call, _gather

    project = make_project()
    body = json.dumps({"project": project.public_id, "amount_fen": 1_000}).encode()
    (status, _, _), = _gather(_call(INTENTS, body, {"Idempotency-Key": "behind-proxy", "X-Forwarded-For": "203.0.113.9"}))
    assert status == 201
    assert DonationIntent.objects.get(idempotency_key="behind-proxy").client_fingerprint == fingerprint("address", "203.0.113.9")
    proxies.TRUSTED_PROXIES = ["10.0.0.0/8"]  # the test peer, 127.0.0.1, is no longer a trusted proxy
    (status, _, _), = _gather(_call(INTENTS, body, {"Idempotency-Key": "forged", "X-Forwarded-For": "203.0.113.9"}))
    assert status == 201
    assert DonationIntent.objects.get(idempotency_key="forged").client_fingerprint == fingerprint("address", "127.0.0.1")
