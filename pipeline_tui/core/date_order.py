"""Numeric dates (``03/04/2026``, ``25.04.2026``, ``2026-04-25``) and the order they are written in.

``03/04/2026`` is 3 April in Europe and 4 March in the United States. The order is settled by
the user's ``[locale] date_order`` (``DMY``, ``MDY`` or ``YMD``; with ``YMD`` the month comes
before the day, as in ``2026/04/03``), or, for a column of a file, by its values that read only
one way (``25/04/2026``). A date that reads two ways and that nothing settles is refused with
both readings rather than guessed. A date written year first is read year-month-day always.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from pipeline_tui.core.iso_dates import DateError

ORDERS = ("DMY", "MDY", "YMD")
ORDER_WORDS = {"DMY": "day/month/year", "MDY": "month/day/year", "YMD": "year/month/day"}
SETTING = 'set date_order = "DMY" or "MDY" under [locale] in config.toml'

# the date at the start of a text, and where it ends (a time may follow after a space or a T)
_NUMERIC_RE = re.compile(r"^(\d{1,4})([/.-])(\d{1,2})(?:\2(\d{1,4}))?(?=$|[\sTt])", re.ASCII)


class Readings(NamedTuple):
    """A numeric date read day first and month first (None where that reading is no date)."""

    day_first: date | None
    month_first: date | None

    @property
    def ambiguous(self) -> bool:
        return None not in self and self.day_first != self.month_first

    def only(self) -> str | None:
        """The order it can only be read in (``DMY`` or ``MDY``), if it can be read one way only."""
        if self.day_first is not None and self.month_first is None:
            return "DMY"
        if self.month_first is not None and self.day_first is None:
            return "MDY"
        return None


def split_numeric(text: str) -> tuple[str, str] | None:
    """The numeric date at the start of ``text`` and what follows it, or None if it starts with none."""
    match = _NUMERIC_RE.match(text)
    if match is None:
        return None
    return match[0], text[match.end() :]


def _day(year: int, month: int, day: int) -> date | None:
    if not (1 <= month <= 12 and 1 <= day <= 31 and year >= 1):
        return None  # the common miss (a day read as a month) without the cost of an exception
    try:
        return date(year, month, day)
    except ValueError:
        return None


def readings(numeric: str, year: int, original: str | None = None) -> Readings:
    """Both readings of a numeric date; ``year`` is the one to use when it has none.

    A year must be written in full (``2026``): a two-digit one is refused, as ``26`` could be a
    day as well.
    """
    match = _NUMERIC_RE.match(numeric)
    if match is None:
        raise DateError(f"{original or numeric!r} is not a date like 2026-04-25")
    first, _, second, third = match.groups()
    if len(first) == 4:  # year first: only ever year, month, day
        if third is None or len(third) > 2:
            raise DateError(f"{original or numeric!r} is not a date like 2026-04-25")
        day = _day(int(first), int(second), int(third))
        return Readings(day, day)
    if len(first) > 2:
        raise DateError(f"{original or numeric!r} is not a date like 2026-04-25")
    if third is not None and len(third) != 4:
        raise DateError(f"{original or numeric!r}: write the year in full, like 25/04/2026 or 2026-04-25")
    if third is not None:
        year = int(third)
    a, b = int(first), int(second)
    return Readings(_day(year, b, a), _day(year, a, b))


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def read_numeric(numeric: str, year: int, order: str | None, original: str) -> date:
    """The day a typed numeric date means, in ``order`` (None: only if it reads one way)."""
    found = readings(numeric, year, original)
    if found.day_first is None and found.month_first is None:
        raise DateError(f"{original!r} is not a date (no such day or month)")
    if order is None:
        if found.ambiguous:
            raise DateError(
                f"{original!r} could be {_long(found.day_first)} or {_long(found.month_first)}: write "
                f"{found.day_first.isoformat()} or {found.month_first.isoformat()}, or {SETTING}"
            )
        return found.day_first or found.month_first
    chosen = found.day_first if order == "DMY" else found.month_first
    if chosen is None:
        raise DateError(
            f"{original!r} is not a date in {ORDER_WORDS[order]} order "
            f"(date_order = {order!r} under [locale]); write it as 2026-04-25"
        )
    return chosen


class ColumnOrder(NamedTuple):
    """How a file's column of dates reads: in ``order`` (None: each value reads one way only,
    or nothing settles it), settled by ``reason``; ``problem`` says why it cannot be read."""

    order: str | None
    reason: str
    problem: str | None = None

    @property
    def settled(self) -> bool:
        return self.problem is None


def settle_date_order(values: Iterable[str], configured: str | None = None) -> ColumnOrder:
    """The order of a column's numeric dates: the config's when it has one, else the one its
    unambiguous values agree on (``25/04/2026`` settles day first). Unsettled (``problem``) when
    values read only one way disagree, or some read two ways and none settles them."""
    if configured is not None:
        return ColumnOrder(configured, "date_order under [locale] in config.toml")
    seen: dict[str, str] = {}  # DMY / MDY / "both ways" -> the first value seen
    kinds: dict[str, str | None] = {}  # a file repeats its dates: each distinct one is read once
    for value in values:
        text = value.strip()
        kind = kinds[text] if text in kinds else kinds.setdefault(text, _reads(text))
        if kind is None or kind in seen:
            continue
        seen[kind] = text
        if "DMY" in seen and "MDY" in seen:
            problem = f"{seen['DMY']} reads only day first but {seen['MDY']} only month first"
            return ColumnOrder(None, "", problem)
    for order, where in (("DMY", "day first"), ("MDY", "month first")):
        if order in seen:
            return ColumnOrder(order, f"{seen[order]} reads only {where}")
    if "both ways" in seen:
        example = seen["both ways"]
        problem = f"nothing settles whether {example} is day or month first: {SETTING}, or write 2026-04-25"
        return ColumnOrder(None, "", problem)
    return ColumnOrder(None, "every date in it reads one way only")


def _reads(text: str) -> str | None:
    """How a file's value reads: ``DMY`` or ``MDY`` only, "both ways", or None (one way, or no
    numeric date: a value that is no date is its row's own error)."""
    split = split_numeric(text)
    if split is None:
        return None
    try:
        found = readings(split[0], 2000)  # a leap year: 29/02 without a year is a date
    except DateError:
        return None
    return found.only() or ("both ways" if found.ambiguous else None)
