"""Data in and out: CSV import, CSV or JSON export, and backup."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from pipeline_tui.cli.common import (
    PROG,
    AddCommand,
    check_output,
    database_files,
    file_name,
    force_option,
    open_db,
    owner_scope,
    resolve_db,
    say,
    user_settings,
    without_gc,
    write_output,
)
from pipeline_tui.core.wording import plural
from pipeline_tui.errors import UserError


def register(command: AddCommand) -> None:
    imp = command("import", "import prospects from a CSV file (all or nothing)", without_gc(cmd_import))
    imp.add_argument(
        "file",
        type=file_name,
        metavar="FILE",
        help="a CSV file with a header row naming its columns: ours (name is required), or Pipedrive's or "
        "HubSpot's deal export (README: Importing from another CRM)",
    )
    imp.add_argument(
        "--dry-run", action="store_true", help="check the file and say what it would import; write nothing"
    )
    imp.add_argument(
        "--stage-map",
        action="append",
        metavar="THEIRS=OURS",
        help='a stage name of the file and the stage it goes to here, e.g. "Negotiations Started=Proposal" '
        "(repeat it for several)",
    )
    imp.add_argument(
        "--pipeline-map",
        action="append",
        metavar="THEIRS=OURS",
        help='a pipeline name of the file and ours it goes to, e.g. "Default pipeline=Sales" (repeatable)',
    )
    imp.add_argument(
        "--keep-owner",
        action="store_true",
        help="make the file's owner column (Deal - Owner) the owner, as team mode always does; "
        "otherwise the deals are yours",
    )

    exp = command("export", "export every prospect", without_gc(cmd_export))
    exp.add_argument("--format", choices=("csv", "json"), default="csv", help="csv (default) or json")
    exp.add_argument(
        "-o", "--output", type=file_name, metavar="FILE", help="write to a new file (default: stdout)"
    )
    force_option(exp)

    backup = command("backup", "a consistent copy of the database", cmd_backup)
    backup.add_argument(
        "-o",
        "--output",
        type=file_name,
        metavar="FILE",
        help="the copy's file (default: pipeline.backup-DATE-TIME.db beside the database)",
    )
    force_option(backup)


def cmd_import(args, now: datetime) -> int:
    from pipeline_tui.io.csv_io import progress_printer
    from pipeline_tui.services.importing import ImportOptions, parse_map

    settings = user_settings()
    options = ImportOptions(
        pipeline=args.pipeline,
        stage_map=tuple(parse_map(text, "--stage-map") for text in args.stage_map or ()),
        pipeline_map=tuple(parse_map(text, "--pipeline-map") for text in args.pipeline_map or ()),
        keep_owner=args.keep_owner,
        currencies=settings.currency,
    )
    path = Path(args.file)
    progress = progress_printer("checking rows")
    try:
        parsed, plan = _planned_and_written(args, _Reading(path, now, options, settings, progress))
        if progress:
            sys.stderr.write("\r")
    except (Interrupted, KeyboardInterrupt) as stopped:  # Ctrl+C: what it left, in one line
        if progress:
            sys.stderr.write("\r")
        left = str(stopped) if isinstance(stopped, Interrupted) else NOTHING_IMPORTED
        say(f"{PROG}: interrupted: {left}", error=True)
        return 130
    # after the checks, so that a refused file gets its lines of error and nothing else
    if parsed.unknown_columns:
        say(f"{PROG}: {path}: {unknown_columns_text(parsed.unknown_columns)}", error=True)
    count = plan.summary.count
    if args.dry_run:
        say(f"{path}: {plural(count, 'prospect')} would be imported (dry run, nothing written)")
    else:
        say(f"Imported {plural(count, 'prospect')} from {path}")
    for line in summary_lines(plan.summary, settings.currency.home):
        say(line)
    return 0


class _Reading(NamedTuple):
    """What reading and planning the file takes (see :func:`_read_and_planned`)."""

    path: Path
    now: datetime
    options: object  # ImportOptions
    settings: object  # Settings
    progress: object


def _read_and_planned(reading: _Reading):
    """The file read and checked, and its plan, against the database open now: each half of a
    big file is planned as it is read (its pipelines and stages read first, see
    ``services.importing.PlannedAsRead``)."""
    from pipeline_tui.io.csv_io import parse_csv
    from pipeline_tui.services.importing import PlannedAsRead, plan_import

    path, now, options, settings, progress = reading
    planner = PlannedAsRead(options, now)
    parsed = parse_csv(path, now, progress, settings.dates, settings.currency.home, planner)
    return parsed, plan_import(parsed, str(path), now, options)


def _planned_and_written(args, reading: _Reading):
    """The file read, and its plan written unless a dry run. The database is opened first (the
    plan is made as the file is read); one this import made is removed again when the file is
    refused: a refusal leaves nothing behind."""
    from pipeline_tui.services.importing import imported_up_to, write_plan
    from pipeline_tui.store.db import forget_made_here, open_database

    if args.dry_run and _no_database_yet(resolve_db(args)):
        # nothing to check against yet: a new database would have the default pipeline
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            open_database(Path(scratch) / "dry-run.db")
            return _read_and_planned(reading)
    new = None if args.dry_run else _new_database_file(resolve_db(args))
    if new is not None:
        from pipeline_tui.store.new_file import built_whole

        try:
            with built_whole(new, str(new)):
                parsed, plan = _read_and_planned(reading)
                write_plan(plan, reading.now, reading.settings)
        except KeyboardInterrupt:
            raise Interrupted("the import is saved" if new.exists() else NOTHING_IMPORTED) from None
        return parsed, plan
    db = open_db(args, create=not args.dry_run, read_only=args.dry_run)
    before = None if args.dry_run else imported_up_to()
    try:
        parsed, plan = _read_and_planned(reading)
        if not args.dry_run:
            write_plan(plan, reading.now, reading.settings)
    except UserError:
        forget_made_here(db)
        raise
    except KeyboardInterrupt:  # its one transaction was committed, or not at all: which one
        saved = before is not None and imported_up_to() > before
        raise Interrupted("the import is saved" if saved else NOTHING_IMPORTED) from None
    return parsed, plan


NOTHING_IMPORTED = "nothing imported"


class Interrupted(Exception):
    """Ctrl+C during an import: what it left."""


def summary_lines(summary, home: str) -> list[str]:
    """What an import brings in: stages, status, follow-ups, currencies, owners, date orders,
    one line each, with the file's names as they are (the caller shows them inert)."""

    def counted(counts: dict[str, int]) -> str:
        return ", ".join(f"{name} {count:,}" for name, count in counts.items()) or "none"

    statuses = ", ".join(
        f"{summary.by_status[k]:,} {k}" for k in ("open", "won", "lost") if k in summary.by_status
    )
    deleted = f"; {summary.deleted:,} deleted skipped" if summary.deleted else ""
    overdue = f" ({summary.overdue:,} overdue)" if summary.overdue else ""
    currencies: dict[str, int] = {}
    for code, n in summary.currencies.items():  # "" and the home code are one currency
        shown = code or home or "home currency"
        currencies[shown] = currencies.get(shown, 0) + n
    lines = [
        f"  stages: {counted(summary.by_stage)}",
        f"  status: {statuses or 'none'}{deleted}",
        f"  follow-ups: {summary.follow_ups:,}{overdue}",
        f"  currencies: {counted(currencies)}",
    ]
    if summary.owner_column and summary.owners_kept:
        lines.append(f"  owners: as {summary.owner_column} says ({summary.owners:,} not yours)")
    elif summary.owner_column:
        kept = "is kept in team mode or with --keep-owner"
        lines.append(f"  owners: all yours ({summary.owner_column} {kept})")
    return lines + _date_orders_text(summary.date_orders)


def _date_orders_text(orders: dict[str, tuple[str, str]]) -> list[str]:
    """How the file's numeric dates read: the columns of each order, and what settled it."""
    from pipeline_tui.core.date_order import ORDER_WORDS

    lines = []
    for order in sorted({order for order, _ in orders.values()}):
        columns = [column for column, (found, _) in orders.items() if found == order]
        reasons = [reason for found, reason in orders.values() if found == order]
        reason = next((r for r in reasons if not r.startswith("as the file")), reasons[0])
        lines.append(f"  dates read {ORDER_WORDS[order]} in {', '.join(columns)} ({reason})")
    return lines


def _new_database_file(location: str) -> Path | None:
    """The SQLite file an import makes, if there is none at ``location`` yet: it is then built
    whole beside it (see ``store.new_file``); an empty file given is filled where it is."""
    from pipeline_tui.store.db import is_sqlite_url, is_url, sqlite_path

    if is_url(location) and not is_sqlite_url(location):
        return None
    path = sqlite_path(location)
    try:
        path.lstat()
    except FileNotFoundError:
        return path
    except OSError:  # opening it says what is wrong
        pass
    return None


def _no_database_yet(location: str) -> bool:
    """A database file that is missing, or empty (which a first write turns into a database)."""
    from pipeline_tui.store.db import is_url

    if is_url(location):
        return False
    path = Path(location).expanduser()
    try:
        return path.stat().st_size == 0
    except FileNotFoundError:
        return True
    except OSError:  # opening it says what is wrong
        return False


def cmd_export(args, now: datetime) -> int:
    import io

    from pipeline_tui.io.csv_io import write_csv
    from pipeline_tui.io.shapes import dumps, export_json
    from pipeline_tui.services.views import export_rows

    check_output(args.output, args)
    open_db(args, read_only=True)
    rows = export_rows(now, user_settings(), args.pipeline, owner_scope(args))
    if args.format == "json":
        from pipeline_tui.services.contacts import every_deals_contacts

        write_output(args.output, dumps(export_json(rows, every_deals_contacts())), args)
    else:
        buffer = io.StringIO()
        write_csv(rows, buffer)
        write_output(args.output, buffer.getvalue(), args)
    if args.output:
        say(f"Exported {plural(len(rows), 'prospect')} to {args.output}", error=True)
    return 0


def cmd_backup(args, now: datetime) -> int:
    from pipeline_tui.store.backup import backup_to, default_backup_name

    checked = check_output(args.output, args)
    db = open_db(args, read_only=True)
    target = Path(args.output) if args.output else default_backup_name(db, "backup")
    written = backup_to(db, target, replace=args.force, keep_away=database_files(args))
    # a copy sent to a pipe or to stdout is not to be followed by words on the same stream
    say(f"Backed up to {written}", error=bool(checked and checked.direct))
    return 0


def unknown_columns_text(columns: list[str], shown: int = 5) -> str:
    """One line for the header's unknown columns, however many: the first few by name."""
    names = ", ".join(repr(column[:40] + ("…" if len(column) > 40 else "")) for column in columns[:shown])
    more = ", …" if len(columns) > shown else ""
    return f"{plural(len(columns), 'unknown column')} ignored: {names}{more}"
