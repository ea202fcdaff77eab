"""Indicator values: exact decimals typed by people, never floats.

    value = [ "-" ] ( "0" / NZDIGIT 0*14DIGIT ) [ "." 1*4DIGIT ]

Thousands separators ("12,000") are accepted in groups of three. Python's ``Decimal()`` also
takes "1e3", "NaN", " 1", "+1" and non-ASCII digits, so the text is matched first.
"""

import re
from decimal import Decimal

from commonweal.core.errors import InvalidInput

__all__ = ["VALUE_DIGITS", "VALUE_PLACES", "parse_value", "validate_value", "format_value"]

VALUE_DIGITS = 19
"""Digits stored (``DecimalField(max_digits=...)``): 15 before the point, 4 after."""
VALUE_PLACES = 4
"""Decimal places stored."""

_MAX_INTEGER_DIGITS = VALUE_DIGITS - VALUE_PLACES
_VALUE_RE = re.compile(r"-?(?:0|[1-9][0-9]{0,14}|[1-9][0-9]{0,2}(?:,[0-9]{3}){1,4})(?:\.[0-9]{1,4})?")
_MAX_TEXT = 32


def _invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_value", field=field)


def parse_value(text: str, *, field: str = "value") -> Decimal:
    """"1200" -> Decimal("1200"), "-3.25" -> Decimal("-3.25"), "12,000.5" -> Decimal("12000.5")."""
    if not isinstance(text, str):
        raise _invalid(f"a value must be text such as '1200' or '3.5', got {type(text).__name__}", field)
    text = text.strip()
    if not text:
        raise InvalidInput("a value is required", code="required", field=field)
    if len(text) > _MAX_TEXT or _VALUE_RE.fullmatch(text) is None:
        raise _invalid(
            f"a value is a number such as 1200, 3.5 or -2 with at most {VALUE_PLACES} decimals, got {text[:_MAX_TEXT]!r}",
            field,
        )
    return validate_value(Decimal(text.replace(",", "")), field=field)


def validate_value(value: Decimal, *, field: str = "value") -> Decimal:
    """Check a Decimal fits the stored precision (15 digits, 4 decimals) and is finite."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise _invalid(f"a value must be a Decimal or an int, got {type(value).__name__}", field)
    value = Decimal(value)
    if not value.is_finite():
        raise _invalid(f"a value must be a finite number, got {value}", field)
    if abs(value) >= Decimal(10) ** _MAX_INTEGER_DIGITS:
        raise _invalid(f"a value must be less than 10^{_MAX_INTEGER_DIGITS} in size, got {value}", field)
    if value.normalize().as_tuple().exponent < -VALUE_PLACES:
        raise _invalid(f"a value has at most {VALUE_PLACES} decimals, got {value}", field)
    return value


def format_value(value: Decimal | None) -> str:
    """A value for people: thousands grouped, no trailing zeros ("12,000.5"); "" for None."""
    if value is None:
        return ""
    normal = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return f"{normal:,f}"
