"""Which of the platform's two languages is active: zh-Hans (the default) or English.

Any language code starting with "en" counts as English; everything else is shown in Chinese.
"""

from django.utils.translation import get_language

__all__ = ["active_language", "is_english"]


def is_english() -> bool:
    return (get_language() or "").lower().startswith("en")


def active_language() -> str:
    """"en" under English, else "zh-hans": the code money, dates and charts are written in."""
    return "en" if is_english() else "zh-hans"
