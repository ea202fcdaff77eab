"""core.domains: the eight domains. Values and data are tested; lazy labels are not evaluated
(that needs settings), only their msgids."""

import pytest

from commonweal.core.domains import (
    DOMAIN_DESCRIPTIONS,
    DOMAIN_DESCRIPTIONS_EN,
    DOMAIN_DESCRIPTIONS_ZH,
    DOMAIN_LABELS_EN,
    DOMAIN_LABELS_ZH,
    DOMAIN_TRANSLATIONS_ZH,
    DOMAINS,
    Domain,
    domain_info,
)
from commonweal.core.errors import InvalidInput

STABLE_VALUES = [
    "basic_science",
    "education_innovation",
    "rural_revitalization",
    "carbon_neutrality",
    "few",
    "public_emergency",
    "elderly_care_tech",
    "public_welfare_digital",
]


def _msgid(lazy) -> str:
    # The source string inside a gettext_lazy proxy, read without translating it.
    (message,) = lazy._args
    return message


def test_values_are_stable_and_ordered():
    assert [d.value for d in Domain] == STABLE_VALUES
    assert [info.domain.value for info in DOMAINS] == STABLE_VALUES
    assert all(len(v) <= 32 for v in STABLE_VALUES)  # projects.Project.domain max_length


@pytest.mark.parametrize(
    ("domain", "zh"),
    [
        (Domain.BASIC_SCIENCE, "基础科学"),
        (Domain.EDUCATION_INNOVATION, "教育创新"),
        (Domain.RURAL_REVITALIZATION, "乡村振兴"),
        (Domain.CARBON_NEUTRALITY, "碳中和"),
        (Domain.FEW, "食物、能源与水"),
        (Domain.PUBLIC_EMERGENCY, "公众应急"),
        (Domain.ELDERLY_CARE_TECH, "养老科技"),
        (Domain.PUBLIC_WELFARE_DIGITAL, "公益数字化"),
    ],
)
def test_chinese_labels(domain, zh):
    assert DOMAIN_LABELS_ZH[domain] == zh
    assert domain_info(domain.value).label_zh == zh


def test_plain_english_labels_match_the_lazy_msgids():
    for domain in Domain:
        assert _msgid(domain.label) == DOMAIN_LABELS_EN[domain]
        assert _msgid(DOMAIN_DESCRIPTIONS[domain]) == DOMAIN_DESCRIPTIONS_EN[domain]


def test_every_table_covers_every_domain():
    for table in (DOMAIN_LABELS_EN, DOMAIN_LABELS_ZH, DOMAIN_DESCRIPTIONS_EN, DOMAIN_DESCRIPTIONS_ZH):
        assert set(table) == set(Domain)
        assert all(isinstance(text, str) and text.strip() for text in table.values())
    assert set(DOMAIN_DESCRIPTIONS) == set(Domain)


def test_translations_cover_every_msgid():
    assert len(DOMAIN_TRANSLATIONS_ZH) == 2 * len(Domain)  # all msgids distinct
    for domain in Domain:
        assert DOMAIN_TRANSLATIONS_ZH[DOMAIN_LABELS_EN[domain]] == DOMAIN_LABELS_ZH[domain]
        assert DOMAIN_TRANSLATIONS_ZH[DOMAIN_DESCRIPTIONS_EN[domain]] == DOMAIN_DESCRIPTIONS_ZH[domain]


def test_choices_values():
    assert [value for value, _label in Domain.choices] == STABLE_VALUES


def _relative_luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@pytest.mark.parametrize("info", DOMAINS, ids=lambda info: info.domain.value)
def test_colours_keep_white_text_readable(info):
    # WCAG 2.x contrast ratio against white, AA for normal text: at least 4.5:1.
    ratio = 1.05 / (_relative_luminance(info.colour) + 0.05)
    assert ratio >= 4.5, f"{info.colour}: {ratio:.2f}"
    assert info.icon


def test_colours_are_distinct():
    assert len({info.colour for info in DOMAINS}) == len(DOMAINS)


@pytest.mark.parametrize("value", STABLE_VALUES)
def test_domain_info(value):
    info = domain_info(value)
    assert info.domain == value
    assert info.description is DOMAIN_DESCRIPTIONS[value]
    assert info.description_zh == DOMAIN_DESCRIPTIONS_ZH[value]


@pytest.mark.parametrize("value", ["", "FEW", "Basic science", "基础科学", None, 1])
def test_domain_info_unknown(value):
    with pytest.raises(InvalidInput) as caught:
        domain_info(value)
    assert caught.value.code == "unknown_domain"
    assert caught.value.message.startswith(f"unknown domain {value!r}; expected one of basic_science, ")
