"""What every command shares: the one-line-error parser, the global options, argument types,
the clock, the user, the database and where output goes."""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
from collections.abc import Callable
from datetime import datetime

from pipeline_tui.core.printable import printable, printable_lines
from pipeline_tui.errors import UserError

PROG = "pipeline-tui"


# a date counted back (-2d, -1m 10:00): argparse takes it for an option
_DATE_BACK = re.compile(r"-\d+\s*[a-z]+(\s.*)?")
DATE_BACK_HINT = "a date that starts with - follows = after an option (--close=-1m), or -- before WHEN"


class Parser(argparse.ArgumentParser):
    """argparse that reports bad usage in one line (exit 2), without the usage block."""

    given: tuple[str, ...] = ()

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        self.given = tuple(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str):  # type: ignore[override]
        if any(_DATE_BACK.fullmatch(word) for word in self.given):
            message = f"{message}; {DATE_BACK_HINT}"
        raise UserError(f"{message} (see {self.prog} --help)")


def global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """--db, --now and --pipeline, accepted before or after the command."""
    default = None if defaults else argparse.SUPPRESS
    parser.add_argument(
        "--db",
        default=default,
        type=file_name,
        metavar="PATH",
        help="database file or postgresql:// URL (default: $PIPELINE_TUI_DB, "
        "else pipeline.db in the user data directory)",
    )
    parser.add_argument(
        "--now",
        default=default,
        metavar="WHEN",
        help='pin the clock, "YYYY-MM-DD[ HH:MM]" (default: $PIPELINE_TUI_NOW, else now)',
    )
    parser.add_argument(
        "--pipeline",
        default=default,
        metavar="NAME",
        help="limit to one pipeline (default: all, or the first for the board)",
    )
    parser.add_argument(
        "--user",
        default=default,
        metavar="NAME",
        help="who you are in a shared database (default: $PIPELINE_TUI_USER, else your login)",
    )
    parser.add_argument(
        "--mine",
        action="store_true",
        default=False if defaults else argparse.SUPPRESS,
        help="only your prospects, and your own quota (default: everyone's, the team quota)",
    )


GLOBAL_VALUE_OPTIONS = ("--db", "--now", "--pipeline", "--user")


class Version(argparse.Action):
    """``--version``: the program's version and the database schema it reads and writes."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from pipeline_tui import __version__
        from pipeline_tui.store.schema_version import SCHEMA_VERSION

        say(f"{PROG} {__version__} (database schema {SCHEMA_VERSION})")
        parser.exit()


# -- what arguments take, said once for --help and for each command's help ---------------------

# False while the parser is built to complete a word (at every tab), which prints no help: the
# texts below import the core's vocabulary, more than half the time of a completion.
help_wanted = True


def kinds_help() -> str:
    if not help_wanted:
        return ""
    from pipeline_tui.core.domain import FOLLOW_UP_KINDS

    return ", ".join(FOLLOW_UP_KINDS)


def stages_help() -> str:
    if not help_wanted:
        return ""
    from pipeline_tui.core.domain import DEFAULT_STAGES

    return ", ".join(name for name, *_ in DEFAULT_STAGES)


def dates_help() -> str:
    if not help_wanted:
        return ""
    from pipeline_tui.core.dates import EXAMPLES, WORKING_HOUR

    return (
        f"{EXAMPLES}; also next week, fri afternoon, end of month, 25/04/2026. A day given "
        f"without a time means the working hour ({WORKING_HOUR:%H:%M}, or [locale] working_hour); "
        "+2h is exactly two hours; a date that reads two ways (03/04/2026) needs [locale] date_order"
    )


PROSPECT_HELP = "the prospect: its id, or its name (any case; a unique start of the name will do)"


def forms_epilog() -> str:
    """The forms that arguments take, listed at the end of ``--help``."""
    import textwrap

    forms = [
        ("PROSPECT", PROSPECT_HELP),
        ("ACTIVITY", "a follow-up's id, as `agenda` (#12) and `show PROSPECT` list them"),
        ("KIND", f"a follow-up kind: {kinds_help()}"),
        ("STAGE", f"a stage of the prospect's pipeline, any case; the default ones: {stages_help()}"),
        ("WHEN", f"a date: {dates_help()}"),
        ("AMOUNT", "money as typed: 12000, 12,000.50 or $12,000"),
    ]
    lines = ["what the arguments take:"]
    for name, text in forms:
        lines.append(
            textwrap.fill(
                text, 79, break_on_hyphens=False, initial_indent=f"  {name:<10} ", subsequent_indent=" " * 13
            )
        )
    lines += ["", "pipeline-tui COMMAND --help describes a command's arguments and options."]
    return "\n".join(lines)


def file_name(text: str) -> str:
    """A file name or URL as typed; refused when empty (``--db ""`` would quietly mean the
    default database, ``-o ""`` standard output) or when it holds a NUL, which no file name can."""
    if not text:
        raise argparse.ArgumentTypeError("an empty file name")
    if "\x00" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a file name (it holds a NUL character)")
    return text


def whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return value


def activity_id(text: str) -> int:
    text = text.lstrip("#")
    if not text.isdecimal() or len(text) > 18:  # not "²" (isdigit), nor past SQLite's integers
        raise argparse.ArgumentTypeError(f"{text!r} is not an id (agenda --json shows them)")
    return int(text)


# -- the environment --------------------------------------------------------------------------


def resolve_now(args: argparse.Namespace) -> datetime:
    """``--now``, else ``PIPELINE_TUI_NOW``, else the system clock: the one place it is read."""
    text = args.now or os.environ.get("PIPELINE_TUI_NOW")
    if text:
        from pipeline_tui.core.iso_dates import parse_iso

        now = parse_iso(text.replace("T", " "), "--now").replace(second=0, microsecond=0)
        # the figures look a year back and months ahead: keep clear of the calendar's ends
        if not 1900 <= now.year <= 9000:
            raise UserError(f"--now {text!r} must lie between the years 1900 and 9000")
        return now
    return datetime.now().replace(microsecond=0)


def resolve_user(args: argparse.Namespace) -> str:
    """``--user``, else ``PIPELINE_TUI_USER``, else the login name: the owner of what you add."""
    if args.user:
        return args.user.strip()
    if os.environ.get("PIPELINE_TUI_USER"):
        return os.environ["PIPELINE_TUI_USER"].strip()
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return ""


def owner_scope(args: argparse.Namespace) -> str | None:
    """Whose prospects a view shows: yours with ``--mine``, else everyone's (None)."""
    return resolve_user(args) if args.mine else None


def resolve_db(args: argparse.Namespace) -> str:
    given = args.db or os.environ.get("PIPELINE_TUI_DB")
    if given:
        return given
    from pipeline_tui import config

    return str(config.default_db_path())


def open_db(args: argparse.Namespace, *, create: bool = False, read_only: bool = False):
    """Open the database; ``read_only`` for a command that only reads (it then writes nothing,
    and an empty file is no database yet), ``create`` for one that may start a new database."""
    from pipeline_tui.store.db import open_database

    return open_database(resolve_db(args), create=create, read_only=read_only)


def database_files(args: argparse.Namespace) -> list[str]:
    """The files of the database in use, which no output may land on."""
    from pipeline_tui.store.db import sqlite_files

    return sqlite_files(resolve_db(args))


def say(message: str, *, error: bool = False) -> None:
    """Print one line for a person, on stdout (or stderr): whatever names, notes or file names it
    holds are shown, never acted on by the terminal."""
    print(printable(message), file=sys.stderr if error else sys.stdout)


def padded(text: str, width: int) -> str:
    """``text``, shown safely, padded with spaces to ``width`` terminal cells: a column of a
    table. A wide character (CJK) takes two cells, which ``str.ljust`` counts as one."""
    from rich.cells import cell_len

    shown = printable(text)
    return shown + " " * max(0, width - cell_len(shown))


def goes_to_a_terminal(path: str | None) -> bool:
    """Whether output for ``path`` (None or "-": stdout) lands on a terminal, where a person reads
    it, rather than in a file or a pipe, where a program reads it exactly: ``isatty`` on stdout,
    and on a character device named by ``-o`` (``/dev/tty``, ``/dev/stdout``)."""
    if path is None or path == "-":
        return sys.stdout.isatty()
    try:
        if not stat.S_ISCHR(os.stat(path).st_mode):
            return False
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except (OSError, ValueError):
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


def write_output(
    path: str | None, data: str | bytes | list[str], args: argparse.Namespace | None = None
) -> None:
    """Write to stdout, or to ``path`` as :func:`pipeline_tui.io.files.write_private` allows:
    never onto the database in use (``args`` says which), over a file only with ``--force``.
    Text bound for a terminal is shown safely there (README.md, "Your data"); a file or a pipe
    gets it exact. A text in parts (a list) goes to a pipe part by part, not copied into one."""
    to_stdout = path is None or path == "-"
    if isinstance(data, list) and (not to_stdout or goes_to_a_terminal(path)):
        data = "".join(data)
    if isinstance(data, str) and goes_to_a_terminal(path):
        data = printable_lines(data)
    if to_stdout:
        from pipeline_tui.io.stdout import write_stdout

        if isinstance(data, list):
            write_stdout(data if data[-1].endswith("\n") else [*data, "\n"])
        else:
            write_stdout(data if isinstance(data, bytes) or data.endswith("\n") else data + "\n")
        return
    from pipeline_tui.io.files import write_private

    keep_away = database_files(args) if args is not None else []
    from pathlib import Path

    write_private(Path(path), data, replace=bool(args and args.force), keep_away=keep_away)


def check_output(path: str | None, args: argparse.Namespace):
    """Refuse a bad ``-o`` before the work of making what goes there (it is checked again
    as it is written); where it leads (a :class:`pipeline_tui.io.files.Target`), or None
    for stdout."""
    if path is None or path == "-":
        return None
    from pipeline_tui.io.files import output_target

    return output_target(path, replace=args.force, keep_away=database_files(args))


def force_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")


def user_settings():
    from pipeline_tui.config import load_settings

    return load_settings()


def actions_of(parser: argparse.ArgumentParser, dest: str) -> Callable[[str, str], argparse.ArgumentParser]:
    """A command's own sub-commands (``contact add``, ``stage rename``...): returns a function
    that adds one by name and help, the global options accepted after it too."""
    actions = parser.add_subparsers(dest=dest, metavar="ACTION", required=True, parser_class=Parser)

    def add(name: str, help: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help, description=help)
        global_options(sub, defaults=False)
        return sub

    return add


def date_rules():
    """How dates typed on the command line read: the config's [locale], in the machine's zone."""
    from pipeline_tui.config import date_rules as rules_for

    return rules_for(user_settings())


def warn(message: str) -> None:
    """One line on stderr about something done anyway (a follow-up in the past)."""
    say(f"{PROG}: warning: {message}", error=True)


def warn_about_date(what: str, moment: datetime, notes: list[str]) -> None:
    """What a typed date's reading says (in the past, moved out of a daylight-saving gap)."""
    for note in notes:
        warn(f"{what} {moment:%a %d %b %Y %H:%M}: {note}")


AddCommand = Callable[[str, str, Callable[[argparse.Namespace, datetime], int]], argparse.ArgumentParser]
"""How a command module adds a command: its name, one line of help, and the function it runs."""


def without_gc(command: Callable[[argparse.Namespace, datetime], int]):
    """A command that makes many objects at once runs without the cyclic garbage collector."""

    def run(args, now: datetime) -> int:
        from pipeline_tui.io.files import without_gc as collector_off

        with collector_off():
            return command(args, now)

    return run
