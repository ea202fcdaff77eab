"""Template filters for text the platform keeps in Chinese and English.

``{% load bilingual %}`` then ``{{ project|bilingual:"title" }}`` or ``{{ org|bilingual:"name" }}``:
the English text when English is active and the English text is not empty, else the Chinese.
``{{ "4"|sdg_title }}`` is the title of an SDG goal or target in the active language.
"""

from django import template
from django.utils.translation import get_language

from commonweal.core.errors import InvalidInput
from commonweal.core.language import is_english
from commonweal.core.sdg import sdg_title as _sdg_title

__all__ = ["bilingual", "sdg_title"]

register = template.Library()


@register.filter
def bilingual(obj, field: str) -> str:
    """``obj.<field>_en`` in English if it is not empty, else ``obj.<field>_zh``."""
    if is_english():
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, f"{field}_zh", "")


@register.filter
def sdg_title(tag: str, style: str = "") -> str:
    """The title of SDG goal or target ``tag``; ``"short"`` gives a goal's short name.

    An unknown tag renders as itself rather than breaking the page.
    """
    try:
        return _sdg_title(str(tag), get_language() or "zh-hans", short=style == "short")
    except InvalidInput:
        return str(tag)
