"""Your own stages, per pipeline (``--pipeline NAME``, else the first): list, add, rename,
move and remove them."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.cli.common import AddCommand, actions_of, open_db, padded, say, write_output


def register(command: AddCommand) -> None:
    stage = command("stage", "a pipeline's stages: list, add, rename, move, remove", cmd_stage)
    action = actions_of(stage, "stage_action")

    listed = action("list", "the stages in board order, with their prospects")
    listed.add_argument(
        "--json", action="store_true", help="as JSON: name, position, probability, role, count"
    )

    add = action("add", "add an open stage after another")
    add.add_argument("name", help="the new stage's name")
    _place(add)
    add.add_argument(
        "--probability", metavar="P", help="e.g. 0.5 or 50%% (default: halfway between its neighbours)"
    )
    add.add_argument(
        "--role",
        metavar="R",
        help="lead, qualified, appointment, trial or proposal: the rules it takes part in",
    )

    rename = action("rename", "rename a stage (its role and history stay)")
    rename.add_argument("old", help="the stage's name now")
    rename.add_argument("new", help="its new name")

    move = action("move", "put an open stage after another")
    move.add_argument("name", help="the open stage to move")
    _place(move)

    remove = action("remove", "remove an open stage; --to says where its prospects go")
    remove.add_argument("name", help="the open stage to remove")
    remove.add_argument("--to", metavar="STAGE", help="the stage that takes its prospects")


def _place(parser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--after", metavar="STAGE", help="the stage it follows")
    where.add_argument("--first", action="store_true", help="before every other stage")


def cmd_stage(args, now: datetime) -> int:
    run = {"list": _list, "add": _add, "rename": _rename, "move": _move, "remove": _remove}
    return run[args.stage_action](args, now)


def _list(args, now: datetime) -> int:
    from pipeline_tui.services.stages import list_stages

    open_db(args, read_only=True)
    rows = list_stages(args.pipeline)
    if args.json:
        from pipeline_tui.io.shapes import dumps, stages_json

        write_output(None, dumps(stages_json(rows)))
        return 0
    for row in rows:
        role = row.role or "no role"
        say(f"{row.position:>2}. {padded(row.name, 20)} {row.probability:>4.0%}  {role:<12} {row.count:>6}")
    return 0


def _add(args, now: datetime) -> int:
    from pipeline_tui.services.stages import add_stage

    open_db(args, create=True)  # shaping the stages may come before the first prospect
    stage = add_stage(
        args.name,
        None if args.first else args.after,
        pipeline=args.pipeline,
        probability=args.probability,
        role=args.role,
    )
    say(f"Added stage {stage.name} ({stage.probability:.0%}{', ' + stage.role if stage.role else ''})")
    return 0


def _rename(args, now: datetime) -> int:
    from pipeline_tui.services.stages import rename_stage

    open_db(args, create=True)  # shaping the stages may come before the first prospect
    stage = rename_stage(args.old, args.new, pipeline=args.pipeline)
    say(f"Renamed {args.old.strip()} to {stage.name}")
    return 0


def _move(args, now: datetime) -> int:
    from pipeline_tui.services.stages import move_stage

    open_db(args, create=True)  # shaping the stages may come before the first prospect
    stage = move_stage(args.name, None if args.first else args.after, pipeline=args.pipeline)
    where = "first" if args.first else f"after {args.after.strip()}"
    say(f"Moved {stage.name} {where}")
    return 0


def _remove(args, now: datetime) -> int:
    from pipeline_tui.services.stages import remove_stage

    open_db(args, create=True)  # shaping the stages may come before the first prospect
    stage = remove_stage(args.name, args.to, now, pipeline=args.pipeline)
    where = f"; its prospects are in {args.to.strip()}" if args.to else ""
    say(f"Removed stage {stage.name}{where}")
    return 0
