"""Everyone's report takes its open sums from groups the database adds up: on both engines
they equal the sums taken prospect by prospect, with deals in several currencies (converted
deal by deal, to the cent), slipped, without a close date, snoozed, archived and written
since the scores were last kept current."""

from __future__ import annotations

from datetime import timedelta

from pipeline_tui.core.domain import OPEN
from pipeline_tui.core.money import Currencies
from pipeline_tui.core.open_deals import marks, open_sums, sum_deal_groups
from pipeline_tui.core.report import build_report
from pipeline_tui.core.settings import Settings
from pipeline_tui.services import report as report_service
from pipeline_tui.services import scores
from pipeline_tui.services.prospects import add_prospect, archive_prospect, edit_prospect, snooze_prospect
from pipeline_tui.store.db import read_snapshot
from pipeline_tui.store.report import load_report_snapshot, open_deal_groups
from tests.test_board_reader import demo

# rates that do not divide evenly: a sum converted once differs from the deals converted one by one
SETTINGS = Settings(currency=Currencies("EUR", {"USD": 0.917, "JPY": 0.00613}))
FIGURES = ("quota", "lead_to_win", "stages", "forecast", "slipped", "sources", "activity")


def _deals(now) -> None:
    month = f"{now:%Y-%m}-28"
    for n in range(3):  # one group of three equal yen deals: each rounds on its own
        yen = {"value": "¥1,234,567", "expected_close": month}
        add_prospect(now, f"Yen {n}", stage="Proposal", fields=yen)
    add_prospect(now, "Dollars", stage="Proposal", fields={"value": "$1,001", "expected_close": month})
    add_prospect(now, "Dollars, no value", fields={"currency": "USD"})
    add_prospect(now, "Slipped", stage="Proposal", fields={"value": "999", "expected_close": "2026-10-01"})
    add_prospect(now, "No close", stage="Proposal", fields={"value": "777", "probability": "35%"})
    gone = add_prospect(now, "Archived", stage="Proposal", fields={"value": "¥5,000,000"})
    archive_prospect(gone.id, now)
    asleep = add_prospect(now, "Asleep", stage="Proposal", fields={"value": "5"})
    snooze_prospect(asleep.id, now + timedelta(days=30), "back in January", now)


def _sums(now):
    """The open sums worked out deal by deal from every open record, and from the groups."""
    with read_snapshot():
        snapshot = load_report_snapshot(now, SETTINGS)
        open_ids = [stage.id for stage in snapshot.stages if stage.kind == OPEN]
        groups = open_deal_groups(open_ids, SETTINGS.currency, marks(now, SETTINGS.thresholds))
    return open_sums(snapshot, SETTINGS.thresholds), sum_deal_groups(snapshot, SETTINGS.thresholds, *groups)


def test_the_reports_sums_from_groups_equal_those_taken_deal_by_deal(db, now):
    demo(now)
    _deals(now)
    later = now + timedelta(days=3)
    thresholds = SETTINGS.thresholds
    for mark in (
        later - timedelta(days=thresholds.lookback_days),
        later - timedelta(days=thresholds.stale_after_days),
    ):
        for moment in (mark, mark + timedelta(microseconds=1)):  # on the marks, where <= and < part
            add_prospect(moment, f"Edge {moment}", fields={"value": "1", "source": "edge"})
    old = add_prospect(now - timedelta(days=60), "Snoozed until then", fields={"source": "edge"})
    snooze_prospect(old.id, later, "until the 29th", now - timedelta(days=60))  # over at ``later``
    scores.keep_current(now, SETTINGS)
    written = add_prospect(later, "Since", stage="Proposal", fields={"value": "¥10,001"})
    edit_prospect(written.id, later, {"expected_close": "2026-11-01"})  # not fresh, and slipped
    for when in (later, now + timedelta(days=40)):  # the snooze stands, then it has ended
        per_deal, grouped = _sums(when)
        assert grouped == per_deal
        assert per_deal.aged_out and per_deal.appointments_soon >= 0
        with read_snapshot():
            expected = build_report(load_report_snapshot(when, SETTINGS), SETTINGS)
        with read_snapshot():
            found = report_service._with_stored_advice(when, SETTINGS)  # the groups' path, not None
        assert [getattr(found, name) for name in FIGURES] == [getattr(expected, name) for name in FIGURES]
    # the data tells the two conversions apart: three yen deals summed, then converted, differ
    yen = 123_456_700
    assert SETTINGS.currency.in_home(3 * yen, "JPY") != 3 * SETTINGS.currency.in_home(yen, "JPY")


def test_the_report_builds_its_own_parser_alone_and_still_reads_one_pipeline(db, db_location, now, capsys):
    from pipeline_tui.cli import build_parser, main
    from pipeline_tui.io.shapes import report_json_text
    from pipeline_tui.services.base import find_pipeline
    from pipeline_tui.services.setup import add_pipeline

    commands = build_parser(["--db", "x.db", "report", "--json"])._subparsers._group_actions[0].choices
    assert "--json" in commands["report"].format_usage() and "add" not in commands
    commands = build_parser(["report", "--help"])._subparsers._group_actions[0].choices
    assert "The figures:" in commands["report"].format_help()
    add_pipeline("Renewals")
    add_prospect(now, "Initech renewal", pipeline="Renewals", fields={"value": "300"})
    add_prospect(now, "Acme", fields={"value": "900"})
    renewals = find_pipeline("Renewals").id
    expected = report_json_text(report_service.report(now, Settings(), renewals))
    at = ["--db", db_location, "--now", f"{now:%Y-%m-%d %H:%M}", "report"]
    assert main([*at, "--json", "--pipeline", "Renewals"]) == 0
    assert capsys.readouterr().out == expected + "\n"
    assert main([*at, "--pipeline", "Nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1 and "Nope" in captured.err
