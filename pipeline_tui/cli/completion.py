"""Shell completion through argcomplete: ``completion bash|zsh|fish`` prints a script that asks
``pipeline-tui`` itself at each tab, so commands and options come from the parser (a command
added tomorrow completes too) and prospect, stage and pipeline names from the database."""

from __future__ import annotations

import argparse
import os
from datetime import datetime

from pipeline_tui.cli.common import PROG, AddCommand, write_output

SHELLS = ("bash", "zsh", "fish")


def register(command: AddCommand) -> None:
    completion = command(
        "completion", "print the shell completion script for bash, zsh or fish", cmd_completion
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def cmd_completion(args, now: datetime) -> int:
    import argcomplete

    write_output(None, argcomplete.shellcode([PROG], shell=args.shell))
    return 0


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


def _organizations(prefix, parsed_args, **_):
    from pipeline_tui.store import names

    return names.organization_names(_location(parsed_args), prefix)


def _words(module: str, name: str, leave_out: tuple[str, ...] = ()):
    """Words the core knows (kinds, roles...), imported only when that word is completed."""

    def words(**_) -> list[str]:
        import importlib

        return [word for word in getattr(importlib.import_module(module), name) if word not in leave_out]

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


def _completers(parser: argparse.ArgumentParser) -> dict[str, object]:
    """What an argument completes to, by ``command action dest``, ``command dest`` or ``dest``
    (the most precise first): a stage's ``name`` is a stage to move but a new one to add."""
    return {
        "prospect": _prospects,
        "stage": _stages,
        "pipeline": _pipelines,
        "kind": _words("pipeline_tui.core.domain", "FOLLOW_UP_KINDS"),
        "decision_maker": _words("pipeline_tui.core.domain", "DECISION_MAKER"),
        "urgency": _words("pipeline_tui.core.domain", "URGENCIES"),
        "topic": _commands(parser),
        "contact role": _words("pipeline_tui.core.people", "CONTACT_ROLES"),
        "org name": _organizations,
        "stage role": _words("pipeline_tui.core.domain", "ROLES", leave_out=("won", "lost")),
        "stage old": _stages,
        "stage after": _stages,
        "stage to": _stages,
        "stage move name": _stages,
        "stage remove name": _stages,
        "pipeline copy_from": _pipelines,
    }


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parser and every command's and action's under it."""
    return [parser, *(p for sub in _subcommands(parser).values() if sub is not parser for p in _parsers(sub))]


def _attach(parser: argparse.ArgumentParser) -> None:
    import argcomplete

    from pipeline_tui.cli import PATH_ARGUMENTS

    completers = _completers(parser)
    files = argcomplete.FilesCompleter()
    for each in _parsers(parser):
        words = each.prog.split()[1:]  # the command and its action, if any
        for action in each._actions:
            keys = [" ".join([*words, action.dest]), " ".join([*words[:1], action.dest]), action.dest]
            found = next((completers[key] for key in keys if key in completers), None)
            if found is not None:
                action.completer = found  # type: ignore[attr-defined]
            elif action.dest in PATH_ARGUMENTS:
                action.completer = files  # type: ignore[attr-defined]
