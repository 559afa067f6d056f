"""What every command shares: the one-line-error parser, the global options, argument types,
the clock, the user, the database and where output goes."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pipeline_tui.core.printable import printable, printable_lines
from pipeline_tui.errors import UserError

PROG = "pipeline-tui"


class Parser(argparse.ArgumentParser):
    """argparse that reports bad usage in one line (exit 2), without the usage block."""

    def error(self, message: str):  # type: ignore[override]
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


def file_name(text: str) -> str:
    """A file name or URL as typed; refused when it holds a NUL, which no file name can."""
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
    from pipeline_tui.core.dates import parse_iso

    text = args.now or os.environ.get("PIPELINE_TUI_NOW")
    if text:
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
    from pipeline_tui import config

    return args.db or os.environ.get("PIPELINE_TUI_DB") or str(config.default_db_path())


def open_db(args: argparse.Namespace, *, create: bool = False):
    from pipeline_tui.store.db import open_database

    return open_database(resolve_db(args), create=create)


def say(message: str, *, error: bool = False) -> None:
    """Print one line for a person, on stdout (or stderr): whatever names, notes or file names it
    holds are shown, never acted on by the terminal."""
    print(printable(message), file=sys.stderr if error else sys.stdout)


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


def write_output(path: str | None, data: str | bytes) -> None:
    """Write to stdout, or atomically to a new private file (mode 0600). Text bound for a
    terminal is shown safely there (README.md, "Your data"); a file or a pipe gets it exact."""
    if isinstance(data, str) and goes_to_a_terminal(path):
        data = printable_lines(data)
    if path is None or path == "-":
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data if data.endswith("\n") else data + "\n")
        return
    from pipeline_tui.io.files import write_private

    write_private(Path(path), data)


def user_settings():
    from pipeline_tui.config import load_settings

    return load_settings()


AddCommand = Callable[[str, str, Callable[[argparse.Namespace, datetime], int]], argparse.ArgumentParser]
"""How a command module adds a command: its name, one line of help, and the function it runs."""


def without_gc(command: Callable[[argparse.Namespace, datetime], int]):
    """A command that makes many objects at once runs without the cyclic garbage collector."""

    def run(args, now: datetime) -> int:
        from pipeline_tui.io.files import without_gc as collector_off

        with collector_off():
            return command(args, now)

    return run
