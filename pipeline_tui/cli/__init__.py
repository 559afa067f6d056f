"""The command line: argument parsing and printing over the services, one module per group of
commands (each with a ``register`` that adds its commands).

Only opening the TUI imports textual, so that ``agenda`` stays fast enough for a shell prompt.
Bad input of any kind ends with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from pipeline_tui.cli import common
from pipeline_tui.cli.common import (
    GLOBAL_VALUE_OPTIONS,
    PROG,
    Parser,
    Version,
    forms_epilog,
    global_options,
    resolve_now,
    resolve_user,
)
from pipeline_tui.core.printable import LINE_BREAKS, printable
from pipeline_tui.errors import DISK_FULL, UserError, is_disk_full

Runner = Callable[[argparse.Namespace, datetime], int]

# the modules of pipeline_tui.cli that add commands, in the order --help lists them
COMMAND_MODULES = (
    "tui",
    "prospects",
    "show_log",
    "contact",
    "org",
    "follow_ups",
    "reminders",
    "data",
    "figures",
    "stage",
    "pipeline",
    "serve",
    "completion",
    "manual",
)
# run at every shell prompt or by cron: only their own module is loaded and parsed for
QUICK_COMMANDS = {"due": "reminders", "notify": "reminders", "agenda": "follow_ups"}
# built alone when named without --help: the quick ones, and the report (every command's parser
# and help texts were a tenth of its time at 100,000 open prospects; docs/performance.md)
ALONE = {**QUICK_COMMANDS, "report": "figures"}
HELP_OPTIONS = ("-h", "--help")


def _open_the_tui(args: argparse.Namespace, now: datetime) -> int:
    from pipeline_tui.cli.tui import cmd_tui

    return cmd_tui(args, now)


RUNNERS: dict[str | None, Runner] = {None: _open_the_tui}


def opens_the_tui(argv: Sequence[str]) -> bool:
    """Whether ``argv`` is only global options, written out in full (``--db X``, ``--db=X``,
    ``--mine``): the TUI, with no command, no help, nothing argparse must explain."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--mine" or ("=" in token and token.partition("=")[0] in GLOBAL_VALUE_OPTIONS):
            continue
        if token not in GLOBAL_VALUE_OPTIONS:
            return False
        value = next(tokens, None)
        if value is None or value.startswith("-"):  # argparse's to judge
            return False
    return True


def named_command(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names after its global options, if it names one (not an option)."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--mine" or ("=" in token and token.partition("=")[0] in GLOBAL_VALUE_OPTIONS):
            continue
        if token in GLOBAL_VALUE_OPTIONS:
            next(tokens, None)
            continue
        return None if token.startswith("-") else token
    return None


class _Unbuilt:
    """What a command left unbuilt hands its module's ``register``: it takes the arguments
    and keeps none."""

    def __getattr__(self, name: str):
        return self._ignore

    def _ignore(self, *args, **kwargs) -> _Unbuilt:
        return self


def build_parser(argv: Sequence[str] | None = None, *, only: Collection[str] | None = None) -> Parser:
    """The command line's parser. For ``argv`` that only opens the TUI, the top level alone:
    building every command's parser was 7 ms of every start of the TUI. With ``only``, the
    other commands are named but not built: completion, at every tab, needs the arguments of
    the command on the line alone (building them all was two thirds of its parser's time). For
    a quick command (``due``, ``notify``, ``agenda``) or the report, that command's module
    alone, without the top level's help: nothing else is imported either."""
    parser = Parser(prog=PROG, description="Run your sales pipeline from the terminal.")
    parser.add_argument("--version", action=Version, help="the version, and the database schema's")
    global_options(parser, defaults=True)
    if argv is not None and (opens_the_tui(argv) or _only_the_version(argv)):
        parser.set_defaults(command=None)
        return parser
    named = named_command(argv) if argv is not None and only is None else None
    quick = ALONE.get(named or "")
    built = only if quick is None else {named}  # a quick command's module: that command alone
    parser.epilog = forms_epilog() if only is None and quick is None else None
    parser.formatter_class = argparse.RawDescriptionHelpFormatter  # the epilog's lines as written
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    unbuilt = Parser(prog=PROG, add_help=False)

    def command(name: str, help: str, run: Runner) -> argparse.ArgumentParser:
        if built is not None and name not in built:
            commands.choices[name] = unbuilt  # type: ignore[index]
            return _Unbuilt()  # type: ignore[return-value]
        sub = commands.add_parser(name, help=help, description=help)
        global_options(sub, defaults=False)
        RUNNERS[name] = run
        return sub

    wanted = common.help_wanted
    if quick is not None and not any(token in HELP_OPTIONS for token in argv):
        common.help_wanted = False  # no help printed: its texts would import the core's words
    try:
        for module in (quick,) if quick else COMMAND_MODULES:
            if isinstance(module, str):  # by name: imported only when its commands are wanted
                module = importlib.import_module(f"pipeline_tui.cli.{module}")
            module.register(command)
    finally:
        common.help_wanted = wanted
    return parser


def _only_the_version(argv: Sequence[str]) -> bool:
    """Whether ``argv`` asks for ``--version`` before any command or help (argparse acts on it
    as it reads it, so the commands' parsers would be built for nothing)."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--version":
            return True
        if token in GLOBAL_VALUE_OPTIONS:
            next(tokens, None)
        elif token in HELP_OPTIONS or not token.startswith("-"):
            return False
    return False


def _skip_server_drivers(args: argparse.Namespace) -> None:
    from pipeline_tui.store.drivers import skip_server_drivers

    skip_server_drivers(args.db or os.environ.get("PIPELINE_TUI_DB") or "")


# what str.splitlines() breaks on: escaped, so that an error stays on its one line
_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in LINE_BREAKS})
PATH_ARGUMENTS = ("db", "file", "output")  # file names may hold any bytes; text may not


def _one_line(message: str) -> str:
    """An error as one safe line: line breaks written out (``\\n``), so that the argument that
    held one reads as typed, and anything else that would act on the terminal shown as �."""
    return printable(message.translate(_LINE_BREAKS))


def _check_text(args: argparse.Namespace) -> None:
    """Bytes that are not UTF-8 (a Latin-1 terminal) reach us as lone surrogates, which no
    database or file can store: refuse them by argument, before anything is written. So is an
    argument that argparse left as a list."""
    for name, value in vars(args).items():
        if value == []:  # argparse (3.11) gives a positional after a second "--" as []
            raise UserError(f"{name.replace('_', '-')}: no value given (after '--')")
        # a repeatable option (--stage-map) is a list of its values
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and name not in PATH_ARGUMENTS:
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                    what = f"{name.replace('_', '-')} {shown!r}"
                    raise UserError(f"{what} is not UTF-8 text (is the terminal set to UTF-8?)") from None


def _failed_to_write(exc: Exception, argv: Sequence[str] | None) -> int:
    """A disk that is full or failing (not a bug of ours): said in words, in one line. What
    stdout still holds goes nowhere, so that exiting does not fail on it again."""
    what = DISK_FULL if is_disk_full(exc) else (getattr(exc, "strerror", None) or str(exc))
    where = getattr(exc, "filename", None)
    message = f"{where}: {what}" if where else what
    print(f"{PROG}: {_one_line(_without_passwords(message, argv))}", file=sys.stderr)
    try:
        sys.stdout.flush()
    except OSError:
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    if "_ARGCOMPLETE" in os.environ:  # the shell asks what a word may be (argcomplete's script)
        from pipeline_tui.cli import completion

        completion.complete(build_parser)
    status = 1
    try:
        status = _run(argv)
        return status
    finally:
        if "pipeline_tui.store.db" in sys.modules:  # a database was opened
            from pipeline_tui.store.db import close_database

            # after bad input nothing at all is written, not even the planner's statistics
            close_database(optimize=status == 0)


def _run(argv: Sequence[str] | None) -> int:
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        args = build_parser(argv).parse_args(argv)
        _check_text(args)
        _skip_server_drivers(args)
        now = resolve_now(args)
        if args.command not in QUICK_COMMANDS:  # they add nothing; --mine asks who you are itself
            from pipeline_tui.services.user import set_user

            set_user(resolve_user(args))
        status = RUNNERS[args.command](args, now)
        sys.stdout.flush()  # here, so that a failing write is said; at exit it would be lost
        return status
    except UserError as exc:
        print(f"{PROG}: {_one_line(_without_passwords(str(exc), argv))}", file=sys.stderr)
        for line in getattr(exc, "details", ()):  # a refusal of several problems: one a line
            print(_one_line(_without_passwords(line, argv)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: say so in one line, keep the traceback for debugging
        if os.environ.get("PIPELINE_TUI_DEBUG"):
            raise
        if is_disk_full(exc) or isinstance(exc, OSError):
            return _failed_to_write(exc, argv)
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {_one_line(_without_passwords(str(exc), argv))} "
            "(set PIPELINE_TUI_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1


def _without_passwords(message: str, argv: Sequence[str] | None) -> str:
    """The last guard before a message is printed: no password of a database URL given (by
    --db, in any spelling argparse takes, or $PIPELINE_TUI_DB) shows, whoever wrote it."""
    from pipeline_tui.store.locations import redact

    values = [token.partition("=")[2] if token.startswith("-") else token for token in argv or ()]
    urls = [value for value in values if "://" in value or "password=" in value.lower()]
    return redact(message, os.environ.get("PIPELINE_TUI_DB"), *urls)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
