"""``pipeline-tui help [COMMAND]``: a man-style page for every command, made from the parser, so a
command added later has one without anyone writing it; ``--version`` names the schema too."""

from __future__ import annotations

import argparse

import pytest

from pipeline_tui.cli import build_parser
from pipeline_tui.cli.manual import cmd_help, subcommands
from tests.test_cli import assert_user_error

COMMANDS = sorted(subcommands(build_parser()))


def _page(capsys, topic: str | None = None) -> str:
    assert cmd_help(argparse.Namespace(topic=topic), None) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_a_page_with_each_of_its_options(name, capsys):
    page = _page(capsys, name)
    assert page.startswith(f"PIPELINE-TUI-{name.upper()}(1)")
    for section in ("NAME", "SYNOPSIS", "GLOBAL OPTIONS", "ENVIRONMENT", "EXIT STATUS"):
        assert f"\n{section}\n" in page, section
    assert f"pipeline-tui {name} - " in page
    command = subcommands(build_parser())[name]
    actions = subcommands(command)  # contact add, stage rename...: each on the page, in full
    for parser in [command, *actions.values()]:
        where = "ACTIONS" if parser is not command else "ARGUMENTS"
        for action in parser._actions:
            for option in action.option_strings:
                assert option in page, option
            if action.option_strings or isinstance(action, argparse._SubParsersAction):
                continue
            shown = action.metavar or action.dest.upper()  # a positional: named, said what it is
            assert f"\n       {shown}" in page.split(where)[1] or f"\n           {shown}" in page, shown
    for action_name, parser in actions.items():
        assert f"pipeline-tui {name} {action_name}" in page.split("SYNOPSIS")[1]
        assert f"\n       {action_name}\n           {parser.description}" in page


def test_the_program_page_lists_every_command(capsys):
    page = _page(capsys)
    assert page.startswith("PIPELINE-TUI(1)")
    commands = page.split("\nCOMMANDS\n")[1].split("\n\n")[0]
    for name in COMMANDS:
        assert f"       {name} " in commands or f"       {name}\n" in commands, name


def test_a_command_added_later_has_a_page_too(capsys, monkeypatch):
    import pipeline_tui.cli as cli

    class Later:
        @staticmethod
        def register(command):
            sub = command("forecast", "the months ahead, in detail", lambda args, now: 0)
            sub.add_argument("--months", metavar="N", help="how many months")

    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, Later))
    monkeypatch.setattr(cli, "RUNNERS", dict(cli.RUNNERS))
    page = _page(capsys, "forecast")
    assert "pipeline-tui forecast - the months ahead, in detail" in page
    assert "--months N" in page and "how many months" in page


def test_an_unknown_topic_is_refused_in_one_line(cli):
    assert_user_error(cli("help", "sell", db=False), "no command 'sell'")


def test_the_examples_are_for_commands_that_exist():
    from pipeline_tui.cli.manual import EXAMPLES

    assert set(EXAMPLES) - {None} <= set(COMMANDS)
    for topic, examples in EXAMPLES.items():
        for example in examples:
            assert f"pipeline-tui {topic or ''}".rstrip() in example, example
