"""core.credit_code: GB 32100-2015 unified social credit codes.

The real codes below were published by their holders (on their own pages, invoices and
fundraising filings) and were checked against both check characters before being added. A
code found online that failed the algorithm was not used.
"""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonweal.core.credit_code import (
    ALPHABET,
    CreditCodeRegistration,
    credit_code_check_char,
    generate_credit_code,
    organization_code_check_char,
    registration_authority,
    validate_credit_code,
)
from commonweal.core.errors import InvalidInput

# (code, holder, authority, category)
REAL_CODES = [
    ("53100000500019795A", "中国社会福利基金会 China Social Welfare Foundation", "5", "3"),
    ("53100000500021326D", "中华社会救助基金会 China Social Assistance Foundation", "5", "3"),
    ("53100000500021676K", "北京理工大学教育基金会 BIT Education Foundation", "5", "3"),
    ("53440300305837768J", "深圳市善加公益基金会 (Shenzhen)", "5", "3"),
    ("52410000663412719U", "河南省嵩山少林寺文化院 (social service institution)", "5", "2"),
    ("51100000500002862F", "中国自动化学会 Chinese Association of Automation", "5", "1"),
    ("51100000500012681T", "中国医疗保健国际交流促进会", "5", "1"),
    ("12100000400009127B", "北京理工大学 Beijing Institute of Technology", "1", "2"),
    ("91110108551385082Q", "小米科技有限责任公司 Xiaomi", "9", "1"),
    ("91370000728611939A", "山东步长制药股份有限公司", "9", "1"),
]
CODES = [code for code, *_ in REAL_CODES]
IDS = [code for code in CODES]


def _message(text: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        validate_credit_code(text)
    assert caught.value.field == "credit_code"
    return caught.value.message


def test_weights_are_the_published_ones():
    from commonweal.core import credit_code

    assert credit_code._WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(set(credit_code._WEIGHTS)) == 17  # pairwise distinct: transpositions are caught
    assert ALPHABET == "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert not set("IOZSV") & set(ALPHABET)


@pytest.mark.parametrize(("code", "holder", "authority", "category"), REAL_CODES, ids=IDS)
def test_real_codes_are_valid(code, holder, authority, category):
    assert validate_credit_code(code) == code
    assert credit_code_check_char(code[:17]) == code[17]
    assert organization_code_check_char(code[8:16]) == code[16]
    registration = registration_authority(code)
    assert (registration.authority, registration.category) == (authority, category)
    assert registration.division == code[2:8]


@pytest.mark.parametrize("code", CODES, ids=IDS)
def test_normalizes_case_and_surrounding_space(code):
    assert validate_credit_code(f"  {code.lower()}\n") == code


@pytest.mark.parametrize("code", CODES, ids=IDS)
def test_every_single_substitution_is_detected(code):
    # Exhaustive: every position, every other character of the alphabet.
    for index in range(18):
        for char in ALPHABET:
            if char == code[index]:
                continue
            corrupted = code[:index] + char + code[index + 1 :]
            if index < 17:
                # The 18th character alone detects it ...
                assert credit_code_check_char(corrupted[:17]) != code[17], corrupted
            # ... and validation refuses it, whatever the first complaint is.
            with pytest.raises(InvalidInput):
                validate_credit_code(corrupted)


@pytest.mark.parametrize("code", CODES, ids=IDS)
def test_every_transposition_in_the_first_17_is_detected(code):
    for i in range(17):
        for j in range(i + 1, 17):
            if code[i] == code[j]:
                continue
            swapped = list(code)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            swapped = "".join(swapped)
            assert credit_code_check_char(swapped[:17]) != code[17], swapped
            with pytest.raises(InvalidInput):
                validate_credit_code(swapped)


@pytest.mark.parametrize("code", CODES, ids=IDS)
def test_adjacent_transpositions_are_rejected(code):
    for i in range(17):
        if code[i] == code[i + 1]:
            continue
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        with pytest.raises(InvalidInput):
            validate_credit_code(swapped)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "credit code is required"),
        ("   ", "credit code is required"),
        ("5310000050001979", "credit code must be 18 characters, got 16"),
        ("53100000500019795", "credit code must be 18 characters, got 17"),
        ("53100000500019795AA", "credit code must be 18 characters, got 19"),
        ("5310 0000500019795A", "credit code must be 18 characters, got 19"),
        (
            "53100000500019795I",
            "credit code has an invalid character 'I' at position 18 (I, O, Z, S and V are never used)",
        ),
        (
            "5310000050001979OA",
            "credit code has an invalid character 'O' at position 17 (I, O, Z, S and V are never used)",
        ),
        ("53100000-00019795A", "credit code has an invalid character '-' at position 9"),
        ("５3100000500019795A", "credit code has an invalid character '５' at position 1"),
        (
            "531A0000500019795A",
            "credit code positions 3-8 (administrative division) must be digits, got 'A' at position 4",
        ),
        ("53100000500019795B", "credit code check character should be 'A', got 'B'"),
        ("53100000500019795Y", "credit code check character should be 'A', got 'Y'"),
        ("53100000500019796A", "credit code check character should be 'D', got 'A'"),
    ],
)
def test_rejections_say_what_is_wrong(text, message):
    assert _message(text) == message


def test_wrong_organization_check_digit_is_rejected():
    # Position 17 changed and the 18th recomputed to match: only the GB 11714 check catches it.
    code = "53100000500019795A"
    first17 = code[:16] + "6"
    forged = first17 + credit_code_check_char(first17)
    assert _message(forged) == (
        "credit code organization check character (position 17) should be '5', got '6'"
    )


def test_error_code_is_stable():
    with pytest.raises(InvalidInput) as caught:
        validate_credit_code("53100000500019795B", field="org_credit_code")
    assert caught.value.code == "invalid_credit_code"
    assert caught.value.field == "org_credit_code"


@pytest.mark.parametrize("value", [None, 53100000500019795, b"53100000500019795A"])
def test_non_text_is_rejected(value):
    with pytest.raises(InvalidInput, match="credit code must be text"):
        validate_credit_code(value)


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("53100000500019795", "A"),
        ("91110108551385082", "Q"),
        ("00000000000000000", "0"),  # sum 0 -> 31 - 0 = 31 -> '0'
    ],
)
def test_check_char(first17, check):
    assert credit_code_check_char(first17) == check


@pytest.mark.parametrize("bad", ["", "5310000050001979", "531000005000197955", "5310000050001979I"])
def test_check_char_refuses_bad_input(bad):
    with pytest.raises(ValueError):
        credit_code_check_char(bad)


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("50001979", "5"),  # China Social Welfare Foundation
        ("55138508", "2"),  # Xiaomi
        ("72861193", "9"),
        ("D2143569", "X"),  # the GB 11714 worked example, D2143569-X
    ],
)
def test_organization_check_char(body, check):
    assert organization_code_check_char(body) == check


def test_organization_check_char_writes_10_as_x_and_11_as_0():
    seen = {organization_code_check_char(f"{n:08d}") for n in range(0, 2000)}
    assert "X" in seen and "0" in seen
    assert seen <= set("0123456789X")


@pytest.mark.parametrize(
    ("code", "authority_zh", "authority_en", "category_zh", "category_en"),
    [
        ("53100000500019795A", "民政", "civil affairs", "基金会", "foundation"),
        ("51100000500002862F", "民政", "civil affairs", "社会团体", "social organization"),
        (
            "52410000663412719U",
            "民政",
            "civil affairs",
            "社会服务机构(民办非企业单位)",
            "social service institution",
        ),
        ("12100000400009127B", "机构编制", "institutional establishment", "事业单位", "public institution"),
        ("91110108551385082Q", "工商", "industry and commerce (market regulation)", "企业", "enterprise"),
    ],
)
def test_registration_authority_names(code, authority_zh, authority_en, category_zh, category_en):
    registration = registration_authority(code)
    assert registration.authority_zh == authority_zh
    assert registration.authority_en == authority_en
    assert registration.category_zh == category_zh
    assert registration.category_en == category_en


def test_registration_authority_flags_civil_affairs():
    assert registration_authority("53100000500019795A").is_civil_affairs
    assert not registration_authority("91110108551385082Q").is_civil_affairs


def test_registration_authority_unlisted_codes_have_no_names():
    registration = registration_authority(generate_credit_code(random.Random(0), authority="B", category="7"))
    assert registration == CreditCodeRegistration(
        authority="B",
        authority_zh=None,
        authority_en=None,
        category="7",
        category_zh=None,
        category_en=None,
        division="110000",
    )
    # A listed authority with an unlisted category: authority named, category not.
    registration = registration_authority(generate_credit_code(random.Random(0), authority="5", category="8"))
    assert (registration.authority_zh, registration.category_zh) == ("民政", None)


def test_registration_authority_validates_first():
    with pytest.raises(InvalidInput):
        registration_authority("53100000500019795B")


@given(
    st.randoms(use_true_random=False),
    st.sampled_from(ALPHABET),
    st.sampled_from(ALPHABET),
    st.from_regex(r"\A[0-9]{6}\Z"),
)
def test_generated_codes_are_valid(rng, authority, category, division):
    code = generate_credit_code(rng, authority=authority, category=category, division=division)
    assert validate_credit_code(code) == code
    assert code[:8] == authority + category + division


def test_generate_defaults_to_a_beijing_foundation_and_is_reproducible():
    code = generate_credit_code(random.Random(42))
    assert code.startswith("53110000")
    assert generate_credit_code(random.Random(42)) == code
    assert registration_authority(code).category_en == "foundation"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"authority": "I"},
        {"authority": "55"},
        {"category": ""},
        {"division": "11000"},
        {"division": "11000A"},
        {"division": "１１００００"},
    ],
)
def test_generate_refuses_bad_parts(kwargs):
    with pytest.raises(ValueError):
        generate_credit_code(random.Random(0), **kwargs)
