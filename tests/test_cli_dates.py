"""Dates typed on the command line, as a user types them: the same grammar as the forms, an
ambiguous date refused with both readings, a follow-up in the past warned about on stderr,
hours across a daylight-saving change, and the [locale] settings."""

from __future__ import annotations

import json

import pytest

from tests.test_cli import assert_user_error


def agenda_dues(cli, env: dict | None = None) -> list[str]:
    result = cli("agenda", "--json", "--days", "400", env=env)
    assert result.returncode == 0, result.stderr
    return [item["due"] for item in json.loads(result.stdout)]


@pytest.fixture
def acme(cli):
    cli("add", "Acme", check=True)
    return cli


@pytest.fixture
def config(tmp_path):
    """Write a config.toml; the environment that points the CLI at it."""
    path = tmp_path / "config.toml"

    def write(text: str) -> dict:
        path.write_text(text, encoding="utf-8")
        return {"PIPELINE_TUI_CONFIG": str(path)}

    return write


@pytest.mark.parametrize(
    "args",
    [
        ["follow-up", "1", "03/04/2027"],
        ["add", "Globex", "--close", "03/04/2027"],
        ["add", "G", "--follow-up", "3/4"],
    ],
    ids=["follow-up", "close", "add-follow-up"],
)
def test_a_date_that_reads_two_ways_is_refused_with_both_readings(acme, args):
    before = agenda_dues(acme)
    message = assert_user_error(acme(*args), "could be 3 April", "or 4 March", "date_order")
    assert "[locale]" in message
    assert agenda_dues(acme) == before
    assert "Globex" not in acme("report", "--json").stdout


@pytest.mark.parametrize(("order", "due"), [("DMY", "2027-04-03T09:00:00"), ("MDY", "2027-03-04T09:00:00")])
def test_the_configured_date_order_reads_it(acme, config, order, due):
    env = config(f'[locale]\ndate_order = "{order}"\n')
    result = acme("follow-up", "1", "03/04/2027", env=env)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert agenda_dues(acme, env) == [due]


def test_a_follow_up_in_the_past_is_scheduled_with_one_warning_line(acme):
    result = acme("follow-up", "1", "yesterday")
    assert result.returncode == 0
    assert result.stdout.startswith("Scheduled call #1 with Acme for Wed 25 Nov 2026 09:00")
    assert result.stderr == "pipeline-tui: warning: follow-up due Wed 25 Nov 2026 09:00: in the past\n"
    added = acme("add", "Globex", "--follow-up=-2h", "--close=-1m")
    assert added.returncode == 0
    assert added.stderr.splitlines() == [
        "pipeline-tui: warning: follow-up due Thu 26 Nov 2026 07:30: in the past",
        "pipeline-tui: warning: expected close Mon 26 Oct 2026: in the past",
    ]
    assert agenda_dues(acme) == ["2026-11-25T09:00:00", "2026-11-26T07:30:00"]
    ahead = acme("follow-up", "1", "tomorrow")
    assert ahead.returncode == 0 and ahead.stderr == ""


def test_relative_days_typed_after_midnight_land_at_the_working_hour(db_location, config):
    from tests.conftest import CLI

    cli = CLI(db_location, now="2026-11-26 00:51")
    cli("add", "Acme", "--follow-up", "in 2 weeks", check=True)
    cli("follow-up", "1", "+3d", check=True)
    cli("follow-up", "1", "+2h", check=True)
    assert agenda_dues(cli) == ["2026-11-26T02:51:00", "2026-11-29T09:00:00", "2026-12-10T09:00:00"]
    env = config('[locale]\nworking_hour = "8:30"\n')
    cli("follow-up", "1", "next week", env=env, check=True)
    assert "2026-11-30T08:30:00" in agenda_dues(cli)


@pytest.mark.parametrize(
    ("zone", "spring", "shown"),
    [
        ("Europe/Madrid", "2026-03-29", "Sun 29 Mar 2026"),
        ("America/New_York", "2026-03-08", "Sun 08 Mar 2026"),
    ],
)
def test_hours_are_real_time_and_skipped_times_move_forward_in_the_machines_zone(
    db_location, zone, spring, shown
):
    from tests.conftest import CLI

    env = {"TZ": zone}
    night = CLI(db_location, now=f"{spring} 01:30")
    night("add", "Acme", check=True)
    two_hours = night("follow-up", "1", "in 2h", env=env)
    assert two_hours.returncode == 0 and two_hours.stderr == ""
    assert f"{spring}T04:30:00" in agenda_dues(night, env)

    eve = CLI(db_location, now=f"{spring} 00:10")
    skipped = eve("follow-up", "1", "02:30", env=env)
    assert skipped.returncode == 0
    assert skipped.stderr == (
        f"pipeline-tui: warning: follow-up due {shown} 03:00: "
        "02:30 does not exist that day (the clocks go forward): moved to 03:00\n"
    )
    assert f"{spring}T03:00:00" in agenda_dues(eve, env)


def test_a_bad_locale_setting_is_one_line_naming_the_key(acme, config):
    for text, words in (
        ('[locale]\ndate_order = "DDM"\n', ["locale.date_order", "DMY"]),
        ('[locale]\nworking_hour = "nine"\n', ["locale.working_hour"]),
        ("[locale]\nworking_hour = 9\n", ["locale.working_hour"]),
        ('[locale]\ntimezone = "UTC"\n', ["locale.timezone"]),
    ):
        assert_user_error(acme("follow-up", "1", "tomorrow", env=config(text)), *words)
    assert agenda_dues(acme) == []


def test_toml_times_are_taken_as_the_working_hour(acme, config):
    env = config("[locale]\nworking_hour = 07:45:00\n")
    acme("follow-up", "1", "tomorrow", env=env, check=True)
    assert agenda_dues(acme, env) == ["2026-11-27T07:45:00"]


def test_help_says_which_dates_are_taken(cli):
    for command in (["follow-up", "--help"], ["add", "--help"], ["log", "--help"], ["--help"]):
        shown = " ".join(cli(*command, db=False).stdout.split())
        assert "also next week, fri afternoon, end of month, 25/04/2026" in shown, command
        assert "a date that reads two ways (03/04/2026) needs [locale] date_order" in shown, command


def test_a_call_logged_with_a_next_step_reads_it_by_the_same_rules(acme, config):
    refused = acme("log", "acme", "call", "sent the prices", "--next", "03/04/2027")
    assert_user_error(refused, "could be 3 April 2027 or 4 March 2027")
    env = config('[locale]\ndate_order = "DMY"\nworking_hour = "08:00"\n')
    logged = acme("log", "acme", "call", "sent the prices", "--next", "03/04/2027", env=env)
    assert logged.returncode == 0 and logged.stderr == "", logged.stderr
    assert agenda_dues(acme, env) == ["2027-04-03T08:00:00"]
    late = acme("log", "acme", "call", "no answer", "--next", "yesterday", env=env)
    assert late.returncode == 0
    assert late.stderr == "pipeline-tui: warning: next follow-up due Wed 25 Nov 2026 08:00: in the past\n"
