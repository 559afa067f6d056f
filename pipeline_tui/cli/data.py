"""Data in and out: CSV import, CSV or JSON export, and backup."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

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


def register(command: AddCommand) -> None:
    imp = command("import", "import prospects from a CSV file (all or nothing)", without_gc(cmd_import))
    imp.add_argument(
        "file",
        type=file_name,
        metavar="FILE",
        help="a CSV file with a header row naming its columns (name is required; README: The command line)",
    )
    imp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")

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
    from pipeline_tui.io.csv_io import parse_csv, progress_printer
    from pipeline_tui.services.importing import import_parsed
    from pipeline_tui.store.db import open_database

    path = Path(args.file)
    progress = progress_printer("checking rows")
    parsed = parse_csv(path, now, progress)
    if progress:
        sys.stderr.write("\r")
    if args.dry_run and _no_database_yet(resolve_db(args)):
        # nothing to check against yet: a new database would have the default pipeline
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            open_database(Path(scratch) / "dry-run.db")
            count = import_parsed(parsed, str(path), now, dry_run=True, pipeline=args.pipeline)
    else:
        open_db(args, create=not args.dry_run, read_only=args.dry_run)
        count = import_parsed(
            parsed, str(path), now, dry_run=args.dry_run, pipeline=args.pipeline, settings=user_settings()
        )
    # after the checks, so that a refused file gets its one line of error and nothing else
    if parsed.unknown_columns:
        say(f"{PROG}: {path}: {unknown_columns_text(parsed.unknown_columns)}", error=True)
    if args.dry_run:
        say(f"{path}: {plural(count, 'prospect')} would be imported (dry run, nothing written)")
    else:
        say(f"Imported {plural(count, 'prospect')} from {path}")
    return 0


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
