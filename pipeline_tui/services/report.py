"""The report: every figure and all the advice, read in one transaction and worked out by the
pure core (``core.report``).

Everyone's report reads each open prospect's advice as stored beside its score
(``services.scores`` keeps it), where it still holds, and works out the rest in memory
without writing (a command that reads writes nothing); the open sums from the groups the
database adds up. A report of one salesperson or one pipeline learns its rotting limits
from its own deals, so its stale advice may differ from the stored one: it works everything
out in memory. It once read half of a big pipeline's open prospects in a forked child; that
cost more CPU than it saved on a busy machine and went (docs/performance.md says what it
measured).
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime
from itertools import groupby
from operator import itemgetter

from pipeline_tui.core import advice as advice_rules
from pipeline_tui.core.dates import moment_reader
from pipeline_tui.core.domain import OPEN, new_record
from pipeline_tui.core.open_deals import marks, sum_deal_groups
from pipeline_tui.core.report import Report, build_report, rotting_limits_of
from pipeline_tui.core.settings import Settings
from pipeline_tui.io.shapes import advice_piece
from pipeline_tui.services import scores
from pipeline_tui.store import models, stored_advice
from pipeline_tui.store.db import is_sqlite, read_snapshot
from pipeline_tui.store.read_beside import ReadBeside, ReadHere, read_beside
from pipeline_tui.store.report import load_report_snapshot, open_deal_groups, open_prospects_among


def report(
    now: datetime,
    settings: Settings,
    pipeline_id: int | None = None,
    owner: str | None = None,
    *,
    top: int | None = None,
    plain: bool = False,
    as_json: bool = False,
) -> Report:
    """Figures and advice for everyone (the team's quota) or one salesperson (their quota).
    With ``top``, the report may list only the first ``top`` pieces of advice of each code
    (every piece still counted in its group), which is all the text shows. With ``plain``, the
    report may hold the prospect advice as plain values in order (``Report.listed``, after its
    pipeline-wide ``advice``): what ``--json`` writes, without a record per piece; with
    ``as_json`` too, as the texts of their JSON objects where the store makes them
    (``Report.listed_json``)."""
    with read_snapshot():
        if pipeline_id is None and owner is None:
            found = _with_stored_advice(now, settings, top, plain, as_json)
            if found is not None:
                return found
        snapshot = load_report_snapshot(now, settings, pipeline_id, owner)
    return build_report(snapshot, settings)


def _with_stored_advice(
    now: datetime, settings: Settings, top: int | None = None, plain: bool = False, as_json: bool = False
) -> Report | None:
    """Everyone's report from the stored advice that holds at ``now`` and the rules run over
    the other open prospects; None where the stored advice was worked out by other rules."""
    snapshot = load_report_snapshot(now, settings, with_open=False)
    limits = rotting_limits_of(snapshot, settings)
    if not scores.stored_advice_holds(now, settings, snapshot.stages, limits):
        return None
    open_ids = [stage.id for stage in snapshot.stages if stage.kind == OPEN]
    at = marks(now, settings.thresholds)
    # the database groups the deals on the second core while this thread reads the advice
    groups = read_beside(lambda: open_deal_groups(open_ids, settings.currency, at))
    stale = stored_advice.not_fresh(now)
    opens = set(open_ids)
    others = [pid for pid, archived, stage in stale if not archived and stage in opens]
    worked = advice_rules.prospect_advice(
        snapshot, settings.thresholds, open_prospects_among(others, open_ids, settings.currency), limits
    )
    if plain and as_json and is_sqlite(models.database.obj):
        texts, counted = _json_in_order(now, worked)
        sums = _sums(snapshot, settings, groups)
        return build_report(snapshot, settings, sums, [], counted, listed_json=texts)
    if plain:
        stored = stored_advice.fresh_in_order(now, advice_rules.PROSPECT_CODES)
        listed, counted = advice_rules.listed_in_order(stored, worked, now)
        return build_report(snapshot, settings, _sums(snapshot, settings, groups), [], counted, listed)
    if top is not None:
        first = _first_and_counted(now, top, worked)
        return build_report(snapshot, settings, _sums(snapshot, settings, groups), *first)
    found = _worded(now, stored_advice.every_piece(), {pid for pid, _, _ in stale})
    return build_report(snapshot, settings, _sums(snapshot, settings, groups), found + worked)


def _sums(snapshot, settings: Settings, groups: ReadBeside | ReadHere):
    """The open sums of the deal groups read beside."""
    return sum_deal_groups(snapshot, settings.thresholds, *groups.result())


def _first_and_counted(
    now: datetime, top: int, worked: list[advice_rules.Advice]
) -> tuple[list[advice_rules.Advice], list[advice_rules.AdviceGroup]]:
    """The first ``top`` pieces of each code among the stored ones that hold at ``now`` and
    those just ``worked`` out, and every piece of both counted by code: SQL picks and counts
    the stored ones, so only a few hundred pieces are worded and sorted."""
    counts = {code: [count, value] for code, (count, value) in stored_advice.fresh_counts(now).items()}
    first = []
    listed: dict[str, int] = {}
    stored = _worded(now, stored_advice.fresh_first(now, top, list(counts)))
    for piece in advice_rules.sort_advice(stored + worked):
        if listed.get(piece.code, 0) < top:
            listed[piece.code] = listed.get(piece.code, 0) + 1
            first.append(piece)
    for piece in worked:
        group = counts.setdefault(piece.code, [0, 0.0])
        group[0] += 1
        group[1] += piece.value
    groups = [
        advice_rules.AdviceGroup(code, *counts[code])
        for code in advice_rules.PROSPECT_CODES
        if code in counts
    ]
    return first, groups


def _worded(
    now: datetime, pieces: list[tuple], stale: frozenset[int] | set[int] = frozenset()
) -> list[advice_rules.Advice]:
    """Stored pieces of advice (all but those of ``stale`` prospects) worded at ``now`` (a
    clock phrase is the same for every piece of one code and moment: said once)."""
    advice, clock, phrase = advice_rules.Advice, advice_rules.CLOCK_CODES, advice_rules.clock_phrase
    said: dict[tuple, str] = {}
    found = []
    add = found.append
    for pid, name, code, message, when, tail, value in pieces:
        if pid in stale:
            continue
        if code in clock:
            key = (code, when)
            words = said.get(key)
            if words is None:
                words = said[key] = phrase(code, when, now)
            message = message + words + tail
        add(new_record(advice, (code, message, pid, name, when, value)))
    return found


def _json_in_order(now: datetime, worked: list[advice_rules.Advice]) -> tuple[list[str], list]:
    """As ``core.advice.listed_in_order``, each piece as the text of its JSON object: the
    stored ones' made by SQLite (worded here where the clock phrase goes), the few ``worked``
    out again put in their places, and every code's values summed in that order."""
    codes = advice_rules.PROSPECT_CODES
    rows = stored_advice.fresh_json_in_order(now, codes, advice_rules.CLOCK_CODES)
    waiting: dict[str, list[advice_rules.Advice]] = {}
    for a in advice_rules.sort_advice(worked):
        waiting.setdefault(a.code, []).append(a)
    ours = frozenset(codes)
    runs = groupby(rows, itemgetter(0))
    run = next(runs, None)
    texts: list[str] = []
    groups = []
    for code in codes:
        while run is not None and run[0] not in ours:  # no rule of ours says it
            run = next(runs, None)
        mine = run is not None and run[0] == code
        before = len(texts)
        value = _json_merged(texts, code, run[1] if mine else (), waiting.get(code, []), now)
        if len(texts) > before:
            groups.append(advice_rules.AdviceGroup(code, len(texts) - before, value))
        if mine:
            run = next(runs, None)  # (only once this code's rows are read: they go with it)
    return texts, groups


def _json_merged(
    texts: list[str], code: str, rows, worked: list[advice_rules.Advice], now: datetime
) -> float:
    """Add one code's stored rows to ``texts`` with the pieces ``worked`` out (in order) each
    in its place, found by bisection; returns the values summed in that order."""
    if not worked:
        return _json_worded(texts, code, rows, now, {}, 0.0)
    rows = list(rows)
    parse = moment_reader()

    def order(row: tuple) -> tuple:
        return (-row[2], parse(row[3]) or datetime.max, row[1])

    said: dict[object, str] = {}
    total = 0.0
    start = 0
    for a in worked:
        at = bisect_left(rows, (-a.value, a.when or datetime.max, a.prospect_id), start, key=order)
        total = _json_worded(texts, code, rows[start:at], now, said, total)
        texts.append(advice_piece(code, a.message, a.prospect_id, a.prospect))
        total += a.value
        start = at
    return _json_worded(texts, code, rows[start:], now, said, total)


def _json_worded(texts: list[str], code: str, rows, now: datetime, said: dict, total: float) -> float:
    """Add stored rows of one code to ``texts``, the clock phrase (said once per moment:
    ``said`` keeps them) put between a row's two parts; ``total`` with their values added."""
    add = texts.append
    if code not in advice_rules.CLOCK_CODES:
        for _, _, value, _, head, _ in rows:
            add(head)
            total += value
        return total
    parse, phrase = moment_reader(), advice_rules.clock_phrase
    for _, _, value, when, head, rest in rows:
        words = said.get(when)
        if words is None:
            words = said[when] = phrase(code, parse(when), now)
        add(head + words + rest)
        total += value
    return total
