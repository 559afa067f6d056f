"""Data in and out: CSV import, CSV or JSON export, and backup."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from pipeline_tui.cli.common import (
    PROG,
    AddCommand,
    file_name,
    open_db,
    owner_scope,
    resolve_db,
    say,
    user_settings,
    without_gc,
    write_output,
)


def register(command: AddCommand) -> None:
    imp = command("import", "import prospects from a CSV file (all or nothing)", without_gc(cmd_import))
    imp.add_argument("file", type=file_name)
    imp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")

    exp = command("export", "export every prospect", without_gc(cmd_export))
    exp.add_argument("--format", choices=("csv", "json"), default="csv")
    exp.add_argument("-o", "--output", type=file_name, metavar="FILE")

    backup = command("backup", "a consistent copy of the database", cmd_backup)
    backup.add_argument("-o", "--output", type=file_name, metavar="FILE")


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
        say(f"{PROG}: {path}: ignoring unknown column {column!r}", error=True)
    if args.dry_run:
        say(f"{path}: {count:,} prospects would be imported (dry run, nothing written)")
    else:
        say(f"Imported {count:,} prospect{'s' if count != 1 else ''} from {path}")
    return 0


def cmd_export(args, now: datetime) -> int:
    import io

    from pipeline_tui.io.csv_io import write_csv
    from pipeline_tui.io.shapes import dumps, export_json
    from pipeline_tui.services.views import export_rows

    open_db(args)
    rows = export_rows(now, user_settings(), args.pipeline, owner_scope(args))
    if args.format == "json":
        write_output(args.output, dumps(export_json(rows)))
    else:
        buffer = io.StringIO()
        write_csv(rows, buffer)
        write_output(args.output, buffer.getvalue())
    if args.output:
        say(f"Exported {len(rows):,} prospects to {args.output}", error=True)
    return 0


def cmd_backup(args, now: datetime) -> int:
    from pipeline_tui.store.backup import backup_to, default_backup_name

    db = open_db(args)
    target = Path(args.output) if args.output else default_backup_name(db, "backup")
    written = backup_to(db, target)
    say(f"Backed up to {written}")
    return 0
