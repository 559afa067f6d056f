"""Shell completion through argcomplete: ``completion bash|zsh|fish`` prints a script that asks
``pipeline-tui`` itself at each tab, so commands and options come from the parser (a command
added tomorrow completes too) and prospect, stage and pipeline names from the database."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime

from pipeline_tui.cli.common import PROG, AddCommand

SHELLS = ("bash", "zsh", "fish")


def register(command: AddCommand) -> None:
    completion = command(
        "completion", "print the shell completion script for bash, zsh or fish", cmd_completion
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def cmd_completion(args, now: datetime) -> int:
    import argcomplete

    sys.stdout.write(argcomplete.shellcode([PROG], shell=args.shell))
    return 0


def asked() -> bool:
    """Whether the shell runs us to complete a word (argcomplete's script sets this)."""
    return "_ARGCOMPLETE" in os.environ


def complete(build_parser) -> None:
    """Print the completions of the shell's line and exit (argcomplete's protocol). Only the
    commands typed on the line are built, without their help texts: it prints none."""
    import argcomplete

    from pipeline_tui.cli import common

    common.help_wanted = False
    parser = build_parser(only=set(os.environ.get("COMP_LINE", "").split()))
    _attach(parser)
    argcomplete.autocomplete(
        parser,
        always_complete_options=False,  # options once a - is typed: a name is what is wanted
        validator=lambda completion, prefix: completion.casefold().startswith(prefix.casefold()),
        default_completer=argcomplete.SuppressCompleter(),  # text is typed; files are below
    )


# -- what each argument completes to, by its dest -----------------------------------------------


def _prospects(prefix, parsed_args, parser, **_):
    from pipeline_tui.store import names

    archived = parser.prog.split()[-1] == "restore"  # the only command that takes archived ones
    return names.prospect_names(_location(parsed_args), prefix, archived=archived)


def _stages(prefix, parsed_args, **_):
    from pipeline_tui.store import names

    return names.stage_names(_location(parsed_args), getattr(parsed_args, "pipeline", None))


def _pipelines(prefix, parsed_args, **_):
    from pipeline_tui.store import names

    return names.pipeline_names(_location(parsed_args))


def _domain(name: str):
    """Words the core knows (kinds, urgencies...), imported only when that word is completed."""

    def words(**_) -> list[str]:
        from pipeline_tui.core import domain

        return list(getattr(domain, name))

    return words


def _commands(parser: argparse.ArgumentParser):
    return lambda **_: sorted([*_subcommands(parser), "keys"])


def _location(parsed_args) -> str:
    from pipeline_tui.cli.common import resolve_db

    return resolve_db(argparse.Namespace(db=getattr(parsed_args, "db", None)))


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _attach(parser: argparse.ArgumentParser) -> None:
    import argcomplete

    by_dest = {
        "prospect": _prospects,
        "stage": _stages,
        "pipeline": _pipelines,
        "kind": _domain("FOLLOW_UP_KINDS"),
        "decision_maker": _domain("DECISION_MAKER"),
        "urgency": _domain("URGENCIES"),
        "topic": _commands(parser),
    }
    from pipeline_tui.cli import PATH_ARGUMENTS

    files = argcomplete.FilesCompleter()
    for each in [parser, *_subcommands(parser).values()]:
        for action in each._actions:
            if action.dest in by_dest:
                action.completer = by_dest[action.dest]  # type: ignore[attr-defined]
            elif action.dest in PATH_ARGUMENTS:
                action.completer = files  # type: ignore[attr-defined]
