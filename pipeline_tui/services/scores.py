"""Each prospect's score, advice and search text, stored and kept current.

The board reads a column in score order straight from the database (``store.board``), and
the report reads each prospect's advice as stored (``store.stored_advice``). The pure core
still computes every score (``core.score``), every piece of advice (``core.advice``) and the
folded text a prospect is found by (``core.search``); this stores them, before anything reads
them, for the rows that need it: rows written since (a trigger emptied their
``fresh_until``, see ``store.freshness``), rows whose score or advice the clock has moved on,
and, on a new day, the budgets that moved across a rung of the day's value ladder. Everything
is worked out again when the rules change (the score weights, the thresholds or the rotting
limits in the config file, a pipeline's stages, the rotting limits learned from the year's
moves) or the clock goes back (a ``--now`` pinned before the last one). In a team, what is
stored is what whoever looked last worked out: everyone's config file should match (the
report reads stored advice only where its own rules match them: :func:`stored_advice_holds`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from pipeline_tui.core import advice, domain
from pipeline_tui.core.aging import RottingLimit
from pipeline_tui.core.aging import rotting_limits as rotting_limits_of
from pipeline_tui.core.figures import lookback_window
from pipeline_tui.core.score import (
    ScoreContext,
    open_stages_by_pipeline,
    score_holds_until,
    score_total,
    value_ladder,
)
from pipeline_tui.core.search import search_text
from pipeline_tui.core.settings import Settings
from pipeline_tui.store import freshness, queries, stored_advice
from pipeline_tui.store.db import run_write
from pipeline_tui.store.report import load_stage_time

CHUNK = 2000  # prospects worked out per round of queries
SIZES = (1, 4, 16, 64, 256, 1024, CHUNK)  # a round's ids, padded to one of these many


def keep_current(now: datetime, settings: Settings) -> None:
    """Make every stored score and search text hold at ``now`` (one write transaction, if any
    must change; it is not a change other programs need to read again for)."""
    stages = queries.load_stages(settings)
    rules = _fingerprint(settings, stages)
    basis = freshness.basis()
    if _holds(basis, rules, now) and basis["stage_time"] is not None and not freshness.any_stale(now):
        return
    run_write(lambda: _work_out_stale(now, settings, stages, rules), counted=False)


def work_out_written(ids: Sequence[int], now: datetime, settings: Settings) -> None:
    """Inside the transaction that just wrote these prospects (a card moved a stage): store
    their score, advice and search text as :func:`keep_current` would at ``now``, so that the
    board's read after the action finds nothing to write (one write per key, not two). When
    what is stored was worked out with other rules or on another day, nothing: the next
    :func:`keep_current` works out everything that needs it."""
    stages = queries.load_stages(settings)
    rules = _fingerprint(settings, stages)
    basis = freshness.basis()
    if not _holds(basis, rules, now) or basis["stage_time"] is None:
        return
    stage_time = basis["stage_time"]
    working = _working(now, basis["ladder"], stages, _limits(settings, stages, stage_time), settings)
    _work_out(sorted(set(ids)), set(ids), working, settings)
    if now > basis["latest"]:  # the latest moment any was worked out at: a clock set back sees it
        freshness.set_basis(rules, basis["day"], basis["ladder"], now, stage_time)


def context(now: datetime, settings: Settings) -> ScoreContext:
    """What a score needs beyond its prospect, as :func:`keep_current` works the stored scores
    out at ``now``: the detail pane explains a score with it, the export computes its scores
    with it. It reads only: a command that reads writes nothing."""
    stages = queries.load_stages(settings)
    basis = freshness.basis()
    if basis is not None and basis["rules"] == _fingerprint(settings, stages) and basis["day"] == now.date():
        ladder = basis["ladder"]
    else:  # the ladder keep_current would make now
        ladder = value_ladder(queries.open_values(settings.currency))
    return ScoreContext(now, ladder, open_stages_by_pipeline(stages))


def _fingerprint(settings: Settings, stages: Iterable[domain.Stage]) -> str:
    """What every score depends on besides its prospect, the day and the ladder (a budget is
    ranked in the home currency: the rates are part of it)."""
    layout = tuple(tuple(stage) for stage in stages)  # names, places, odds, kinds and roles
    money = (settings.currency.home, sorted(settings.currency.rates.items()))
    rotting = sorted(settings.rotting.items())
    rules = (tuple(settings.score), tuple(settings.thresholds), rotting, layout, money)
    return hashlib.sha256(repr(rules).encode()).hexdigest()[:16]


def stored_advice_holds(
    now: datetime, settings: Settings, stages: Sequence[domain.Stage], limits: dict[int, RottingLimit]
) -> bool:
    """Whether the advice stored on rows still fresh at ``now`` is what the rules would say
    now, for everyone's report (whose rotting limits are ``limits``): worked out with the
    same rules and limits, at moments no later than ``now``."""
    basis = freshness.basis()
    return (
        basis is not None
        and basis["rules"] == _fingerprint(settings, stages)
        and basis["latest"] <= now
        and _limits(settings, stages, basis["stage_time"]) == limits
    )


def _in_stages_whose_limit_moved(
    settings: Settings, stages: Sequence[domain.Stage], before: Sequence[domain.StageTime] | None, after
) -> list[int]:
    """The live prospects of the stages whose rotting limit differs between two days' time in
    stage (their stale advice reads it)."""
    old, new = _limits(settings, stages, before), _limits(settings, stages, after)
    return freshness.in_stages([stage_id for stage_id, limit in new.items() if old.get(stage_id) != limit])


def _limits(
    settings: Settings, stages: Iterable[domain.Stage], stage_time: Sequence[domain.StageTime] | None
) -> dict[int, RottingLimit]:
    return rotting_limits_of(stages, stage_time or (), settings.rotting, settings.thresholds)


def _holds(basis: dict | None, rules: str, now: datetime) -> bool:
    return (
        basis is not None
        and basis["rules"] == rules
        and basis["day"] == now.date()
        and basis["latest"] <= now
    )


def rotting_limits(
    now: datetime, settings: Settings, stages: Iterable[domain.Stage]
) -> dict[int, RottingLimit]:
    """Each open stage's rotting limit, as the board marks its cards: the config file's, else
    learned from the time in stage :func:`keep_current` reads once a day (the same figures
    as the report's, over everyone's deals), else ``stale_after_days``."""
    basis = freshness.basis()
    if basis is not None and basis["day"] == now.date() and basis["stage_time"] is not None:
        learned = basis["stage_time"]
    else:
        learned = _stage_time(now, settings)
    return rotting_limits_of(stages, learned, settings.rotting, settings.thresholds)


def _stage_time(now: datetime, settings: Settings) -> tuple[domain.StageTime, ...]:
    return load_stage_time(*lookback_window(now, settings.thresholds))


def _work_out_stale(now: datetime, settings: Settings, stages: Sequence[domain.Stage], rules: str) -> None:
    basis = freshness.basis()  # again, inside the transaction: another program may have moved it
    changed, expired = freshness.stale(now)
    everything = basis is None or basis["rules"] != rules or now < basis["latest"]
    ladder = basis["ladder"] if basis is not None else ()
    rescore = set(changed) | set(expired)
    if everything or basis["day"] != now.date():
        ladder, before = value_ladder(queries.open_values(settings.currency)), ladder
        if everything:
            rescore.update(freshness.all_ids())
        elif ladder != before:
            open_ids = [s.id for s in stages if s.kind == domain.OPEN]
            moved = _moved_rungs(before, ladder)
            rescore.update(freshness.open_with_values_between(moved, open_ids, settings.currency.home))
    stage_time = basis["stage_time"] if basis is not None else None
    if everything or stage_time is None or basis["day"] != now.date():
        before, stage_time = stage_time, _stage_time(now, settings)  # a year of moves: once a day
        rescore.update(_in_stages_whose_limit_moved(settings, stages, before, stage_time))
    working = _working(now, ladder, stages, _limits(settings, stages, stage_time), settings)
    texts_for = set(changed)
    ordered = sorted(rescore)
    with freshness.rewriting(len(ordered)):
        for start in range(0, len(ordered), CHUNK):
            _work_out(ordered[start : start + CHUNK], texts_for, working, settings)
    latest = now if everything or basis is None else max(now, basis["latest"])
    found = (rules, now.date(), ladder, latest, stage_time)
    if (
        basis is None
        or (basis["rules"], basis["day"], basis["ladder"], basis["latest"], basis["stage_time"]) != found
    ):
        freshness.set_basis(*found)


def _moved_rungs(before: Sequence[int], after: Sequence[int]) -> list[tuple[int, int]]:
    """The values whose rank differs between two ladders, as (above, up to) bounds: a value
    ranks by how many rungs lie below it, so it moves where a rung moved past it."""
    if len(before) != len(after):  # every rank is a share of another number of rungs
        return [(-(2**63), 2**63 - 1)]
    moved = sorted((min(a, b), max(a, b)) for a, b in zip(before, after, strict=True) if a != b)
    merged: list[tuple[int, int]] = []
    for low, high in moved:
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return merged


class Working(NamedTuple):
    """What working out a prospect's score and advice at one moment needs beyond it."""

    score: ScoreContext
    advice: advice.Context
    open_stage_by_id: dict[int, domain.Stage]


def _working(
    now: datetime,
    ladder: Sequence[int],
    stages: Sequence[domain.Stage],
    limits: dict[int, RottingLimit],
    settings: Settings,
) -> Working:
    score_context = ScoreContext(now, ladder, open_stages_by_pipeline(stages))
    snapshot = domain.Snapshot(now, queries.load_pipelines(), tuple(stages), ())
    opens = {stage.id: stage for group in score_context.open_stages.values() for stage in group}
    return Working(score_context, advice.Context(snapshot, settings.thresholds, limits), opens)


def worked_out(
    prospect: domain.Prospect | None, working: Working, settings: Settings
) -> tuple[int | None, datetime, list[tuple]]:
    """A prospect's score, until when it and its advice hold, and its advice (prospect id and
    name, code, message, when, tail, weighted value; none for one not live or not open)."""
    score, until = score_and_until(prospect, working.open_stage_by_id, working.score, settings)
    if score is None:
        return score, until, []
    stage = working.open_stage_by_id[prospect.stage_id]
    pieces = advice.advice_of(prospect, stage, working.advice)
    holds = advice.advice_holds_until(prospect, stage, working.advice)
    if holds is not None and holds < until:
        until = holds
    if not pieces:
        return score, until, []
    value = advice.weighted_value(prospect, stage)
    return score, until, [(prospect.id, prospect.name, *piece, value) for piece in pieces]


def _work_out(ids: list[int], texts_for: set[int], working: Working, settings: Settings) -> None:
    """Score these prospects (the open ones; the others have none), work out their advice and
    fold the text of those in ``texts_for``, and store them all with how long they hold."""
    size = next(size for size in SIZES if size >= len(ids))
    padded = ids + ids[-1:] * (size - len(ids))  # a few shapes of query, each built once (store.built)
    stages = list(working.open_stage_by_id.values())
    live = {p.id: p for p in queries.prospects_by_id(padded, stages, settings.currency)}
    texts = freshness.texts_of(padded) if texts_for.intersection(ids) else {}
    plain, with_text, pieces = [], [], []
    for pid in ids:
        score, until, found = worked_out(live.get(pid), working, settings)
        pieces += found
        folded = search_text(texts[pid][1:5], texts[pid][5:]) if pid in texts_for and pid in texts else None
        if folded is not None and folded != texts[pid][0]:  # (a move changes no text: its index stays)
            with_text.append((score, until, folded, pid))
        else:
            plain.append((score, until, pid))
    freshness.write(plain, with_text=False)
    freshness.write(with_text, with_text=True)
    stored_advice.replace(ids, pieces)


def score_and_until(
    prospect: domain.Prospect | None, open_stage_by_id: dict, context: ScoreContext, settings: Settings
) -> tuple[int | None, datetime]:
    """A live prospect's score and until when it holds; (None, NEVER) for one that is not
    live (None), or not in an open stage: the clock changes nothing of it."""
    stage = open_stage_by_id.get(prospect.stage_id) if prospect is not None else None
    if stage is None:
        return None, freshness.NEVER
    thresholds = settings.thresholds
    score = score_total(prospect, stage, context, settings.score, thresholds)
    return score, score_holds_until(prospect, context.now, thresholds) or freshness.NEVER


class NewRows(NamedTuple):
    """How an import scores the rows it writes, as :func:`keep_current` would at ``now``."""

    context: ScoreContext
    open_stage_by_id: dict
    basis: tuple  # the basis to store once they are in: rules, day, ladder, latest, time in stage
    working: Working
    advice: list  # what :func:`new_row` worked out, stored by :func:`new_rows_in`


def for_new_rows(
    now: datetime, settings: Settings, open_values: Iterable[int], database_was_empty: bool
) -> NewRows | None:
    """The scoring of rows an import brings (``open_values``: the values of its live open
    ones), so that the first look after it has nothing to work out. Into an empty database,
    or one whose scores hold at ``now``, they are scored as :func:`keep_current` would score
    them; otherwise (the rules or the day changed) None: it works them out with the rest."""
    stages = queries.load_stages(settings)
    rules = _fingerprint(settings, stages)
    basis = freshness.basis()
    if database_was_empty:  # (the time in stage: read by the first look, see keep_current)
        ladder, latest, stage_time = value_ladder(open_values), now, None
    elif _holds(basis, rules, now):
        ladder, latest, stage_time = basis["ladder"], max(now, basis["latest"]), basis["stage_time"]
    else:
        return None
    working = _working(now, ladder, stages, _limits(settings, stages, stage_time), settings)
    basis = (rules, now.date(), ladder, latest, stage_time)
    return NewRows(working.score, working.open_stage_by_id, basis, working, [])


def new_row(
    prospect: domain.Prospect | None, new: NewRows, settings: Settings
) -> tuple[int | None, datetime]:
    """One imported row's score and until when it and its advice hold; its advice is kept in
    ``new`` until :func:`new_rows_in`."""
    score, until, pieces = worked_out(prospect, new.working, settings)
    new.advice.extend(pieces)
    return score, until


def new_rows_in(new: NewRows) -> None:
    """After the import's rows are in (its transaction): their advice, and the basis they
    were worked out with."""
    stored_advice.replace((), new.advice)
    freshness.set_basis(*new.basis)
