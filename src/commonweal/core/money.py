"""Exact money: amounts are integers in fen (分, 1/100 yuan); no float ever touches them.

Parsing is strict and canonical (STYLE.md, "Parse untrusted input strictly"): Python's ``int()``
and ``Decimal()`` accept "+1", " 1", "1_000", "1e3" and non-ASCII digits such as "１２", so the
text is matched against one ASCII grammar before any conversion::

    amount   = integer [ "." 1*2DIGIT ]
    integer  = "0" / NZDIGIT *DIGIT / NZDIGIT 0*2DIGIT 1*( "," 3DIGIT )

Thousands separators are accepted only in well-formed groups of three ("1,234.56"), so the
output of :func:`format_fen` without its currency sign parses back to the same amount; "1,23"
and "12,345,6" are rejected. Currency signs, signs, spaces inside, exponents, underscores,
leading zeros and more than two decimals are rejected, each with its own message.
"""

import re

from commonweal.core.errors import InvalidInput

__all__ = [
    "CURRENCY",
    "SUPPORTED_CURRENCIES",
    "MAX_AMOUNT_FEN",
    "parse_yuan",
    "validate_fen",
    "validate_currency",
    "fen_to_yuan_str",
    "format_fen",
    "format_fen_compact",
]

CURRENCY = "CNY"
SUPPORTED_CURRENCIES: tuple[str, ...] = (CURRENCY,)

MAX_AMOUNT_FEN = 100_000_000_00
"""The largest single amount accepted anywhere: ¥100,000,000.00."""

_MAX_TEXT_LENGTH = 32
_AMOUNT_RE = re.compile(r"(?P<int>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.(?P<frac>[0-9]+))?")


def _invalid(message: str, field: str, code: str = "invalid_amount") -> InvalidInput:
    return InvalidInput(message, code=code, field=field)


def parse_yuan(text: str, *, field: str = "amount") -> int:
    """Parse a yuan amount typed by a person ("12.34", "12.3", "12", "1,234.56") into fen.

    Surrounding whitespace is ignored; everything else must match the grammar in the module
    docstring. The result is between 1 and :data:`MAX_AMOUNT_FEN`.
    """
    if not isinstance(text, str):
        raise _invalid(f"amount must be text such as '12.34', got {type(text).__name__}", field)
    text = text.strip()
    if not text:
        raise _invalid("amount is required", field, code="required")
    # 1. Size limit first: nothing below runs on arbitrarily long input.
    if len(text) > _MAX_TEXT_LENGTH:
        raise _invalid(
            f"amount must be at most {_MAX_TEXT_LENGTH} characters long, got {len(text)}", field
        )
    # 2. Specific messages for the mistakes people make.
    if text[0] in "¥￥$" or text[-1] == "元" or text[:3].upper() in {"CNY", "RMB"}:
        raise _invalid(f"amount must be written without a currency sign or unit, got {text!r}", field)
    if not text.isascii():
        raise _invalid(f"amount must be written with the digits 0-9, got {text!r}", field)
    if text[0] == "-":
        raise _invalid(f"amount must be positive, got {text!r}", field, code="amount_out_of_range")
    if text[0] == "+":
        raise _invalid(f"amount must be written without a sign, got {text!r}", field)
    if any(c.isspace() for c in text):
        raise _invalid(f"amount must not contain spaces, got {text!r}", field)
    if "_" in text:
        raise _invalid(f"amount must not contain underscores, got {text!r}", field)
    if "e" in text or "E" in text:
        raise _invalid(f"amount must be written without an exponent, got {text!r}", field)
    # 3. The grammar.
    match = _AMOUNT_RE.fullmatch(text)
    if match is None:
        raise _invalid(f"amount must look like 12.34 or 1,234.56, got {text!r}", field)
    integer = match["int"].replace(",", "")
    fraction = match["frac"] or ""
    if len(integer) > 1 and integer[0] == "0":
        raise _invalid(f"amount must not have leading zeros, got {text!r}", field)
    if len(fraction) > 2:
        raise _invalid(
            f"amount must have at most 2 decimal places, got {text!r}", field, code="amount_precision"
        )
    # 4. Convert (ASCII digits only, checked above) and check the range.
    amount_fen = int(integer) * 100 + int(fraction.ljust(2, "0"))
    if amount_fen < 1:
        raise _invalid(f"amount must be at least 0.01, got {text!r}", field, code="amount_out_of_range")
    if amount_fen > MAX_AMOUNT_FEN:
        raise _invalid(
            f"amount must be at most {fen_to_yuan_str(MAX_AMOUNT_FEN, grouped=True)}, got {text!r}",
            field,
            code="amount_out_of_range",
        )
    return amount_fen


def validate_fen(amount_fen: int, *, field: str = "amount") -> int:
    """Check that ``amount_fen`` is an ``int`` (not a ``bool``) from 1 to :data:`MAX_AMOUNT_FEN`."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise _invalid(
            f"amount must be a whole number of fen, got {type(amount_fen).__name__}", field
        )
    if not 1 <= amount_fen <= MAX_AMOUNT_FEN:
        raise _invalid(
            f"amount must be between 1 and {MAX_AMOUNT_FEN:,} fen, got {amount_fen}",
            field,
            code="amount_out_of_range",
        )
    return int(amount_fen)


def validate_currency(text: str, *, field: str = "currency") -> str:
    """Return the currency code if it is supported (only "CNY" today); case-sensitive, ISO 4217."""
    if text not in SUPPORTED_CURRENCIES:
        supported = ", ".join(SUPPORTED_CURRENCIES)
        raise InvalidInput(
            f"currency must be one of {supported}, got {text!r}", code="unsupported_currency", field=field
        )
    return text


def _check_int(amount_fen: int) -> None:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise TypeError(f"amount_fen must be an int, got {type(amount_fen).__name__}")


def fen_to_yuan_str(amount_fen: int, *, grouped: bool = False) -> str:
    """Exact decimal yuan with two places: 1234 -> "12.34", -5 -> "-0.05".

    ``grouped=True`` adds thousands separators: 123456 -> "1,234.56".
    """
    _check_int(amount_fen)
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(amount_fen), 100)
    whole = f"{yuan:,}" if grouped else str(yuan)
    return f"{sign}{whole}.{fen:02d}"


def _is_zh(lang: str) -> bool:
    return lang.lower().startswith("zh")


def format_fen(amount_fen: int, *, lang: str = "zh-hans", unit: bool = False) -> str:
    """Format an amount for people: "¥1,234.56" (zh-hans and en), always two decimals.

    ``unit=True`` writes the unit after the number instead: "1,234.56元" (zh) or
    "1,234.56 yuan" (en). Any int is accepted (totals may be 0 or exceed one donation's limit);
    negative amounts get a leading "-".
    """
    text = fen_to_yuan_str(amount_fen, grouped=True)
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    if unit:
        return f"{sign}{digits}元" if _is_zh(lang) else f"{sign}{digits} yuan"
    return f"{sign}¥{digits}"


# (threshold in fen, divisor in fen, suffix), largest first.
_COMPACT_ZH = ((100_000_000_00, 100_000_000_00, "亿元"), (10_000_00, 10_000_00, "万元"))
_COMPACT_EN = (
    (1_000_000_000_00, 1_000_000_000_00, "B"),
    (1_000_000_00, 1_000_000_00, "M"),
    (1_000_00, 1_000_00, "K"),
)


def format_fen_compact(amount_fen: int, *, lang: str = "zh-hans") -> str:
    """A short form for cards and big totals: "123.45万元", "1.2亿元" (zh); "¥1.23M", "¥12.5K" (en).

    At most two decimals, trailing zeros dropped, and always rounded toward zero so a card never
    overstates what was raised (99,999,999 yuan is "9,999.99万元", not "1亿元"). Amounts below the
    first unit (1万 / 1K yuan) are written in full, as :func:`format_fen` with ``unit`` (zh) or
    without it (en) would.
    """
    _check_int(amount_fen)
    zh = _is_zh(lang)
    sign, magnitude = ("-", -amount_fen) if amount_fen < 0 else ("", amount_fen)
    for threshold, divisor, suffix in _COMPACT_ZH if zh else _COMPACT_EN:
        if magnitude >= threshold:
            hundredths = magnitude * 100 // divisor  # integer division: rounds toward zero
            whole, part = divmod(hundredths, 100)
            number = f"{whole:,}.{part:02d}".rstrip("0").rstrip(".")
            return f"{sign}{number}{suffix}" if zh else f"{sign}¥{number}{suffix}"
    return format_fen(amount_fen, lang=lang, unit=zh)
