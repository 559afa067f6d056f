"""A prospect's value in the home currency, where the store hands values on: every figure's
sums and ranks read it, so that ¥1,500,000 is never added to euros (README "Money").

The rates are the user's (``[currency.rates]`` in config.toml), handed in by the caller with
the settings; nothing here remembers them. Rows read one by one convert with :func:`to_home`;
sums are taken in SQL per currency and converted with :func:`summed` (a handful of rows); a
query that must order or compare by value in SQL uses :func:`home_value`. A value in a
currency without a rate counts as unknown: it is never added as if it were at home.
"""

from __future__ import annotations

from collections.abc import Iterable

import peewee

from pipeline_tui.core.money import Currencies
from pipeline_tui.store import models
from pipeline_tui.store.models import Prospect


def install(db: peewee.Database) -> None:
    """Indexes for summing by currency (schema 10): the deals in a currency named, which a
    board column's total converts (``store.totals``) however many home ones there are; and
    ``store.board``'s index of closed deals with their currency, so that the won and lost
    of a period are still read from an index alone."""
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS prospect_foreign ON prospect (currency, stage_id) WHERE currency <> ''"
    )
    db.execute_sql("DROP INDEX IF EXISTS prospect_closed")
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS prospect_closed_money"
        " ON prospect (closed_at, stage_id, pipeline_id, archived, owner, currency, value_cents)"
    )


def to_home(cents: int | None, code: str, currencies: Currencies) -> int | None:
    """``cents`` of currency ``code`` ("" the home one) in the home currency; None if unknown."""
    if not code or cents is None:
        return cents
    return currencies.in_home(cents, code)


def summed(by_currency: Iterable[tuple[str, int | float | None]], currencies: Currencies) -> int:
    """The total at home of sums taken per currency (currency, sum): each converted once."""
    total = 0
    for code, cents in by_currency:
        home = to_home(int(cents or 0), code, currencies)
        total += home or 0
    return total


def shown_currency(code: str, currencies: Currencies) -> str:
    """A deal's currency as views show it: "" for the home one (no sign needed), else its code."""
    return "" if code == currencies.home else code


def home_value(currencies: Currencies) -> peewee.Node:
    """The value of a prospect in the home currency, as SQL: the column itself when nothing is
    to be converted (its indexes serve it), else converted as :func:`to_home` converts."""
    if not currencies.rates:
        return peewee.Case(
            Prospect.currency, [(code, Prospect.value_cents) for code in _home(currencies)], None
        )
    sqlite = isinstance(models.database.obj, peewee.SqliteDatabase)
    cases = [(code, _converted(rate, sqlite)) for code, rate in sorted(currencies.rates.items())]
    cases += [(code, Prospect.value_cents) for code in _home(currencies)]
    return peewee.Case(Prospect.currency, cases, None)


def _home(currencies: Currencies) -> list[str]:
    return sorted({"", currencies.home})


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
