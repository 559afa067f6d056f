"""Commands on one prospect: add, move, snooze, archive, restore, and the archived list."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.cli.common import AddCommand, open_db


def register(command: AddCommand) -> None:
    add = command("add", "add a prospect", cmd_add)
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

    move = command("move", "move a prospect to a stage", cmd_move)
    move.add_argument("prospect")
    move.add_argument("stage")
    move.add_argument("--reason", metavar="T", help="why it was lost (for a lost stage)")

    snooze = command(
        "snooze",
        "put an open deal aside until a date, saying why: the stale advice keeps quiet meanwhile",
        cmd_snooze,
    )
    snooze.add_argument("prospect")
    snooze.add_argument("--until", metavar="WHEN", help="when it wakes, e.g. 2027-01-11 or in 3 weeks")
    snooze.add_argument("--reason", metavar="T", help="why it waits, e.g. \"budget opens in January\"")
    snooze.add_argument("--clear", action="store_true", help="wake it now instead")

    archive = command("archive", "hide a prospect from every view (restore brings it back)", cmd_archive)
    archive.add_argument("prospect")

    restore = command("restore", "bring back an archived prospect", cmd_restore)
    restore.add_argument("prospect")

    command("archived", "list archived prospects", cmd_archived)


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


def cmd_snooze(args, now: datetime) -> int:
    from pipeline_tui.core.dates import parse_when
    from pipeline_tui.errors import UserError
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.prospects import snooze_prospect, wake_prospect

    if args.clear:
        if args.until is not None or args.reason is not None:
            raise UserError("snooze --clear wakes the deal: give it without --until or --reason")
        open_db(args)
        prospect = wake_prospect(find_prospect(args.prospect).id, now)
        print(f"Woke #{prospect.id} {prospect.name}")
        return 0
    if args.until is None or args.reason is None:
        raise UserError('say until when and why: snooze PROSPECT --until 2027-01-11 --reason "..."')
    until = parse_when(args.until, now)
    open_db(args)
    prospect = snooze_prospect(find_prospect(args.prospect).id, until, args.reason, now)
    print(f"Snoozed #{prospect.id} {prospect.name} until {until:%a %d %b %Y %H:%M}")
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
