"""Strict parsing of periods, values and framework identifiers."""

import datetime as dt
from decimal import Decimal as D

import pytest

from commonweal.core.errors import InvalidInput
from commonweal.impact.frameworks import validate_code
from commonweal.impact.periods import parse_period
from commonweal.impact.values import format_value, parse_value, validate_value


@pytest.mark.parametrize(("text", "label", "starts", "ends"), [
    ("2026", "2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    (" 2026-h2 ", "2026-H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
    ("2026-Q1", "2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    ("2028-02", "2028-02", dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
])
def test_periods(text, label, starts, ends):
    period = parse_period(text)
    assert (period.label, period.starts_on, period.ends_on) == (label, starts, ends)


@pytest.mark.parametrize("text", ["", "26", "2026-Q5", "2026-13", "2026-1", "2026-H3", "1999", "2101", "２０２６", "2026Q1", "2026-Q1x", 2026])
def test_bad_periods(text):
    with pytest.raises(InvalidInput) as exc:
        parse_period(text)
    assert exc.value.code == "invalid_period"


@pytest.mark.parametrize(("text", "value"), [
    ("1200", D("1200")), ("3.5", D("3.5")), ("-2", D("-2")), ("12,000.25", D("12000.25")), ("0.0001", D("0.0001")),
    (" 7 ", D(7)),
])
def test_values(text, value):
    assert parse_value(text) == value


@pytest.mark.parametrize("text", ["1e3", "NaN", "+1", "1_000", "１２", "01", "1.23456", "1,23", "--1", "1.", ".5",
                                  "1" * 16, "Infinity"])
def test_bad_values(text):
    with pytest.raises(InvalidInput) as exc:
        parse_value(text)
    assert exc.value.code == "invalid_value"


def test_validate_value_refuses_floats_nan_and_precision():
    for bad in (1.5, D("NaN"), D("0.00001"), D(10) ** 15, True):
        with pytest.raises(InvalidInput):
            validate_value(bad)
    assert validate_value(D("1.2300000")) == D("1.23")


def test_format_value():
    assert [format_value(v) for v in (D("12000.5000"), D("3"), D("0.0000"), D("-1234.5"), None)] == ["12,000.5", "3", "0", "-1,234.5", ""]


@pytest.mark.parametrize(("framework", "code", "canonical"), [
    ("sdg", "4.1", "4.1"), ("sdg", " 4.A ", "4.a"), ("sdg", "13", "13"), ("iris", "pi4060", "PI4060"), ("custom", "", ""),
])
def test_codes(framework, code, canonical):
    assert validate_code(framework, code) == canonical


@pytest.mark.parametrize(("framework", "code", "error"), [
    ("sdg", "4.z", "unknown_sdg"), ("sdg", "18", "unknown_sdg"), ("sdg", "", "required"), ("iris", "PI406", "invalid_iris_code"),
    ("iris", "P14060", "invalid_iris_code"), ("iris", "PI40600", "invalid_iris_code"), ("custom", "PI4060", "invalid_code"),
    ("gri", "1", "invalid_framework"),
])
def test_bad_codes(framework, code, error):
    with pytest.raises(InvalidInput) as exc:
        validate_code(framework, code)
    assert exc.value.code == error
