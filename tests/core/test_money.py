"""Money as integer cents: what parse_money accepts and refuses, and how amounts are shown."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_tui.core.money import (
    MAX_CENTS,
    Currencies,
    Money,
    cents_to_number,
    format_amount,
    format_estimate,
    format_money,
    parse_money,
    read_money,
    to_home,
)
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
        "1,0000",
        "1.234 567",
        "1,234.567,00",
        "1 234,567",
        "12.345,6.7",
        "$12 EUR",
        "0.125",
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
    ("cents", "up", "text"),
    [
        (None, False, "—"),
        (3_673_750.0, False, "36,738"),  # a weighted 36,737.50: whole units, as the report shows it
        (3_673_749.9, False, "36,737"),
        (1_026_429, False, "10,264"),  # an average sale
        (1.0, False, "0"),
        (1.0, True, "1"),  # a gap of a cent still reads as one: never "0 short"
        (7_989_250.0, True, "79,893"),
        (7_989_200, True, "79,892"),
        (0, True, "0"),
    ],
)
def test_format_estimate_shows_whole_units(cents, up, text):
    assert format_estimate(cents, math.ceil if up else round) == text


@given(st.floats(min_value=1, max_value=1e13))
def test_a_gap_rounded_up_is_never_less_than_it_is(cents):
    shown = int(format_estimate(cents, math.ceil).replace(",", ""))
    assert cents / 100 <= shown < cents / 100 + 1


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


# -- one grammar for every amount a person or a file writes (README "Money") --------------------


@pytest.mark.parametrize(
    ("text", "home", "money"),
    [
        ("1.234,50 €", "", Money(123_450, "EUR")),
        ("€1,234.50", "", Money(123_450, "EUR")),
        ("$ 12k", "", Money(1_200_000, "USD")),
        ("1 234,50", "", Money(123_450, None)),
        ("1\u202f234,50", "", Money(123_450, None)),
        ("12,5", "", Money(1_250, None)),
        ("12,00", "", Money(1_200, None)),
        ("1.234.567", "", Money(123_456_700, None)),
        ("1.234.567,89", "", Money(123_456_789, None)),
        ("CHF 1'234.50", "", Money(123_450, "CHF")),
        ("¥1,500,000", "", Money(150_000_000, "JPY")),
        ("¥1,500,000", "CNY", Money(150_000_000, "CNY")),
        ("₩5,000,000", "", Money(500_000_000, "KRW")),
        ("$100", "CAD", Money(10_000, "CAD")),
        ("US$100", "CAD", Money(10_000, "USD")),
        ("R$ 1.500,00", "", Money(150_000, "BRL")),
        ("1,5k", "", Money(150_000, None)),
        ("250 zł", "", Money(25_000, "PLN")),
        ("12 usd", "", Money(1_200, "USD")),
        ("$12 USD", "", Money(1_200, "USD")),
    ],
)
def test_amounts_as_people_and_exports_write_them(text, home, money):
    assert read_money(text, home=home) == money


def test_a_point_before_three_digits_reads_two_ways_and_is_refused_with_both():
    with pytest.raises(UserError) as caught:
        read_money("1.234")
    assert "could be 1234 or 1.234" in str(caught.value) and "write 1234" in str(caught.value)


STYLES = {
    # name: (thousands mark, decimal mark)
    "plain": ("", "."),
    "english": (",", "."),
    "european": (".", ","),
    "french": ("\u202f", ","),
    "spaced": (" ", ","),
    "swiss": ("'", "."),
}


def written(cents: int, style: str) -> str:
    """``cents`` as a person of ``style`` writes it, cents shown only when there are some."""
    group, point = STYLES[style]
    whole, rest = divmod(cents, 100)
    text = f"{whole:,}".replace(",", group)
    lone_point = group == "." and text.count(".") == 1  # "1.005" is refused as two readings: cents say it
    return text + (f"{point}{rest:02d}" if rest or lone_point else "")


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=MAX_CENTS - 1),
    st.sampled_from(sorted(STYLES)),
    st.sampled_from(["", "€", "£ ", " EUR", "USD ", "¥", " ₩"]),
)
def test_written_in_any_style_it_reads_back(cents, style, affix):
    text = written(cents, style)
    text = (
        affix + text
        if affix.endswith(" ") or len(affix.strip()) == 1 and affix == affix.strip()
        else text + affix
    )
    assert read_money(text).cents == cents, text


def _digits_and_decimals(text: str) -> tuple[str, int]:
    number = re.sub(r"[^\d,. \u00a0\u202f']", "", text)
    tail = re.search(r"[,.](\d{1,2})$", number)
    return re.sub(r"\D", "", number), len(tail[1]) if tail else 0


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="0123456789,. '", min_size=1, max_size=14), st.sampled_from(["", "€", "$ ", " USD"]))
def test_a_value_never_silently_changes_magnitude(number, affix):
    """Whatever is accepted keeps its digits in order; only where the point falls is read,
    and only as the text itself shows it: after its last mark, one or two digits."""
    text = affix + number if not affix.startswith(" ") else number + affix
    try:
        cents = read_money(text).cents
    except UserError:
        return
    digits, decimals = _digits_and_decimals(number.strip())
    assert cents == int(digits) * 10 ** (2 - decimals), text


@pytest.mark.parametrize(
    ("cents", "currency", "home", "short", "shown"),
    [
        (1_200_000, "", "EUR", True, "12k"),
        (1_200_000, "EUR", "EUR", True, "12k"),
        (150_000_000, "JPY", "EUR", True, "¥1.5M"),
        (150_000_000, "JPY", "CNY", True, "JPY 1.5M"),
        (1_200_000, "USD", "EUR", False, "$12,000"),
        (1_200_000, "USD", "CAD", False, "USD 12,000"),
        (1_200_000, "CHF", "EUR", True, "CHF 12k"),
        (None, "CHF", "EUR", True, "—"),
    ],
)
def test_a_deals_own_amount_shows_its_currency(cents, currency, home, short, shown):
    assert format_amount(cents, currency, home, short=short) == shown


@pytest.mark.parametrize(
    ("cents", "rate", "home"),
    [(100, 0.92, 92), (150_000_000, 0.0061, 915_000), (5, 0.5, 3), (0, 7.0, 0), (1_234_567, 1.0, 1_234_567)],
)
def test_to_home(cents, rate, home):
    assert to_home(cents, rate) == home


def test_currencies_count_the_home_one_and_those_with_a_rate():
    currencies = Currencies("EUR", {"USD": 0.92, "JPY": 0.0061})
    assert currencies.missing(["", "EUR", "USD", "KRW", "CHF", "KRW"]) == ["CHF", "KRW"]
    assert currencies.in_home(10_000, "USD") == 9_200
    assert currencies.in_home(10_000, "EUR") == currencies.in_home(10_000, "") == 10_000
    assert currencies.in_home(None, "USD") is None
    assert currencies.in_home(10_000, "KRW") is None  # no rate: unknown, never counted as euros


def test_a_deals_value_says_its_own_amount_and_what_it_is_worth_at_home():
    currencies = Currencies("EUR", {"USD": 0.92, "JPY": 0.0061})
    assert currencies.value_text(150_000_000, "JPY") == "¥1,500,000 (9,150 EUR)"
    assert currencies.value_text(1_200_000, "EUR") == currencies.value_text(1_200_000, "") == "12,000"
    assert currencies.value_text(500_000, "KRW") == "₩5,000 (no rate for KRW)"
    assert currencies.value_text(None, "USD") == "unknown"
