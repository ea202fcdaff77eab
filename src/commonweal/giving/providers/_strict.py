"""Strict parsing of untrusted notification input, shared by the providers.

Every helper raises :class:`PaymentRejected` with a message that names the field and shows the
offending value (shortened), never a whole object. Size limits come first; integers are taken only
from ASCII ``[0-9]+`` without leading zeros; JSON objects reject duplicate keys, NaN and Infinity.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from commonweal.core.errors import InvalidInput, PaymentRejected

MAX_BODY_BYTES = 64 * 1024
"""Notifications larger than this are refused before any parsing (real ones are < 4 KiB)."""

MAX_AMOUNT_FEN = 10**12
"""Sanity bound on a single payment (10 billion yuan); the service checks the real amount."""

SIGNATURE_INVALID = "signature_invalid"
TIMESTAMP_STALE = "timestamp_stale"
DECRYPT_FAILED = "decrypt_failed"
MALFORMED = "malformed_notification"
MERCHANT_MISMATCH = "merchant_mismatch"
NOT_PAID = "not_paid"
CHARGE_DECLINED = "charge_declined"

# Printable ASCII without space: what every provider uses for ids, nonces and openids.
_TOKEN_RE = re.compile(r"[\x21-\x7e]+")
_UINT_RE = re.compile(r"0|[1-9][0-9]*")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_RFC3339_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]{1,6}))?(Z|[+-][0-9]{2}:[0-9]{2})"
)

UTC = timezone.utc
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
"""Asia/Shanghai has been UTC+8 without daylight saving since 1991; a fixed offset needs no tzdata."""


def show(value: object, limit: int = 40) -> str:
    """repr() of an untrusted value, cut to ``limit`` characters so messages stay short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def rejected(code: str, message: str) -> PaymentRejected:
    return PaymentRejected(message, code=code)


def require_aware(now: datetime) -> None:
    """Programming error, not input: the caller must pass an aware clock reading."""
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise TypeError(f"now must be a timezone-aware datetime, got {now!r}")


def check_body(body: bytes) -> None:
    if not isinstance(body, (bytes, bytearray)):
        raise TypeError(f"body must be bytes, got {type(body).__name__}")
    if len(body) > MAX_BODY_BYTES:
        raise rejected(MALFORMED, f"notification body must be at most {MAX_BODY_BYTES} bytes, got {len(body)}")


def normalise_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-case header names; two spellings of one name with different values are refused."""
    out: dict[str, str] = {}
    for key, value in headers.items():
        name = str(key).lower()
        if name in out and out[name] != value:
            raise rejected(MALFORMED, f"header {name} is given twice with different values")
        out[name] = value
    return out


def header(headers: Mapping[str, str], name: str, *, code: str = MALFORMED) -> str:
    """The value of a required header (``headers`` already normalised), stripped of blanks."""
    value = headers.get(name.lower())
    if value is None or not isinstance(value, str) or not value.strip():
        raise rejected(code, f"header {name} is missing")
    return value.strip()


def parse_uint(text: str, what: str, *, max_digits: int = 18, code: str = MALFORMED) -> int:
    """A non-negative integer from ASCII digits only, without sign, spaces, '_' or leading zeros."""
    if not isinstance(text, str) or len(text) > max_digits or not _UINT_RE.fullmatch(text):
        raise rejected(code, f"{what} must be an unsigned integer of at most {max_digits} digits, got {show(text)}")
    return int(text)


def check_window(*, sent_at: int, now: datetime, window_s: int, what: str) -> None:
    """Refuse a signed timestamp more than ``window_s`` seconds before or after ``now``."""
    now_s = int(now.timestamp())
    skew = sent_at - now_s
    if abs(skew) > window_s:
        direction = "in the future" if skew > 0 else "old"
        raise rejected(
            TIMESTAMP_STALE,
            f"{what} {sent_at} is {abs(skew)} s {direction}; the limit is {window_s} s (now {now_s})",
        )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {show(key)}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def load_json_object(data: bytes, what: str) -> dict[str, Any]:
    """Parse UTF-8 JSON that must be an object; duplicate keys, NaN and Infinity are refused."""
    try:
        text = bytes(data).decode("utf-8")
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise rejected(MALFORMED, f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise rejected(MALFORMED, f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def _require(obj: Mapping[str, Any], key: str, what: str) -> Any:
    if key not in obj:
        raise rejected(MALFORMED, f"{what}.{key} is missing")
    return obj[key]


def get_object(obj: Mapping[str, Any], key: str, what: str) -> dict[str, Any]:
    value = _require(obj, key, what)
    if not isinstance(value, dict):
        raise rejected(MALFORMED, f"{what}.{key} must be an object, got {show(value)}")
    return value


def get_str(
    obj: Mapping[str, Any],
    key: str,
    what: str,
    *,
    max_len: int = 64,
    token: bool = True,
    allow_empty: bool = False,
) -> str:
    """A string field; ``token`` restricts it to printable ASCII without spaces."""
    value = _require(obj, key, what)
    if not isinstance(value, str):
        raise rejected(MALFORMED, f"{what}.{key} must be a string, got {show(value)}")
    if value == "" and allow_empty:
        return value
    if not value or len(value) > max_len or (token and not _TOKEN_RE.fullmatch(value)):
        kind = "printable ASCII without spaces" if token else "text"
        raise rejected(MALFORMED, f"{what}.{key} must be 1 to {max_len} characters of {kind}, got {show(value)}")
    return value


def check_token(value: str, what: str, *, max_len: int = 64) -> str:
    """The same rule as ``get_str`` for a value that is already a string (form fields)."""
    if not value or len(value) > max_len or not _TOKEN_RE.fullmatch(value):
        raise rejected(
            MALFORMED, f"{what} must be 1 to {max_len} characters of printable ASCII without spaces, got {show(value)}"
        )
    return value


def check_amount(amount_fen: int, what: str) -> int:
    if not 1 <= amount_fen <= MAX_AMOUNT_FEN:
        raise rejected(MALFORMED, f"{what} must be between 1 and {MAX_AMOUNT_FEN} fen, got {amount_fen}")
    return amount_fen


def get_amount(obj: Mapping[str, Any], key: str, what: str) -> int:
    """A JSON integer amount in fen (not a bool, float or string)."""
    value = _require(obj, key, what)
    if type(value) is not int:
        raise rejected(MALFORMED, f"{what}.{key} must be a JSON integer number of fen, got {show(value)}")
    return check_amount(value, f"{what}.{key}")


def check_currency(value: str, what: str) -> str:
    if not isinstance(value, str) or not _CURRENCY_RE.fullmatch(value):
        raise rejected(MALFORMED, f"{what} must be a 3-letter upper-case currency code, got {show(value)}")
    return value


def parse_rfc3339(text: str, what: str, *, utc_only: bool = False) -> datetime:
    """An RFC 3339 date-time with an explicit offset, returned in UTC."""
    match = _RFC3339_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise rejected(
            MALFORMED, f"{what} must be an RFC 3339 date-time like 2025-01-31T08:00:00+08:00, got {show(text)}"
        )
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    if offset == "Z":
        tz = UTC
    else:
        sign = 1 if offset[0] == "+" else -1
        off_h, off_m = int(offset[1:3]), int(offset[4:6])
        if off_h > 23 or off_m > 59:
            raise rejected(MALFORMED, f"{what} has an impossible UTC offset, got {show(text)}")
        tz = timezone(sign * timedelta(hours=off_h, minutes=off_m))
    if utc_only and tz.utcoffset(None) != timedelta(0):
        raise rejected(MALFORMED, f"{what} must be in UTC (ending in Z or +00:00), got {show(text)}")
    micro = int((fraction or "0").ljust(6, "0"))
    try:
        value = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz)
    except ValueError:
        raise rejected(MALFORMED, f"{what} is not a real date and time, got {show(text)}") from None
    return value.astimezone(UTC)


def credentials_error(provider: str, field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{provider} credential {field}: {message}", field=field)


def check_credential_keys(
    provider: str,
    credentials: Mapping[str, str],
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> None:
    """Every required key present as a non-blank string, no unknown keys."""
    if not isinstance(credentials, Mapping):
        raise InvalidInput(f"{provider} credentials must be a mapping of strings, got {type(credentials).__name__}")
    missing = [k for k in required if not isinstance(credentials.get(k), str) or not credentials[k].strip()]
    if missing:
        raise InvalidInput(
            f"{provider} credentials are missing {', '.join(missing)} (required: {', '.join(required)})",
            field=missing[0],
        )
    unknown = sorted(set(credentials) - set(required) - set(optional))
    if unknown:
        raise InvalidInput(
            f"{provider} credentials have unknown keys {', '.join(map(str, unknown))} "
            f"(allowed: {', '.join(required + optional)})",
            field=str(unknown[0]),
        )
    for key in optional:
        if key in credentials and not isinstance(credentials[key], str):
            raise credentials_error(provider, key, f"must be a string, got {type(credentials[key]).__name__}")


def status_for(error: Exception) -> int:
    """400 for a refused notification (the sender is wrong), 500 for anything else (retry later)."""
    return 400 if isinstance(error, PaymentRejected) else 500


def error_code(error: Exception) -> str:
    return getattr(error, "code", None) or "internal_error"
