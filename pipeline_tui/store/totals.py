"""Each stage's count and value of live prospects, by owner, kept by the database (schema 9).

A board column's header says how many prospects its stage holds and what they are worth:
summed over the prospects on every key, that would grow with the pipeline; kept in
``stage_total`` they are a handful of rows (docs/performance.md). Triggers keep them, so that no write path (a
service, an undo, a hand edit) leaves them wrong; a bulk insert drops the triggers while it
runs (``store.bulk``), which then sums everything up again with :func:`rebuild`.
"""

from __future__ import annotations

from collections.abc import Iterable

import peewee

from pipeline_tui.core.money import NO_CURRENCIES, Currencies
from pipeline_tui.store import models
from pipeline_tui.store.built import marker, run_built
from pipeline_tui.store.currency import summed


def _add(row: str, sign: str) -> str:
    """An upsert adding (``sign`` 1) or taking away (-1) one prospect's row (``row``: NEW or
    OLD, its columns as the trigger sees them) in its stage's totals."""
    value = f"COALESCE({row}.value_cents, 0)"
    return (
        "INSERT INTO stage_total"
        " (stage_id, owner, prospects, value_cents, at_stage_odds_cents, weighted_own_cents)"
        f" VALUES ({row}.stage_id, {row}.owner, {sign}, {sign} * {value},"
        f" CASE WHEN {row}.probability IS NULL THEN {sign} * {value} ELSE 0 END,"
        f" {sign} * COALESCE({row}.value_cents * {row}.probability, 0))"
        " ON CONFLICT (stage_id, owner) DO UPDATE SET"
        " prospects = stage_total.prospects + excluded.prospects,"
        " value_cents = stage_total.value_cents + excluded.value_cents,"
        " at_stage_odds_cents = stage_total.at_stage_odds_cents + excluded.at_stage_odds_cents,"
        " weighted_own_cents = stage_total.weighted_own_cents + excluded.weighted_own_cents"
    )


_COUNTED = "stage_id, owner, archived, value_cents, probability"  # what a prospect counts by

_SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER IF NOT EXISTS prospect_total_insert AFTER INSERT ON prospect
    WHEN NOT NEW.archived BEGIN {_add("NEW", "1")}; END""",
    f"""CREATE TRIGGER IF NOT EXISTS prospect_total_delete AFTER DELETE ON prospect
    WHEN NOT OLD.archived BEGIN {_add("OLD", "-1")}; END""",
    # a trigger's statement cannot be conditional: each adds or takes away nothing when archived
    f"""CREATE TRIGGER IF NOT EXISTS prospect_total_update AFTER UPDATE OF {_COUNTED} ON prospect
    BEGIN
        {_add("OLD", "(CASE WHEN OLD.archived THEN 0 ELSE -1 END)")};
        {_add("NEW", "(CASE WHEN NEW.archived THEN 0 ELSE 1 END)")};
    END""",
)

_POSTGRES_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION prospect_total() RETURNS TRIGGER AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND NOT OLD.archived THEN {_add("OLD", "-1")}; END IF;
        IF TG_OP <> 'DELETE' AND NOT NEW.archived THEN {_add("NEW", "1")}; END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS prospect_total ON prospect",
    f"""CREATE TRIGGER prospect_total AFTER INSERT OR DELETE OR UPDATE OF {_COUNTED} ON prospect
    FOR EACH ROW EXECUTE PROCEDURE prospect_total()""",
)


def install(db: peewee.Database) -> None:
    """Create the triggers that keep the totals (in the caller's transaction)."""
    for statement in _SQLITE_TRIGGERS if isinstance(db, peewee.SqliteDatabase) else _POSTGRES_TRIGGERS:
        db.execute_sql(statement)


def rebuild(db: peewee.Database) -> None:
    """Sum every live prospect up again (an upgrade, a bulk insert), in the caller's transaction."""
    db.execute_sql("DELETE FROM stage_total")
    db.execute_sql(
        "INSERT INTO stage_total"
        " (stage_id, owner, prospects, value_cents, at_stage_odds_cents, weighted_own_cents)"
        " SELECT stage_id, owner, COUNT(*), COALESCE(SUM(value_cents), 0),"
        " COALESCE(SUM(CASE WHEN probability IS NULL THEN value_cents END), 0),"
        " COALESCE(SUM(value_cents * probability), 0)"
        " FROM prospect WHERE NOT archived GROUP BY stage_id, owner"
    )


def _totals(count: int, owned: bool, marks: list[int]) -> peewee.Query:
    table = models.StageTotal
    query = (
        table.select(
            table.stage,
            peewee.fn.SUM(table.prospects),
            peewee.fn.SUM(table.value_cents),
            peewee.fn.SUM(table.at_stage_odds_cents),
            peewee.fn.SUM(table.weighted_own_cents),
        )
        .where(table.stage.in_([marker(mark) for mark in marks[:count]]))
        .group_by(table.stage)
    )
    return query.where(table.owner == marker(marks[-1])) if owned else query


def stage_totals(
    stage_ids: Iterable[int], owner: str | None, currencies: Currencies = NO_CURRENCIES
) -> dict[int, tuple[int, int, int, float]]:
    """(prospects, value, value at the stage's odds, value weighted by their own odds) of
    each of these stages, in the home currency: everyone's, or one owner's. The kept totals
    add every value as it stands; the deals in another currency (few, found through their
    own index) are taken out of them and put back converted (:func:`foreign_sums`)."""
    wanted = list(stage_ids)
    values = wanted + ([] if owner is None else [owner])
    found = {
        stage: [int(count), int(value), int(at_stage), float(own)]
        for stage, count, value, at_stage, own in run_built(_totals, (len(wanted), owner is not None), values)
    }
    for stage, code, value, at_stage, own in foreign_sums(wanted, owner, currencies.home):
        if stage not in found:
            continue
        rate = currencies.rates.get(code)  # none: those deals' value is unknown, as one typed so
        totals = found[stage]
        totals[1] += summed([(code, value)], currencies) - int(value)
        totals[2] += summed([(code, at_stage)], currencies) - int(at_stage)
        totals[3] += float(own) * (rate or 0.0) - float(own)
    return {stage: tuple(found.get(stage, (0, 0, 0, 0.0))) for stage in wanted}  # type: ignore[misc]


def foreign_sums(stage_ids: list[int], owner: str | None, home: str) -> list[tuple]:
    """(stage, currency, value, value at the stage's odds, value weighted by its own odds) of
    the live deals of these stages in a currency other than the home one."""
    if not stage_ids:
        return []
    values = [*stage_ids, home, *([] if owner is None else [owner])]
    return run_built(_foreign_sums, (len(stage_ids), owner is not None), values).fetchall()


def _foreign_sums(count: int, owned: bool, marks: list[int]) -> peewee.Query:
    prospect = models.Prospect
    value = peewee.fn.COALESCE(prospect.value_cents, 0)
    query = (
        prospect.select(
            prospect.stage,
            prospect.currency,
            peewee.fn.SUM(value),
            peewee.fn.COALESCE(
                peewee.fn.SUM(peewee.Case(None, [(prospect.probability.is_null(), value)], 0)), 0
            ),
            peewee.fn.COALESCE(peewee.fn.SUM(prospect.value_cents * prospect.probability), 0),
        )
        .where(
            prospect.currency != "",  # as the index of foreign deals says it (store.currency)
            prospect.currency != marker(marks[count]),
            prospect.archived == False,  # noqa: E712
            prospect.stage.in_([marker(mark) for mark in marks[:count]]),
        )
        .group_by(prospect.stage, prospect.currency)
    )
    return query.where(prospect.owner == marker(marks[-1])) if owned else query
