"""The app itself: `pipeline-tui` alone opens it, `demo` fills a demo database first."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

from pipeline_tui.cli.common import AddCommand, open_db, resolve_db, say, whole_number
from pipeline_tui.core.wording import plural
from pipeline_tui.errors import UserError


def register(command: AddCommand) -> None:
    demo = command("demo", "fill a demo database with realistic data and open the TUI", cmd_demo)
    demo.add_argument(
        "--prospects", type=whole_number, default=60, metavar="N", help="how many prospects (default: 60)"
    )
    demo.add_argument("--no-open", action="store_true", help="build the data, do not open the TUI")


def cmd_demo(args, now: datetime) -> int:
    from pipeline_tui import config
    from pipeline_tui.io.csv_io import progress_printer
    from pipeline_tui.io.demo import build_demo
    from pipeline_tui.services.importing import database_is_empty, write_demo
    from pipeline_tui.store.db import open_database
    from pipeline_tui.store.locations import shown

    explicit = args.db  # not PIPELINE_TUI_DB: that is the user's own database, never demo data
    if explicit:
        location = explicit
        open_database(location, create=True)
        if not database_is_empty():
            raise UserError(
                f"{shown(location)} already holds prospects; demo data goes only into a new or empty database"
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
    say(f"Demo data: {plural(count, 'prospect')} in {shown(location)}", error=True)
    if args.no_open:
        return 0
    args.db = location
    return cmd_tui(args, now)


def cmd_tui(args, now: datetime) -> int:
    import gc

    gc.disable()  # until the first frame: see PipelineApp.on_load
    location = resolve_db(args)
    from pipeline_tui.config import load_settings

    settings = load_settings()  # a bad config file is refused before a database is made for it
    open_db(args, create=True)

    if args.pipeline:  # asked for by name: a typo is said, not quietly shown another pipeline
        from pipeline_tui.services.base import find_pipeline

        find_pipeline(args.pipeline)
    pinned = bool(args.now or os.environ.get("PIPELINE_TUI_NOW"))
    from pipeline_tui.ui.app import run_app

    return run_app(
        location, now if pinned else None, pipeline=args.pipeline, mine=args.mine, settings=settings
    )
