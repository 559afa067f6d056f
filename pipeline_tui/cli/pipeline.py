"""Pipelines side by side (new sales, renewals): add one, with the stages of another."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.cli.common import AddCommand, actions_of, open_db, say


def register(command: AddCommand) -> None:
    pipeline = command("pipeline", "add a pipeline", cmd_pipeline)
    action = actions_of(pipeline, "pipeline_action")
    add = action("add", "add a pipeline, with the default stages or another's")
    add.add_argument("name", help="the new pipeline's name, e.g. Renewals")
    add.add_argument("--from", dest="copy_from", metavar="PIPELINE", help="copy this pipeline's stages")


def cmd_pipeline(args, now: datetime) -> int:
    from pipeline_tui.services.setup import add_pipeline

    open_db(args, create=True)
    pipeline = add_pipeline(args.name, copy_from=args.copy_from)
    say(f'Added pipeline {pipeline.name} (pipeline-tui stage list --pipeline "{pipeline.name}")')
    return 0
