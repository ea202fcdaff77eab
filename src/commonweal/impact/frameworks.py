"""The frameworks an indicator comes from, and the shape of their identifiers.

- SDG: a goal or target of the UN Sustainable Development Goals ("4", "4.1", "4.a"), checked
  against the vocabulary in ``commonweal.core.sdg``.
- IRIS+: a metric identifier of the GIIN's IRIS+ catalogue, two capital letters and four digits
  ("PI4060", "OI1479"). Stored as a reference: the catalogue itself is not shipped, so only the
  form is checked.
- Custom: no identifier; the organization names the indicator and its unit.
"""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonweal.core.errors import InvalidInput
from commonweal.core.sdg import validate_sdg_tags

__all__ = ["Framework", "Direction", "IRIS_PATTERN", "validate_code"]

IRIS_PATTERN = re.compile(r"[A-Z]{2}[0-9]{4}")


class Framework(models.TextChoices):
    SDG = "sdg", _("SDG goal or target")
    IRIS = "iris", _("IRIS+ metric")
    CUSTOM = "custom", _("Custom indicator")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


def validate_code(framework: str, code: str, *, field: str = "code") -> str:
    """The canonical identifier for ``framework``: an SDG tag, an IRIS+ id, or "" for custom."""
    if framework not in Framework.values:
        raise InvalidInput(
            f"framework must be one of {', '.join(Framework.values)}, got {framework!r}", code="invalid_framework", field="framework"
        )
    code = (code or "").strip() if isinstance(code, str) else code
    if not isinstance(code, str):
        raise InvalidInput(f"an identifier must be text, got {type(code).__name__}", code="invalid_code", field=field)
    if framework == Framework.CUSTOM:
        if code:
            raise InvalidInput(f"a custom indicator has no framework identifier, got {code[:20]!r}", code="invalid_code", field=field)
        return ""
    if not code:
        raise InvalidInput("an SDG or IRIS+ indicator needs its identifier", code="required", field=field)
    if framework == Framework.SDG:
        return validate_sdg_tags([code], field=field)[0]
    canonical = code.upper()
    if IRIS_PATTERN.fullmatch(canonical) is None:
        raise InvalidInput(
            f"an IRIS+ identifier is two letters and four digits such as PI4060, got {code[:20]!r}",
            code="invalid_iris_code", field=field,
        )
    return canonical
