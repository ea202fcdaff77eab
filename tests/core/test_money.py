"""core.money: strict yuan parsing, fen validation and formatting, exact to the fen."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonweal.core.errors import InvalidInput
from commonweal.core.money import (
    CURRENCY,
    MAX_AMOUNT_FEN,
    SUPPORTED_CURRENCIES,
    fen_to_yuan_str,
    format_fen,
    format_fen_compact,
    parse_yuan,
    validate_currency,
    validate_fen,
)


def test_constants():
    assert CURRENCY == "CNY"
    assert CURRENCY in SUPPORTED_CURRENCIES
    assert MAX_AMOUNT_FEN == 10_000_000_000  # ¥100,000,000.00


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12.34", 1234),
        ("12.3", 1230),
        ("12", 1200),
        ("12.30", 1230),
        ("12.00", 1200),
        ("0.01", 1),
        ("0.1", 10),
        ("0.99", 99),
        ("1", 100),
        ("10", 1000),
        ("  12.34\n", 1234),  # surrounding whitespace is forgiven
        ("1,234.56", 123456),
        ("1,234", 123400),
        ("12,345,678.9", 1234567890),
        ("100,000,000", MAX_AMOUNT_FEN),
        ("100000000", MAX_AMOUNT_FEN),
        ("100000000.00", MAX_AMOUNT_FEN),
        ("99999999.99", MAX_AMOUNT_FEN - 1),
    ],
)
def test_parse_yuan_accepts(text, fen):
    assert parse_yuan(text) == fen
    assert type(parse_yuan(text)) is int


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("", "required", "amount is required"),
        ("   ", "required", "amount is required"),
        ("1.234", "amount_precision", "amount must have at most 2 decimal places, got '1.234'"),
        ("0.001", "amount_precision", "amount must have at most 2 decimal places, got '0.001'"),
        ("1.230", "amount_precision", "amount must have at most 2 decimal places, got '1.230'"),
        ("0", "amount_out_of_range", "amount must be at least 0.01, got '0'"),
        ("0.00", "amount_out_of_range", "amount must be at least 0.01, got '0.00'"),
        ("0.0", "amount_out_of_range", "amount must be at least 0.01, got '0.0'"),
        ("-1", "amount_out_of_range", "amount must be positive, got '-1'"),
        ("-0.01", "amount_out_of_range", "amount must be positive, got '-0.01'"),
        ("+1", "invalid_amount", "amount must be written without a sign, got '+1'"),
        (
            "100000000.01",
            "amount_out_of_range",
            "amount must be at most 100,000,000.00, got '100000000.01'",
        ),
        (
            "999999999999",
            "amount_out_of_range",
            "amount must be at most 100,000,000.00, got '999999999999'",
        ),
        ("1_000", "invalid_amount", "amount must not contain underscores, got '1_000'"),
        ("1e3", "invalid_amount", "amount must be written without an exponent, got '1e3'"),
        ("1E3", "invalid_amount", "amount must be written without an exponent, got '1E3'"),
        ("1 000", "invalid_amount", "amount must not contain spaces, got '1 000'"),
        ("1\t000", "invalid_amount", "amount must not contain spaces, got '1\\t000'"),
        ("１２.３４", "invalid_amount", "amount must be written with the digits 0-9, got '１２.３４'"),
        ("١٢", "invalid_amount", "amount must be written with the digits 0-9, got '١٢'"),  # Arabic-Indic
        ("12\u00a0000", "invalid_amount", "amount must be written with the digits 0-9, got '12\\xa0000'"),
        ("¥12", "invalid_amount", "amount must be written without a currency sign or unit, got '¥12'"),
        ("￥12", "invalid_amount", "amount must be written without a currency sign or unit, got '￥12'"),
        ("12元", "invalid_amount", "amount must be written without a currency sign or unit, got '12元'"),
        ("CNY 12", "invalid_amount", "amount must be written without a currency sign or unit, got 'CNY 12'"),
        ("$12", "invalid_amount", "amount must be written without a currency sign or unit, got '$12'"),
        ("012", "invalid_amount", "amount must not have leading zeros, got '012'"),
        ("00.5", "invalid_amount", "amount must not have leading zeros, got '00.5'"),
        ("0,123", "invalid_amount", "amount must not have leading zeros, got '0,123'"),
        (".5", "invalid_amount", "amount must look like 12.34 or 1,234.56, got '.5'"),
        ("12.", "invalid_amount", "amount must look like 12.34 or 1,234.56, got '12.'"),
        ("1,23", "invalid_amount", "amount must look like 12.34 or 1,234.56, got '1,23'"),
        ("1234,567", "invalid_amount", "amount must look like 12.34 or 1,234.56, got '1234,567'"),
        ("12,345,6", "invalid_amount", "amount must look like 12.34 or 1,234.56, got '12,345,6'"),
        (",123", "invalid_amount", "amount must look like 12.34 or 1,234.56, got ',123'"),
        ("1.2.3", "invalid_amount", "amount must look like 12.34 or 1,234.56, got '1.2.3'"),
        ("1.5,0", "invalid_amount", "amount must look like 12.34 or 1,234.56, got '1.5,0'"),
        ("abc", "invalid_amount", "amount must look like 12.34 or 1,234.56, got 'abc'"),
        ("nan", "invalid_amount", "amount must look like 12.34 or 1,234.56, got 'nan'"),
        ("0x10", "invalid_amount", "amount must look like 12.34 or 1,234.56, got '0x10'"),
        ("1" * 33, "invalid_amount", "amount must be at most 32 characters long, got 33"),
    ],
)
def test_parse_yuan_rejects(text, code, message):
    with pytest.raises(InvalidInput) as caught:
        parse_yuan(text)
    assert caught.value.code == code
    assert caught.value.message == message
    assert caught.value.field == "amount"


@pytest.mark.parametrize("value", [12.34, 1234, None, b"12.34"])
def test_parse_yuan_rejects_non_text(value):
    with pytest.raises(InvalidInput, match="amount must be text"):
        parse_yuan(value)


def test_parse_yuan_names_the_field():
    with pytest.raises(InvalidInput) as caught:
        parse_yuan("1.234", field="goal")
    assert caught.value.field == "goal"


@given(st.integers(min_value=1, max_value=MAX_AMOUNT_FEN))
def test_round_trip_plain(fen):
    assert parse_yuan(fen_to_yuan_str(fen)) == fen


@given(st.integers(min_value=1, max_value=MAX_AMOUNT_FEN))
def test_round_trip_formatted(fen):
    for lang in ("zh-hans", "en"):
        shown = format_fen(fen, lang=lang)
        assert shown.startswith("¥")
        assert parse_yuan(shown.removeprefix("¥")) == fen


@given(st.integers(min_value=1, max_value=MAX_AMOUNT_FEN))
def test_round_trip_with_unit(fen):
    assert parse_yuan(format_fen(fen, lang="zh-hans", unit=True).removesuffix("元")) == fen
    assert parse_yuan(format_fen(fen, lang="en", unit=True).removesuffix(" yuan")) == fen


@given(st.integers(min_value=1, max_value=MAX_AMOUNT_FEN))
def test_parse_yuan_every_spelling_of_an_amount(fen):
    yuan, cents = divmod(fen, 100)
    spellings = [f"{yuan}.{cents:02d}", f"{yuan:,}.{cents:02d}"]
    if cents % 10 == 0:
        spellings.append(f"{yuan}.{cents // 10}")
    if cents == 0:
        spellings += [str(yuan), f"{yuan:,}"]
    for text in spellings:
        assert parse_yuan(text) == fen, text


@given(st.text(max_size=40))
def test_parse_yuan_never_fails_unexpectedly(text):
    # Any text either parses into range or is refused with InvalidInput: never another error.
    try:
        fen = parse_yuan(text)
    except InvalidInput:
        return
    assert 1 <= fen <= MAX_AMOUNT_FEN


@given(st.from_regex(r"\A[0-9,._+\-eE ]{1,20}\Z"))
def test_parse_yuan_accepts_only_the_grammar(text):
    # Anything accepted is an exact spelling of the result (a stronger check than no crash).
    try:
        fen = parse_yuan(text)
    except InvalidInput:
        return
    stripped = text.strip()
    assert stripped.replace(",", "") in {
        f"{fen // 100}.{fen % 100:02d}",
        f"{fen // 100}.{fen % 100 // 10}" if fen % 10 == 0 else None,
        f"{fen // 100}" if fen % 100 == 0 else None,
    }


@pytest.mark.parametrize("fen", [1, 2, 100, MAX_AMOUNT_FEN - 1, MAX_AMOUNT_FEN])
def test_validate_fen_accepts(fen):
    assert validate_fen(fen) == fen


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "amount must be between 1 and 10,000,000,000 fen, got 0"),
        (-1, "amount must be between 1 and 10,000,000,000 fen, got -1"),
        (MAX_AMOUNT_FEN + 1, "amount must be between 1 and 10,000,000,000 fen, got 10000000001"),
        (True, "amount must be a whole number of fen, got bool"),
        (False, "amount must be a whole number of fen, got bool"),
        (12.0, "amount must be a whole number of fen, got float"),
        ("1234", "amount must be a whole number of fen, got str"),
        (None, "amount must be a whole number of fen, got NoneType"),
    ],
)
def test_validate_fen_rejects(value, message):
    with pytest.raises(InvalidInput) as caught:
        validate_fen(value, field="goal_fen")
    assert caught.value.message == message
    assert caught.value.field == "goal_fen"


def test_validate_currency():
    assert validate_currency("CNY") == "CNY"
    for bad in ("cny", "USD", "", "RMB"):
        with pytest.raises(InvalidInput) as caught:
            validate_currency(bad)
        assert caught.value.code == "unsupported_currency"
        assert caught.value.message == f"currency must be one of CNY, got {bad!r}"


@pytest.mark.parametrize(
    ("fen", "plain", "grouped"),
    [
        (0, "0.00", "0.00"),
        (1, "0.01", "0.01"),
        (10, "0.10", "0.10"),
        (1234, "12.34", "12.34"),
        (123456, "1234.56", "1,234.56"),
        (-5, "-0.05", "-0.05"),
        (-123456, "-1234.56", "-1,234.56"),
        (MAX_AMOUNT_FEN, "100000000.00", "100,000,000.00"),
        (10**20 + 1, "1000000000000000000.01", "1,000,000,000,000,000,000.01"),
    ],
)
def test_fen_to_yuan_str(fen, plain, grouped):
    assert fen_to_yuan_str(fen) == plain
    assert fen_to_yuan_str(fen, grouped=True) == grouped


@pytest.mark.parametrize(
    ("fen", "zh", "zh_unit", "en", "en_unit"),
    [
        (0, "¥0.00", "0.00元", "¥0.00", "0.00 yuan"),
        (1, "¥0.01", "0.01元", "¥0.01", "0.01 yuan"),
        (123456, "¥1,234.56", "1,234.56元", "¥1,234.56", "1,234.56 yuan"),
        (-123456, "-¥1,234.56", "-1,234.56元", "-¥1,234.56", "-1,234.56 yuan"),
        (MAX_AMOUNT_FEN, "¥100,000,000.00", "100,000,000.00元", "¥100,000,000.00", "100,000,000.00 yuan"),
    ],
)
def test_format_fen(fen, zh, zh_unit, en, en_unit):
    assert format_fen(fen) == zh
    assert format_fen(fen, lang="zh-hans") == zh
    assert format_fen(fen, lang="zh-Hans", unit=True) == zh_unit
    assert format_fen(fen, lang="en") == en
    assert format_fen(fen, lang="en-us", unit=True) == en_unit


@pytest.mark.parametrize(
    ("fen", "zh", "en"),
    [
        (0, "0.00元", "¥0.00"),
        (99, "0.99元", "¥0.99"),
        (99_999, "999.99元", "¥999.99"),
        (100_000, "1,000.00元", "¥1K"),
        (123_456, "1,234.56元", "¥1.23K"),
        (999_999, "9,999.99元", "¥9.99K"),  # rounded toward zero, never up to ¥10K
        (1_000_000, "1万元", "¥10K"),
        (1_234_567, "1.23万元", "¥12.34K"),
        (1_230_000, "1.23万元", "¥12.3K"),
        (1_200_000, "1.2万元", "¥12K"),
        (123_450_000, "123.45万元", "¥1.23M"),
        (999_999_999, "999.99万元", "¥9.99M"),
        (9_999_999_999, "9,999.99万元", "¥99.99M"),  # not "1亿元"
        (10_000_000_000, "1亿元", "¥100M"),
        (12_345_678_900, "1.23亿元", "¥123.45M"),
        (100_000_000_000, "10亿元", "¥1B"),
        (123_456_789_012_345, "12,345.67亿元", "¥1,234.56B"),
        (-1_234_567, "-1.23万元", "-¥12.34K"),
        (-99, "-0.99元", "-¥0.99"),
    ],
)
def test_format_fen_compact(fen, zh, en):
    assert format_fen_compact(fen, lang="zh-hans") == zh
    assert format_fen_compact(fen, lang="en") == en


@given(st.integers(min_value=0, max_value=10**15))
def test_format_fen_compact_never_overstates(fen):
    # Read the compact figure back as fen: it is never more than the amount, and less by under
    # one unit of its last decimal.
    text = format_fen_compact(fen, lang="zh-hans")
    for suffix, unit in (("亿元", 100_000_000_00), ("万元", 10_000_00), ("元", 1)):
        if text.endswith(suffix):
            number = text.removesuffix(suffix).replace(",", "")
            whole, _, part = number.partition(".")
            if unit == 1:
                shown = int(whole) * 100 + int(part)
                assert shown == fen
            else:
                shown = (int(whole) * 100 + int(part.ljust(2, "0"))) * unit // 100
                assert shown <= fen < shown + unit // 100
            break
    else:
        pytest.fail(f"unexpected compact form {text!r}")


@pytest.mark.parametrize("func", [fen_to_yuan_str, format_fen, format_fen_compact])
@pytest.mark.parametrize("value", [1.5, "12", True, None])
def test_formatters_refuse_non_int(func, value):
    with pytest.raises(TypeError):
        func(value)
