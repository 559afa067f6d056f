"""Money as integer cents: SQLite stores decimals as REAL and loses cents, so we never use floats
for amounts at rest."""

from __future__ import annotations

import re

from pipeline_tui.errors import UserError

_CURRENCY = "$€£¥₹"
_PLAIN_RE = re.compile(r"^\d+(?:\.\d{1,2})?$")
_GROUPED_RE = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?$")
_SHORT_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([km])$", re.IGNORECASE)  # 12k, 1.5m: as the board shows
MAX_CENTS = 10**15  # a thousand billion: anything bigger is a typo, and it keeps SQLite integers exact


def parse_money(text: str, what: str = "value") -> int:
    """Read ``12000``, ``12000.50``, ``12,000``, ``$12,000`` or ``12k`` as cents; refuse the rest."""
    raw = text.strip()
    cleaned = raw.lstrip(_CURRENCY).strip()
    for code in ("EUR", "USD", "GBP"):
        if cleaned.upper().startswith(code):
            cleaned = cleaned[len(code) :].strip()
        if cleaned.upper().endswith(code):
            cleaned = cleaned[: -len(code)].strip()
    cleaned = cleaned.rstrip(_CURRENCY).strip()
    # a space groups thousands ("12 000") like a comma; it is not squeezed out ("1 2 3" is no 123)
    cleaned = re.sub(r"[ \u00a0]", ",", cleaned)
    short = _SHORT_RE.match(cleaned)
    if short:
        from decimal import Decimal

        scale = 100_000 if short[2].lower() == "k" else 100_000_000
        amount = Decimal(short[1]) * scale
        if amount != amount.to_integral_value():
            raise UserError(f"{what} {raw!r} has more precision than a cent")
        cents = int(amount)
        if cents >= MAX_CENTS:
            raise UserError(f"{what} {raw!r} is too large")
        return cents
    if not (_PLAIN_RE.match(cleaned) or _GROUPED_RE.match(cleaned)):
        raise UserError(f"{what} {raw!r} is not an amount like 12000, 12,000.50 or $12,000")
    whole, _, fraction = cleaned.replace(",", "").partition(".")
    if len(whole.lstrip("0")) > 15:  # past MAX_CENTS; and int() refuses over 4,300 digits
        raise UserError(f"{what} {raw[:40]!r}{'…' if len(raw) > 40 else ''} is too large")
    cents = int(whole) * 100 + int((fraction + "00")[:2])
    if cents >= MAX_CENTS:
        raise UserError(f"{what} {raw!r} is too large")
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


def cents_to_number(cents: int | float | None) -> float | int | None:
    """Cents to a JSON number: an int for whole amounts, else two decimals."""
    if cents is None:
        return None
    cents = round(cents)
    if cents % 100 == 0:
        return cents // 100
    return round(cents / 100, 2)
