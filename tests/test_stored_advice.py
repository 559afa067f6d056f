"""Each open prospect's advice, stored beside its score (schema 11) and read by everyone's
report: after every kind of write and as the clock passes, what is stored (worded at the
moment of reading) is what the pure core says, on both engines; a report over rows not all
fresh, or made under other rules, is the one worked out in memory."""

from __future__ import annotations

import json
from datetime import timedelta

from pipeline_tui.core import advice as advice_rules
from pipeline_tui.core.report import build_report, rotting_limits_of
from pipeline_tui.core.settings import Settings, Thresholds
from pipeline_tui.io.shapes import dumps, report_json, report_json_text
from pipeline_tui.io.text import ADVICE_PER_CODE, report_text
from pipeline_tui.services import report as report_service
from pipeline_tui.services import scores
from pipeline_tui.services.base import undo_last
from pipeline_tui.services.follow_ups import complete, log_activity, schedule, snooze
from pipeline_tui.services.prospects import (
    add_prospect,
    archive_prospect,
    edit_prospect,
    mark_lost,
    mark_won,
    snooze_prospect,
    step_prospect,
)
from pipeline_tui.store import freshness, stored_advice
from pipeline_tui.store import report as store_report
from pipeline_tui.store.db import read_snapshot
from pipeline_tui.store.report import load_report_snapshot
from tests.test_board_reader import _import_csv, demo

SETTINGS = Settings()


def _in_memory(now, settings: Settings = SETTINGS):
    """The report as the core works it out from every open prospect's record."""
    with read_snapshot():
        snapshot = load_report_snapshot(now, settings)
    return build_report(snapshot, settings)


def _stored_advice(now, settings: Settings = SETTINGS) -> list[advice_rules.Advice]:
    """What is stored, worded at ``now``; asserts it all holds (none worked out in memory)."""
    with read_snapshot():
        snapshot = load_report_snapshot(now, settings, with_open=False)
        limits = rotting_limits_of(snapshot, settings)
        assert scores.stored_advice_holds(now, settings, snapshot.stages, limits)
        assert stored_advice.not_fresh(now) == []
        return advice_rules.sort_advice(report_service._worded(now, stored_advice.every_piece()))


def _cores_advice(now, settings: Settings = SETTINGS) -> list[advice_rules.Advice]:
    return [a for a in _in_memory(now, settings).advice if a.prospect_id is not None]


def _kept_equals_core(now) -> None:
    scores.keep_current(now, SETTINGS)
    assert _stored_advice(now) == _cores_advice(now)


def test_stored_advice_is_the_cores_after_every_kind_of_write(db, now):
    demo(now)
    _kept_equals_core(now)
    ids = sorted({a.prospect_id for a in _cores_advice(now)})
    writes = [
        lambda: add_prospect(now, "Acme [bold]", stage="Qualified", fields={"decision_maker": "yes"}),
        lambda: edit_prospect(ids[0], now, {"value": "123456", "decision_maker": "yes", "contact": "Jo"}),
        lambda: step_prospect(ids[1], 1, now),
        lambda: log_activity(ids[2], "call", now, outcome="wants a quote"),
        lambda: schedule(ids[3], "appointment", now + timedelta(hours=20), now),
        lambda: schedule(ids[4], "info-request", now - timedelta(hours=30), now),
        lambda: snooze(schedule(ids[5], "call", now - timedelta(days=3), now).id, timedelta(days=1), now),
        lambda: complete(schedule(ids[6], "demo", now - timedelta(days=1), now).id, now, outcome="keen"),
        lambda: snooze_prospect(ids[7], now + timedelta(days=9), "on holiday", now),
        lambda: mark_won(ids[8], now),
        lambda: mark_lost(ids[9], "price", now),
        lambda: archive_prospect(ids[10], now),
    ]
    first = _stored_advice(now)
    for write in writes:
        write()
        assert freshness.any_stale(now), "each write leaves its prospect to be worked out again"
        _kept_equals_core(now)
    assert _stored_advice(now) != first
    gone = add_prospect(now, "Gone again", stage="Proposal").id
    _kept_equals_core(now)
    assert _rows_of(gone)
    undo_last()  # the new row deleted: its advice goes with it
    assert not _rows_of(gone)
    assert _stored_advice(now) == _cores_advice(now)


def _rows_of(prospect_id: int) -> list:
    from pipeline_tui.store.models import database

    sql = f"SELECT code FROM stored_advice WHERE prospect_id = {database.obj.param}"  # (its name too)
    return database.obj.execute_sql(sql, (prospect_id,)).fetchall()


def test_stored_advice_is_the_cores_after_an_import(db, now, tmp_path):
    _import_csv(tmp_path, now, 120)  # into an empty database: the import stores it
    assert not freshness.any_stale(now)
    assert _stored_advice(now) == _cores_advice(now)
    _import_csv(tmp_path, now, 60)  # into one whose scores hold
    assert _stored_advice(now) == _cores_advice(now)


def test_stored_advice_holds_until_the_moment_it_says_and_is_worked_out_again_then(db, now):
    """Just before each row's ``fresh_until`` the stored advice, worded then, is what the core
    says then; at it the row is worked out again. The demo has appointments, requests,
    trials and stale deals whose moments come within the month."""
    demo(now)
    for hours in (20, 40):
        schedule(1, "appointment", now + timedelta(hours=hours), now)
    schedule(2, "info-request", now - timedelta(hours=2), now)
    scores.keep_current(now, SETTINGS)
    moments = 0
    moment = now
    while moments < 12:
        moment = freshness.next_change()
        if moment is None or moment > now + timedelta(days=30):
            break
        assert _stored_advice(moment - timedelta(microseconds=1)) == _cores_advice(
            moment - timedelta(microseconds=1)
        )
        _kept_equals_core(moment)
        moments += 1
    assert moments >= 5


def test_a_report_over_rows_written_since_equals_the_one_worked_out_in_memory(db, now, monkeypatch):
    demo(now)
    scores.keep_current(now, SETTINGS)
    ids = sorted({a.prospect_id for a in _cores_advice(now)})
    step_prospect(ids[0], 1, now)
    edit_prospect(ids[1], now, {"decision_maker": "yes"})
    schedule(ids[2], "info-request", now - timedelta(hours=9), now)
    mark_won(ids[3], now)  # (their stored advice is still there, and not theirs any more)
    archive_prospect(ids[4], now)
    later = now + timedelta(days=3)  # (some rows' stored advice stops holding by then, too)
    for moment, few in ((now, store_report.FEW), (later, store_report.FEW), (later, 0)):
        monkeypatch.setattr(store_report, "FEW", few)  # 0: those not fresh picked out of all
        assert freshness.any_stale(moment)
        with read_snapshot():
            assert report_service._with_stored_advice(moment, SETTINGS) is not None  # the stored path
        assert report_service.report(moment, SETTINGS) == _in_memory(moment)


def _first_of_each_code(advice: list[advice_rules.Advice], top: int) -> list[advice_rules.Advice]:
    listed: dict[str, int] = {}
    first = []
    for a in advice:
        listed[a.code] = listed.get(a.code, 0) + 1
        if a.prospect_id is None or listed[a.code] <= top:
            first.append(a)
    return first


def test_the_first_few_of_each_code_merge_the_stored_with_those_worked_out_again(db, now):
    demo(now)
    scores.keep_current(now, SETTINGS)
    before = _cores_advice(now)
    code = "probe-timeframe"  # (a new value leaves it standing: no expected close yet)
    ranked = [a.prospect_id for a in before if a.code == code]
    assert len(ranked) > 5
    for tied in ranked[1:4]:  # equals in value, stored: SQL must pick the first of them as the core does
        edit_prospect(tied, now, {"value": "5000000"})
    scores.keep_current(now, SETTINGS)
    archive_prospect(ranked[0], now)  # its stored advice, first of its code, is not its own any more
    edit_prospect(ranked[-1], now, {"value": "9999999"})  # the last of its code, worked out again: first
    later = now + timedelta(days=3)  # (some rows' stored advice stops holding by then, too)
    for moment in (now, later):
        whole = _in_memory(moment)
        for top in (2, ADVICE_PER_CODE):
            with read_snapshot():
                assert report_service._with_stored_advice(moment, SETTINGS, top) is not None  # stored path
            found = report_service.report(moment, SETTINGS, top=top)
            assert found.advice == _first_of_each_code(whole.advice, top)
            assert (found.advice_groups, found.advice_count) == (whole.advice_groups, len(whole.advice))
            assert top != ADVICE_PER_CODE or report_text(found) == report_text(whole)
        firsts = [a.prospect_id for a in whole.advice if a.code == code][:4]
        assert firsts[0] == ranked[-1] and set(firsts[1:]) == set(ranked[1:4])


HOSTILE = ('Quote " and \\ back', "Esc\x1b[31m [bold]red", "Ünïcødé 漢字", "\u2028 sep\u2029", "C1 \x9b2J")


def test_the_json_of_the_stored_advice_in_its_order_is_that_of_the_whole_report(db, now):
    """``report --json`` takes the stored pieces in the order SQL gives them and puts those
    worked out again in their places: its text is json.dumps of the report whose every piece
    is an Advice sorted in Python, the archived row's piece dropped, ties on value broken by
    the moment, then by id."""
    demo(now)
    for name in HOSTILE:
        add_prospect(now, name, stage="Qualified", fields={"value": "1000", "organization": name})
    scores.keep_current(now, SETTINGS)
    code = "probe-timeframe"  # (a new value leaves it standing: no expected close yet)
    ranked = [a.prospect_id for a in _cores_advice(now) if a.code == code]
    for tied in ranked[1:5]:
        edit_prospect(tied, now, {"value": "5000000"})
    scores.keep_current(now, SETTINGS)
    larger, smaller = sorted(ranked[3:5], reverse=True)
    _same_moment(code, larger, smaller)  # equal in value and moment: the smaller id first
    archive_prospect(ranked[0], now)  # its stored piece, first of its code, is not its own now
    edit_prospect(ranked[-1], now, {"value": "9999999"})  # worked out again: first of its code
    edit_prospect(ranked[-2], now, {"value": "5000000"})  # worked out again: among the tied
    for moment in (now, now + timedelta(days=3)):
        with read_snapshot():
            assert report_service._with_stored_advice(moment, SETTINGS) is not None  # stored path
        found = report_service.report(moment, SETTINGS, plain=True)
        listed = found.listed
        whole = report_service.report(moment, SETTINGS)  # an Advice each, sorted in Python
        assert listed and len(found.advice) + len(listed) == len(whole.advice)
        text = report_json_text(found, pretty=False)
        assert text == dumps(report_json(whole), pretty=False)
        assert report_json_text(found, pretty=True) == dumps(report_json(whole), pretty=True)
        assert json.loads(text)["advice"] == report_json(whole)["advice"]
        order = [pid for listed_code, _, pid, _ in listed if listed_code == code]
        assert order[0] == ranked[-1] and ranked[0] not in order
        assert order.index(larger) == order.index(smaller) + 1 and ranked[-2] in order[1:6]
        assert any("漢字" in message for _, message, _, _ in listed)


def _same_moment(code: str, prospect_id: int, other: int) -> None:
    """Give ``other``'s stored piece of ``code`` the moment of ``prospect_id``'s."""
    from pipeline_tui.store.models import database

    param = database.obj.param
    database.obj.execute_sql(
        f"UPDATE stored_advice SET moment = (SELECT moment FROM stored_advice WHERE prospect_id = {param}"
        f" AND code = {param}) WHERE prospect_id = {param} AND code = {param}",
        (prospect_id, code, other, code),
    )


def test_stored_advice_made_under_other_thresholds_is_not_read(db, now):
    demo(now)
    scores.keep_current(now, SETTINGS)
    other = Settings(thresholds=Thresholds(offer_trial_after_days=3, info_request_hours=1))
    assert _cores_advice(now, other) != _cores_advice(now)  # (the change shows in the advice)
    with read_snapshot():
        assert report_service._with_stored_advice(now, other) is None
    assert report_service.report(now, other) == _in_memory(now, other)
    rotting = Settings(rotting={"Lead": 2})
    with read_snapshot():
        assert report_service._with_stored_advice(now, rotting) is None
