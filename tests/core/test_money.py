"""Money as integer cents: what parse_money accepts and refuses, and how amounts are shown."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_tui.core.money import MAX_CENTS, cents_to_number, format_money, parse_money
from pipeline_tui.errors import UserError


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12000", 1_200_000),
        ("12000.50", 1_200_050),
        ("12000.5", 1_200_050),
        ("12,000", 1_200_000),
        ("$12,000", 1_200_000),
        ("€1,200.5", 120_050),
        ("£1,234,567.89", 123_456_789),
        ("¥500", 50_000),
        ("$ 12,000.50", 1_200_050),
        ("12 €", 1_200),
        ("EUR 12", 1_200),
        ("12 USD", 1_200),
        ("gbp 7.05", 705),
        ("12 000", 1_200_000),
        ("12\u00a0000", 1_200_000),
        ("  42  ", 4_200),
        ("0", 0),
        ("0.01", 1),
        ("1,000,000.05", 100_000_005),
    ],
)
def test_accepted_amounts(text, cents):
    assert parse_money(text) == cents


@pytest.mark.parametrize(
    "text",
    [
        "12q",
        "0.000001k",
        "1,2,3",
        "-5",
        "$-5",
        "1.234",
        "",
        "   ",
        "12,00",
        "1,0000",
        ".5",
        "12.",
        "1e3",
        "abc",
        "1 2 3",
        "12..5",
        "$",
        "12,000.123",
        "twelve",
    ],
)
def test_refused_amounts_name_the_input(text):
    with pytest.raises(UserError) as caught:
        parse_money(text, "budget")
    message = str(caught.value)
    assert message.startswith("budget ")
    assert repr(text.strip()) in message


def test_an_absurdly_large_amount_is_refused():
    with pytest.raises(UserError, match="too large"):
        parse_money(str(MAX_CENTS // 100))
    assert parse_money(str(MAX_CENTS // 100 - 1)) == MAX_CENTS - 100


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (None, "—"),
        (0, "0"),
        (5, "0.05"),
        (100, "1"),
        (1_200_000, "12,000"),
        (1_200_050, "12,000.50"),
        (123_456_789, "1,234,567.89"),
        (-150_000, "-1,500"),
        (12_345.4, "123.45"),  # weighted values are float cents: rounded to the cent
        (99.6, "1"),
    ],
)
def test_format_money(cents, text):
    assert format_money(cents) == text


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (None, "—"),
        (5_000, "50"),
        (150_000, "1.5k"),
        (1_200_000, "12k"),
        (123_456_789, "1.2M"),
        (2_500_000_000, "25M"),
        (300_000_000_000, "3.0B"),
        (-150_000, "-1.5k"),
    ],
)
def test_format_money_short(cents, text):
    assert format_money(cents, short=True) == text


@pytest.mark.parametrize(
    ("cents", "number"),
    [
        (None, None),
        (0, 0),
        (1_200_000, 12_000),
        (1_200_050, 12_000.5),
        (123_456_789, 1_234_567.89),
        (1, 0.01),
        (15_040.4, 150.4),
        (99.6, 1),
    ],
)
def test_cents_to_number(cents, number):
    result = cents_to_number(cents)
    assert result == number
    assert type(result) is type(number)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_CENTS - 1))
def test_formatted_amounts_parse_back(cents):
    assert parse_money(format_money(cents)) == cents
    assert parse_money("$" + format_money(cents)) == cents
    assert round(cents_to_number(cents) * 100) == cents


@pytest.mark.parametrize(
    "text, cents",
    [("12k", 1_200_000), ("1.5m", 150_000_000), ("2.25k", 225_000), ("12K", 1_200_000), ("$3k", 300_000)],
)
def test_short_amounts_as_the_board_shows_them(text, cents):
    assert parse_money(text) == cents
