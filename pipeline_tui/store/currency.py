"""A prospect's value in the home currency, as SQL: every figure's sums and ranks read it, so
that ¥1,500,000 is never added to euros (README "Money").

The rates are the user's (``[currency.rates]`` in config.toml): the entry point hands them over
once with :func:`use`. Without rates every value is counted as it stands, as before currencies
(the query is the plain column, and its indexes serve it); with them, each rated currency's
values are converted in floating point as :func:`pipeline_tui.core.money.to_home` does (the
same digits either way), and a value in a currency without a rate counts as unknown.
"""

from __future__ import annotations

import peewee

from pipeline_tui.core.money import NO_CURRENCIES, Currencies
from pipeline_tui.store import built, models
from pipeline_tui.store.models import Prospect

_in_use = NO_CURRENCIES


def use(currencies: Currencies) -> None:
    """The home currency and rates every read from now on counts in."""
    global _in_use
    if currencies != _in_use:
        _in_use = currencies
        built.forget_built()  # SQL built with the old rates in it


def in_use() -> Currencies:
    return _in_use


def home_value() -> peewee.Node:
    """The value of a prospect in the home currency: the column itself when nothing is to be
    converted."""
    if not _in_use.rates:
        return Prospect.value_cents
    sqlite = isinstance(models.database.obj, peewee.SqliteDatabase)
    cases = [(code, _converted(rate, sqlite)) for code, rate in sorted(_in_use.rates.items())]
    cases += [(code, Prospect.value_cents) for code in sorted({"", _in_use.home})]
    return peewee.Case(Prospect.currency, cases, None)


def _converted(rate: float, sqlite: bool) -> peewee.Node:
    # a literal, not a parameter: peewee would pass a parameter through the integer field's
    # converter (0.92 -> 0); the rate is a float the config checked, so repr() is all it is
    literal = repr(float(rate))
    if sqlite:  # int * real: a double, as in Python; CAST truncates, like int()
        return peewee.Cast(Prospect.value_cents * peewee.SQL(literal) + peewee.SQL("0.5"), "INTEGER")
    double = "DOUBLE PRECISION"
    scaled = peewee.Cast(Prospect.value_cents, double) * peewee.SQL(f"CAST({literal} AS {double})")
    # LEAST: a value past what BIGINT holds (trillions, at a rate in the thousands) is clamped
    # as SQLite clamps it, rather than failing the whole report
    return peewee.Cast(peewee.fn.LEAST(peewee.fn.FLOOR(scaled + peewee.SQL("0.5")), 9.2e18), "BIGINT")


def shown_currency(code: str) -> str:
    """A deal's currency as views show it: "" for the home one (no sign needed), else its code."""
    return "" if code == _in_use.home else code


def unrated(owner: str | None = None) -> dict[str, int]:
    """Live prospects whose currency has no rate (they count as of unknown value): by code."""
    known = sorted({"", _in_use.home, *_in_use.rates})
    query = (
        Prospect.select(Prospect.currency, peewee.fn.COUNT(Prospect.id))
        .where(Prospect.archived == False, Prospect.currency.not_in(known))  # noqa: E712
        .group_by(Prospect.currency)
    )
    if owner is not None:
        query = query.where(Prospect.owner == owner)
    return dict(models.database.obj.execute(query))
