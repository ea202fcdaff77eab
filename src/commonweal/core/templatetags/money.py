"""Template filters for money in fen, written for the active language.

``{% load money %}`` then ``{{ project.goal_fen|fen }}`` ("¥100,000.00") and
``{{ total|fen_compact }}`` ("12.5万元" in zh-hans, "¥125K" in English). Both round toward zero
(:mod:`commonweal.core.money`), so a page never overstates an amount. ``None`` renders as "".
"""

from django import template
from django.utils.translation import get_language

from commonweal.core.money import format_fen, format_fen_compact

__all__ = ["fen", "fen_compact"]

register = template.Library()


def _lang() -> str:
    return get_language() or "zh-hans"


@register.filter
def fen(amount_fen: int | None, arg: str = "") -> str:
    """"¥1,234.56"; with the argument "unit": "1,234.56元" (zh) or "1,234.56 yuan" (en)."""
    if amount_fen is None or amount_fen == "":
        return ""
    return format_fen(int(amount_fen), lang=_lang(), unit=arg == "unit")


@register.filter
def fen_compact(amount_fen: int | None) -> str:
    """A short amount for cards and big totals: "123.45万元" (zh), "¥1.23M" (en)."""
    if amount_fen is None or amount_fen == "":
        return ""
    return format_fen_compact(int(amount_fen), lang=_lang())
