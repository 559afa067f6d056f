"""The command line (SPEC section 5): argument parsing and printing over the services.

Only opening the TUI imports textual, so that ``agenda`` stays fast enough for a shell prompt.
Bad input of any kind ends with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from pipeline_tui import __version__
from pipeline_tui.errors import UserError

PROG = "pipeline-tui"


class Parser(argparse.ArgumentParser):
    """argparse that reports bad usage in one line (exit 2), without the usage block."""

    def error(self, message: str):  # type: ignore[override]
        raise UserError(f"{message} (see {self.prog} --help)")


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """--db, --now and --pipeline, accepted before or after the command."""
    default = None if defaults else argparse.SUPPRESS
    parser.add_argument(
        "--db",
        default=default,
        type=_file_name,
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


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    """The command line's parser. For ``argv`` that only opens the TUI, the top level alone:
    building the 17 commands' parsers was 7 ms of every start of the TUI."""
    parser = Parser(prog=PROG, description="Run your sales pipeline from the terminal.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _global_options(parser, defaults=True)
    if argv is not None and opens_the_tui(argv):
        parser.set_defaults(command=None)
        return parser
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        _global_options(sub, defaults=False)
        return sub

    demo = command("demo", "fill a demo database with realistic data and open the TUI")
    demo.add_argument("--prospects", type=_count, default=60, metavar="N")
    demo.add_argument("--no-open", action="store_true", help="build the data, do not open the TUI")

    add = command("add", "add a prospect")
    add.add_argument("name")
    add.add_argument("--value", metavar="V")
    add.add_argument("--stage", metavar="S")
    add.add_argument("--contact", metavar="C")
    add.add_argument("--organization", "--org", metavar="ORG")
    add.add_argument("--title", metavar="T")
    add.add_argument("--email", metavar="E")
    add.add_argument("--phone", metavar="P")
    add.add_argument("--decision-maker", metavar="yes/no/unknown")
    add.add_argument("--close", metavar="DATE", help="expected close date")
    add.add_argument("--urgency", metavar="low/medium/high")
    add.add_argument("--source", metavar="S")
    add.add_argument("--probability", metavar="P", help="override the stage's, e.g. 0.6 or 60%%")
    add.add_argument("--notes", metavar="T")
    add.add_argument("--follow-up", metavar="WHEN")
    add.add_argument("--kind", metavar="K", default="call")

    move = command("move", "move a prospect to a stage")
    move.add_argument("prospect")
    move.add_argument("stage")
    move.add_argument("--reason", metavar="T", help="why it was lost (for a lost stage)")

    follow = command("follow-up", "schedule a follow-up")
    follow.add_argument("prospect")
    follow.add_argument("when")
    follow.add_argument("--kind", metavar="K", default="call")
    follow.add_argument("--notes", metavar="T", default="")

    done = command("done", "mark a follow-up done")
    done.add_argument("activity", type=_id)
    done.add_argument("--outcome", metavar="T", default="")

    imp = command("import", "import prospects from a CSV file (all or nothing)")
    imp.add_argument("file", type=_file_name)
    imp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")

    exp = command("export", "export every prospect")
    exp.add_argument("--format", choices=("csv", "json"), default="csv")
    exp.add_argument("-o", "--output", type=_file_name, metavar="FILE")

    agenda = command("agenda", "open follow-ups: overdue first, then the next days")
    agenda.add_argument("--days", type=_count, default=None, metavar="N", help="default 7 (agenda_days)")
    agenda.add_argument("--json", action="store_true")

    report = command("report", "quota figures, stages, conversion and advice")
    report.add_argument("--json", action="store_true")

    ics = command("ics", "open follow-ups as an iCalendar file, with alarms")
    ics.add_argument("-o", "--output", type=_file_name, metavar="FILE")

    quota = command("quota", "show the quota, or set it")
    quota.add_argument("amount", nargs="?")
    quota.add_argument("--period", choices=("month", "quarter", "year"), default=None)

    backup = command("backup", "a consistent copy of the database")
    backup.add_argument("-o", "--output", type=_file_name, metavar="FILE")

    archive = command("archive", "hide a prospect from every view (restore brings it back)")
    archive.add_argument("prospect")
    restore = command("restore", "bring back an archived prospect")
    restore.add_argument("prospect")
    command("archived", "list archived prospects")
    return parser


def _file_name(text: str) -> str:
    """A file name or URL as typed; refused when it holds a NUL, which no file name can."""
    if "\x00" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a file name (it holds a NUL character)")
    return text


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return value


def _id(text: str) -> int:
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


def write_output(path: str | None, data: str | bytes) -> None:
    """Write to stdout, or atomically to a new private file (mode 0600)."""
    if path is None or path == "-":
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data if data.endswith("\n") else data + "\n")
        return
    from pipeline_tui.io.files import write_private

    write_private(Path(path), data)


def _settings():
    from pipeline_tui.config import load_settings

    return load_settings()


# -- commands ---------------------------------------------------------------------------------


def cmd_demo(args, now: datetime) -> int:
    from pipeline_tui import config
    from pipeline_tui.io.csv_io import progress_printer
    from pipeline_tui.io.demo import build_demo
    from pipeline_tui.services.importing import database_is_empty, write_demo
    from pipeline_tui.store.db import open_database

    explicit = args.db  # not PIPELINE_TUI_DB: that is the user's own database, never demo data
    if explicit:
        location = explicit
        open_database(location, create=True)
        if not database_is_empty():
            raise UserError(
                f"{location} already holds prospects; demo data goes only into a new or empty database"
            )
    else:
        path = config.demo_db_path()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        location = str(path)
        open_database(location, create=True)
    from pipeline_tui.io.files import without_gc

    progress = progress_printer("generating")
    with without_gc():
        data = build_demo(now, args.prospects, progress)
        count = write_demo(data, now)
        del data
    if progress:
        sys.stderr.write("\r")
    print(f"Demo data: {count:,} prospects in {location}", file=sys.stderr)
    if args.no_open:
        return 0
    args.db = location
    return cmd_tui(args, now)


def cmd_tui(args, now: datetime) -> int:
    import gc

    gc.disable()  # until the first frame: see PipelineApp.on_load
    location = resolve_db(args)
    open_db(args, create=True)
    from pipeline_tui.config import load_settings
    from pipeline_tui.services import setup
    from pipeline_tui.services.base import current_user
    from pipeline_tui.services.prefetch import read_board_ahead

    if args.pipeline:  # asked for by name: a typo is said, not quietly shown another pipeline
        from pipeline_tui.services.base import find_pipeline

        find_pipeline(args.pipeline)
    pinned = bool(args.now or os.environ.get("PIPELINE_TUI_NOW"))
    settings = load_settings()
    pipeline = args.pipeline or setup.get_preference("pipeline")
    board_now = now if pinned else datetime.now().replace(second=0, microsecond=0)
    prefetch = read_board_ahead(
        board_now, settings, pipeline, current_user() if args.mine else None, location
    )
    from pipeline_tui.ui.app import run_app  # imports Textual while the board is read

    return run_app(
        location,
        now if pinned else None,
        pipeline=args.pipeline,
        mine=args.mine,
        settings=settings,
        prefetch=prefetch,
    )


def cmd_add(args, now: datetime) -> int:
    from pipeline_tui.core.dates import parse_when
    from pipeline_tui.core.fields import parse_fields, parse_kind
    from pipeline_tui.services.prospects import add_prospect

    fields = {
        key: getattr(args, attr)
        for key, attr in (
            ("value", "value"),
            ("contact", "contact"),
            ("organization", "organization"),
            ("title", "title"),
            ("email", "email"),
            ("phone", "phone"),
            ("decision_maker", "decision_maker"),
            ("expected_close", "close"),
            ("urgency", "urgency"),
            ("source", "source"),
            ("probability", "probability"),
            ("notes", "notes"),
        )
        if getattr(args, attr) is not None
    }
    # check what was typed before a new database is created for it
    parse_fields({"name": args.name, **fields}, now)
    follow_up = None
    if args.follow_up is not None:
        follow_up = (parse_when(args.follow_up, now), parse_kind(args.kind))
    open_db(args, create=True)
    prospect = add_prospect(
        now, args.name, pipeline=args.pipeline, stage=args.stage, fields=fields, follow_up=follow_up
    )
    from pipeline_tui.store.models import Stage

    stage = Stage.get_by_id(prospect.stage_id)
    extra = f", {follow_up[1]} {follow_up[0]:%a %d %b %H:%M}" if follow_up else ""
    print(f"Added #{prospect.id} {prospect.name} ({stage.name}{extra})")
    return 0


def cmd_move(args, now: datetime) -> int:
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.prospects import move_prospect

    open_db(args)
    prospect = find_prospect(args.prospect)
    stage = move_prospect(prospect.id, args.stage, now, lost_reason=args.reason)
    print(f"Moved #{prospect.id} {prospect.name} to {stage.name}")
    return 0


def cmd_follow_up(args, now: datetime) -> int:
    from pipeline_tui.core.dates import parse_when
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.follow_ups import schedule

    open_db(args)
    due = parse_when(args.when, now)
    prospect = find_prospect(args.prospect)
    follow_up = schedule(prospect.id, args.kind, due, now, args.notes)
    print(f"Scheduled {follow_up.kind} #{follow_up.id} with {prospect.name} for {due:%a %d %b %Y %H:%M}")
    return 0


def cmd_done(args, now: datetime) -> int:
    from pipeline_tui.services.follow_ups import complete

    open_db(args)
    follow_up = complete(args.activity, now, args.outcome)
    print(f"Done: {follow_up.kind} #{follow_up.id} with {follow_up.prospect.name}")
    return 0


def cmd_import(args, now: datetime) -> int:
    from pipeline_tui.io.csv_io import parse_csv, progress_printer
    from pipeline_tui.services.importing import import_parsed
    from pipeline_tui.store.db import is_url, open_database

    path = Path(args.file)
    progress = progress_printer("checking rows")
    parsed = parse_csv(path, now, progress)
    if progress:
        sys.stderr.write("\r")
    if args.dry_run and not is_url(resolve_db(args)) and not Path(resolve_db(args)).expanduser().exists():
        # nothing to check against yet: a new database would have the default pipeline
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            open_database(Path(scratch) / "dry-run.db")
            count = import_parsed(parsed, str(path), now, dry_run=True, pipeline=args.pipeline)
    else:
        open_db(args, create=not args.dry_run)
        count = import_parsed(parsed, str(path), now, dry_run=args.dry_run, pipeline=args.pipeline)
    # after the checks, so that a refused file gets its one line of error and nothing else
    for column in parsed.unknown_columns:
        print(f"{PROG}: {path}: ignoring unknown column {column!r}", file=sys.stderr)
    if args.dry_run:
        print(f"{path}: {count:,} prospects would be imported (dry run, nothing written)")
    else:
        print(f"Imported {count:,} prospect{'s' if count != 1 else ''} from {path}")
    return 0


def cmd_export(args, now: datetime) -> int:
    import io

    from pipeline_tui.io.csv_io import write_csv
    from pipeline_tui.io.shapes import dumps, export_json
    from pipeline_tui.services.views import export_rows

    open_db(args)
    rows = export_rows(now, _settings(), args.pipeline, owner_scope(args))
    if args.format == "json":
        write_output(args.output, dumps(export_json(rows)))
    else:
        buffer = io.StringIO()
        write_csv(rows, buffer)
        write_output(args.output, buffer.getvalue())
    if args.output:
        print(f"Exported {len(rows):,} prospects to {args.output}", file=sys.stderr)
    return 0


def cmd_agenda(args, now: datetime) -> int:
    from pipeline_tui.services.agenda import agenda

    days = args.days if args.days is not None else _settings().thresholds.agenda_days
    open_db(args)
    items = agenda(now, days, args.pipeline, owner_scope(args))
    if args.json:
        from pipeline_tui.io.shapes import agenda_json, dumps

        write_output(None, dumps(agenda_json(items)))
    else:
        from pipeline_tui.io.text import agenda_text

        write_output(None, agenda_text(items, now))
    return 0


def cmd_report(args, now: datetime) -> int:
    from pipeline_tui.services.views import report

    settings = _settings()
    open_db(args)
    result = report(now, settings, args.pipeline, owner_scope(args))
    if args.json:
        from pipeline_tui.io.shapes import dumps, report_json

        write_output(None, dumps(report_json(result)))
    else:
        from pipeline_tui.io.text import report_text

        write_output(None, report_text(result))
    return 0


def cmd_ics(args, now: datetime) -> int:
    from pipeline_tui.io.ics import agenda_calendar
    from pipeline_tui.services.agenda import agenda

    open_db(args)
    write_output(args.output, agenda_calendar(agenda(now, None, args.pipeline, owner_scope(args)), now))
    return 0


def cmd_quota(args, now: datetime) -> int:
    from pipeline_tui.core.money import format_money, parse_money
    from pipeline_tui.services import setup

    if args.amount is None:
        if args.period:
            raise UserError("give an amount to set the quota, e.g. quota 50000 --period quarter")
        open_db(args)
        quota = setup.current_quota(owner_scope(args) or "")
        whose = f"{resolve_user(args)}'s" if args.mine else "Team"
        if quota is None:
            print(f"No {whose.lower()} quota set. Set one with: pipeline-tui quota 50000 --period quarter")
        else:
            print(f"{whose} quota: {format_money(quota.target)} per {quota.period}")
        return 0
    target = parse_money(args.amount, "amount")
    open_db(args, create=True)
    quota = setup.set_quota(target, args.period or "quarter", now, owner=owner_scope(args) or "")
    whose = f"{resolve_user(args)}'s" if args.mine else "Team"
    print(f"{whose} quota set: {format_money(quota.target)} per {quota.period}")
    return 0


def cmd_backup(args, now: datetime) -> int:
    from pipeline_tui.store.backup import backup_to, default_backup_name

    db = open_db(args)
    target = Path(args.output) if args.output else default_backup_name(db, "backup")
    written = backup_to(db, target)
    print(f"Backed up to {written}")
    return 0


def cmd_archive(args, now: datetime) -> int:
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.prospects import archive_prospect

    open_db(args)
    prospect = archive_prospect(find_prospect(args.prospect).id, now)
    print(f"Archived #{prospect.id} {prospect.name} (pipeline-tui restore {prospect.id} brings it back)")
    return 0


def cmd_restore(args, now: datetime) -> int:
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.prospects import restore_prospect

    open_db(args)
    prospect = restore_prospect(find_prospect(args.prospect, archived=True).id, now)
    print(f"Restored #{prospect.id} {prospect.name}")
    return 0


def cmd_archived(args, now: datetime) -> int:
    from pipeline_tui.services.prospects import archived_prospects

    open_db(args)
    rows = archived_prospects()
    if not rows:
        print("No archived prospects.")
    for prospect in rows:
        print(f"#{prospect.id:<6} {prospect.name}  (archived {prospect.updated_at:%d %b %Y})")
    return 0


def _without_gc(command: Callable[[argparse.Namespace, datetime], int]):
    def run(args, now: datetime) -> int:
        from pipeline_tui.io.files import without_gc

        with without_gc():
            return command(args, now)

    return run


COMMANDS: dict[str | None, Callable[[argparse.Namespace, datetime], int]] = {
    None: cmd_tui,
    "demo": cmd_demo,
    "add": cmd_add,
    "move": cmd_move,
    "follow-up": cmd_follow_up,
    "done": cmd_done,
    "import": _without_gc(cmd_import),
    "export": _without_gc(cmd_export),
    "agenda": cmd_agenda,
    "report": _without_gc(cmd_report),
    "ics": cmd_ics,
    "quota": cmd_quota,
    "backup": cmd_backup,
    "archive": cmd_archive,
    "restore": cmd_restore,
    "archived": cmd_archived,
}


def _skip_server_drivers(args: argparse.Namespace) -> None:
    from pipeline_tui.store.drivers import skip_server_drivers

    skip_server_drivers(args.db or os.environ.get("PIPELINE_TUI_DB") or "")


# what str.splitlines() breaks on: escaped, so that an error stays on its one line
_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"})
PATH_ARGUMENTS = ("db", "file", "output")  # file names may hold any bytes; text may not


def _one_line(message: str) -> str:
    return message.translate(_LINE_BREAKS)


def _check_text(args: argparse.Namespace) -> None:
    """Bytes that are not UTF-8 (a Latin-1 terminal) reach us as lone surrogates, which no
    database or file can store: refuse them by argument, before anything is written. So is an
    argument that argparse left as a list."""
    for name, value in vars(args).items():
        if isinstance(value, list):  # argparse (3.11) gives a positional after a second "--" as []
            raise UserError(f"{name.replace('_', '-')}: no value given (after '--')")
        if isinstance(value, str) and name not in PATH_ARGUMENTS:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                raise UserError(
                    f"{name.replace('_', '-')} {shown!r} is not UTF-8 text (is the terminal set to UTF-8?)"
                ) from None


def main(argv: Sequence[str] | None = None) -> int:
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
        from pipeline_tui.services.base import set_user

        set_user(resolve_user(args))
        return COMMANDS[args.command](args, now)
    except UserError as exc:
        print(f"{PROG}: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: say so in one line, keep the traceback for debugging
        if os.environ.get("PIPELINE_TUI_DEBUG"):
            raise
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
            "(set PIPELINE_TUI_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
