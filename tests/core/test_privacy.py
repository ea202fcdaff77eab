"""core.privacy: masked donor names and salted commitments."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonweal.core.privacy import (
    ANONYMOUS_DONOR,
    SALT_LENGTH,
    anonymous_label,
    donor_commitment,
    mask_name,
    new_salt,
    public_donor_name,
)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("李小龙", "李**"),
        ("欧阳娜娜", "欧***"),
        ("张", "张*"),  # never shown unmasked
        ("  王 五 ", "王**"),  # whitespace collapsed before masking
        ("阿依古丽·买买提", "阿*******"),
        ("John Smith", "J*** S***"),
        ("john smith", "j*** s***"),
        ("Li", "L***"),
        ("Mary-Jane O'Neil", "M*** O***"),
        ("J. R. R. Tolkien", "J*** R*** R*** T***"),
        ("José  Álvarez", "J*** Á***"),
        ("'t Hooft", "t*** H***"),
        ("Zhang San 张三", "Z***********"),  # mixed scripts: character by character
        ("13800138000", "1**********"),
        ("a@b.cn", "a*****"),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name, lang="zh-hans") == masked
    assert mask_name(name, lang="en") == masked


@pytest.mark.parametrize("name", ["", "   ", "\n", None])
def test_mask_name_empty_is_anonymous(name):
    assert mask_name(name, lang="zh-hans") == "爱心网友"
    assert mask_name(name, lang="en") == "A kind donor"


def test_mask_name_normalizes_unicode():
    decomposed = "Jose\u0301 A\u0301lvarez"
    assert mask_name(decomposed, lang="en") == "J*** Á***"


@given(st.text(min_size=1).filter(lambda s: s.strip()))
def test_mask_name_never_reveals_more_than_the_first_character_of_a_word(name):
    masked = mask_name(name, lang="en")
    words = name.split()
    if len(words) == 1 and len(words[0]) > 1 and set(words[0][1:]) != {"*"}:
        # A one-word name is never shown whole (unless what is hidden is the mask itself: "0*").
        assert masked != words[0]
    visible = [c for c in masked if c not in "* "]
    assert len(visible) <= len(words)


@pytest.mark.parametrize(
    ("lang", "label"),
    [("zh-hans", "爱心网友"), ("zh-Hans", "爱心网友"), ("zh", "爱心网友"), ("en", "A kind donor"), ("fr", "A kind donor")],
)
def test_anonymous_label(lang, label):
    assert anonymous_label(lang) == label
    assert label in ANONYMOUS_DONOR.values()


@pytest.mark.parametrize(
    ("name", "opted_in", "lang", "shown"),
    [
        ("张三", True, "zh-hans", "张三"),
        ("张三", False, "zh-hans", "张*"),
        ("John Smith", True, "en", "John Smith"),
        ("John Smith", False, "en", "J*** S***"),
        ("  John   Smith ", True, "en", "John Smith"),
        ("", True, "zh-hans", "爱心网友"),
        ("", False, "en", "A kind donor"),
        (None, True, "en", "A kind donor"),
        ("   ", False, "zh-hans", "爱心网友"),
    ],
)
def test_public_donor_name(name, opted_in, lang, shown):
    assert public_donor_name(name=name, opted_in=opted_in, lang=lang) == shown


def test_public_donor_name_is_keyword_only():
    with pytest.raises(TypeError):
        public_donor_name("张三", True, "zh-hans")


@pytest.mark.parametrize(
    ("reference", "commitment"),
    [
        # Computed independently: (head -c 32 /dev/zero; printf 'abc') | sha256sum
        ("abc", "365aa7d8f7f9402c4b9434502b4cc89ddb09fe50d7cd95b493b834c62d5a5370"),
        ("张三", "9e66c3e919d1ab44f3dcea0dd5e9adc71d8057245df3a0d796255c5dee234253"),
    ],
)
def test_donor_commitment_vectors(reference, commitment):
    assert donor_commitment(bytes(32), reference) == commitment


def test_donor_commitment_encodes_utf8():
    salt = b"\x01" * 32
    assert donor_commitment(salt, "张三") == hashlib.sha256(salt + "张三".encode("utf-8")).hexdigest()


def test_donor_commitment_depends_on_salt_and_reference():
    salt_a, salt_b = b"a" * 32, b"b" * 32
    assert donor_commitment(salt_a, "x") != donor_commitment(salt_b, "x")
    assert donor_commitment(salt_a, "x") != donor_commitment(salt_a, "y")
    assert len(donor_commitment(salt_a, "x")) == 64


@pytest.mark.parametrize(
    ("salt", "reference", "error"),
    [
        (b"short", "x", ValueError),
        (b"x" * 33, "x", ValueError),
        ("a" * 32, "x", TypeError),
        (bytearray(32), "x", TypeError),
        (bytes(32), "", ValueError),
        (bytes(32), b"x", TypeError),
        (bytes(32), None, TypeError),
    ],
)
def test_donor_commitment_refuses_bad_arguments(salt, reference, error):
    with pytest.raises(error):
        donor_commitment(salt, reference)


def test_new_salt():
    salts = {new_salt() for _ in range(100)}
    assert len(salts) == 100
    assert all(isinstance(s, bytes) and len(s) == SALT_LENGTH == 32 for s in salts)
