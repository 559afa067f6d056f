"""The command line's help, and one prospect from the shell: show, log, and done given a prospect."""

from __future__ import annotations

import argparse
from datetime import timedelta

import pytest

from pipeline_tui.core.dates import EXAMPLES
from pipeline_tui.core.domain import DEFAULT_STAGES, FOLLOW_UP_KINDS
from tests.test_cli import assert_user_error, dump, json_out


def _every_command():
    from pipeline_tui.cli import build_parser

    parser = build_parser(None)
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return parser, commands.choices


def test_every_argument_of_every_command_says_what_it_is():
    parser, commands = _every_command()
    assert {"show", "log"} <= set(commands)
    for name, command in [("", parser), *commands.items()]:
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, (name, action.dest)


def test_help_lists_the_kinds_the_stages_and_the_date_forms(cli):
    text = " ".join(cli("--help", check=True).stdout.split())
    for word in (*FOLLOW_UP_KINDS, *(name for name, *_ in DEFAULT_STAGES)):
        assert word in text, word
    assert " ".join(EXAMPLES.split()) in text
    assert "PROSPECT" in text and "show" in text and "log" in text
    follow_up_help = " ".join(cli("follow-up", "--help", check=True).stdout.split())
    assert "info-request" in follow_up_help and "next tue" in follow_up_help


@pytest.fixture
def acme(db, now):
    from pipeline_tui.services.follow_ups import log_activity, schedule
    from pipeline_tui.services.prospects import add_prospect

    prospect = add_prospect(
        now - timedelta(days=9),
        "Acme fleet",
        stage="Qualified",
        fields={"value": "12000", "contact": "Jane Roe", "phone": "+34 600 111 222", "source": "cold call"},
    )
    call = schedule(
        prospect.id, "call", now - timedelta(days=2, hours=16), now - timedelta(days=5), "ask for the PO"
    )
    log_activity(prospect.id, "email", now - timedelta(days=5), outcome="sent prices")
    add_prospect(now, "Other")
    return prospect, call


def test_show_prints_fields_next_steps_advice_score_and_history(cli, acme):
    prospect, call = acme
    out = cli("show", "acme", check=True).stdout
    for expected in (
        f"#{prospect.id} Acme fleet",
        "Qualified · Sales",
        "Jane Roe",
        "+34 600 111 222",
        "Value           12,000",
        "Source          cold call",
        f"#{call.id}",
        "3d overdue",
        "What to do",
        "Score ",
        "1 follow-up overdue (3 days late)",
        "History",
        "sent prices",
        "added in Qualified",
    ):
        assert expected in out, expected
    shown = json_out(cli("show", str(prospect.id), "--json"))
    assert (shown["id"], shown["name"], shown["stage"], shown["value"], shown["phone"]) == (
        prospect.id,
        "Acme fleet",
        "Qualified",
        12000,
        "+34 600 111 222",
    )
    assert shown["next_steps"] == [
        {
            "id": call.id,
            "kind": "call",
            "due": "2026-11-23T17:30:00",
            "status": "overdue",
            "notes": "ask for the PO",
        }
    ]
    points = sum(part["points"] for part in shown["score"]["parts"])
    assert shown["score"]["total"] == max(0, min(100, points))
    assert {a["code"] for a in shown["advice"]} >= {"probe-timeframe"}
    assert [h["what"] for h in shown["history"]] == ["email", "created"]
    assert_user_error(cli("show", "nobody"), "nobody")


def test_log_a_call_completes_the_call_due_and_schedules_the_next(cli, acme, db_path):
    prospect, call = acme
    out = cli(
        "log", "acme", "call", "PO next week", "--next", "mon 10:00", "--next-kind", "email", check=True
    )
    assert f"call #{call.id} due Mon 23 Nov 17:30 is done" in out.stdout
    agenda = json_out(cli("agenda", "--json"))
    assert [(a["kind"], a["due"]) for a in agenda] == [("email", "2026-11-30T10:00:00")]
    shown = json_out(cli("show", "acme", "--json"))
    assert shown["history"][0]["text"] == "ask for the PO · → PO next week"
    cli("log", "acme", "note", "asked for references", check=True)
    assert "2026-11-26: asked for references" in json_out(cli("show", "acme", "--json"))["notes"]
    before = dump(db_path)
    assert_user_error(cli("log", "acme", "note", "x", "--next", "tomorrow"), "--next")
    assert_user_error(cli("log", "acme", "fax", "x"), "fax")
    assert_user_error(cli("log", "acme", "call", "x", "--next", "someday"), "someday")
    assert dump(db_path) == before


def test_done_given_a_prospect_says_which_follow_ups_it_has(cli, acme, db_path):
    prospect, call = acme
    before = dump(db_path)
    by_name = assert_user_error(cli("done", "acme"))
    assert f"prospect #{prospect.id} Acme fleet has #{call.id} call 3d overdue" in by_name
    assert f"pipeline-tui done {call.id}" in by_name
    other_id = prospect.id + 1  # "Other": no follow-up of that id exists, nor any of its own
    assert f"prospect #{other_id} Other has no open follow-up" in assert_user_error(
        cli("done", str(other_id))
    )
    assert dump(db_path) == before


def test_show_prints_a_stage_and_pipeline_named_with_escapes_as_text(db, now):
    """``show`` piped (into ``less -R``, say) is read on a terminal too: the stage and the
    pipeline are shown as text, as the prospect's own fields are."""
    from pipeline_tui.core.settings import Settings
    from pipeline_tui.io.text import prospect_text
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.services.stages import rename_stage
    from pipeline_tui.services.views import prospect_detail
    from pipeline_tui.store.models import Pipeline

    rename_stage("Lead", "Le\x1b[31mad")
    Pipeline.update(name="Sa\x1b]0;x\x07les").execute()  # no command renames a pipeline
    prospect = add_prospect(now, "Acme")
    text = prospect_text(prospect_detail(prospect.id, now, Settings()), now)
    assert "\x1b" not in text and "\x07" not in text
    assert "Le\ufffd[31mad · Sa\ufffd]0;x\ufffdles" in text.splitlines()[1]
