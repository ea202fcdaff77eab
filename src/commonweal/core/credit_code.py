"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

An 18-character code over the alphabet ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, Z, S, V)::

    position  1      registration authority code (登记管理部门代码), e.g. 5 = civil affairs
              2      category code (机构类别代码), e.g. 3 = foundation under civil affairs
              3-8    administrative division code of the registering office (GB/T 2260), digits
              9-17   organization code (主体标识码, GB 11714-1997); position 17 is its check digit
              18     check character over positions 1-17 (GB 32100-2015 §4.1.5)

Both check characters are verified. The 18th detects every single-character substitution and
every transposition of two different characters among positions 1-17, because the weights
3^i mod 31 are pairwise distinct and 31 is prime.
"""

import random
from dataclasses import dataclass

from commonweal.core.errors import InvalidInput

__all__ = [
    "ALPHABET",
    "CODE_LENGTH",
    "CreditCodeRegistration",
    "credit_code_check_char",
    "organization_code_check_char",
    "validate_credit_code",
    "registration_authority",
    "generate_credit_code",
]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_LENGTH = 18

_VALUE = {char: value for value, char in enumerate(ALPHABET)}
# GB 32100-2015 §4.1.5: W_i = 3^(i-1) mod 31 for positions i = 1..17.
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# GB 11714-1997: weights of the 8 body characters of the organization code.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ERROR_CODE = "invalid_credit_code"


def credit_code_check_char(first17: str) -> str:
    """The 18th character for the 17 given ones (GB 32100-2015 §4.1.5).

    C18 = 31 - (Σ value(C_i) × W_i mod 31), written with ``ALPHABET``, where 31 becomes '0'.
    Raises ``ValueError`` if ``first17`` is not 17 characters from ``ALPHABET``.
    """
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise ValueError(f"expected 17 characters from {ALPHABET}, got {first17!r}")
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def organization_code_check_char(body8: str) -> str:
    """The check character of a GB 11714-1997 organization code for its 8 body characters.

    C9 = 11 - (Σ value(C_i) × W_i mod 11) with W = 3,7,9,10,5,8,4,2, digits worth 0-9 and
    letters A-Z worth 10-35; 10 is written 'X' and 11 is written '0'.
    """
    if len(body8) != 8 or any(not (c.isascii() and c.isalnum() and not c.islower()) for c in body8):
        raise ValueError(f"expected 8 characters 0-9 or A-Z, got {body8!r}")
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_credit_code(text: str, *, field: str = "credit_code") -> str:
    """Normalize (strip, uppercase) and validate a credit code; return the normalized code.

    Raises :class:`InvalidInput` (code ``invalid_credit_code``) naming what is wrong: the length,
    the first invalid character and its position (1-based), a letter in the division code, or
    the expected and actual check character.
    """
    if not isinstance(text, str):
        raise InvalidInput(
            f"credit code must be text, got {type(text).__name__}", code=_ERROR_CODE, field=field
        )
    code = text.strip().upper()
    if not code:
        raise InvalidInput("credit code is required", code="required", field=field)
    if len(code) != CODE_LENGTH:
        raise InvalidInput(
            f"credit code must be {CODE_LENGTH} characters, got {len(code)}", code=_ERROR_CODE, field=field
        )
    for position, char in enumerate(code, start=1):
        if char not in _VALUE:
            hint = " (I, O, Z, S and V are never used)" if char in "IOZSV" else ""
            raise InvalidInput(
                f"credit code has an invalid character {char!r} at position {position}{hint}",
                code=_ERROR_CODE,
                field=field,
            )
    for position in range(3, 9):
        if not code[position - 1].isdigit():
            raise InvalidInput(
                f"credit code positions 3-8 (administrative division) must be digits, "
                f"got {code[position - 1]!r} at position {position}",
                code=_ERROR_CODE,
                field=field,
            )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise InvalidInput(
            f"credit code check character should be {expected!r}, got {code[17]!r}",
            code=_ERROR_CODE,
            field=field,
        )
    expected_org = organization_code_check_char(code[8:16])
    if code[16] != expected_org:
        raise InvalidInput(
            f"credit code organization check character (position 17) should be {expected_org!r}, "
            f"got {code[16]!r}",
            code=_ERROR_CODE,
            field=field,
        )
    return code


# GB 32100-2015 Appendix A: registration authority -> (zh, en, {category: (zh, en)}).
_AUTHORITIES: dict[str, tuple[str, str, dict[str, tuple[str, str]]]] = {
    "1": ("机构编制", "institutional establishment", {
        "1": ("机关", "government agency"),
        "2": ("事业单位", "public institution"),
        "3": ("中央编办直接管理机构编制的群众团体", "mass organization staffed by the central establishment office"),
        "9": ("其他", "other"),
    }),
    "2": ("外交", "foreign affairs", {
        "1": ("外国常驻新闻机构", "resident foreign news agency"),
        "9": ("其他", "other"),
    }),
    "3": ("司法行政", "justice administration", {
        "1": ("律师执业机构", "law firm"),
        "2": ("公证处", "notary office"),
        "3": ("基层法律服务所", "grassroots legal service office"),
        "4": ("司法鉴定机构", "forensic appraisal institution"),
        "5": ("仲裁委员会", "arbitration commission"),
        "9": ("其他", "other"),
    }),
    "4": ("文化", "culture", {
        "1": ("外国在华文化中心", "foreign cultural centre in China"),
        "9": ("其他", "other"),
    }),
    "5": ("民政", "civil affairs", {
        "1": ("社会团体", "social organization"),
        "2": ("社会服务机构(民办非企业单位)", "social service institution"),
        "3": ("基金会", "foundation"),
        "9": ("其他", "other"),
    }),
    "6": ("旅游", "tourism", {
        "1": ("外国旅游部门常驻代表机构", "representative office of a foreign tourism authority"),
        "2": ("港澳台地区旅游部门常驻内地(大陆)代表机构", "representative office of a Hong Kong, Macao or Taiwan tourism authority"),
        "9": ("其他", "other"),
    }),
    "7": ("宗教", "religious affairs", {
        "1": ("宗教活动场所", "venue for religious activities"),
        "2": ("宗教院校", "religious school"),
        "9": ("其他", "other"),
    }),
    "8": ("工会", "trade unions", {
        "1": ("基层工会", "grassroots trade union"),
        "9": ("其他", "other"),
    }),
    "9": ("工商", "industry and commerce (market regulation)", {
        "1": ("企业", "enterprise"),
        "2": ("个体工商户", "individual business"),
        "3": ("农民专业合作社", "farmers' cooperative"),
    }),
    "A": ("中央军委改革和编制办公室", "Central Military Commission reform and establishment office", {
        "1": ("军队事业单位", "military public institution"),
        "9": ("其他", "other"),
    }),
    "N": ("农业", "agriculture", {
        "1": ("组级集体经济组织", "group-level collective economic organization"),
        "2": ("村级集体经济组织", "village-level collective economic organization"),
        "3": ("乡镇级集体经济组织", "township-level collective economic organization"),
        "9": ("其他", "other"),
    }),
    "Y": ("其他", "other", {
        "1": ("其他", "other"),
    }),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditCodeRegistration:
    """What the first eight characters of a credit code say about its holder."""

    authority: str
    """Registration authority code, position 1 ("5")."""
    authority_zh: str | None
    """Chinese name of the authority (民政), or None if GB 32100 does not list the code."""
    authority_en: str | None
    """English name of the authority (civil affairs), or None if unlisted."""
    category: str
    """Category code, position 2 ("3")."""
    category_zh: str | None
    """Chinese name of the category (基金会), or None if unlisted for this authority."""
    category_en: str | None
    """English name of the category (foundation), or None if unlisted."""
    division: str
    """Administrative division code of the registering office, positions 3-8 ("100000")."""

    @property
    def is_civil_affairs(self) -> bool:
        """Registered by civil affairs (民政): social organizations, social service institutions, foundations."""
        return self.authority == "5"


def registration_authority(code: str) -> CreditCodeRegistration:
    """Describe the registration authority, category and division of a credit code.

    The code is validated first (:func:`validate_credit_code`); codes that GB 32100-2015 does
    not list (authorities may add their own) are returned with ``None`` names.
    """
    code = validate_credit_code(code)
    authority_zh, authority_en, categories = _AUTHORITIES.get(code[0], (None, None, {}))
    category_zh, category_en = categories.get(code[1], (None, None))
    return CreditCodeRegistration(
        authority=code[0],
        authority_zh=authority_zh,
        authority_en=authority_en,
        category=code[1],
        category_zh=category_zh,
        category_en=category_en,
        division=code[2:8],
    )


def generate_credit_code(
    rng: random.Random, *, authority: str = "5", category: str = "3", division: str = "110000"
) -> str:
    """A random, valid credit code for demo data and tests (both check characters correct).

    Positions 9-16 are drawn from ``ALPHABET`` with ``rng``; the same seed gives the same code.
    """
    if len(authority) != 1 or authority not in _VALUE:
        raise ValueError(f"authority must be one character from {ALPHABET}, got {authority!r}")
    if len(category) != 1 or category not in _VALUE:
        raise ValueError(f"category must be one character from {ALPHABET}, got {category!r}")
    if len(division) != 6 or not (division.isascii() and division.isdigit()):
        raise ValueError(f"division must be 6 digits, got {division!r}")
    body = "".join(rng.choice(ALPHABET) for _ in range(8))
    first17 = authority + category + division + body + organization_code_check_char(body)
    return first17 + credit_code_check_char(first17)
