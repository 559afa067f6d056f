"""Commands on follow-ups: schedule, mark done, the agenda and its calendar file."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.cli.common import (
    AddCommand,
    activity_id,
    file_name,
    open_db,
    owner_scope,
    say,
    user_settings,
    whole_number,
    write_output,
)


def register(command: AddCommand) -> None:
    follow = command("follow-up", "schedule a follow-up", cmd_follow_up)
    follow.add_argument("prospect")
    follow.add_argument("when")
    follow.add_argument("--kind", metavar="K", default="call")
    follow.add_argument("--notes", metavar="T", default="")

    done = command("done", "mark a follow-up done", cmd_done)
    done.add_argument("activity", type=activity_id)
    done.add_argument("--outcome", metavar="T", default="")

    agenda = command("agenda", "open follow-ups: overdue first, then the next days", cmd_agenda)
    agenda.add_argument(
        "--days", type=whole_number, default=None, metavar="N", help="default 7 (agenda_days)"
    )
    agenda.add_argument("--json", action="store_true")

    ics = command("ics", "open follow-ups as an iCalendar file, with alarms", cmd_ics)
    ics.add_argument("-o", "--output", type=file_name, metavar="FILE")


def cmd_follow_up(args, now: datetime) -> int:
    from pipeline_tui.core.dates import parse_when
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.follow_ups import schedule

    open_db(args)
    due = parse_when(args.when, now)
    prospect = find_prospect(args.prospect)
    follow_up = schedule(prospect.id, args.kind, due, now, args.notes)
    say(f"Scheduled {follow_up.kind} #{follow_up.id} with {prospect.name} for {due:%a %d %b %Y %H:%M}")
    return 0


def cmd_done(args, now: datetime) -> int:
    from pipeline_tui.services.follow_ups import complete

    open_db(args)
    follow_up = complete(args.activity, now, args.outcome)
    say(f"Done: {follow_up.kind} #{follow_up.id} with {follow_up.prospect.name}")
    return 0


def cmd_agenda(args, now: datetime) -> int:
    from pipeline_tui.services.agenda import agenda

    days = args.days if args.days is not None else user_settings().thresholds.agenda_days
    open_db(args)
    items = agenda(now, days, args.pipeline, owner_scope(args))
    if args.json:
        from pipeline_tui.io.shapes import agenda_json, dumps

        write_output(None, dumps(agenda_json(items)))
    else:
        from pipeline_tui.io.text import agenda_text

        write_output(None, agenda_text(items, now))
    return 0


def cmd_ics(args, now: datetime) -> int:
    from pipeline_tui.io.ics import agenda_calendar
    from pipeline_tui.services.agenda import agenda

    open_db(args)
    write_output(args.output, agenda_calendar(agenda(now, None, args.pipeline, owner_scope(args)), now))
    return 0
