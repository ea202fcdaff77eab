"""The eight domains of the social-value fund: a fixed vocabulary with stable values.

Values are stored in the database and used in URLs and open data: never rename one. Labels and
descriptions are English source strings for gettext; their Chinese translations live here too
(:data:`DOMAIN_LABELS_ZH`, :data:`DOMAIN_DESCRIPTIONS_ZH`, :data:`DOMAIN_TRANSLATIONS_ZH`) so the
zh-hans catalogue can be generated from them and checked against them.
"""

import dataclasses

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from commonweal.core.errors import InvalidInput

__all__ = [
    "Domain",
    "DomainInfo",
    "DOMAIN_LABELS_EN",
    "DOMAIN_LABELS_ZH",
    "DOMAIN_DESCRIPTIONS",
    "DOMAIN_DESCRIPTIONS_EN",
    "DOMAIN_DESCRIPTIONS_ZH",
    "DOMAIN_TRANSLATIONS_ZH",
    "DOMAINS",
    "domain_info",
]


class Domain(models.TextChoices):
    BASIC_SCIENCE = "basic_science", _("Basic science")
    EDUCATION_INNOVATION = "education_innovation", _("Education innovation")
    RURAL_REVITALIZATION = "rural_revitalization", _("Rural revitalization")
    CARBON_NEUTRALITY = "carbon_neutrality", _("Carbon neutrality")
    FEW = "few", _("Food, energy and water")
    PUBLIC_EMERGENCY = "public_emergency", _("Public emergency")
    ELDERLY_CARE_TECH = "elderly_care_tech", _("Elderly-care technology")
    PUBLIC_WELFARE_DIGITAL = "public_welfare_digital", _("Public-welfare digitalization")


# The English msgids of the labels above, as plain strings (the lazy labels need settings to
# evaluate). A test keeps the two in step.
DOMAIN_LABELS_EN: dict[str, str] = {
    Domain.BASIC_SCIENCE: "Basic science",
    Domain.EDUCATION_INNOVATION: "Education innovation",
    Domain.RURAL_REVITALIZATION: "Rural revitalization",
    Domain.CARBON_NEUTRALITY: "Carbon neutrality",
    Domain.FEW: "Food, energy and water",
    Domain.PUBLIC_EMERGENCY: "Public emergency",
    Domain.ELDERLY_CARE_TECH: "Elderly-care technology",
    Domain.PUBLIC_WELFARE_DIGITAL: "Public-welfare digitalization",
}

DOMAIN_LABELS_ZH: dict[str, str] = {
    Domain.BASIC_SCIENCE: "基础科学",
    Domain.EDUCATION_INNOVATION: "教育创新",
    Domain.RURAL_REVITALIZATION: "乡村振兴",
    Domain.CARBON_NEUTRALITY: "碳中和",
    Domain.FEW: "食物、能源与水",
    Domain.PUBLIC_EMERGENCY: "公众应急",
    Domain.ELDERLY_CARE_TECH: "养老科技",
    Domain.PUBLIC_WELFARE_DIGITAL: "公益数字化",
}


def gettext_noop(message: str) -> str:
    """Mark ``message`` for makemessages (which looks for this name) and return it unchanged.

    Django's own ``gettext_noop`` reads settings, which this module must not do at import time.
    """
    return message


# English msgids of the descriptions, plain strings marked for extraction.
DOMAIN_DESCRIPTIONS_EN: dict[str, str] = {
    Domain.BASIC_SCIENCE: gettext_noop(
        "Curiosity-driven research and the young scientists, tools and open data behind it."
    ),
    Domain.EDUCATION_INNOVATION: gettext_noop(
        "New ways of teaching and learning that reach every child, teacher and lifelong learner."
    ),
    Domain.RURAL_REVITALIZATION: gettext_noop(
        "Livelihoods, skills, health and public services that help villages thrive."
    ),
    Domain.CARBON_NEUTRALITY: gettext_noop(
        "Cutting emissions and adapting to a changing climate, from communities to industry."
    ),
    Domain.FEW: gettext_noop(
        "Secure, sustainable food, energy and water, and the links between them."
    ),
    Domain.PUBLIC_EMERGENCY: gettext_noop(
        "Preparing for, responding to and recovering from disasters and public-health emergencies."
    ),
    Domain.ELDERLY_CARE_TECH: gettext_noop(
        "Technology and services that let older people live safely, healthily and with dignity."
    ),
    Domain.PUBLIC_WELFARE_DIGITAL: gettext_noop(
        "Open, digital tools that make charities more effective and giving more transparent."
    ),
}

DOMAIN_DESCRIPTIONS: dict[str, Promise] = {d: _(text) for d, text in DOMAIN_DESCRIPTIONS_EN.items()}
"""Translatable descriptions (lazy)."""

DOMAIN_DESCRIPTIONS_ZH: dict[str, str] = {
    Domain.BASIC_SCIENCE: "支持好奇心驱动的基础研究，以及背后的青年科学家、科研工具与开放数据。",
    Domain.EDUCATION_INNOVATION: "探索新的教与学方式，惠及每一个孩子、每一位教师和终身学习者。",
    Domain.RURAL_REVITALIZATION: "发展生计、技能、健康与公共服务，助力乡村繁荣。",
    Domain.CARBON_NEUTRALITY: "从社区到产业，减少排放、适应气候变化。",
    Domain.FEW: "保障安全、可持续的食物、能源与水，并统筹三者之间的关联。",
    Domain.PUBLIC_EMERGENCY: "为自然灾害和突发公共卫生事件做好准备、及时响应并助力恢复。",
    Domain.ELDERLY_CARE_TECH: "以科技和服务帮助老年人安全、健康、有尊严地生活。",
    Domain.PUBLIC_WELFARE_DIGITAL: "以开放的数字工具提升公益组织效能，让捐赠更加透明。",
}

DOMAIN_TRANSLATIONS_ZH: dict[str, str] = {
    **{DOMAIN_LABELS_EN[d]: DOMAIN_LABELS_ZH[d] for d in Domain},
    **{DOMAIN_DESCRIPTIONS_EN[d]: DOMAIN_DESCRIPTIONS_ZH[d] for d in Domain},
}
"""msgid -> zh-hans msgstr for every label and description, for the locale catalogue."""

# Display hints for cards and charts: an icon name (Tabler icons naming) and a colour that
# keeps 4.5:1 contrast with white text.
_STYLE: dict[str, tuple[str, str]] = {
    Domain.BASIC_SCIENCE: ("atom", "#3b4cc0"),
    Domain.EDUCATION_INNOVATION: ("school", "#b45309"),
    Domain.RURAL_REVITALIZATION: ("plant-2", "#3f7d20"),
    Domain.CARBON_NEUTRALITY: ("leaf", "#0f766e"),
    Domain.FEW: ("droplet", "#0369a1"),
    Domain.PUBLIC_EMERGENCY: ("first-aid-kit", "#b91c1c"),
    Domain.ELDERLY_CARE_TECH: ("heart-handshake", "#9d174d"),
    Domain.PUBLIC_WELFARE_DIGITAL: ("world-share", "#6d28d9"),
}


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DomainInfo:
    """Everything the pages show about one domain."""

    domain: Domain
    """The stable value, e.g. ``Domain.FEW`` ("few")."""
    label: Promise = dataclasses.field(repr=False)
    """Translatable English label (lazy; kept out of repr, which would need settings)."""
    label_zh: str
    """Chinese label, e.g. 食物、能源与水."""
    description: Promise = dataclasses.field(repr=False)
    """Translatable one-sentence English description (lazy)."""
    description_zh: str
    """Chinese description."""
    icon: str
    """Icon name, Tabler icons naming (e.g. "droplet")."""
    colour: str
    """CSS hex colour, contrast ≥ 4.5:1 against white text."""


DOMAINS: tuple[DomainInfo, ...] = tuple(
    DomainInfo(
        domain=d,
        label=d.label,
        label_zh=DOMAIN_LABELS_ZH[d],
        description=DOMAIN_DESCRIPTIONS[d],
        description_zh=DOMAIN_DESCRIPTIONS_ZH[d],
        icon=_STYLE[d][0],
        colour=_STYLE[d][1],
    )
    for d in Domain
)
"""All eight domains, in the fixed display order."""

_BY_VALUE = {info.domain.value: info for info in DOMAINS}


def domain_info(value: str, *, field: str = "domain") -> DomainInfo:
    """The :class:`DomainInfo` for a stored value; unknown values raise :class:`InvalidInput`."""
    info = _BY_VALUE.get(value) if isinstance(value, str) else None
    if info is None:
        raise InvalidInput(
            f"unknown domain {value!r}; expected one of {', '.join(_BY_VALUE)}",
            code="unknown_domain",
            field=field,
        )
    return info
