"""Follow-ups that run themselves, through the command line: cadences, repeats, `due` and
`notify` (issue 19)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from tests.conftest import CLI
from tests.test_cli import assert_user_error, json_out

CADENCES = """
[cadences]
after-demo = ["call +1d", "email +2d", "call +1w"]
"""


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text(CADENCES, encoding="utf-8")
    monkeypatch.setenv("PIPELINE_TUI_CONFIG", str(path))
    return path


class InProcess(CLI):
    """The same command line run in this process, without an interpreter's start-up each time:
    for what a command does. One test per command shape keeps the real subprocess (``cli``)."""

    def __init__(self, location, monkeypatch, capsys) -> None:
        super().__init__(location)
        self.monkeypatch, self.capsys = monkeypatch, capsys

    def __call__(self, *args: str, env: dict | None = None, check: bool | None = None):
        import peewee  # noqa: F401 (first, so that main() does not hide psycopg from later tests)

        from pipeline_tui import cli as command_line
        from pipeline_tui.services.user import current_user, set_user
        from pipeline_tui.store import models
        from pipeline_tui.store.db import open_database

        was_open = models.database.obj is not None and not models.database.obj.is_closed()
        user, argv = current_user(), ["--db", str(self.db_path), "--now", self.now, *args]
        self.capsys.readouterr()
        with self.monkeypatch.context() as patch:
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            try:
                code = command_line.main(argv)
            except SystemExit as exc:  # argparse's --help
                code = exc.code
        out, err = self.capsys.readouterr()
        set_user(user)
        if was_open:  # main() closed it: the test's own service calls go on with it
            open_database(self.db_path)
        result = subprocess.CompletedProcess(argv, code, out, err)
        if check is True:
            assert code == 0, err
        return result


@pytest.fixture
def here(db_location, monkeypatch, capsys) -> InProcess:
    return InProcess(db_location, monkeypatch, capsys)


def at(cli, when: str):
    cli.now = when
    return cli


def agenda(cli) -> list[dict]:
    return json_out(cli("agenda", "--days", "60", "--json"))


def open_steps(cli) -> list[tuple[str, str, dict | None]]:
    return [(item["kind"], item["due"], item["cadence"]) for item in agenda(cli)]


def test_a_cadence_schedules_each_step_from_the_completion_of_the_one_before(cli, config):
    at(cli, "2026-11-26 09:00")  # a Thursday
    cli("add", "Acme fleet", "--value", "12000", check=True)
    started = cli("follow-up", "acme", "--cadence", "After-Demo", check=True)
    assert "Started after-demo with Acme fleet: call #1 tomorrow 09:00, step 1 of 3" in started.stdout
    assert open_steps(cli) == [("call", "2026-11-27T09:00:00", {"name": "after-demo", "step": 1, "steps": 3})]

    # done three days late, on Monday: the next step counts from then, not from its due time
    done = at(cli, "2026-11-30 09:00")("done", "1", "--outcome", "left a message", check=True)
    assert "Done: call #1 with Acme fleet; next: email Wed 09:00, step 2 of 3" in done.stdout
    assert open_steps(cli) == [
        ("email", "2026-12-02T09:00:00", {"name": "after-demo", "step": 2, "steps": 3})
    ]

    at(cli, "2026-12-02 09:00")("done", "2", check=True)
    assert open_steps(cli) == [("call", "2026-12-09T09:00:00", {"name": "after-demo", "step": 3, "steps": 3})]
    last = at(cli, "2026-12-09 09:00")("done", "3", check=True)
    assert "the after-demo cadence is done (3 of 3)" in last.stdout
    assert agenda(cli) == []


def test_a_day_gap_lands_at_the_working_hour_of_the_config(here, config):
    config.write_text(CADENCES + '[locale]\nworking_hour = "08:30"\n', encoding="utf-8")
    at(here, "2026-11-26 15:40")  # Thursday afternoon
    here("add", "Acme fleet", check=True)
    started = here("follow-up", "acme", "--cadence", "after-demo", check=True).stdout
    assert "call #1 tomorrow 08:30" in started
    done = at(here, "2026-11-27 16:10")("done", "1", check=True).stdout  # +2d from Friday: Sunday
    assert "next: email Mon 08:30, step 2 of 3" in done
    assert open_steps(here)[0][1] == "2026-11-30T08:30:00"


def test_a_step_that_would_fall_on_a_weekend_moves_to_monday(here, config):
    at(here, "2026-11-27 09:00")  # a Friday: +1d is Saturday
    here("add", "Acme fleet", check=True)
    here("follow-up", "acme", "--cadence", "after-demo", check=True)
    assert open_steps(here)[0][1] == "2026-11-30T09:00:00"


def test_a_cadence_can_start_later_and_the_defaults_are_there_without_a_config(here):
    here("add", "Acme fleet", check=True)
    here("follow-up", "acme", "mon 09:00", "--cadence", "new-lead", check=True)
    [step] = agenda(here)
    assert (step["kind"], step["due"], step["cadence"]["steps"]) == ("call", "2026-11-30T09:00:00", 4)
    for name in ("after-appointment", "trial"):
        here("add", name, check=True)
        assert here("follow-up", name, "--cadence", name).returncode == 0


@pytest.mark.parametrize(
    "close, reason, outcome",
    [
        (("move", "acme", "Won"), "won", "cancelled: the deal was won"),
        (("move", "acme", "Lost", "--reason", "price"), "lost", "cancelled: the deal was lost"),
        (("archive", "acme"), "archived", None),
    ],
)
def test_won_lost_or_archived_cancels_the_remaining_steps(here, db, config, close, reason, outcome):
    from pipeline_tui.store.models import CadenceRun, FollowUp

    at(here, "2026-11-26 09:00")
    here("add", "Acme fleet", "--value", "500", check=True)
    here("follow-up", "acme", "--cadence", "after-demo", check=True)
    here("done", "1", check=True)  # step 2 is now open
    here(*close, check=True)
    assert agenda(here) == []
    [run] = CadenceRun.select()
    assert (run.end_reason, run.ended_at) == (reason, datetime(2026, 11, 26, 9, 0))
    step_two = FollowUp.get_or_none(FollowUp.cadence_step == 2)
    if outcome is None:  # an archived prospect's open step is gone with it
        assert step_two is None
    else:  # a closed deal's, kept in its history as cancelled
        assert step_two.outcome == outcome
    assert FollowUp.select().where(FollowUp.cadence_step == 3).count() == 0
    if reason == "won":
        here("move", "acme", "Proposal", check=True)  # reopened: the cadence stays ended
        assert agenda(here) == []


def test_stop_cancels_the_open_step_and_says_so(here, config):
    at(here, "2026-11-26 09:00")
    here("add", "Acme fleet", check=True)
    here("follow-up", "acme", "--cadence", "after-demo", check=True)
    here("follow-up", "acme", "tomorrow 14:00", "--kind", "email", check=True)
    stopped = here("follow-up", "acme", "--stop", check=True)
    assert (
        stopped.stdout.strip()
        == "Stopped after-demo for Acme fleet at step 1: the call due tomorrow 09:00 cancelled"
    )
    assert [item["kind"] for item in agenda(here)] == ["email"]  # what you scheduled yourself stays
    assert_user_error(here("follow-up", "acme", "--stop"), "Acme fleet has no cadence")
    here("follow-up", "acme", "--cadence", "after-demo", check=True)  # and a new one can start


@pytest.mark.parametrize(
    "args, words",
    [
        (("--cadence", "nope"), "no cadence named 'nope'"),
        (("--cadence", "after-demo", "--repeat", "every week"), "do not go together"),
        (("--cadence", "after-demo", "--kind", "email"), "do not go together"),
        (("--stop", "--cadence", "after-demo"), "--stop takes the prospect alone"),
        (("tomorrow", "--stop"), "--stop takes the prospect alone"),
        ((), "give WHEN"),
        (("mon", "--repeat", "every fortnight"), "could not read the repeat"),
    ],
)
def test_bad_cadence_and_repeat_options_are_refused_and_change_nothing(here, db_path, config, args, words):
    from tests.test_cli import dump

    here("add", "Acme fleet", check=True)
    here("follow-up", "acme", "--cadence", "after-demo", check=True)
    before = dump(db_path)
    assert_user_error(here("follow-up", "acme", *args), *words.split("|"))
    assert dump(db_path) == before


def test_a_second_cadence_waits_for_the_first_to_stop(here, config):
    here("add", "Acme fleet", check=True)
    here("follow-up", "acme", "--cadence", "after-demo", check=True)
    assert_user_error(here("follow-up", "acme", "--cadence", "trial"), "already on the after-demo cadence")


def test_a_bad_cadence_in_the_config_file_is_named(here, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[cadences]\nslow = ["call +2d", "fax +1d"]\n', encoding="utf-8")
    line = assert_user_error(here("agenda", env={"PIPELINE_TUI_CONFIG": str(path)}), "cadences.slow step 2")
    assert "'fax' is not a kind" in line


# -- repeats ----------------------------------------------------------------------------------


def test_a_repeat_comes_back_from_its_due_time_not_the_done_time(cli):
    cli("add", "Acme fleet", check=True)
    made = cli(
        "follow-up", "acme", "mon 09:00", "--repeat", "every week", "--notes", "weekly check", check=True
    )
    assert made.stdout.strip() == "Scheduled call #1 with Acme fleet for Mon 30 Nov 2026 09:00, every week"
    [first] = agenda(cli)
    assert (first["due"], first["repeat"]) == ("2026-11-30T09:00:00", "FREQ=WEEKLY;BYDAY=MO")
    done = at(cli, "2026-12-01 16:20")("done", "1", check=True)  # a day late, in the afternoon
    assert "next: call Mon 09:00 (every week)" in done.stdout
    [second] = agenda(cli)
    assert (second["due"], second["notes"], second["repeat"]) == (
        "2026-12-07T09:00:00",
        "weekly check",
        first["repeat"],
    )


@pytest.mark.parametrize(
    "rule, due, done, following",
    [
        ("every 2 weeks", "2026-11-30 10:00", "2026-11-30 10:05", "2026-12-14T10:00:00"),
        ("every month", "2026-12-31 10:00", "2027-01-02 09:00", "2027-01-31T10:00:00"),
        ("every month", "2027-01-31 10:00", "2027-01-31 11:00", "2027-02-28T10:00:00"),
        ("every weekday", "2026-11-27 08:30", "2026-11-27 12:00", "2026-11-30T08:30:00"),
    ],
)
def test_each_repeat_finds_its_next_occurrence(here, rule, due, done, following):
    here("add", "Acme fleet", check=True)
    here("follow-up", "acme", due, "--repeat", rule, check=True)
    at(here, done)("done", "1", check=True)
    assert [item["due"] for item in agenda(here)] == [following]


def test_a_series_of_two_ends_after_two(here):
    """A user's trial: FREQ=DAILY;COUNT=2 came back after every done, four times and on."""
    here("add", "Acme fleet", check=True)
    here("follow-up", "acme", "2026-11-30 09:00", "--repeat", "FREQ=DAILY;COUNT=2", check=True)
    at(here, "2026-11-30 10:00")("done", "1", check=True)
    [second] = agenda(here)
    assert (second["due"], second["repeat"]) == ("2026-12-01T09:00:00", "FREQ=DAILY;COUNT=1")
    at(here, "2026-12-01 10:00")("done", str(second["id"]), check=True)
    assert agenda(here) == []


def test_the_ics_carries_the_rrule_and_icalendar_reads_it_back(cli, tmp_path):
    from dateutil.rrule import rrulestr
    from icalendar import Calendar

    cli("add", "Acme fleet", check=True)
    cli("follow-up", "acme", "mon 09:00", "--repeat", "every 2 weeks", check=True)
    cli("follow-up", "acme", "tue 10:00", check=True)
    calendar = Calendar.from_ical(cli("ics", check=True).stdout)
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    weekly = events["follow-up-1@pipeline-tui"]
    assert weekly["RRULE"].to_ical().decode() == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    start = weekly.decoded("dtstart")
    assert list(rrulestr(weekly["RRULE"].to_ical().decode(), dtstart=start)[:3]) == [
        datetime(2026, 11, 30, 9),
        datetime(2026, 12, 14, 9),
        datetime(2026, 12, 28, 9),
    ]
    assert "RRULE" not in events["follow-up-2@pipeline-tui"]


def test_stop_ends_a_repeat_and_the_occurrence_stays_once(here):
    here("add", "Acme fleet", check=True)
    here("follow-up", "acme", "mon 09:00", "--repeat", "every week", check=True)
    said = here("follow-up", "acme", "--stop", check=True).stdout
    assert "Call #1 with Acme fleet no longer repeats (still due Mon 09:00)" in said
    here("done", "1", check=True)
    assert agenda(here) == []


# -- agenda --json for scripts ----------------------------------------------------------------


def test_agenda_json_items_carry_what_a_call_needs(here, config):
    here(
        "add",
        "Acme fleet",
        "--value",
        "12,000.50",
        "--stage",
        "Trial",
        "--contact",
        "Jane Roe",
        "--follow-up",
        "today 15:00",
        check=True,
    )
    here("follow-up", "acme", "--cadence", "after-demo", check=True)
    items = agenda(here)
    plain, step = sorted(items, key=lambda item: item["cadence"] is not None)
    expected = {
        "contact": "Jane Roe",
        "phone": "",
        "email": "",
        "value": 12000.5,
        "currency": None,
        "stage": "Trial",
    }
    assert {key: plain[key] for key in expected} == expected
    assert plain["cadence"] is None and plain["repeat"] is None
    assert step["cadence"] == {"name": "after-demo", "step": 1, "steps": 3}


# -- due ----------------------------------------------------------------------------------------


def test_due_prints_one_short_line_and_json(cli, db, now):
    from pipeline_tui.services.follow_ups import schedule
    from pipeline_tui.services.prospects import add_prospect

    acme = add_prospect(now, "Acme fleet renewal", fields={"organization": "Acme"})
    other = add_prospect(now, "Globex", fields={"organization": ""})
    gone = add_prospect(now, "Archived Co")
    schedule(acme.id, "call", now - timedelta(days=2), now)
    schedule(other.id, "email", now - timedelta(minutes=5), now)
    schedule(acme.id, "call", now.replace(hour=10, minute=0), now)
    schedule(other.id, "email", now.replace(hour=16, minute=0), now)
    schedule(other.id, "email", now + timedelta(days=1), now)
    schedule(gone.id, "call", now - timedelta(days=1), now)
    from pipeline_tui.services.prospects import archive_prospect

    archive_prospect(gone.id, now)
    line = cli("due", check=True)
    assert line.stdout == "2 overdue · 2 today · next: call Acme 10:00\n"
    data = json_out(cli("due", "--json"))
    assert data["overdue"] == 2 and data["today"] == 2
    assert data["next"]["prospect"] == "Acme fleet renewal" and data["next"]["due"] == "2026-11-26T10:00:00"
    tomorrow = at(cli, "2026-11-26 17:00")("due", check=True).stdout
    assert tomorrow == "4 overdue · 0 today · next: email Globex tomorrow 09:30\n"


def test_due_on_an_empty_database_and_for_mine(here, db, now):
    from pipeline_tui.services.base import set_user
    from pipeline_tui.services.follow_ups import schedule
    from pipeline_tui.services.prospects import add_prospect

    assert here("due", check=True).stdout == "0 overdue · 0 today\n"
    set_user("ana")
    schedule(add_prospect(now, "Hers").id, "call", now + timedelta(hours=1), now)
    assert "1 today" in here("due", check=True).stdout
    assert here("--user", "bob", "--mine", "due", check=True).stdout == "0 overdue · 0 today\n"
    # a pipeline named: found as every command finds one (any case), or refused in words
    assert (
        here("due", "--pipeline", "SALES", check=True).stdout
        == "0 overdue · 1 today · next: call Hers 10:30\n"
    )
    refused = here("due", "--pipeline", "nope")
    assert refused.returncode == 2 and "no pipeline named 'nope'" in refused.stderr


def test_due_shows_a_hostile_name_without_acting_on_it(here, db, now):
    from pipeline_tui.services.follow_ups import schedule
    from pipeline_tui.services.prospects import add_prospect

    schedule(add_prospect(now, "Evil\x1b]0;pwned\x07 Co").id, "call", now + timedelta(hours=1), now)
    out = here("due", check=True).stdout
    assert "\x1b" not in out and "\x07" not in out and "Evil" in out


def test_due_loads_its_own_command_alone_and_no_database_layer(db, db_path):
    """At every shell prompt: not the other commands' parsers and modules, not the report's
    rules nor the date grammar, not peewee and the models (a current SQLite file is read with
    sqlite3 alone), not the views (nor textual); nor --json."""
    script = (
        "import sys\n"
        "from pipeline_tui.cli import main\n"
        f"assert main(['--db', {str(db_path)!r}, '--now', '2026-11-26 09:30', 'due']) == 0\n"
        f"assert main(['--db', {str(db_path)!r}, 'due', '--json']) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pipeline_tui', 'textual', 'peewee'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.splitlines()[-1]
    for heavy in (
        "cli.prospects",
        "cli.figures",
        "cli.completion",
        "cli.manual",
        "cli.tui",
        "core.report",
        "core.advice",
        "core.dates",
        "services.base",
        "store.db",
        "store.models",
        "peewee",
        "io.files",
        "textual",
    ):
        assert heavy not in loaded, (heavy, loaded)
    assert "pipeline_tui.cli.reminders" in loaded


# -- notify -----------------------------------------------------------------------------------


@pytest.fixture
def notify_send(tmp_path):
    """A notify-send that writes down what it was asked to show."""
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "notified.jsonl"
    script = folder / "notify-send"
    script.write_text(
        "#!/usr/bin/env python3\nimport json, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder, log


def _notified(log) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_notify_announces_each_follow_up_coming_due_once(cli, db, now, notify_send):
    from pipeline_tui.services.follow_ups import reschedule, schedule
    from pipeline_tui.services.prospects import add_prospect

    folder, log = notify_send
    env = {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}
    acme = add_prospect(now, "Acme <b>fleet</b>", fields={"contact": "Jane Roe", "phone": "+34 600 111 222"})
    soon = schedule(acme.id, "call", now + timedelta(minutes=10), now, "about the PO")
    schedule(acme.id, "email", now + timedelta(minutes=40), now)
    schedule(acme.id, "call", now - timedelta(hours=3), now)  # long overdue: not a reminder now
    for _ in range(3):  # cron every five minutes
        assert cli("notify", env=env, check=True).stdout == ""
    calls = _notified(log)
    assert len(calls) == 1
    assert calls[0][:3] == ["--app-name=pipeline-tui", "--", "Call Acme <b>fleet</b> at 09:40"]
    assert calls[0][3] == "Jane Roe · +34 600 111 222 · about the PO"
    # the body is the daemon's markup: user text in it is escaped
    add_prospect(now, "Tags", fields={"contact": "<i>x</i> & co"})
    schedule(2, "call", now + timedelta(minutes=5), now)
    cli("notify", env=env, check=True)
    assert _notified(log)[-1][3] == "&lt;i&gt;x&lt;/i&gt; &amp; co"
    # a new due time is a new reminder; the next run, 30 minutes on, tells the email
    reschedule(soon.id, now + timedelta(minutes=25), now)
    at(cli, "2026-11-26 10:00")("notify", env=env, check=True)
    titles = [call[2] for call in _notified(log)]
    assert titles[-2:] == ["Call Acme <b>fleet</b> was due 09:55", "Email Acme <b>fleet</b> at 10:10"]
    at(cli, "2026-11-26 10:05")("notify", env=env, check=True)
    assert len(_notified(log)) == len(titles)


def test_notify_prints_when_there_is_no_notify_send(here, db, now, tmp_path):
    from pipeline_tui.services.follow_ups import schedule
    from pipeline_tui.services.prospects import add_prospect

    schedule(add_prospect(now, "Evil\x1b[2J Co").id, "call", now + timedelta(minutes=10), now, "ring\nthem")
    env = {"PATH": os.path.dirname(sys.executable)}  # python, and no notify-send
    printed = here("notify", "--within", "1h", env=env, check=True).stdout
    assert printed.startswith("Call Evil") and "Co at 09:40: ring" in printed
    assert "\x1b" not in printed and printed.count("\n") == 1 and "ring" in printed
    assert here("notify", "--within", "1h", env=env, check=True).stdout == ""  # told once


def test_a_notification_shows_a_name_as_typed_in_title_and_body(now, monkeypatch):
    """The title is plain text to the daemon (the Desktop Notifications Specification allows
    markup in the body only; dunst, for one, shows an escaped title as &lt;...): it goes as
    typed, and only the body, which is markup, is escaped."""
    from pipeline_tui.cli import reminders
    from pipeline_tui.io import desktop
    from pipeline_tui.services.reminders import Reminder

    sent = []
    monkeypatch.setattr(desktop, "notify", lambda title, body: sent.append((title, body)) or True)
    name = "<b>Acme</b> & Co"
    reminders._send(Reminder(1, 1, name, name, "Jo", "", "call", now + timedelta(minutes=5), ""), now)
    assert sent == [("Call <b>Acme</b> & Co at 09:35", "Jo")]
    reminders._send(Reminder(2, 2, "Deal", "Org", name, "", "email", now, ""), now)
    assert sent[-1][1] == "Deal · &lt;b&gt;Acme&lt;/b&gt; &amp; Co"


def test_due_cuts_a_long_name_by_terminal_cells(here, db, now):
    from pipeline_tui.services.follow_ups import schedule
    from pipeline_tui.services.prospects import add_prospect

    wide = add_prospect(now, "長い名前の会社の非常に長い取引名前")
    schedule(wide.id, "call", now + timedelta(hours=1), now)
    line = here("due", check=True).stdout
    assert line == "0 overdue · 1 today · next: call 長い名前の会社の非常に… 10:30\n"
