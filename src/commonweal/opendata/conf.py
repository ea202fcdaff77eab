"""Who publishes the platform's own activities (funds and the program office's grants).

Projects are reported by the organization that runs them (its unified social credit code);
funds and grants of the program office are reported by the foundation that runs the platform,
configured with the ``OPENDATA_PUBLISHER`` setting::

    OPENDATA_PUBLISHER = {"credit_code": "53100000...", "name_zh": "...", "name_en": "...", "org_type": "60"}

``org_type`` is an IATI OrganisationType code (60 = Foundation). Without the setting, a
placeholder foundation with a valid but fictitious code is used, and the open-data page says so.
"""

from dataclasses import dataclass

from django.conf import settings

from commonweal.core.credit_code import validate_credit_code

__all__ = ["Publisher", "publisher", "PLACEHOLDER_CREDIT_CODE"]

PLACEHOLDER_CREDIT_CODE = "531100000000000199"
"""A well-formed code (both check characters correct) that belongs to nobody we know of."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Publisher:
    """The reporting organization of the platform's own activities."""

    credit_code: str
    """Unified social credit code (18 characters, checked)."""
    name_zh: str
    """Name in Chinese."""
    name_en: str
    """Name in English."""
    org_type: str
    """IATI OrganisationType code."""
    configured: bool
    """False when the placeholder is in use."""


def publisher() -> Publisher:
    """The configured publisher; raises InvalidInput if the configured credit code is not valid."""
    config = getattr(settings, "OPENDATA_PUBLISHER", None) or {}
    return Publisher(
        credit_code=validate_credit_code(config.get("credit_code", PLACEHOLDER_CREDIT_CODE), field="OPENDATA_PUBLISHER"),
        name_zh=config.get("name_zh", "公益平台基金会（示例）"),
        name_en=config.get("name_en", "Commonweal platform foundation (example)"),
        org_type=str(config.get("org_type", "60")),
        configured=bool(config),
    )
