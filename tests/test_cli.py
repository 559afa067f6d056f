"""The command line (README "The command line"), run as a user runs it: a subprocess per command.

Subprocesses cost about 0.3 s each, so related checks share a test. Data that a test only needs as a
starting point is written in-process through the services (the ``db`` fixture opens the same file).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_tui.io.csv_io import COLUMNS

NOW = datetime(2026, 11, 26, 9, 30)


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m pipeline_tui ARGS`` with no --db or --now added."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline_tui", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, and the schema version: what "unchanged" means."""
    connection = sqlite3.connect(path)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        result = {
            table: connection.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall() for table in tables
        }
        result["user_version"] = connection.execute("PRAGMA user_version").fetchall()
        return result
    finally:
        connection.close()


def assert_user_error(result: subprocess.CompletedProcess, *words: str) -> str:
    """Exit 2 with exactly one line on stderr, ``pipeline-tui: ...``, and no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pipeline-tui: "), lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def private(path: Path) -> bool:
    return stat.S_IMODE(os.stat(path).st_mode) == 0o600


def json_out(result: subprocess.CompletedProcess):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def seeded(db, now):
    """A database with a few prospects and follow-ups, written in-process."""
    from pipeline_tui.services.follow_ups import schedule
    from pipeline_tui.services.prospects import add_prospect, archive_prospect
    from pipeline_tui.services.setup import set_quota

    acme = add_prospect(now - timedelta(days=10), "Acme", fields={"value": "12000", "contact": "Jane"})
    schedule(acme.id, "call", now - timedelta(days=2), now - timedelta(days=10))
    add_prospect(now, "Globex East", stage="Qualified", fields={"value": "3000"})
    add_prospect(now, "Globex West", stage="Trial")
    hidden = add_prospect(now, "Hidden Ltd")
    archive_prospect(hidden.id, now)
    set_quota(5_000_000, "quarter", now)
    return db


# -- demo and add -------------------------------------------------------------------------------


def test_demo_fills_a_new_database_and_refuses_one_with_data(cli, db_path):
    first = cli("demo", "--no-open", check=True)
    assert "60 prospects" in first.stderr
    assert private(db_path)
    before = dump(db_path)
    assert len(before["prospect"]) == 60
    again = cli("demo", "--no-open", "--prospects", "5")
    assert_user_error(again, "already holds prospects", str(db_path))
    assert dump(db_path) == before


def test_demo_without_db_uses_its_own_database_rebuilt_each_time(cli, tmp_path):
    data = Path(os.environ["XDG_DATA_HOME"]) / "pipeline-tui"
    first = cli("demo", "--no-open", "--prospects", "12", db=False, check=True)
    assert str(data / "demo.db") in first.stderr
    cli("demo", "--no-open", "--prospects", "15", db=False, check=True)
    assert len(dump(data / "demo.db")["prospect"]) == 15, "rebuilt, not added to"
    assert not (data / "pipeline.db").exists(), "the user's database is left alone"


def test_add_with_every_option(cli, db_path):
    config = Path(db_path).parent / "config.toml"
    config.write_text('[currency]\nhome = "USD"\n', encoding="utf-8")  # "$" is then the home one
    env = {"PIPELINE_TUI_CONFIG": str(config)}
    result = cli(
        "add",
        "Acme Renewal",
        "--value",
        "$12,000.50",
        "--stage",
        "qualified",
        "--contact",
        "Jane Doe",
        "--organization",
        "Acme",
        "--title",
        "CFO",
        "--email",
        "jane@acme.com",
        "--phone",
        "555 0100",
        "--decision-maker",
        "yes",
        "--close",
        "2026-12-20",
        "--urgency",
        "high",
        "--source",
        "referral",
        "--probability",
        "30%",
        "--notes",
        "met at the fair",
        "--follow-up",
        "tomorrow 10:00",
        "--kind",
        "appointment",
        env=env,
        check=True,
    )
    assert result.stdout.startswith("Added #1 Acme Renewal (Qualified, appointment Fri 27 Nov 10:00)")
    assert private(db_path)
    [record] = json_out(cli("export", "--format", "json", env=env))
    assert {k: record[k] for k in COLUMNS} == {
        "name": "Acme Renewal",
        "organization": "Acme",
        "contact": "Jane Doe",
        "title": "CFO",
        "email": "jane@acme.com",
        "phone": "555 0100",
        "decision_maker": "yes",
        "value": 12000.5,
        "currency": "USD",
        "expected_close": "2026-12-20",
        "urgency": "high",
        "source": "referral",
        "stage": "Qualified",
        "probability": 0.3,
        "notes": "met at the fair",
        "created": "2026-11-26T09:30:00",
        "closed": None,
        "lost_reason": "",
        "next_follow_up": "2026-11-27T10:00:00",
        "next_follow_up_kind": "appointment",
        "pipeline": "Sales",
        "archived": False,
        "owner": record["owner"],  # the login name: see tests/test_team.py
    }
    assert record["id"] == 1
    assert record["weighted_value"] == pytest.approx(12000.5 * 0.3, abs=0.01)
    assert 0 <= record["score"] <= 100
    assert record["last_activity"] is None

    minimal = cli("add", "Plain", check=True)
    assert minimal.stdout.strip() == "Added #2 Plain (Lead)"


# -- move, follow-up, done, archive ------------------------------------------------------------


def test_move_follow_up_and_done(cli, db_path):
    cli("add", "Acme", "--value", "1000", check=True)
    cli("add", "Globex", check=True)
    moved = cli("move", "acme", "APPOINTMENT", check=True)
    assert moved.stdout.strip() == "Moved #1 Acme to Appointment"
    cli("move", "2", "Lost", "--reason", "no budget", check=True)

    scheduled = cli(
        "follow-up", "ACME", "tomorrow 14:00", "--kind", "email", "--notes", "send prices", check=True
    )
    assert "email" in scheduled.stdout and "Fri 27 Nov 2026 14:00" in scheduled.stdout
    cli("follow-up", "1", "+3d", check=True)
    agenda = json_out(cli("agenda", "--json"))
    assert [(a["kind"], a["due"], a["notes"]) for a in agenda] == [
        ("email", "2026-11-27T14:00:00", "send prices"),
        ("call", "2026-11-29T09:00:00", ""),  # a day offset lands at the working hour
    ]

    done = cli("done", f"#{agenda[0]['id']}", "--outcome", "sent", check=True)
    assert done.stdout.strip() == f"Done: email #{agenda[0]['id']} with Acme"
    assert [a["kind"] for a in json_out(cli("agenda", "--json"))] == ["call"]
    assert_user_error(cli("done", str(agenda[0]["id"])), "already done")

    rows = dump(db_path)
    changes = [(row[2], row[3], row[4]) for row in rows["stage_change"]]  # from, to, when
    assert changes[2:] == [(1, 3, "2026-11-26 09:30:00"), (1, 7, "2026-11-26 09:30:00")]
    [globex] = [row for row in rows["prospect"] if row[3] == "Globex"]
    assert "no budget" in globex


def test_archive_restore_and_archived(cli, seeded, db_path):
    assert "Hidden Ltd" in cli("archived", check=True).stdout
    archived = cli("archive", "acme", check=True)
    assert "Archived #1 Acme" in archived.stdout and "restore 1" in archived.stdout
    listing = cli("archived", check=True).stdout
    assert "Acme" in listing and "Hidden Ltd" in listing
    assert all(a["prospect"] != "Acme" for a in json_out(cli("agenda", "--json")))
    exported = {r["name"]: r["archived"] for r in json_out(cli("export", "--format", "json"))}
    assert exported == {"Acme": True, "Globex East": False, "Globex West": False, "Hidden Ltd": True}
    assert_user_error(cli("move", "Acme", "Won"), "no prospect matches 'Acme'")
    restored = cli("restore", "ACME", check=True)
    assert "Restored #1 Acme" in restored.stdout
    assert [a["prospect"] for a in json_out(cli("agenda", "--json"))] == ["Acme"]
    assert_user_error(cli("restore", "Globex East"), "no archived prospect")


# -- import and export --------------------------------------------------------------------------


def test_import_and_dry_run(cli, seeded, db_path, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(
        "Name,Value,Stage,Colour,next_follow_up\n"
        "New One,100,Proposal,red,2026-12-01 10:00\n"
        'New Two,"2,500",,,\n',
        encoding="utf-8",
    )
    before = dump(db_path)
    dry = cli("import", str(path), "--dry-run", check=True)
    assert "2 prospects would be imported" in dry.stdout
    assert dump(db_path) == before

    real = cli("import", str(path), check=True)
    assert f"Imported 2 prospects from {path}" in real.stdout
    warnings = real.stderr.splitlines()
    assert warnings == [f"pipeline-tui: {path}: 1 unknown column ignored: 'Colour'"]
    after = dump(db_path)
    assert len(after["prospect"]) == len(before["prospect"]) + 2
    names = [r["name"] for r in json_out(cli("export", "--format", "json"))]
    assert names[-2:] == ["New One", "New Two"]


def test_import_into_a_new_database(cli, db_path, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("name\nFirst\n", encoding="utf-8")
    cli("import", str(path), check=True)
    assert len(dump(db_path)["prospect"]) == 1
    assert private(db_path)


def test_export_csv_json_and_to_a_private_file(cli, seeded, tmp_path):
    text = cli("export", check=True).stdout
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == list(COLUMNS)
    assert [row[0] for row in table[1:]] == ["Acme", "Globex East", "Globex West", "Hidden Ltd"]
    assert [row[COLUMNS.index("archived")] for row in table[1:]] == ["no", "no", "no", "yes"]

    records = json_out(cli("export", "--format", "json"))
    expected_keys = set(COLUMNS) | {
        "id",
        "stage",
        "score",
        "weighted_value",
        "next_follow_up",
        "last_activity",
        "contacts",  # every person on the deal, and its organization's record (issue 21)
        "organization_id",
    }
    assert all(set(r) == expected_keys for r in records)
    acme = records[0]
    assert (acme["value"], acme["stage"], acme["next_follow_up"]) == (12000, "Lead", "2026-11-24T09:30:00")
    assert isinstance(acme["weighted_value"], int | float) and acme["weighted_value"] == 1200
    assert isinstance(acme["score"], int)

    out = tmp_path / "out" / "prospects.csv"
    out.parent.mkdir()
    to_file = cli("export", "-o", str(out), check=True)
    assert to_file.stdout == ""
    assert "Exported 4 prospects" in to_file.stderr
    assert out.read_text(encoding="utf-8") == text
    assert private(out)
    json_file = tmp_path / "out" / "prospects.json"
    cli("export", "--format", "json", "--output", str(json_file), check=True)
    assert json.loads(json_file.read_text(encoding="utf-8")) == records
    assert private(json_file)


# -- agenda, report, ics, quota -----------------------------------------------------------------


def test_agenda_text_and_json(cli, db, now):
    from pipeline_tui.services.follow_ups import complete, schedule
    from pipeline_tui.services.prospects import add_prospect

    acme = add_prospect(now, "Acme")
    plan = [
        (now - timedelta(days=1), "overdue"),
        (now.replace(hour=16), "today"),
        (now + timedelta(days=2), "upcoming"),
        (now + timedelta(days=6), "upcoming"),
        (now + timedelta(days=20), None),  # beyond the default 7 days
    ]
    for due, _ in plan:
        schedule(acme.id, "call", due, now, notes=f"note {due:%d}")
    complete(schedule(acme.id, "email", now - timedelta(days=3), now).id, now)

    items = json_out(cli("agenda", "--json"))
    assert all(
        list(item)
        == ["id", "prospect_id", "prospect", "kind", "due", "status", "notes"]
        + ["contact", "phone", "email", "value", "currency", "stage", "cadence", "repeat"]  # issue 19
        for item in items
    )
    assert [(i["due"], i["status"]) for i in items] == [
        (due.isoformat(timespec="seconds"), status) for due, status in plan if status
    ]
    assert {(i["prospect_id"], i["prospect"], i["kind"]) for i in items} == {(acme.id, "Acme", "call")}
    assert all(isinstance(i["id"], int) for i in items)
    assert len(json_out(cli("agenda", "--json", "--days", "30"))) == 5
    assert len(json_out(cli("agenda", "--json", "--days", "0"))) == 2

    text = cli("agenda", check=True).stdout
    # Thursday 26 Nov: Saturday is this week, Wednesday 2 Dec next week
    for heading in ("Overdue (1)", "Today (1)", "This week (1)", "Next week (1)"):
        assert heading in text
    assert "Acme" in text and "Later" not in text


def test_report_text_and_json(cli, seeded):
    report = json_out(cli("report", "--json"))
    assert set(report) == {
        "now",
        "quota",
        "stages",
        "conversion",
        "appointment_to_sale_rate",
        "forecast",
        "advice",
        # issue 20: honest figures
        "lead_to_win",
        "slipped",
        "lost_reasons",
        "stage_days",
        "sources",
        "activity",
        "advice_groups",
    }
    assert report["now"] == "2026-11-26T09:30:00"
    assert set(report["quota"]) == {
        "period",
        "start",
        "end",
        "target",
        "won",
        "expected",
        "gap",
        "win_rate",
        "average_won_value",
        "new_prospects_needed",
        "days_left",
        "pace_per_week",
        "pace_per_month",
        "new_prospects_per_week",
    }
    assert (report["quota"]["period"], report["quota"]["start"], report["quota"]["end"]) == (
        "quarter",
        "2026-10-01",
        "2026-12-31",
    )
    assert report["quota"]["target"] == 50000
    for stage in report["stages"]:
        assert {"name", "kind", "count", "value", "weighted_value", "probability"} <= set(stage)
    assert [s["name"] for s in report["stages"]] == [
        "Lead",
        "Qualified",
        "Appointment",
        "Trial",
        "Proposal",
        "Won",
        "Lost",
    ]
    for conversion in report["conversion"]:
        assert {"from", "to", "rate"} <= set(conversion)
    assert [m["month"] for m in report["forecast"]] == [  # November (now) and the five after it
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
        "2027-03",
        "2027-04",
    ]
    assert all(set(m) == {"month", "count", "weighted_value", "pace", "won"} for m in report["forecast"])
    assert report["forecast"][0]["pace"] == pytest.approx(50000 / 3, abs=0.01)
    assert report["advice"], "a quota with a gap gives advice"
    assert all(set(a) == {"code", "message", "prospect_id", "prospect"} for a in report["advice"])
    behind = [a for a in report["advice"] if a["code"] == "behind-quota"]
    assert behind and behind[0]["prospect_id"] is None and behind[0]["prospect"] is None

    text = cli("report", check=True).stdout
    assert "Quota for this quarter" in text and "Conversion" in text and "Advice" in text


def test_ics_has_an_event_with_an_alarm_per_open_follow_up(cli, db, now, tmp_path):
    from icalendar import Calendar

    from pipeline_tui.services.follow_ups import complete, schedule
    from pipeline_tui.services.prospects import add_prospect

    acme = add_prospect(now, "Acme", fields={"organization": "Acme Inc"})
    dues = [now - timedelta(days=1), now + timedelta(hours=2), now + timedelta(days=40)]
    kinds = ["call", "appointment", "email"]
    for due, kind in zip(dues, kinds, strict=True):
        schedule(acme.id, kind, due, now, notes=f"{kind} notes")
    complete(schedule(acme.id, "task", now, now).id, now)

    out = tmp_path / "follow-ups.ics"
    cli("ics", "-o", str(out), check=True)
    assert private(out)
    calendar = Calendar.from_ical(out.read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == 3
    assert [e["DTSTART"].dt for e in events] == dues
    assert len({str(e["UID"]) for e in events}) == 3
    for event, kind in zip(events, kinds, strict=True):
        alarms = event.walk("VALARM")
        assert len(alarms) == 1
        assert alarms[0]["TRIGGER"].dt == -timedelta(minutes=15)
        assert str(event["SUMMARY"]).startswith(kind.capitalize())
        assert event["DTEND"].dt > event["DTSTART"].dt

    stdout = cli("ics", check=True).stdout
    assert stdout.replace("\r\n", "\n") == out.read_bytes().decode("utf-8").replace("\r\n", "\n")


def test_quota_show_and_set(cli, db_path):
    missing = cli("quota")
    assert_user_error(missing, "no database")
    assert not db_path.exists(), "showing the quota creates nothing"

    assert "Team quota set: 50,000 per month" in cli("quota", "50000", "--period", "month", check=True).stdout
    assert "Team quota: 50,000 per month" in cli("quota", check=True).stdout
    assert "Team quota set: 60,000 per quarter" in cli("quota", "$60,000", check=True).stdout
    assert json_out(cli("report", "--json"))["quota"]["target"] == 60000
    # a personal quota, beside the team's
    mine = cli("--user", "ana", "quota", "20000", "--mine", check=True).stdout
    assert "ana's quota set: 20,000 per quarter" in mine
    assert json_out(cli("--user", "ana", "report", "--json", "--mine"))["quota"]["target"] == 20000
    assert json_out(cli("--user", "bob", "report", "--json", "--mine"))["quota"] is None
    assert json_out(cli("report", "--json"))["quota"]["target"] == 60000
    before = dump(db_path)
    assert_user_error(cli("quota", "--period", "year"), "amount")
    assert_user_error(cli("quota", "0"), "positive")
    assert dump(db_path) == before


def test_quota_show_when_none_is_set(cli, seeded, db_path, db):
    from pipeline_tui.store.models import Quota

    Quota.delete().execute()
    assert "No team quota set" in cli("quota", check=True).stdout


def test_backup_is_a_private_consistent_copy(cli, seeded, db_path, tmp_path):
    target = tmp_path / "copies" / "backup.db"
    result = cli("backup", "-o", str(target), check=True)
    assert str(target) in result.stdout
    assert private(target)
    connection = sqlite3.connect(target)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    assert dump(target) == dump(db_path)
    assert_user_error(cli("backup", "-o", str(target)), "already exists")

    default = cli("backup", check=True)
    written = Path(default.stdout.strip().removeprefix("Backed up to "))
    assert written.parent == db_path.parent and written.name.startswith("pipeline.backup-")
    assert dump(written) == dump(db_path)


# -- the environment ----------------------------------------------------------------------------


def test_version():
    from pipeline_tui import __version__
    from pipeline_tui.store.schema import SCHEMA_VERSION

    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"pipeline-tui {__version__} (database schema {SCHEMA_VERSION})"


def test_environment_variables_and_options_after_the_command(db_path, tmp_path):
    env = {"PIPELINE_TUI_DB": str(db_path), "PIPELINE_TUI_NOW": "2026-11-26 09:30"}
    added = run("add", "Acme", "--follow-up", "tomorrow", env=env)
    assert added.returncode == 0, added.stderr
    [item] = json_out(run("agenda", "--json", env=env))
    assert item["due"] == "2026-11-27T09:00:00" and item["status"] == "upcoming"

    # the same database and clock given after the command; --now wins over the environment
    later = run("agenda", "--json", "--db", str(db_path), "--now", "2026-11-28 08:00")
    assert json_out(later)[0]["status"] == "overdue"
    with_env_clock = run("agenda", "--json", "--now", "2026-11-27T09:00", env=env)
    assert json_out(with_env_clock)[0]["status"] == "today"
    other = tmp_path / "other.db"
    elsewhere = run("--db", str(other), "add", "Globex", env=env)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert [row[3] for row in dump(other)["prospect"]] == ["Globex"]
    assert [row[3] for row in dump(db_path)["prospect"]] == ["Acme"]


def test_default_database_lives_in_the_data_directory(now):
    env = {"PIPELINE_TUI_NOW": "2026-11-26 09:30"}
    assert run("add", "Acme", env=env).returncode == 0
    path = Path(os.environ["XDG_DATA_HOME"]) / "pipeline-tui" / "pipeline.db"
    assert [row[3] for row in dump(path)["prospect"]] == ["Acme"]
    assert private(path)


def test_commands_other_than_the_tui_do_not_import_textual(cli, seeded, db_path, tmp_path):
    script = (
        "import sys\n"
        "from pipeline_tui.cli import main\n"
        f"db = {str(db_path)!r}\n"
        "commands = (['agenda'], ['agenda', '--json'], ['report', '--json'],\n"
        "            ['export'], ['ics'], ['quota'], ['due'], ['due', '--json'], ['notify'])\n"
        "for args in commands:\n"
        "    assert main(['--db', db, '--now', '2026-11-26 09:30', *args]) == 0, args\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print('TEXTUAL', loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "TEXTUAL []" in result.stdout


# -- bad input ----------------------------------------------------------------------------------

BAD_INPUT = {
    "unknown stage": (["move", "Acme", "Negotiation"], ["Negotiation", "Lead"]),
    "unknown stage on add": (["add", "New", "--stage", "Closing"], ["Closing"]),
    "bad date": (["follow-up", "Acme", "someday soon"], ["someday soon"]),
    "bad close date": (["add", "New", "--close", "2026-13-45"], ["2026-13-45"]),
    "bad time": (["follow-up", "Acme", "tomorrow 25:99"], ["25:99"]),
    "bad number": (["add", "New", "--value", "lots"], ["value", "lots"]),
    "bad probability": (["add", "New", "--probability", "150%"], ["probability"]),
    "bad quota": (["quota", "12q"], ["12q"]),
    "bad days": (["agenda", "--days", "week"], ["--days", "week"]),
    "negative days": (["agenda", "--days", "-3"], ["-3"]),
    "bad id": (["done", "first"], ["first"]),
    "unknown follow-up": (["done", "9999"], ["9999"]),
    "bad kind": (["follow-up", "Acme", "tomorrow", "--kind", "fax"], ["fax"]),
    "bad repeat": (["follow-up", "Acme", "tomorrow", "--repeat", "now and then"], ["now and then"]),
    "unknown cadence": (["follow-up", "Acme", "--cadence", "blitz"], ["blitz", "new-lead"]),
    "nothing to stop": (["follow-up", "Acme", "--stop"], ["Acme", "no cadence"]),
    "bad within": (["notify", "--within", "soon"], ["--within", "soon"]),
    "bad decision maker": (["add", "New", "--decision-maker", "maybe"], ["maybe"]),
    "bad email": (["add", "New", "--email", "jane at acme"], ["email"]),
    "empty name": (["add", "  "], ["name"]),
    "missing file": (["import", "{tmp}/missing.csv"], ["missing.csv"]),
    "directory to import": (["import", "{tmp}"], ["directory"]),
    "bad csv row": (["import", "{tmp}/bad.csv"], ["row 3", "value"]),
    "bad csv stage": (["import", "{tmp}/bad-stage.csv"], ["row 2", "stage", "Closing"]),
    "not a database": (["--db", "{tmp}/notes.txt", "agenda"], ["notes.txt", "not a pipeline-tui database"]),
    "missing database": (["--db", "{tmp}/nowhere.db", "agenda"], ["nowhere.db"]),
    "directory as database": (["--db", "{tmp}", "report"], ["directory"]),
    "ambiguous name": (["move", "globex", "Won"], ["Globex East", "Globex West"]),
    "unknown prospect": (["follow-up", "Initech", "tomorrow"], ["Initech"]),
    "already there": (["move", "Acme", "lead"], ["already in Lead"]),
    "unknown command": (["frobnicate"], ["frobnicate"]),
    "unknown option": (["agenda", "--colour"], ["--colour"]),
    "missing argument": (["move", "Acme"], ["STAGE"]),
    "bad period": (["quota", "100", "--period", "week"], ["week"]),
    "bad now": (["--now", "next thursday", "agenda"], ["--now", "next thursday"]),
    "bad now after the command": (["agenda", "--now", "2026-02-30"], ["2026-02-30"]),
    "now at the end of the calendar": (["--now", "9999-12-31 23:00", "report"], ["9999-12-31"]),
    "now at its start": (["--now", "0001-01-02", "report"], ["0001-01-02"]),
    "unwritable output": (["export", "-o", "{tmp}/no/such/dir/out.csv"], ["out.csv"]),
    "output is a directory": (["ics", "-o", "{tmp}"], ["directory"]),
    "backup over a file": (["backup", "-o", "{tmp}/notes.txt"], ["already exists"]),
    "unknown pipeline": (["add", "New", "--pipeline", "Renewals"], ["Renewals"]),
    "import into an unknown pipeline": (
        ["import", "{tmp}/bad-stage.csv", "--pipeline", "Renewals"],
        ["Renewals"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_exits_2_with_one_line_and_writes_nothing(case, seeded, db_path, tmp_path):
    args, words = BAD_INPUT[case]
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 20)
    (tmp_path / "bad.csv").write_text("name,value,colour\nGood,1,red\nBad,lots,blue\n", encoding="utf-8")
    (tmp_path / "bad-stage.csv").write_text("name,stage,colour\nBad,Closing,red\n", encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--db" not in args:
        args = ["--db", str(db_path), *args]
    if "--now" not in args:
        args = ["--now", "2026-11-26 09:30", *args]

    def files() -> list[str]:
        return sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(db_path.name))

    files_before = files()
    before = dump(db_path)

    assert_user_error(run(*args), *words)
    assert dump(db_path) == before
    assert notes.read_text() == "not a database\n" * 20
    assert files() == files_before, "no file was created"


def test_far_dates_do_not_crash_agenda_or_ics(cli, db, now):
    from pipeline_tui.services.follow_ups import schedule
    from pipeline_tui.services.prospects import add_prospect

    acme = add_prospect(now, "Acme")
    schedule(acme.id, "appointment", datetime(9999, 12, 31, 23, 55), now)
    assert len(json_out(cli("agenda", "--json", "--days", "99999999"))) == 1
    assert "BEGIN:VEVENT" in cli("ics", check=True).stdout


@pytest.mark.parametrize(
    "args",
    [
        ["add", "New", "--value", "lots"],
        ["add", "New", "--close", "someday"],
        ["add", "New", "--follow-up", "tomorrow", "--kind", "fax"],
        ["quota", "lots"],
    ],
    ids=["value", "close", "kind", "quota"],
)
def test_bad_input_does_not_create_a_database(args, tmp_path):
    path = tmp_path / "new.db"
    assert_user_error(run("--db", str(path), "--now", "2026-11-26 09:30", *args))
    assert not path.exists()


def test_a_million_unknown_columns_give_one_line_of_warning(cli, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["name", *(f"c{n}" for n in range(1_000_000))]) + "\nAcme\n", encoding="utf-8")
    result = cli("import", str(path), check=True)
    assert result.stdout.splitlines()[0] == f"Imported 1 prospect from {path}"
    assert result.stderr.splitlines() == [
        f"pipeline-tui: {path}: 1,000,000 unknown columns ignored: 'c0', 'c1', 'c2', 'c3', 'c4', …"
    ]


def test_config_file_tunes_probabilities_and_bad_config_is_a_user_error(cli, seeded, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        "[probabilities]\nLead = 0.2\n\n[thresholds]\nstale_after_days = 30\n", encoding="utf-8"
    )
    env = {"PIPELINE_TUI_CONFIG": str(config)}
    report = json_out(cli("report", "--json", env=env))
    lead = next(s for s in report["stages"] if s["name"] == "Lead")
    assert lead["probability"] == 0.2
    assert lead["weighted_value"] == 12000 * 0.2  # Acme
    assert report["quota"]["win_rate"] == 0.2, "the fallback win rate is the lead stage's, as configured"

    for text, words in (
        ("thresholds = 3\n", ["must be a table"]),
        ("[score]\nshoe_size = 3\n", ["shoe_size"]),
        ("[probabilities]\nLead = 2\n", ["Lead"]),
        ("this is = not = toml\n", ["TOML"]),
    ):
        config.write_text(text, encoding="utf-8")
        assert_user_error(cli("report", env=env), str(config), *words)


_OPTION = st.one_of(
    st.just(["--mine"]),
    st.tuples(st.sampled_from(["--db", "--now", "--pipeline", "--user"]), st.text(max_size=12)).map(list),
    st.tuples(st.sampled_from(["--db", "--now", "--pipeline", "--user"]), st.text(max_size=12)).map(
        lambda pair: [f"{pair[0]}={pair[1]}"]
    ),
    st.sampled_from([["add"], ["-h"], ["--version"], ["--pip"], ["x"], ["--"]]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_OPTION, max_size=5).map(lambda parts: [token for part in parts for token in part]))
def test_the_tuis_short_parser_reads_what_the_whole_one_reads(argv):
    """``pipeline-tui [global options]`` is parsed without building the commands' parsers: for
    any command line it accepts, the whole parser must give the same answer."""
    from pipeline_tui.cli import build_parser, opens_the_tui
    from pipeline_tui.errors import UserError

    if not opens_the_tui(argv):
        return
    outcomes = []
    for parser in (build_parser(argv), build_parser()):
        try:
            outcomes.append(vars(parser.parse_args(argv)))
        except SystemExit as exit:
            outcomes.append(("exit", exit.code))
        except UserError as refused:  # a bad value (a NUL in --db): the same words from both
            outcomes.append(("refused", str(refused)))
    assert outcomes[0] == outcomes[1]


def test_the_tui_asked_for_a_pipeline_that_is_not_there_says_so_and_does_not_start(cli):
    """A typo in --pipeline is a one-line error (exit 2), not the first pipeline shown in its
    place as if it were the one asked for."""
    cli("add", "Acme", check=True)
    result = cli("--pipeline", "Nope")
    assert result.returncode == 2
    assert result.stderr.strip() == "pipeline-tui: no pipeline named 'Nope' (there is Sales)"
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_date_counted_back_without_its_equals_sign_is_told_how(cli):
    """argparse takes -2d and -1m for options: "unrecognized arguments: -2d" and "expected one
    argument" said nothing of the = or -- that README asks for (a user's trial)."""
    cli("add", "Acme", check=True)
    tries = (("follow-up", "1", "-2d"), ("add", "X", "--close", "-1m"), ("snooze", "1", "--until", "-3d"))
    for argv in tries:
        assert_user_error(cli(*argv), "follows = after an option (--close=-1m)", "-- before WHEN")
    assert "follows =" not in cli("follow-up", "1", "tomorrow", "--kind", "bogus").stderr
    assert cli("follow-up", "1", "--", "-2d").returncode == 0  # as the hint says
