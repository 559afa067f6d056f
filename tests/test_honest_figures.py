"""Issue 20's figures through the command line, each checked against arithmetic done by hand:
a crafted history typed with the clock pinned at each step, and reports taken as "now" moves
through it (the lead-to-win rate, new prospects needed, days left and pace, the forecast from
this month with slipped deals, lost reasons, time in stage, rotting limits, win rate by source,
this week's activity, snoozes, and the advice grouped by code)."""

from __future__ import annotations

import json
import math
import re

import pytest

FINAL = "2026-11-26 09:30"  # a Thursday; the quarter is Q4 2026 (1 Oct - 31 Dec)


@pytest.fixture
def at(cli):
    """Run a command with the clock pinned at ``when``; it must succeed."""

    def run(when: str, *args: str, env: dict | None = None):
        cli.now = when
        return cli(*args, check=True, env=env)

    return run


def report(at, when: str, env: dict | None = None) -> dict:
    return json.loads(at(when, "report", "--json", env=env).stdout)


def _done(at, when: str, prospect: str, due: str, kind: str) -> None:
    """Schedule a follow-up the day before and mark it done at ``when``."""
    scheduled = at(when.replace("10:00", "08:00"), "follow-up", prospect, due, "--kind", kind).stdout
    (follow_up_id,) = re.findall(r"#(\d+)", scheduled)
    at(when, "done", follow_up_id)


def test_every_figure_as_now_moves_through_a_crafted_history(at):
    at("2026-06-01 10:00", "quota", "100000", "--period", "quarter")
    # Kilo: 10 days a Lead, 20 Qualified, won in July
    at("2026-06-01 10:00", "add", "Kilo", "--value", "10000", "--source", "Referral")
    at("2026-06-11 10:00", "move", "Kilo", "Qualified")
    at("2026-07-01 10:00", "move", "Kilo", "Won")
    # Lima: 4 days a Lead, 30 Qualified, lost for "Price"
    at("2026-07-01 10:00", "add", "Lima", "--value", "8000", "--source", "cold call")
    at("2026-07-05 10:00", "move", "Lima", "Qualified")
    # Mike: 2 days a Lead, lost for " price " (the same reason, other spaces and case)
    at("2026-08-01 10:00", "add", "Mike", "--value", "6000", "--source", "cold  call")
    at("2026-08-03 10:00", "move", "Mike", "Lost", "--reason", " price ")
    at("2026-08-04 10:00", "move", "Lima", "Lost", "--reason", "Price")
    # November: 8 days a Lead, lost without a reason
    at("2026-09-01 10:00", "add", "November", "--value", "5000", "--source", "referral")
    at("2026-09-09 10:00", "move", "November", "Lost", "--reason", "")
    # Oscar: 5 days a Lead, then Qualified and left alone; due to close on 15 Nov
    at("2026-10-01 10:00", "add", "Oscar", "--value", "20000", "--source", "website", "--close", "2026-11-15")
    at("2026-10-06 10:00", "move", "Oscar", "Qualified")

    data = report(at, "2026-10-20 09:30")
    # created in the 365 days before now: Kilo won; Lima, Mike, November lost; Oscar last
    # touched 6 Oct, 13 days and 23.5 hours ago: still active. 4 decided, fewer than 5: the
    # Lead stage's 10% stands in
    assert data["lead_to_win"] == {
        "rate": 0.1,
        "won": 1,
        "lost": 3,
        "aged_out": 0,
        "decided": 4,
        "source": "stage",
    }
    quota = data["quota"]
    # expected: Oscar 20000 x 0.25 (closes 15 Nov); gap 95000; average sale: Kilo's 10000
    assert (quota["won"], quota["expected"], quota["gap"], quota["average_won_value"]) == (
        0,
        5000,
        95000,
        10000,
    )
    # ceil(95000 / (10000 x 0.10)) = 95; 20 Oct - 31 Dec, both counted: 12 + 30 + 31 = 73 days
    assert quota["new_prospects_needed"] == 95
    assert quota["days_left"] == 73
    assert quota["new_prospects_per_week"] == math.ceil(95 * 7 / 73) == 10
    # still to win: the whole 100000, spread over 73 days
    assert quota["pace_per_week"] == round(100000 * 7 / 73, 2)
    assert quota["pace_per_month"] == round(100000 * 365.25 / 12 / 73, 2)
    # the forecast starts with October (now); Oscar closes in November
    assert [(m["month"], m["count"], m["weighted_value"]) for m in data["forecast"]] == [
        ("2026-10", 0, 0),
        ("2026-11", 1, 5000),
        ("2026-12", 0, 0),
        ("2027-01", 0, 0),
        ("2027-02", 0, 0),
        ("2027-03", 0, 0),
    ]
    assert data["slipped"] == {"count": 0, "value": 0, "weighted_value": 0}

    # Quebec: added, then snoozed with a reason on 1 Nov (an edit: it was touched then)
    at("2026-10-20 10:00", "add", "Quebec", "--value", "3000", "--source", "referral")
    at("2026-11-01 10:00", "snooze", "Quebec", "--until", "2027-01-11", "--reason", "budget opens in January")
    # Papa: 2 days a Lead; a call done this week (Monday 23 Nov on)
    at("2026-11-02 10:00", "add", "Papa", "--value", "12000", "--source", "website", "--close", "2026-12-10")
    at("2026-11-04 10:00", "move", "Papa", "Qualified")
    _done(at, "2026-11-24 10:00", "Papa", "2026-11-24 10:00", "call")
    # Romeo: new this week, an email done; Sierra: new this week and lost an hour later
    at("2026-11-24 11:00", "add", "Romeo", "--source", "Referral")
    _done(at, "2026-11-25 10:00", "Romeo", "2026-11-25 10:00", "email")
    at("2026-11-25 11:00", "add", "Sierra", "--value", "4000", "--source", "trade fair")
    at("2026-11-25 12:00", "move", "Sierra", "Lost", "--reason", "PRICE")

    data = report(at, FINAL)
    # Oscar, untouched since 6 Oct (50 days), has aged out: counted as lost. Quebec, untouched
    # since 1 Nov (24 days), is snoozed with a reason: not. Papa and Romeo are active.
    # Kilo won; Lima, Mike, November, Sierra lost: 1 won of 6 decided
    assert data["lead_to_win"] == {
        "rate": round(1 / 6, 4),
        "won": 1,
        "lost": 4,
        "aged_out": 1,
        "decided": 6,
        "source": "history",
    }
    quota = data["quota"]
    # the win rate keeps its own name: won / closed in the 365 days, 1 of 5
    assert quota["win_rate"] == 0.2
    # expected: Oscar 5000 (its close date passed: still by 31 Dec), Papa 12000 x 0.25 = 3000,
    # Quebec 3000 x 0.10 = 300 (undated); Romeo has no value. Gap 100000 - 8300 = 91700
    assert (quota["expected"], quota["gap"]) == (8300, 91700)
    # ceil(91700 / (10000 x 1/6)) = ceil(55.02) = 56, not ceil(91700 / (10000 x 0.2)) = 46
    assert quota["new_prospects_needed"] == 56
    assert quota["days_left"] == 36  # 26 Nov - 31 Dec
    assert quota["new_prospects_per_week"] == math.ceil(56 * 7 / 36) == 11
    assert quota["pace_per_week"] == round(100000 * 7 / 36, 2)

    # Oscar was due on 15 Nov: slipped, and counted in November (this month)
    assert data["slipped"] == {"count": 1, "value": 20000, "weighted_value": 5000}
    assert [(m["month"], m["count"], m["weighted_value"], m["won"]) for m in data["forecast"]][:2] == [
        ("2026-11", 1, 5000, 0),
        ("2026-12", 1, 3000, 0),  # Papa
    ]

    # lost in the 365 days: "Price", " price ", "PRICE" are one reason (once each: the
    # spelling with the fewest capitals names it); November gave none
    assert data["lost_reasons"] == [
        {"reason": "price", "count": 3, "value": 8000 + 6000 + 4000},
        {"reason": "(none given)", "count": 1, "value": 5000},
    ]

    # time in stage, of those that left it: Lead 10, 4, 2, 8, 5, 2 days and Sierra's hour;
    # Qualified: Kilo 20 days, Lima 30
    lead_days = (10 + 4 + 2 + 8 + 5 + 2 + 1 / 24) / 7
    stage_days = {d["stage"]: d for d in data["stage_days"]}
    assert stage_days["Lead"] == {
        "stage": "Lead",
        "pipeline": "Sales",
        "avg_days": round(lead_days, 1),
        "count": 7,
        # 7 left Lead (5 at least): it rots after its mean time, rounded up
        "rotting_days": math.ceil(lead_days),
        "rotting_from": "history",
    }
    assert stage_days["Qualified"]["avg_days"] == 25.0
    assert (stage_days["Qualified"]["rotting_days"], stage_days["Qualified"]["rotting_from"]) == (
        21,
        "default",
    )
    assert stage_days["Trial"]["avg_days"] is None and stage_days["Trial"]["count"] == 0

    # win rate by source, over the prospects created in the 365 days (as the lead-to-win rate)
    assert data["sources"] == [
        {"source": "referral", "won": 1, "lost": 1, "aged_out": 0, "rate": 0.5, "value": 10000},
        {"source": "cold call", "won": 0, "lost": 2, "aged_out": 0, "rate": 0.0, "value": 0},
        {"source": "trade fair", "won": 0, "lost": 1, "aged_out": 0, "rate": 0.0, "value": 0},
        {"source": "website", "won": 0, "lost": 0, "aged_out": 1, "rate": 0.0, "value": 0},
    ]

    # this week: Papa's call, Romeo's email; Romeo and Sierra are new (Sierra closed already)
    assert data["activity"] == {
        "week_start": "2026-11-23",
        "calls": {"done": 1, "goal": 20},
        "emails": {"done": 1, "goal": 10},
        "appointments": {"done": 0, "goal": 3},
        "new_prospects": {"done": 2, "goal": None, "needed": 11},
    }
    cold = [a["message"] for a in data["advice"] if a["code"] == "cold-call-more"]
    assert cold == [
        "Make more cold calls: only 4 early prospects against the 56 new ones the quota needs; the quota "
        "needs 11 new prospects a week until 31 Dec"
    ]
    # Oscar is stale (50 days > 21); Quebec would be (24 days > Lead's 5) but for its snooze
    stale = {a["prospect"] for a in data["advice"] if a["code"] == "stale"}
    assert stale == {"Oscar"}

    # the text says the same
    text = at(FINAL, "report").stdout
    assert "Lead-to-win rate                17%   1 won of 6 decided (4 lost, 1 aged out)" in text
    assert "Win rate                        20%   won ÷ closed" in text
    assert "100% won" not in text and "0% won, 36 days left" in text
    assert "Slipped: 1 open deal worth 20,000 (5,000 weighted) past their close date" in text
    assert re.search(r"price\s+3\s+18,000", text)


def _config(tmp_path, text: str) -> dict:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return {"PIPELINE_TUI_CONFIG": str(path)}


def test_rotting_limits_snoozes_and_the_stale_advice(at, tmp_path):
    tight = _config(tmp_path, "[rotting]\nqualified = 10\n[goals]\ncalls_per_week = 5\n")
    at(
        "2026-11-01 10:00",
        "add",
        "Uniform",
        "--value",
        "9000",
        "--stage",
        "Qualified",
        "--close",
        "2026-12-20",
    )

    def stale(when, env=None):
        return [a["message"] for a in report(at, when, env)["advice"] if a["code"] == "stale"]

    # idle 9 days: under the configured 10; 25 days: past it, and past the default 21
    assert stale("2026-11-10 10:00", tight) == []
    assert stale(FINAL, tight) == [
        "Revive or close Uniform: nothing has happened for 24 days (Qualified deals go stale after 10)"
    ]
    assert stale(FINAL) == ["Revive or close Uniform: nothing has happened for 24 days"]
    data = report(at, FINAL, tight)
    assert data["activity"]["calls"] == {"done": 0, "goal": 5}
    qualified = next(d for d in data["stage_days"] if d["stage"] == "Qualified")
    assert (qualified["rotting_days"], qualified["rotting_from"]) == (10, "config")

    # snoozed with a reason: quiet until it wakes (the snooze is an edit: idle from then)
    at(FINAL, "snooze", "Uniform", "--until", "2027-01-11", "--reason", "on holiday until January")
    assert stale("2026-12-20 10:00", tight) == []  # 24 days after the snooze, still asleep
    shown = at("2026-12-20 10:00", "show", "Uniform").stdout
    assert "Snoozed until   11 Jan 2027 · on holiday until January" in shown.splitlines()
    assert "Snoozed" not in at("2027-01-11 10:00", "show", "Uniform").stdout, "woken: nothing to say"
    assert stale("2027-01-11 10:00", tight) == [
        "Revive or close Uniform: nothing has happened for 46 days (Qualified deals go stale after 10)"
    ]
    at("2026-11-27 10:00", "snooze", "Uniform", "--clear")
    assert stale("2026-12-20 10:00", tight) == [
        "Revive or close Uniform: nothing has happened for 23 days (Qualified deals go stale after 10)"
    ]


def test_a_snooze_that_cannot_be_is_refused_in_one_line_and_changes_nothing(cli):
    cli("add", "Victor", "--value", "100", check=True)
    cli("add", "Whiskey", check=True)
    cli("move", "Whiskey", "Lost", check=True)
    before = cli("export", "--format", "json", check=True).stdout
    for args, says in (
        (("Victor", "--until", "2026-11-01", "--reason", "later"), "must end after now"),
        (("Victor", "--until", "2027-01-11"), "say until when and why"),
        (("Victor", "--reason", "later"), "say until when and why"),
        (("Victor", "--until", "2027-01-11", "--reason", "  "), "say why"),
        (("Victor", "--until", "someday", "--reason", "later"), "someday"),
        (("Nobody", "--until", "2027-01-11", "--reason", "later"), "Nobody"),
        (("Whiskey", "--until", "2027-01-11", "--reason", "later"), "only an open deal"),
        (("Victor", "--clear"), "not snoozed"),
        (("Victor", "--clear", "--until", "2027-01-11"), "--clear"),
    ):
        done = cli("snooze", *args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stdout == ""
        assert len(done.stderr.strip().splitlines()) == 1 and says in done.stderr, (args, done.stderr)
    assert cli("export", "--format", "json", check=True).stdout == before


def test_the_text_lists_at_most_five_of_a_code_the_most_valuable_first(at):
    for number in range(1, 8):  # seven deals past Lead with no close date: probe-timeframe
        at("2026-11-20 10:00", "add", f"Tango {number}", "--value", f"{number}000", "--stage", "Qualified")
    data = report(at, FINAL)
    probes = [a["prospect"] for a in data["advice"] if a["code"] == "probe-timeframe"]
    assert probes == [f"Tango {n}" for n in range(7, 0, -1)], "every one in JSON, the biggest first"
    group = next(g for g in data["advice_groups"] if g["code"] == "probe-timeframe")
    assert group == {"code": "probe-timeframe", "count": 7, "value": 28000 * 0.25}
    assert sum(g["count"] for g in data["advice_groups"]) == len(data["advice"])

    text = at(FINAL, "report").stdout
    section = text[text.index("probe-timeframe (7") :]
    shown = re.findall(r"Find out when (Tango \d)", section)
    assert shown == [f"Tango {n}" for n in range(7, 2, -1)]
    assert "probe-timeframe (7, 7,000 weighted): the 5 most valuable" in text
    assert "… and 2 more (report --json lists all)" in section


def test_figures_from_odds_read_in_whole_units_and_json_keeps_them_exact(at):
    """1,001 at Qualified's 25% is 250.25 weighted: the text says 250 (a gap, rounded up, never
    reads less than is missing); the JSON keeps the cents."""
    at("2026-11-20 10:00", "add", "Odd cents", "--value", "1001", "--stage", "Qualified")
    at("2026-11-20 10:00", "quota", "1000.10", "--period", "month")
    data = report(at, FINAL)
    qualified = next(s for s in data["stages"] if s["name"] == "Qualified")
    assert qualified["weighted_value"] == 250.25
    assert data["quota"]["gap"] == pytest.approx(1000.10 - 250.25)
    text = at(FINAL, "report").stdout
    assert re.search(r"^Qualified +1 +1,001 +250  ", text, re.M), text
    assert re.search(r"Expected \(weighted\) +250$", text, re.M)
    assert re.search(r"Gap from scratch +750$", text, re.M)
    assert ".25" not in text and ".85" not in text


def test_won_expected_and_gap_shown_in_whole_units_add_up_to_the_quota(at):
    """1,003 at 25% is 250.75 expected, leaving a gap of 749.25 to a quota of 1,000: rounded
    each to the nearest unit they would read 251 and 750 (1,001); expected goes down and the
    gap up, so what the report shows adds up to the quota it names."""
    at("2026-11-20 10:00", "add", "Odd cents", "--value", "1003", "--stage", "Qualified")
    at("2026-11-20 10:00", "quota", "1000", "--period", "month")
    data = report(at, FINAL)
    assert data["quota"]["expected"] == 250.75 and data["quota"]["gap"] == 749.25
    text = at(FINAL, "report").stdout
    assert re.search(r"Expected \(weighted\) +250$", text, re.M), text
    assert re.search(r"Gap from scratch +750$", text, re.M), text


# ---- the report at scale: the JSON written piece by piece -------------


def _demo(db, now, count: int) -> None:
    from pipeline_tui.io.demo import build_demo
    from pipeline_tui.services.importing import write_demo

    write_demo(build_demo(now, count), now)


def test_the_report_json_text_is_what_json_dumps_makes_of_it(db, now):
    from pipeline_tui.core.settings import Settings
    from pipeline_tui.io.shapes import dumps, report_json, report_json_text
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.services.views import report as read_report

    _demo(db, now, 60)
    for name in ('Quote " and \\ back', "Line\nbreak\ttab\x1b[31m", "Ünïcødé 漢字 😀", "\u2028 sep"):
        add_prospect(now, name, stage="Qualified", fields={"value": "1000", "organization": name})
    result = read_report(now, Settings())
    assert any("漢字" in a.message for a in result.advice)
    assert report_json_text(result, pretty=False) == dumps(report_json(result), pretty=False)
    assert report_json_text(result, pretty=True) == dumps(report_json(result), pretty=True)
    assert json.loads(report_json_text(result, pretty=False)) == report_json(result)


def test_the_text_lines_its_columns_up_with_wide_names(db, now):
    """A CJK character takes two cells of the terminal: in the stage table, the time in stage
    and the conversion, what follows a stage's name starts at the same cell on every line, and
    a name too wide for its column is cut whole characters at a time."""
    from rich.cells import cell_len

    from pipeline_tui.core.settings import Settings
    from pipeline_tui.io.text import report_text
    from pipeline_tui.services.stages import rename_stage
    from pipeline_tui.services.views import report as read_report

    _demo(db, now, 60)
    rename_stage("Qualified", "資格確認済み")  # 12 cells in 6 characters
    rename_stage("Proposal", "提案書を送付済みの段階です")  # 26 cells: cut
    text = report_text(read_report(now, Settings()))

    def rows(head: str) -> list[str]:
        return text[text.index(head) :].split("\n\n")[0].splitlines()[1:]

    def cells_before(line: str, marks: str) -> int:
        return cell_len(line[: min(line.index(mark) for mark in marks if mark in line)])

    stage_rows, days_rows = rows("Stage "), rows("Time in stage")
    assert any("資格確認済み" in row for row in stage_rows)
    assert any("提案書を送付" in row for row in days_rows)
    assert {cells_before(row, "█░") for row in stage_rows} == {53}, stage_rows
    assert len({cells_before(row, "█░") for row in days_rows}) == 1, days_rows
    # (the conversion cuts no name: one too wide pushes its line on, as it always did)
    conversion = [line for line in rows("Conversion") if "→" in line and "提案書" not in line]
    assert any("資格確認済み →" in line for line in conversion)
    assert {cells_before(line, "→") for line in conversion} == {15}, conversion
    assert {cells_before(line, "%—") for line in conversion} == {34}, conversion
