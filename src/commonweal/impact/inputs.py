"""Cleaning typed text and numbers for the impact services: one place for both use cases."""

from decimal import Decimal

from commonweal.core.errors import InvalidInput
from commonweal.impact.values import parse_value, validate_value

__all__ = ["clean_text", "clean_value"]


def clean_text(value: str, *, field: str, limit: int, required: bool) -> str:
    """Whitespace collapsed, NUL removed, at most ``limit`` characters; "" refused when ``required``."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text, got {type(value).__name__}", code="invalid_text", field=field)
    value = " ".join(value.replace("\x00", "").split())
    if required and not value:
        raise InvalidInput(f"{field} is required", code="required", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{field} must be at most {limit} characters, got {len(value)}", code="too_long", field=field)
    return value


def clean_value(value: str | Decimal, *, field: str) -> Decimal:
    """A value typed as text (``parse_value``) or given as a Decimal (``validate_value``)."""
    return parse_value(value, field=field) if isinstance(value, str) else validate_value(value, field=field)
