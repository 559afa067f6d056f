"""Money as integer cents (hundredths of the unit, whatever the currency): SQLite stores decimals
as REAL and loses cents, so we never use floats for amounts at rest.

One grammar reads every amount a user types or a file holds (README "Money"): digits grouped by
thousands with ``,`` ``.`` a space or ``'``, a decimal part of one or two digits after ``.`` or
``,``, ``12k`` and ``1.5m`` as the board shows them, and a currency sign or ISO 4217 code before
or after. What could be read two ways is refused rather than guessed: ``1.234`` (one thousand
two hundred and thirty-four, or one and a bit?) must be written ``1234`` or ``1.234,00``. The
digits are never changed: only where the decimal point falls is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from pipeline_tui.errors import UserError

MAX_CENTS = 10**15  # a thousand billion: anything bigger is a typo, and it keeps SQLite integers exact

# a sign and the currencies it may stand for, the most usual first; the home currency wins
# when it is one of them (a Canadian's $ is the Canadian dollar)
SIGNS: dict[str, tuple[str, ...]] = {
    "US$": ("USD",),
    "C$": ("CAD",),
    "A$": ("AUD",),
    "NZ$": ("NZD",),
    "HK$": ("HKD",),
    "R$": ("BRL",),
    "$": ("USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN"),
    "€": ("EUR",),
    "£": ("GBP",),
    "¥": ("JPY", "CNY"),
    "￥": ("JPY", "CNY"),
    "₩": ("KRW",),
    "₹": ("INR",),
    "₽": ("RUB",),
    "₺": ("TRY",),
    "₪": ("ILS",),
    "₱": ("PHP",),
    "฿": ("THB",),
    "₫": ("VND",),
    "zł": ("PLN",),
}
_SIGNS_LONGEST_FIRST = sorted(SIGNS, key=len, reverse=True)
CODE_RE = re.compile(r"^[A-Z]{3}$")

_GROUP_ONLY = " \u00a0\u202f'’"  # a space (plain, no-break, narrow) or an apostrophe (Swiss)
_NUMBER_RE = re.compile(r"^\d[\d,. \u00a0\u202f'’]*$")
_SHORT_RE = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([km])$", re.IGNORECASE)  # 12k, 1.5m: as the board shows
_EXAMPLES = "12000, 12,000.50, 1.234,50 € or $12k"


class Money(NamedTuple):
    """An amount read from text: cents, and the currency its sign or code named (None: none)."""

    cents: int
    currency: str | None = None


def parse_money(text: str, what: str = "value") -> int:
    """The cents of ``text`` (see the module's grammar), whatever currency it names."""
    return read_money(text, what).cents


def read_money(text: str, what: str = "value", home: str = "") -> Money:
    """Read an amount and the currency it names (``home`` decides a sign several share)."""
    raw = text.strip()
    number, currency = _take_currency(raw, what, home)
    short = _SHORT_RE.match(number)
    if short:
        digits, decimals = _short_digits(short[1])
        scale = 3 if short[2].lower() == "k" else 6
        if decimals > scale + 2:
            raise UserError(f"{what} {_shown(raw)} has more precision than a cent")
        return Money(_checked(_int(digits, raw, what) * 10 ** (scale + 2 - decimals), raw, what), currency)
    digits, decimals = _digits(number, raw, what)
    return Money(_checked(_int(digits, raw, what) * 10 ** (2 - decimals), raw, what), currency)


def _int(digits: str, raw: str, what: str) -> int:
    # Python refuses to read over 4,300 digits (a ValueError, not ours): far past MAX_CENTS anyway
    if len(digits.lstrip("0")) > len(str(MAX_CENTS)):
        raise UserError(f"{what} {_shown(raw)} is too large")
    return int(digits)


def _shown(raw: str) -> str:
    return repr(raw[:40] + ("…" if len(raw) > 40 else ""))


def _take_currency(raw: str, what: str, home: str) -> tuple[str, str | None]:
    """The number left once a sign or code is taken off either end, and the currency named."""
    rest, named = raw, []
    for _ in range(2):  # at most one at each end: "$12 USD" names USD twice, which is fine
        found = _currency_at_an_end(rest, home)
        if found is None:
            break
        rest, currency = found
        named.append(currency)
    if len(set(named)) > 1:
        raise UserError(f"{what} {_shown(raw)} names two currencies ({' and '.join(named)})")
    return rest, (named[0] if named else None)


def _currency_at_an_end(text: str, home: str) -> tuple[str, str] | None:
    for sign in _SIGNS_LONGEST_FIRST:
        if text.startswith(sign) or text.endswith(sign):
            rest = text[len(sign) :] if text.startswith(sign) else text[: -len(sign)]
            choices = SIGNS[sign]
            return rest.strip(), home if home in choices else choices[0]
    head, tail = text[:3].upper(), text[-3:].upper()
    if CODE_RE.match(head) and (len(text) == 3 or not text[3].isalpha()):
        return text[3:].strip(), head
    if CODE_RE.match(tail) and (len(text) == 3 or not text[-4].isalpha()):
        return text[:-3].strip(), tail
    return None


def _short_digits(number: str) -> tuple[str, int]:
    whole, _, fraction = number.replace(",", ".").partition(".")
    return whole + fraction, len(fraction)


def _digits(number: str, raw: str, what: str) -> tuple[str, int]:
    """The number's digits in order and how many of them follow the decimal point (0, 1 or 2)."""
    if not _NUMBER_RE.match(number) or not number[-1].isdigit():
        raise UserError(f"{what} {_shown(raw)} is not an amount like {_EXAMPLES}")
    marks = [c for c in number if not c.isdigit()]
    if not marks:
        return number, 0
    decimal = _decimal_mark(number, marks, raw, what)
    whole, fraction = number, ""
    if decimal is not None:
        whole, _, fraction = number.rpartition(decimal)
        if len(fraction) > 2:
            raise UserError(f"{what} {_shown(raw)} has more precision than a cent")
    groups = re.split(r"[,. \u00a0\u202f'’]", whole)
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])):
        raise UserError(f"{what} {_shown(raw)} is not an amount like {_EXAMPLES} (digits in threes)")
    return "".join(groups) + fraction, len(fraction)


def _decimal_mark(number: str, marks: list[str], raw: str, what: str) -> str | None:
    """Which mark is the decimal point (None: every mark groups thousands); refuses a number
    whose marks disagree, or a lone ``.`` before three digits (a thousand, or one and a bit?)."""
    points = {mark for mark in marks if mark in ".,"}
    grouping = {mark for mark in marks if mark in _GROUP_ONLY}
    last = marks[-1]
    if len(grouping) > 1 or (len(points) == 2 and (grouping or marks.count(last) > 1)):
        raise UserError(f"{what} {_shown(raw)} is not an amount like {_EXAMPLES}")
    if len(points) == 2:
        return last  # 1.234,50 or 1,234.50: the last is the decimal point
    if not points:
        return None  # 12 000
    (mark,) = points
    if grouping:  # 1 234,50: the point after the spaces is the decimal one
        if last != mark or marks.count(mark) > 1:
            raise UserError(f"{what} {_shown(raw)} is not an amount like {_EXAMPLES}")
        return mark
    if marks.count(mark) > 1:
        return None  # 1,234,567 or 1.234.567
    whole = number[: number.rindex(mark)]
    if len(number) - len(whole) - 1 != 3 or not (len(whole) <= 3 and whole[0] != "0"):
        return mark  # 12.5, 12,50 (and 0.125 or 1234.567, which have more than cents)
    if mark == ",":
        return None  # 12,000: thousands, the way most exports write them
    plain = number.replace(".", "")
    raise UserError(
        f"{what} {_shown(raw)} could be {plain} or {number} (a point before three digits): "
        f"write {plain} or {whole},{number[-3:]} for the thousands"
    )


def _checked(cents: int, raw: str, what: str) -> int:
    if cents >= MAX_CENTS:
        raise UserError(f"{what} {_shown(raw)} is too large")
    return cents


def format_money(cents: int | float | None, *, short: bool = False) -> str:
    """``12,000`` (cents shown only when there are some); ``short`` gives ``12k`` / ``1.2M``."""
    if cents is None:
        return "—"
    amount = cents / 100
    if short:
        for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            # 999,999 would round to "1000k": such an amount reads better as "1.0M"
            if abs(amount) >= limit * 0.9995 and (suffix != "k" or abs(amount) >= 999.5):
                scaled = amount / limit
                return f"{scaled:.1f}{suffix}" if abs(scaled) < 9.95 else f"{scaled:.0f}{suffix}"
        return f"{amount:.0f}"
    if round(cents) % 100 == 0:
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"


def format_estimate(cents: int | float | None, rounding: Callable[[float], int] = round) -> str:
    """A figure worked out from odds or averages (a weighted value, what is expected, the gap
    left, an average sale, a pace), to the whole unit: its cents would read as false precision.
    The quota's gap goes up (``math.ceil``: it must not read 0 while something is missing) and
    what is expected down (``math.floor``), so that won, expected and gap still add up to it."""
    if cents is None:
        return format_money(None)
    return format_money(rounding(cents / 100) * 100)


def format_amount(cents: int | None, currency: str, home: str, *, short: bool = False) -> str:
    """A deal's own amount as its card and pane show it: plain in the home currency (or when
    none is set), else with the currency's sign where it names that currency alone
    (``¥1.5M``, ``£12k``) or its code (``CHF 12k``)."""
    text = format_money(cents, short=short)
    if cents is None or not currency or currency == home:
        return text
    sign = next((s for s, codes in SIGNS.items() if codes[0] == currency and len(s) == 1), None)
    if sign is not None and home not in SIGNS[sign]:
        return sign + text
    return f"{currency} {text}"


def to_home(cents: int, rate: float) -> int:
    """An amount in the home currency at ``rate`` (what one unit is worth there), to the cent,
    a half cent up. In floating point, as the database's sums do it (store.currency), so that
    a figure is the same whichever of them added it up."""
    return int(cents * rate + 0.5)


class Currencies(NamedTuple):
    """The home currency (ISO 4217; "" when the config names none) and what one unit of each
    other currency is worth in it (``[currency]`` and ``[currency.rates]`` in config.toml)."""

    home: str = ""
    rates: Mapping[str, float] = MappingProxyType({})

    def known(self, code: str) -> bool:
        """Whether amounts in ``code`` can be counted in the home currency ("" is the home one)."""
        return not code or code == self.home or code in self.rates

    def missing(self, codes: Iterable[str]) -> list[str]:
        """The codes among ``codes`` without a rate, sorted."""
        return sorted({code for code in codes if not self.known(code)})

    def in_home(self, cents: int | None, code: str) -> int | None:
        """``cents`` of ``code`` in the home currency; None (unknown, as the database's sums
        count it) for a code whose rate the config no longer has: never added as if at home."""
        if cents is None or not code or code == self.home:
            return cents
        rate = self.rates.get(code)
        return None if rate is None else to_home(cents, rate)

    def value_text(self, cents: int | None, code: str) -> str:
        """A deal's value as its pane and ``show`` say it: its own amount, and what it is worth
        at home when that is another currency (``JPY 1,500,000 (9,150 EUR)``)."""
        if cents is None:
            return "unknown"
        own = format_amount(cents, code, self.home)
        if not code or code == self.home:
            return own
        home = self.in_home(cents, code)
        if home is None:
            return f"{own} (no rate for {code})"
        return f"{own} ({format_money(home)}{' ' + self.home if self.home else ''})"


NO_CURRENCIES = Currencies()


def missing_rates_text(missing: Iterable[str], currencies: Currencies) -> str:
    """How to say that amounts in ``missing`` cannot be counted, and the config lines that fix it."""
    codes = sorted(missing)
    lines = " ".join(f"{code} = …" for code in codes)
    home = f' and [currency] home = "{codes[0]}" if that is yours' if not currencies.home else ""
    return (
        f"no rate for {', '.join(codes)}: add {lines} under [currency.rates] in config.toml "
        f"(what one unit is worth in your home currency{home})"
    )


def require_rate(code: str, currencies: Currencies) -> None:
    """Refuse a deal in ``code`` when its amount could not be counted at home (no rate): the
    same words on the command line and in the app's forms."""
    if code and not currencies.known(code):
        from pipeline_tui.errors import UserError

        raise UserError(missing_rates_text([code], currencies))


def cents_to_number(cents: int | float | None) -> float | int | None:
    """Cents to a JSON number: an int for whole amounts, else two decimals."""
    if cents is None:
        return None
    cents = round(cents)
    if cents % 100 == 0:
        return cents // 100
    return round(cents / 100, 2)
