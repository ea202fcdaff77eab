"""Builders for WeChat Pay and Alipay notifications with keys generated here, for the API tests.

They sign per the published schemes (see docs/payments.md) with the current time, so the
endpoint's own clock accepts them; tests/giving/test_providers.py pins its builders to a fixed
date for the pure provider tests.
"""

import base64
import datetime as dt
import json
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

CHINA = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class MerchantKeys:
    """One merchant's WeChat Pay and Alipay set-up: what the platform is configured with, and
    the private key the provider signs with."""

    provider_key: rsa.RSAPrivateKey
    serial: int
    certificate_pem: str
    public_pem: str
    mchid: str = "1900000109"
    appid: str = "wxd678efh567hg6787"
    apiv3_key: str = "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"
    alipay_app_id: str = "2021000117650001"

    def wechatpay_credentials(self) -> dict:
        return {"mchid": self.mchid, "appid": self.appid, "apiv3_key": self.apiv3_key,
                "platform_certificate_pem": self.certificate_pem}

    def alipay_credentials(self) -> dict:
        return {"app_id": self.alipay_app_id, "alipay_public_key_pem": self.public_pem}


def make_merchant_keys() -> MerchantKeys:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    serial = x509.random_serial_number()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA test")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return MerchantKeys(
        provider_key=key,
        serial=serial,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        public_pem=key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode(),
    )


def wechatpay_notification(keys: MerchantKeys, *, out_trade_no: str, amount_fen: int, transaction_id: str,
                           now: dt.datetime | None = None) -> tuple[dict, bytes]:
    """(headers, body) of a WeChat Pay APIv3 TRANSACTION.SUCCESS notification."""
    now = now or dt.datetime.now(dt.timezone.utc)
    txn = {
        "mchid": keys.mchid, "appid": keys.appid, "out_trade_no": out_trade_no, "transaction_id": transaction_id,
        "trade_type": "JSAPI", "trade_state": "SUCCESS", "trade_state_desc": "支付成功", "bank_type": "CMC",
        "attach": "", "success_time": now.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M:%S+08:00"),
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": amount_fen, "payer_total": amount_fen, "currency": "CNY", "payer_currency": "CNY"},
    }
    resource_nonce = secrets.token_hex(6)
    sealed = AESGCM(keys.apiv3_key.encode()).encrypt(
        resource_nonce.encode(), json.dumps(txn, ensure_ascii=False).encode(), b"transaction"
    )
    envelope = {
        "id": f"EV-{secrets.token_hex(8)}", "create_time": txn["success_time"], "resource_type": "encrypt-resource",
        "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
        "resource": {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
                     "ciphertext": base64.b64encode(sealed).decode(), "associated_data": "transaction",
                     "nonce": resource_nonce},
    }
    body = json.dumps(envelope, ensure_ascii=False).encode()
    timestamp, nonce = str(int(now.timestamp())), secrets.token_hex(16).upper()
    message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
    signature = keys.provider_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    headers = {
        "Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": base64.b64encode(signature).decode(), "Wechatpay-Serial": f"{keys.serial:X}",
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }
    return headers, body


def alipay_notification(keys: MerchantKeys, *, out_trade_no: str, amount_fen: int, trade_no: str,
                        now: dt.datetime | None = None) -> tuple[dict, bytes]:
    """(headers, body) of an Alipay trade_status_sync notification signed with RSA2."""
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(CHINA)
    yuan = f"{amount_fen // 100}.{amount_fen % 100:02d}"
    params = {
        "gmt_create": now.strftime("%Y-%m-%d %H:%M:%S"), "charset": "utf-8",
        "gmt_payment": now.strftime("%Y-%m-%d %H:%M:%S"), "notify_time": now.strftime("%Y-%m-%d %H:%M:%S"),
        "subject": "乡村图书室", "buyer_id": "2088102116773037", "notify_type": "trade_status_sync",
        "notify_id": secrets.token_hex(16), "version": "1.0", "out_trade_no": out_trade_no,
        "total_amount": yuan, "receipt_amount": yuan, "trade_status": "TRADE_SUCCESS", "trade_no": trade_no,
        "app_id": keys.alipay_app_id, "auth_app_id": keys.alipay_app_id, "seller_id": "2088031940831575",
    }
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if v != "")
    params["sign"] = base64.b64encode(keys.provider_key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    params["sign_type"] = "RSA2"
    return {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, urlencode(params).encode()
