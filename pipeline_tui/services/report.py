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

from datetime import datetime

from pipeline_tui.core import advice as advice_rules
from pipeline_tui.core.domain import OPEN, new_record
from pipeline_tui.core.open_deals import marks, sum_deal_groups
from pipeline_tui.core.report import Report, build_report, rotting_limits_of
from pipeline_tui.core.settings import Settings
from pipeline_tui.services import scores
from pipeline_tui.store import stored_advice
from pipeline_tui.store.db import read_snapshot
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
) -> Report:
    """Figures and advice for everyone (the team's quota) or one salesperson (their quota).
    With ``top``, the report may list only the first ``top`` pieces of advice of each code
    (every piece still counted in its group), which is all the text shows. With ``plain``, the
    report may hold the prospect advice as plain values in order (``Report.listed``, after its
    pipeline-wide ``advice``): what ``--json`` writes, without a record per piece."""
    with read_snapshot():
        if pipeline_id is None and owner is None:
            found = _with_stored_advice(now, settings, top, plain)
            if found is not None:
                return found
        snapshot = load_report_snapshot(now, settings, pipeline_id, owner)
    return build_report(snapshot, settings)


def _with_stored_advice(
    now: datetime, settings: Settings, top: int | None = None, plain: bool = False
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
