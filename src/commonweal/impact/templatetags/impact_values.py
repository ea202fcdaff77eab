"""``{% load impact_values %}``: ``{{ value|impact_value }}`` writes an exact decimal for people
("12,000.5"); ``{{ value|signed }}`` adds a sign to a difference ("+0.25", "−0.10")."""

from decimal import Decimal

from django import template

from commonweal.impact.values import format_value

__all__ = ["impact_value", "signed"]

register = template.Library()


@register.filter
def impact_value(value) -> str:
    return format_value(value) if isinstance(value, Decimal) else ("" if value is None else str(value))


@register.filter
def signed(value) -> str:
    if not isinstance(value, Decimal):
        return str(value)
    if value > 0:
        return f"+{value}"
    return f"−{-value}" if value < 0 else "0.00"
