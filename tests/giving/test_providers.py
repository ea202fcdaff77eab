"""Payment providers: valid notifications parse, every forgery and mismatch has its own code.

Pure tests (no database). Notifications for WeChat Pay and Alipay are built here from the published
schemes with keys and a self-signed platform certificate generated per test session, so the
signing side is written independently of the verifying side.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

from commonweal.core.errors import InvalidInput, NotFound, PaymentRejected
from commonweal.giving.providers import (
    CREDENTIAL_FIELDS,
    PROVIDERS,
    SANDBOX_DECLINE_RANGE_FEN,
    PaymentNotification,
    get_provider,
    sandbox_build_notification,
    sandbox_charge_recurring,
    sandbox_sign,
    validate_credentials,
    yuan_to_fen,
)



UTC = timezone.utc
CST = timezone(timedelta(hours=8))
NOW = datetime(2025, 3, 1, 4, 0, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai
NOW_TS = int(NOW.timestamp())


def rejection(provider: str, credentials, headers, body, now=NOW) -> PaymentRejected:
    with pytest.raises(PaymentRejected) as info:
        get_provider(provider).verify_notification(credentials=credentials, headers=headers, body=body, now=now)
    assert info.value.message  # every refusal says why
    return info.value


def rejected_code(provider: str, credentials, headers, body, now=NOW) -> str:
    return rejection(provider, credentials, headers, body, now).code


def assert_rejected(fault_id: str, provider: str, built, code: str) -> None:
    """The expected code; a "missing-<field>" fault must also name the field in its message."""
    error = rejection(provider, *built)
    assert error.code == code, error.message
    if fault_id.startswith("missing-") and code == "malformed_notification":
        assert fault_id.removeprefix("missing-").replace("buyer", "buyer_id") in error.message.lower()


# --------------------------------------------------------------------------------------------
# keys and certificates


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public_pem(key) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _certificate_pem(key, serial: int) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA test")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(NOW - timedelta(days=30))
        .not_valid_after(NOW + timedelta(days=5 * 365))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@dataclass(frozen=True)
class Keys:
    platform: rsa.RSAPrivateKey
    other: rsa.RSAPrivateKey
    serial: int
    certificate_pem: str
    other_certificate_pem: str  # same serial, different key
    alipay_public_pem: str


@pytest.fixture(scope="module")
def keys() -> Keys:
    platform, other = _rsa_key(), _rsa_key()
    serial = 0x05157F09EFDC096DE15EBE81A47057A7232F1B8E  # leading zero nibble on purpose
    return Keys(
        platform=platform,
        other=other,
        serial=serial,
        certificate_pem=_certificate_pem(platform, serial),
        other_certificate_pem=_certificate_pem(other, serial),
        alipay_public_pem=_public_pem(platform),
    )


# --------------------------------------------------------------------------------------------
# sandbox

SANDBOX_SECRET = "sbx-secret-0123456789abcdef"
SANDBOX_CREDS = {"secret": SANDBOX_SECRET}
SANDBOX_PAYLOAD = {
    "out_trade_no": "01JNB8Q8ZJ4X8W1T2V3Y4Z5A6B",
    "transaction_id": "sbx_txn_0001",
    "amount_fen": 12345,
    "currency": "CNY",
    "paid_at": "2025-03-01T03:59:30Z",
    "payer": "sandbox-payer-42",
}


def sandbox_request(payload: Any = None, *, ts: int = NOW_TS, secret: str = SANDBOX_SECRET, raw: bytes | None = None):
    """Signs per the scheme in docs/payments.md, independently of sandbox_sign()."""
    body = raw if raw is not None else json.dumps(SANDBOX_PAYLOAD if payload is None else payload).encode()
    mac = hmac.new(secret.encode(), f"{ts}\n".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Sandbox-Timestamp": str(ts), "X-Sandbox-Signature": mac}, body


def test_sandbox_valid_notification():
    headers, body = sandbox_request()
    got = get_provider("sandbox").verify_notification(credentials=SANDBOX_CREDS, headers=headers, body=body, now=NOW)
    assert got == PaymentNotification(
        provider="sandbox",
        intent_reference="01JNB8Q8ZJ4X8W1T2V3Y4Z5A6B",
        provider_txn_id="sbx_txn_0001",
        amount_fen=12345,
        currency="CNY",
        paid_at=datetime(2025, 3, 1, 3, 59, 30, tzinfo=UTC),
        payer_reference="sandbox-payer-42",
    )


def test_sandbox_headers_are_case_insensitive_and_signature_hex_case_free():
    headers, body = sandbox_request()
    lowered = {k.lower(): v.upper() if k.endswith("Signature") else v for k, v in headers.items()}
    got = get_provider("sandbox").verify_notification(credentials=SANDBOX_CREDS, headers=lowered, body=body, now=NOW)
    assert got.amount_fen == 12345


def test_sandbox_build_notification_round_trips():
    paid_at = datetime(2025, 3, 1, 11, 59, 0, tzinfo=CST)
    headers, body = sandbox_build_notification(
        secret=SANDBOX_SECRET,
        out_trade_no="intent-1",
        transaction_id="sbx_1",
        amount_fen=100,
        currency="CNY",
        payer="p1",
        paid_at=paid_at,
        now=NOW,
    )
    assert headers == sandbox_sign(secret=SANDBOX_SECRET, body=body, timestamp=NOW_TS)
    assert json.loads(body)["paid_at"] == "2025-03-01T03:59:00Z"
    got = get_provider("sandbox").verify_notification(credentials=SANDBOX_CREDS, headers=headers, body=body, now=NOW)
    assert (got.intent_reference, got.provider_txn_id, got.amount_fen, got.paid_at) == ("intent-1", "sbx_1", 100, paid_at)


def _with(**changes):
    return {**SANDBOX_PAYLOAD, **changes}


def _without(key):
    return {k: v for k, v in SANDBOX_PAYLOAD.items() if k != key}


SANDBOX_FAULTS = [
    # (id, build -> (credentials, headers, body), code)
    ("tampered-body", lambda: (SANDBOX_CREDS, sandbox_request()[0], sandbox_request(_with(amount_fen=1))[1]), "signature_invalid"),
    ("wrong-secret", lambda: (SANDBOX_CREDS, *sandbox_request(secret="another-secret-0123456789")), "signature_invalid"),
    ("missing-signature", lambda: (SANDBOX_CREDS, {"X-Sandbox-Timestamp": str(NOW_TS)}, sandbox_request()[1]), "signature_invalid"),
    ("signature-not-hex", lambda: (SANDBOX_CREDS, {**sandbox_request()[0], "X-Sandbox-Signature": "zz" * 32}, sandbox_request()[1]), "signature_invalid"),
    ("signature-for-other-timestamp", lambda: (SANDBOX_CREDS, {**sandbox_request()[0], "X-Sandbox-Timestamp": str(NOW_TS - 1)}, sandbox_request()[1]), "signature_invalid"),
    ("stale-timestamp", lambda: (SANDBOX_CREDS, *sandbox_request(ts=NOW_TS - 301)), "timestamp_stale"),
    ("future-timestamp", lambda: (SANDBOX_CREDS, *sandbox_request(ts=NOW_TS + 301)), "timestamp_stale"),
    ("missing-timestamp", lambda: (SANDBOX_CREDS, {"X-Sandbox-Signature": "0" * 64}, b"{}"), "malformed_notification"),
    ("timestamp-with-plus", lambda: (SANDBOX_CREDS, {**sandbox_request()[0], "X-Sandbox-Timestamp": f"+{NOW_TS}"}, sandbox_request()[1]), "malformed_notification"),
    ("timestamp-leading-zero", lambda: (SANDBOX_CREDS, {**sandbox_request()[0], "X-Sandbox-Timestamp": f"0{NOW_TS}"}, sandbox_request()[1]), "malformed_notification"),
    ("body-too-large", lambda: (SANDBOX_CREDS, *sandbox_request(raw=b" " * (64 * 1024 + 1))), "malformed_notification"),
    ("not-json", lambda: (SANDBOX_CREDS, *sandbox_request(raw=b"out_trade_no=1")), "malformed_notification"),
    ("json-array", lambda: (SANDBOX_CREDS, *sandbox_request([SANDBOX_PAYLOAD])), "malformed_notification"),
    ("json-duplicate-key", lambda: (SANDBOX_CREDS, *sandbox_request(raw=b'{"amount_fen":1,"amount_fen":2}')), "malformed_notification"),
    ("json-nan", lambda: (SANDBOX_CREDS, *sandbox_request(raw=b'{"amount_fen":NaN}')), "malformed_notification"),
    ("not-utf8", lambda: (SANDBOX_CREDS, *sandbox_request(raw=b'{"payer":"\xff"}')), "malformed_notification"),
    ("missing-out_trade_no", lambda: (SANDBOX_CREDS, *sandbox_request(_without("out_trade_no"))), "malformed_notification"),
    ("missing-transaction_id", lambda: (SANDBOX_CREDS, *sandbox_request(_without("transaction_id"))), "malformed_notification"),
    ("missing-amount", lambda: (SANDBOX_CREDS, *sandbox_request(_without("amount_fen"))), "malformed_notification"),
    ("missing-paid_at", lambda: (SANDBOX_CREDS, *sandbox_request(_without("paid_at"))), "malformed_notification"),
    ("missing-payer", lambda: (SANDBOX_CREDS, *sandbox_request(_without("payer"))), "malformed_notification"),
    ("amount-string", lambda: (SANDBOX_CREDS, *sandbox_request(_with(amount_fen="12345"))), "malformed_notification"),
    ("amount-float", lambda: (SANDBOX_CREDS, *sandbox_request(_with(amount_fen=123.0))), "malformed_notification"),
    ("amount-bool", lambda: (SANDBOX_CREDS, *sandbox_request(_with(amount_fen=True))), "malformed_notification"),
    ("amount-zero", lambda: (SANDBOX_CREDS, *sandbox_request(_with(amount_fen=0))), "malformed_notification"),
    ("amount-negative", lambda: (SANDBOX_CREDS, *sandbox_request(_with(amount_fen=-5))), "malformed_notification"),
    ("currency-lowercase", lambda: (SANDBOX_CREDS, *sandbox_request(_with(currency="cny"))), "malformed_notification"),
    ("paid_at-not-utc", lambda: (SANDBOX_CREDS, *sandbox_request(_with(paid_at="2025-03-01T11:59:30+08:00"))), "malformed_notification"),
    ("paid_at-naive", lambda: (SANDBOX_CREDS, *sandbox_request(_with(paid_at="2025-03-01T03:59:30"))), "malformed_notification"),
    ("paid_at-impossible", lambda: (SANDBOX_CREDS, *sandbox_request(_with(paid_at="2025-02-30T03:59:30Z"))), "malformed_notification"),
    ("out_trade_no-with-space", lambda: (SANDBOX_CREDS, *sandbox_request(_with(out_trade_no="a b"))), "malformed_notification"),
    ("out_trade_no-too-long", lambda: (SANDBOX_CREDS, *sandbox_request(_with(out_trade_no="x" * 65))), "malformed_notification"),
]


@pytest.mark.parametrize(("fault_id", "build", "code"), [pytest.param(i, b, c, id=i) for i, b, c in SANDBOX_FAULTS])
def test_sandbox_rejects(fault_id, build, code):
    assert_rejected(fault_id, "sandbox", build(), code)


def test_sandbox_window_edges_are_accepted():
    for ts in (NOW_TS - 300, NOW_TS + 300):
        headers, body = sandbox_request(ts=ts)
        get_provider("sandbox").verify_notification(credentials=SANDBOX_CREDS, headers=headers, body=body, now=NOW)


def test_sandbox_bad_credentials_are_a_configuration_error_not_a_rejection():
    headers, body = sandbox_request()
    with pytest.raises(InvalidInput):
        get_provider("sandbox").verify_notification(credentials={}, headers=headers, body=body, now=NOW)


def test_naive_now_is_a_programming_error():
    headers, body = sandbox_request()
    with pytest.raises(TypeError):
        get_provider("sandbox").verify_notification(
            credentials=SANDBOX_CREDS, headers=headers, body=body, now=NOW.replace(tzinfo=None)
        )


def test_sandbox_recurring_charge_succeeds_with_a_stable_transaction_id():
    first = sandbox_charge_recurring(credentials=SANDBOX_CREDS, intent_reference="intent-m1", amount_fen=5000, payer="p1", now=NOW)
    again = sandbox_charge_recurring(credentials=SANDBOX_CREDS, intent_reference="intent-m1", amount_fen=5000, payer="p1", now=NOW)
    other = sandbox_charge_recurring(credentials=SANDBOX_CREDS, intent_reference="intent-m2", amount_fen=5000, payer="p1", now=NOW)
    assert first == again
    assert first.provider_txn_id != other.provider_txn_id
    assert (first.provider, first.amount_fen, first.currency, first.paid_at, first.payer_reference) == ("sandbox", 5000, "CNY", NOW, "p1")


@pytest.mark.parametrize(
    ("credentials", "amount_fen"),
    [
        pytest.param({**SANDBOX_CREDS, "decline_recurring": "true"}, 5000, id="declining-credentials"),
        pytest.param(SANDBOX_CREDS, SANDBOX_DECLINE_RANGE_FEN.start, id="decline-range-start"),
        pytest.param(SANDBOX_CREDS, SANDBOX_DECLINE_RANGE_FEN.stop - 1, id="decline-range-end"),
    ],
)
def test_sandbox_recurring_charge_declines(credentials, amount_fen):
    with pytest.raises(PaymentRejected) as info:
        sandbox_charge_recurring(credentials=credentials, intent_reference="intent-m1", amount_fen=amount_fen, payer="p1", now=NOW)
    assert info.value.code == "charge_declined"


@pytest.mark.parametrize("amount_fen", [SANDBOX_DECLINE_RANGE_FEN.start - 1, SANDBOX_DECLINE_RANGE_FEN.stop])
def test_sandbox_recurring_charge_just_outside_the_decline_range_succeeds(amount_fen):
    creds = {**SANDBOX_CREDS, "decline_recurring": "false"}
    got = sandbox_charge_recurring(credentials=creds, intent_reference="i", amount_fen=amount_fen, payer="p", now=NOW)
    assert got.amount_fen == amount_fen


@pytest.mark.parametrize("amount_fen", [0, -1, 1.5, True])
def test_sandbox_recurring_charge_refuses_bad_amounts(amount_fen):
    with pytest.raises(InvalidInput):
        sandbox_charge_recurring(credentials=SANDBOX_CREDS, intent_reference="i", amount_fen=amount_fen, payer="p", now=NOW)


# --------------------------------------------------------------------------------------------
# WeChat Pay APIv3

MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
APIV3_KEY = "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"  # 32 bytes
OTHER_APIV3_KEY = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"

WECHAT_TXN = {
    "mchid": MCHID,
    "appid": APPID,
    "out_trade_no": "01JNB8Q8ZJ4X8W1T2V3Y4Z5A6B",
    "transaction_id": "4200002512202503011234567890",
    "trade_type": "JSAPI",
    "trade_state": "SUCCESS",
    "trade_state_desc": "支付成功",
    "bank_type": "CMC",
    "attach": "",
    "success_time": "2025-03-01T11:59:30+08:00",
    "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
    "amount": {"total": 12345, "payer_total": 12345, "currency": "CNY", "payer_currency": "CNY"},
}


@dataclass
class WeChatBuild:
    """One notification, built per the APIv3 scheme; each field is a knob a fault turns."""

    keys: Keys
    txn: Any = field(default_factory=lambda: dict(WECHAT_TXN))
    plaintext: bytes | None = None
    timestamp: str = str(NOW_TS)
    nonce: str = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"
    serial: str | None = None
    sign_with: str = "platform"
    encrypt_key: str = APIV3_KEY
    algorithm: str = "AEAD_AES_256_GCM"
    resource_nonce: str = "fdasflkja484"
    associated_data: str = "transaction"
    ciphertext: str | None = None
    resource: Any = None
    envelope: Any = None
    after_sign: Callable[[dict, bytes], tuple[dict, bytes]] | None = None
    credentials: dict = field(default_factory=dict)

    def build(self):
        creds = {
            "mchid": MCHID,
            "appid": APPID,
            "apiv3_key": APIV3_KEY,
            "platform_certificate_pem": self.keys.certificate_pem,
            **self.credentials,
        }
        plaintext = self.plaintext if self.plaintext is not None else json.dumps(self.txn, ensure_ascii=False).encode()
        ciphertext = self.ciphertext
        if ciphertext is None:
            sealed = AESGCM(self.encrypt_key.encode()).encrypt(
                self.resource_nonce.encode(), plaintext, self.associated_data.encode()
            )
            ciphertext = base64.b64encode(sealed).decode()
        resource = self.resource or {
            "original_type": "transaction",
            "algorithm": self.algorithm,
            "ciphertext": ciphertext,
            "associated_data": self.associated_data,
            "nonce": self.resource_nonce,
        }
        envelope = self.envelope or {
            "id": "EV-2018022511223320873",
            "create_time": "2025-03-01T11:59:31+08:00",
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "summary": "支付成功",
            "resource": resource,
        }
        body = json.dumps(envelope, ensure_ascii=False).encode()
        key = self.keys.platform if self.sign_with == "platform" else self.keys.other
        message = f"{self.timestamp}\n{self.nonce}\n".encode() + body + b"\n"
        signature = base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()
        headers = {
            "Wechatpay-Timestamp": self.timestamp,
            "Wechatpay-Nonce": self.nonce,
            "Wechatpay-Signature": signature,
            "Wechatpay-Serial": self.serial if self.serial is not None else f"{self.keys.serial:X}",
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
            "Request-ID": "08F78BB5AF0610D302A8D5E8FF01000000",
        }
        if self.after_sign is not None:
            headers, body = self.after_sign(headers, body)
        return creds, headers, body


def test_wechatpay_valid_notification(keys):
    creds, headers, body = WeChatBuild(keys).build()
    got = get_provider("wechatpay").verify_notification(credentials=creds, headers=headers, body=body, now=NOW)
    assert got == PaymentNotification(
        provider="wechatpay",
        intent_reference="01JNB8Q8ZJ4X8W1T2V3Y4Z5A6B",
        provider_txn_id="4200002512202503011234567890",
        amount_fen=12345,
        currency="CNY",
        paid_at=datetime(2025, 3, 1, 3, 59, 30, tzinfo=UTC),
        payer_reference="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    )


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"serial": "5157f09efdc096de15ebe81a47057a7232f1b8e"}, id="serial-lowercase-without-leading-zero"),
        pytest.param({"serial": "0005157F09EFDC096DE15EBE81A47057A7232F1B8E"}, id="serial-extra-leading-zeros"),
        pytest.param({"associated_data": ""}, id="empty-associated-data"),
        pytest.param({"after_sign": lambda h, b: ({k.upper(): v for k, v in h.items()}, b)}, id="upper-case-header-names"),
        pytest.param({"after_sign": lambda h, b: ({k.lower(): v for k, v in h.items()}, b)}, id="lower-case-header-names"),
        pytest.param({"timestamp": str(NOW_TS - 300)}, id="timestamp-5-minutes-old"),
        pytest.param({"timestamp": str(NOW_TS + 300)}, id="timestamp-5-minutes-ahead"),
    ],
)
def test_wechatpay_accepts_variants(keys, change):
    creds, headers, body = replace(WeChatBuild(keys), **change).build()
    got = get_provider("wechatpay").verify_notification(credentials=creds, headers=headers, body=body, now=NOW)
    assert got.provider_txn_id == "4200002512202503011234567890"


def _txn(**changes):
    return {**WECHAT_TXN, **changes}


def _txn_without(key):
    return {k: v for k, v in WECHAT_TXN.items() if k != key}


def _drop_header(name):
    return lambda h, b: ({k: v for k, v in h.items() if k != name}, b)


def _set_header(name, value):
    return lambda h, b: ({**h, name: value}, b)


def _tamper_ciphertext(h, b):
    envelope = json.loads(b)
    sealed = bytearray(base64.b64decode(envelope["resource"]["ciphertext"]))
    sealed[0] ^= 1
    envelope["resource"]["ciphertext"] = base64.b64encode(bytes(sealed)).decode()
    return h, json.dumps(envelope, ensure_ascii=False).encode()


WECHAT_FAULTS = [
    # signature and serial
    ("tampered-body", {"after_sign": lambda h, b: (h, b.replace(b"TRANSACTION.SUCCESS", b"TRANSACTION.SUCCESS "))}, "signature_invalid"),
    ("tampered-ciphertext-after-signing", {"after_sign": _tamper_ciphertext}, "signature_invalid"),
    ("signed-by-other-key", {"sign_with": "other"}, "signature_invalid"),
    ("other-certificate-configured", {"credentials": {"platform_certificate_pem": "OTHER"}}, "signature_invalid"),
    ("wrong-serial", {"serial": "7132D72A03E93CDDF8C03BBD1F37EEDF204C5BF8"}, "signature_invalid"),
    ("serial-not-hex", {"serial": "PUB_KEY_ID_0114232134912410000000000000"}, "signature_invalid"),
    ("signature-bad-base64", {"after_sign": _set_header("Wechatpay-Signature", "not*base64!")}, "signature_invalid"),
    ("signature-base64-without-padding", {"after_sign": lambda h, b: ({**h, "Wechatpay-Signature": h["Wechatpay-Signature"].rstrip("=")[:-1]}, b)}, "signature_invalid"),
    ("signature-missing", {"after_sign": _drop_header("Wechatpay-Signature")}, "signature_invalid"),
    ("signature-probe", {"after_sign": _set_header("Wechatpay-Signature", "WECHATPAY/SIGNTEST/" + "A" * 40)}, "signature_invalid"),
    ("nonce-changed", {"after_sign": _set_header("Wechatpay-Nonce", "DIFFERENTNONCE")}, "signature_invalid"),
    # timestamp
    ("stale-timestamp", {"timestamp": str(NOW_TS - 301)}, "timestamp_stale"),
    ("future-timestamp", {"timestamp": str(NOW_TS + 301)}, "timestamp_stale"),
    ("timestamp-missing", {"after_sign": _drop_header("Wechatpay-Timestamp")}, "malformed_notification"),
    ("timestamp-not-digits", {"timestamp": f"{NOW_TS}.0"}, "malformed_notification"),
    ("nonce-missing", {"after_sign": _drop_header("Wechatpay-Nonce")}, "malformed_notification"),
    ("serial-missing", {"after_sign": _drop_header("Wechatpay-Serial")}, "malformed_notification"),
    # envelope and decryption
    ("body-too-large", {"after_sign": lambda h, b: (h, b + b" " * (64 * 1024))}, "malformed_notification"),
    ("resource-missing", {"envelope": {"id": "EV-1", "event_type": "TRANSACTION.SUCCESS"}}, "malformed_notification"),
    ("algorithm-unknown", {"algorithm": "AEAD_SM4_GCM"}, "malformed_notification"),
    ("ciphertext-bad-base64", {"ciphertext": "%%%not-base64%%%"}, "malformed_notification"),
    ("ciphertext-too-short", {"ciphertext": base64.b64encode(b"0123456789abcdef").decode()}, "decrypt_failed"),
    ("wrong-apiv3-key", {"encrypt_key": OTHER_APIV3_KEY}, "decrypt_failed"),
    ("ciphertext-tampered-before-signing", {"ciphertext": "TAMPERED"}, "decrypt_failed"),
    ("associated-data-mismatch", {"resource": "AAD"}, "decrypt_failed"),
    ("plaintext-not-json", {"plaintext": b"trade_state=SUCCESS"}, "malformed_notification"),
    # transaction
    ("wrong-mchid", {"txn": _txn(mchid="1900000999")}, "merchant_mismatch"),
    ("wrong-appid", {"txn": _txn(appid="wx0000000000000000")}, "merchant_mismatch"),
    ("trade-not-paid", {"txn": _txn(trade_state="NOTPAY")}, "not_paid"),
    ("trade-refunded", {"txn": _txn(trade_state="REFUND")}, "not_paid"),
    ("missing-out_trade_no", {"txn": _txn_without("out_trade_no")}, "malformed_notification"),
    ("missing-transaction_id", {"txn": _txn_without("transaction_id")}, "malformed_notification"),
    ("missing-success_time", {"txn": _txn_without("success_time")}, "malformed_notification"),
    ("missing-amount", {"txn": _txn_without("amount")}, "malformed_notification"),
    ("missing-payer", {"txn": _txn_without("payer")}, "malformed_notification"),
    ("missing-mchid", {"txn": _txn_without("mchid")}, "malformed_notification"),
    ("amount-total-string", {"txn": _txn(amount={"total": "12345", "currency": "CNY"})}, "malformed_notification"),
    ("amount-total-float", {"txn": _txn(amount={"total": 123.45, "currency": "CNY"})}, "malformed_notification"),
    ("amount-total-zero", {"txn": _txn(amount={"total": 0, "currency": "CNY"})}, "malformed_notification"),
    ("amount-currency-missing", {"txn": _txn(amount={"total": 12345})}, "malformed_notification"),
    ("success_time-without-offset", {"txn": _txn(success_time="2025-03-01T11:59:30")}, "malformed_notification"),
    ("success_time-with-space", {"txn": _txn(success_time="2025-03-01 11:59:30+08:00")}, "malformed_notification"),
    ("openid-empty", {"txn": _txn(payer={"openid": ""})}, "malformed_notification"),
]


def _special(build: WeChatBuild, fault_id: str) -> WeChatBuild:
    """Faults that need a build the knobs cannot express directly."""
    if fault_id == "other-certificate-configured":
        return replace(build, credentials={"platform_certificate_pem": build.keys.other_certificate_pem})
    if fault_id == "ciphertext-tampered-before-signing":
        sealed = bytearray(
            AESGCM(APIV3_KEY.encode()).encrypt(b"fdasflkja484", json.dumps(WECHAT_TXN).encode(), b"transaction")
        )
        sealed[-1] ^= 1  # flip a tag bit; WeChat signed this body, so only the AEAD can catch it
        return replace(build, ciphertext=base64.b64encode(bytes(sealed)).decode())
    if fault_id == "associated-data-mismatch":
        sealed = AESGCM(APIV3_KEY.encode()).encrypt(b"fdasflkja484", json.dumps(WECHAT_TXN).encode(), b"transaction")
        resource = {
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(sealed).decode(),
            "nonce": "fdasflkja484",
            "associated_data": "refund",
        }
        return replace(build, resource=resource)
    return build


@pytest.mark.parametrize(
    ("fault_id", "change", "code"), [pytest.param(i, c, code, id=i) for i, c, code in WECHAT_FAULTS]
)
def test_wechatpay_rejects(keys, fault_id, change, code):
    build = replace(WeChatBuild(keys), **change)
    assert_rejected(fault_id, "wechatpay", _special(build, fault_id).build(), code)


def test_wechatpay_rejects_a_signed_body_that_is_not_json(keys):
    """WeChat signs the raw body, so a signed non-JSON body gets past the signature, not the parser."""
    body = b"<xml><return_code>SUCCESS</return_code></xml>"
    message = f"{NOW_TS}\nNONCE\n".encode() + body + b"\n"
    signature = base64.b64encode(keys.platform.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()
    headers = {
        "Wechatpay-Timestamp": str(NOW_TS),
        "Wechatpay-Nonce": "NONCE",
        "Wechatpay-Signature": signature,
        "Wechatpay-Serial": f"{keys.serial:X}",
    }
    creds = {"mchid": MCHID, "appid": APPID, "apiv3_key": APIV3_KEY, "platform_certificate_pem": keys.certificate_pem}
    assert rejected_code("wechatpay", creds, headers, body) == "malformed_notification"


# --------------------------------------------------------------------------------------------
# Alipay

ALIPAY_APP_ID = "2021001144680325"
ALIPAY_PARAMS = {
    "gmt_create": "2025-03-01 11:59:25",
    "charset": "utf-8",
    "gmt_payment": "2025-03-01 11:59:30",
    "notify_time": "2025-03-01 11:59:31",
    "subject": "乡村图书室 Village library & more",
    "buyer_id": "2088102116773037",
    "body": "",
    "invoice_amount": "123.45",
    "version": "1.0",
    "notify_id": "2025030100222115931073030509774436",
    "fund_bill_list": '[{"amount":"123.45","fundChannel":"ALIPAYACCOUNT"}]',
    "notify_type": "trade_status_sync",
    "out_trade_no": "01JNB8Q8ZJ4X8W1T2V3Y4Z5A6B",
    "total_amount": "123.45",
    "trade_status": "TRADE_SUCCESS",
    "trade_no": "2025030122001473031445215698",
    "auth_app_id": ALIPAY_APP_ID,
    "receipt_amount": "123.45",
    "point_amount": "0.00",
    "buyer_pay_amount": "123.45",
    "app_id": ALIPAY_APP_ID,
    "seller_id": "2088031940831575",
}


def alipay_request(keys: Keys, params: dict | None = None, *, sign_with: str = "platform", sign_type: str = "RSA2",
                   after_sign: Callable[[dict], dict] | None = None, credentials: dict | None = None):
    """Signs per the published scheme: drop sign/sign_type and empty values, sort, k=v&..., RSA-SHA256."""
    params = dict(ALIPAY_PARAMS if params is None else params)
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if v != "")
    key = keys.platform if sign_with == "platform" else keys.other
    params["sign"] = base64.b64encode(key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    params["sign_type"] = sign_type
    if after_sign is not None:
        params = after_sign(params)
    creds = {"app_id": ALIPAY_APP_ID, "alipay_public_key_pem": keys.alipay_public_pem, **(credentials or {})}
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    return creds, headers, urlencode(params).encode()


def test_alipay_valid_notification(keys):
    creds, headers, body = alipay_request(keys)
    got = get_provider("alipay").verify_notification(credentials=creds, headers=headers, body=body, now=NOW)
    assert got == PaymentNotification(
        provider="alipay",
        intent_reference="01JNB8Q8ZJ4X8W1T2V3Y4Z5A6B",
        provider_txn_id="2025030122001473031445215698",
        amount_fen=12345,
        currency="CNY",
        paid_at=datetime(2025, 3, 1, 3, 59, 30, tzinfo=UTC),
        payer_reference="2088102116773037",
    )


def _ali(**changes):
    return {**ALIPAY_PARAMS, **changes}


def _ali_without(*keys):
    return {k: v for k, v in ALIPAY_PARAMS.items() if k not in keys}


@pytest.mark.parametrize(
    ("params", "credentials", "expect"),
    [
        pytest.param(_ali(trade_status="TRADE_FINISHED"), None, ("provider_txn_id", "2025030122001473031445215698"), id="trade-finished"),
        pytest.param({**_ali_without("buyer_id"), "buyer_open_id": "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5"}, None,
                     ("payer_reference", "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5"), id="buyer-open-id"),
        pytest.param(_ali(total_amount="0.01"), None, ("amount_fen", 1), id="one-fen"),
        pytest.param(_ali(total_amount="7"), None, ("amount_fen", 700), id="whole-yuan"),
        pytest.param(_ali(total_amount="7.5"), None, ("amount_fen", 750), id="one-decimal"),
        pytest.param(_ali(notify_time="2025-02-28 10:00:00"), None, ("amount_fen", 12345), id="notify-time-26h-old"),
        pytest.param(_ali(notify_time="2025-03-01 12:05:00"), None, ("amount_fen", 12345), id="notify-time-5min-ahead"),
        pytest.param(_ali(), "bare-base64-key", ("amount_fen", 12345), id="key-as-bare-base64"),
    ],
)
def test_alipay_accepts_variants(keys, params, credentials, expect):
    creds = None
    if credentials == "bare-base64-key":
        bare = "".join(keys.alipay_public_pem.strip().splitlines()[1:-1])
        creds = {"alipay_public_key_pem": bare}
    c, h, b = alipay_request(keys, params, credentials=creds)
    got = get_provider("alipay").verify_notification(credentials=c, headers=h, body=b, now=NOW)
    assert getattr(got, expect[0]) == expect[1]


ALIPAY_FAULTS = [
    # (id, alipay_request kwargs, code)
    ("tampered-amount", {"after_sign": lambda p: {**p, "total_amount": "1.00"}}, "signature_invalid"),
    ("tampered-out_trade_no", {"after_sign": lambda p: {**p, "out_trade_no": "01JNB8Q8ZJ4X8W1T2V3Y4ZZZZZ"}}, "signature_invalid"),
    ("added-parameter", {"after_sign": lambda p: {**p, "refund_fee": "123.45"}}, "signature_invalid"),
    ("removed-parameter", {"after_sign": lambda p: {k: v for k, v in p.items() if k != "subject"}}, "signature_invalid"),
    ("signed-by-other-key", {"sign_with": "other"}, "signature_invalid"),
    ("sign-type-rsa1", {"sign_type": "RSA"}, "signature_invalid"),
    ("sign-type-missing", {"after_sign": lambda p: {k: v for k, v in p.items() if k != "sign_type"}}, "signature_invalid"),
    ("sign-missing", {"after_sign": lambda p: {k: v for k, v in p.items() if k != "sign"}}, "signature_invalid"),
    ("sign-empty", {"after_sign": lambda p: {**p, "sign": ""}}, "signature_invalid"),
    ("sign-bad-base64", {"after_sign": lambda p: {**p, "sign": "not base64!"}}, "signature_invalid"),
    ("sign-url-safe-base64", {"after_sign": lambda p: {**p, "sign": p["sign"].replace("+", "-").replace("/", "_")}}, "signature_invalid"),
    ("wrong-app-id", {"params": _ali(app_id="2021009999999999")}, "merchant_mismatch"),
    ("trade-wait-buyer-pay", {"params": _ali(trade_status="WAIT_BUYER_PAY")}, "not_paid"),
    ("trade-closed", {"params": _ali(trade_status="TRADE_CLOSED")}, "not_paid"),
    ("notify-time-stale", {"params": _ali(notify_time="2025-02-28 09:59:59")}, "timestamp_stale"),
    ("notify-time-future", {"params": _ali(notify_time="2025-03-01 12:05:01")}, "timestamp_stale"),
    ("notify-time-iso", {"params": _ali(notify_time="2025-03-01T11:59:31")}, "malformed_notification"),
    ("notify-time-impossible", {"params": _ali(notify_time="2025-02-30 11:59:31")}, "malformed_notification"),
    ("amount-3-decimals", {"params": _ali(total_amount="123.456")}, "malformed_notification"),
    ("amount-negative", {"params": _ali(total_amount="-1.00")}, "malformed_notification"),
    ("amount-plus", {"params": _ali(total_amount="+1.00")}, "malformed_notification"),
    ("amount-exponent", {"params": _ali(total_amount="1e2")}, "malformed_notification"),
    ("amount-leading-zero", {"params": _ali(total_amount="01.00")}, "malformed_notification"),
    ("amount-zero", {"params": _ali(total_amount="0.00")}, "malformed_notification"),
    ("amount-comma", {"params": _ali(total_amount="1,234.00")}, "malformed_notification"),
    ("amount-arabic-indic-digits", {"params": _ali(total_amount="١٢٣.٤٥")}, "malformed_notification"),
    ("missing-total_amount", {"params": _ali_without("total_amount")}, "malformed_notification"),
    ("missing-out_trade_no", {"params": _ali_without("out_trade_no")}, "malformed_notification"),
    ("missing-trade_no", {"params": _ali_without("trade_no")}, "malformed_notification"),
    ("missing-gmt_payment", {"params": _ali_without("gmt_payment")}, "malformed_notification"),
    ("missing-buyer", {"params": _ali_without("buyer_id")}, "malformed_notification"),
    ("missing-app_id", {"params": _ali_without("app_id")}, "malformed_notification"),
    ("missing-notify_time", {"params": _ali_without("notify_time")}, "malformed_notification"),
    ("missing-trade_status", {"params": _ali_without("trade_status")}, "malformed_notification"),
    ("charset-gbk", {"params": _ali(charset="gbk")}, "malformed_notification"),
]


@pytest.mark.parametrize(("fault_id", "kwargs", "code"), [pytest.param(i, k, c, id=i) for i, k, c in ALIPAY_FAULTS])
def test_alipay_rejects(keys, fault_id, kwargs, code):
    assert_rejected(fault_id, "alipay", alipay_request(keys, **kwargs), code)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"app_id=1&app_id=2", id="repeated-parameter"),
        pytest.param(b"app_id", id="field-without-equals"),
        pytest.param(b"subject=%FF", id="percent-encoded-invalid-utf8"),
        pytest.param(b"subject=\xff", id="raw-invalid-utf8"),
        pytest.param(b"&".join(b"k%d=1" % i for i in range(101)), id="too-many-fields"),
        pytest.param(b"a=" + b"1" * (64 * 1024), id="body-too-large"),
        pytest.param(b'{"app_id": "2021001144680325"}', id="json-instead-of-form"),
    ],
)
def test_alipay_rejects_malformed_forms(keys, body):
    creds = {"app_id": ALIPAY_APP_ID, "alipay_public_key_pem": keys.alipay_public_pem}
    assert rejected_code("alipay", creds, {}, body) == "malformed_notification"


def test_alipay_signed_string_skips_empty_values_and_uses_decoded_values(keys):
    """Pins step 2 of the scheme: the signed string for a tiny notification, byte for byte."""
    from commonweal.giving.providers.alipay import signed_content

    params = {"b": "x y&z", "a": "乡村", "c": "", "sign": "S", "sign_type": "RSA2"}
    assert signed_content(params) == "a=乡村&b=x y&z".encode()


@pytest.mark.parametrize(
    ("text", "fen"),
    [("0.01", 1), ("0.1", 10), ("1", 100), ("12.34", 1234), ("12.3", 1230), ("100000000.00", 10_000_000_000),
     ("10000000000.00", 10**12)],
)
def test_yuan_to_fen_is_exact(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["10000000000.01", "0", "0.00", "1.234", "1.", ".5", " 1", "1 ", "1_000", "１", "", "NaN"])
def test_yuan_to_fen_refuses(text):
    with pytest.raises(PaymentRejected) as info:
        yuan_to_fen(text)
    assert info.value.code == "malformed_notification"


# --------------------------------------------------------------------------------------------
# registry, credentials, responses


def test_registry_lists_the_three_providers():
    assert set(PROVIDERS) == {"sandbox", "wechatpay", "alipay"}
    assert CREDENTIAL_FIELDS == {
        "sandbox": ("secret",),
        "wechatpay": ("mchid", "appid", "apiv3_key", "platform_certificate_pem"),
        "alipay": ("app_id", "alipay_public_key_pem"),
    }
    for name, provider in PROVIDERS.items():
        assert provider.name == name


@pytest.mark.parametrize("name", ["paypal", "", "SANDBOX", None])
def test_get_provider_unknown(name):
    with pytest.raises(NotFound):
        get_provider(name)


def _ec_certificate_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ec")])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(NOW).not_valid_after(NOW + timedelta(days=1)).sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _good_credentials(keys: Keys) -> dict[str, dict[str, str]]:
    return {
        "sandbox": dict(SANDBOX_CREDS),
        "wechatpay": {"mchid": MCHID, "appid": APPID, "apiv3_key": APIV3_KEY, "platform_certificate_pem": keys.certificate_pem},
        "alipay": {"app_id": ALIPAY_APP_ID, "alipay_public_key_pem": keys.alipay_public_pem},
    }


@pytest.mark.parametrize("provider", ["sandbox", "wechatpay", "alipay"])
def test_validate_credentials_accepts_good_ones(keys, provider):
    validate_credentials(provider, _good_credentials(keys)[provider])


CREDENTIAL_FAULTS = [
    # (id, provider, change (None value = remove key), field named in the error)
    ("sandbox-missing-secret", "sandbox", {"secret": None}, "secret"),
    ("sandbox-blank-secret", "sandbox", {"secret": "   "}, "secret"),
    ("sandbox-short-secret", "sandbox", {"secret": "short"}, "secret"),
    ("sandbox-bad-decline-flag", "sandbox", {"decline_recurring": "yes"}, "decline_recurring"),
    ("sandbox-unknown-key", "sandbox", {"apiv3_key": "x"}, "apiv3_key"),
    ("wechatpay-missing-mchid", "wechatpay", {"mchid": None}, "mchid"),
    ("wechatpay-missing-appid", "wechatpay", {"appid": None}, "appid"),
    ("wechatpay-missing-apiv3_key", "wechatpay", {"apiv3_key": None}, "apiv3_key"),
    ("wechatpay-missing-certificate", "wechatpay", {"platform_certificate_pem": None}, "platform_certificate_pem"),
    ("wechatpay-mchid-not-digits", "wechatpay", {"mchid": "19000x0109"}, "mchid"),
    ("wechatpay-appid-with-space", "wechatpay", {"appid": "wx 123"}, "appid"),
    ("wechatpay-apiv3_key-31-bytes", "wechatpay", {"apiv3_key": "a" * 31}, "apiv3_key"),
    ("wechatpay-apiv3_key-non-ascii", "wechatpay", {"apiv3_key": "密" * 32}, "apiv3_key"),
    ("wechatpay-certificate-garbage", "wechatpay", {"platform_certificate_pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}, "platform_certificate_pem"),
    ("wechatpay-certificate-is-a-public-key", "wechatpay", {"platform_certificate_pem": "ALIPAY_PUBLIC"}, "platform_certificate_pem"),
    ("wechatpay-certificate-ec", "wechatpay", {"platform_certificate_pem": "EC_CERT"}, "platform_certificate_pem"),
    ("alipay-missing-app_id", "alipay", {"app_id": None}, "app_id"),
    ("alipay-missing-key", "alipay", {"alipay_public_key_pem": None}, "alipay_public_key_pem"),
    ("alipay-app_id-not-digits", "alipay", {"app_id": "app-2021"}, "app_id"),
    ("alipay-key-garbage", "alipay", {"alipay_public_key_pem": "MIIBIjANBgkq"}, "alipay_public_key_pem"),
    ("alipay-key-is-a-certificate", "alipay", {"alipay_public_key_pem": "CERT"}, "alipay_public_key_pem"),
]


@pytest.mark.parametrize(("provider", "change", "field_name"), [pytest.param(p, c, f, id=i) for i, p, c, f in CREDENTIAL_FAULTS])
def test_validate_credentials_rejects(keys, provider, change, field_name):
    substitutes = {"ALIPAY_PUBLIC": keys.alipay_public_pem, "EC_CERT": _ec_certificate_pem(), "CERT": keys.certificate_pem}
    credentials = _good_credentials(keys)[provider]
    for key, value in change.items():
        if value is None:
            credentials.pop(key)
        else:
            credentials[key] = substitutes.get(value, value)
    with pytest.raises(InvalidInput) as info:
        validate_credentials(provider, credentials)
    assert info.value.field == field_name
    assert field_name in info.value.message


def test_validate_credentials_unknown_provider():
    with pytest.raises(NotFound):
        validate_credentials("paypal", {})


def test_responses():
    assert get_provider("alipay").success_response() == (200, "text/plain; charset=utf-8", b"success")
    assert get_provider("alipay").failure_response(PaymentRejected("x", code="signature_invalid"))[2] == b"failure"
    status, ctype, body = get_provider("wechatpay").success_response()
    assert (status, ctype, json.loads(body)) == (200, "application/json; charset=utf-8", {"code": "SUCCESS", "message": "成功"})
    status, _, body = get_provider("wechatpay").failure_response(PaymentRejected("secret detail", code="merchant_mismatch"))
    assert (status, json.loads(body)) == (400, {"code": "FAIL", "message": "merchant_mismatch"})
    status, _, body = get_provider("wechatpay").failure_response(RuntimeError("db down"))
    assert (status, json.loads(body)) == (500, {"code": "FAIL", "message": "internal_error"})
    status, _, body = get_provider("sandbox").failure_response(PaymentRejected("stale", code="timestamp_stale"))
    assert (status, json.loads(body)) == (400, {"error": {"code": "timestamp_stale", "message": "stale"}})
    status, _, _ = get_provider("sandbox").failure_response(InvalidInput("sandbox credential secret: ..."))
    assert status == 500  # a configuration problem: let the sender retry after it is fixed


# --------------------------------------------------------------------------------------------
# fuzz: whatever arrives, the answer is a PaymentRejected, never another exception

_HEADER_NAMES = st.sampled_from([
    "X-Sandbox-Timestamp", "X-Sandbox-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce",
    "Wechatpay-Signature", "Wechatpay-Serial", "wechatpay-serial", "Content-Type",
])
_FUZZ = hypothesis_settings(max_examples=int(os.environ.get("PROVIDER_FUZZ_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_FUZZ
@given(
    provider=st.sampled_from(["sandbox", "wechatpay", "alipay"]),
    headers=st.dictionaries(_HEADER_NAMES, st.one_of(st.text(max_size=80), st.just(str(NOW_TS))), max_size=6),
    body=st.one_of(
        st.binary(max_size=300),
        st.dictionaries(st.sampled_from(list(ALIPAY_PARAMS) + ["sign", "sign_type"]), st.text(max_size=20)).map(
            lambda d: urlencode(d).encode()
        ),
    ),
)
def test_fuzzed_notifications_are_rejected_cleanly(keys, provider, headers, body):
    creds = _good_credentials(keys)[provider]
    with pytest.raises(PaymentRejected):
        get_provider(provider).verify_notification(credentials=creds, headers=headers, body=body, now=NOW)


@_FUZZ
@given(
    mutate=st.dictionaries(
        st.sampled_from(["out_trade_no", "transaction_id", "amount_fen", "currency", "paid_at", "payer", "extra"]),
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=70),
                  st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)),
    )
)
def test_fuzzed_authentic_sandbox_bodies_parse_or_are_rejected_cleanly(mutate):
    """Authentic (correctly signed) bodies with hostile field values reach the field parser."""
    headers, body = sandbox_request({**SANDBOX_PAYLOAD, **mutate})
    try:
        got = get_provider("sandbox").verify_notification(credentials=SANDBOX_CREDS, headers=headers, body=body, now=NOW)
    except PaymentRejected as exc:
        assert exc.code == "malformed_notification"
    else:
        assert type(got.amount_fen) is int and got.amount_fen > 0
        assert got.paid_at.utcoffset() == timedelta(0)
