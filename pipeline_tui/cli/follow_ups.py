"""Commands on follow-ups: schedule, mark done, the agenda and its calendar file."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.cli.common import (
    PROSPECT_HELP,
    AddCommand,
    check_output,
    date_rules,
    dates_help,
    file_name,
    force_option,
    kinds_help,
    open_db,
    owner_scope,
    user_settings,
    warn_about_date,
    whole_number,
    write_output,
)
from pipeline_tui.errors import UserError


def register(command: AddCommand) -> None:
    follow = command("follow-up", "schedule a follow-up", cmd_follow_up)
    follow.add_argument("prospect", metavar="PROSPECT", help=PROSPECT_HELP)
    follow.add_argument("when", metavar="WHEN", help=f"when it is due: {dates_help()}")
    follow.add_argument("--kind", metavar="KIND", default="call", help=f"{kinds_help()} (default: call)")
    follow.add_argument("--notes", metavar="TEXT", default="", help="what it is about")

    done = command("done", "mark a follow-up done (show PROSPECT lists a prospect's)", cmd_done)
    done.add_argument(
        "activity",
        metavar="ACTIVITY",
        help="the follow-up's id, as agenda and show list them (#12 or 12); given a prospect "
        "instead, done lists its open follow-ups",
    )
    done.add_argument("--outcome", metavar="TEXT", default="", help="what happened")

    agenda = command("agenda", "open follow-ups: overdue first, then the next days", cmd_agenda)
    agenda.add_argument(
        "--days",
        type=whole_number,
        default=None,
        metavar="N",
        help="how many days ahead to list (default: 7, or agenda_days in the config file)",
    )
    agenda.add_argument("--json", action="store_true", help="as JSON, with each follow-up's id")

    ics = command("ics", "open follow-ups as an iCalendar file, with alarms", cmd_ics)
    ics.add_argument(
        "-o", "--output", type=file_name, metavar="FILE", help="write to a new file (default: stdout)"
    )
    force_option(ics)


def cmd_follow_up(args, now: datetime) -> int:
    from pipeline_tui.core.dates import read_when
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.follow_ups import schedule

    reading = read_when(args.when, now, date_rules())
    open_db(args)
    due = reading.moment
    prospect = find_prospect(args.prospect)
    follow_up = schedule(prospect.id, args.kind, due, now, args.notes)
    print(f"Scheduled {follow_up.kind} #{follow_up.id} with {prospect.name} for {due:%a %d %b %Y %H:%M}")
    warn_about_date("follow-up due", due, reading.notes(now))
    return 0


def cmd_done(args, now: datetime) -> int:
    from pipeline_tui.io.text import shown
    from pipeline_tui.services.follow_ups import complete

    open_db(args)
    text = args.activity.strip().removeprefix("#")
    if not text.isdecimal() or len(text) > 18:  # not "²" (isdigit), nor past SQLite's integers
        raise UserError(f"{args.activity!r} is not a follow-up id{_follow_ups_of(args.activity, now)}")
    try:
        follow_up = complete(int(text), now, args.outcome)
    except UserError as exc:
        raise UserError(f"{exc}{_follow_ups_of(int(text), now)}") from None
    print(f"Done: {follow_up.kind} #{follow_up.id} with {shown(follow_up.prospect.name)}")
    return 0


def _follow_ups_of(reference: str | int, now: datetime) -> str:
    """What ``done`` says when given a prospect rather than a follow-up: that prospect's open
    follow-ups and their ids (one line, as every refusal)."""
    from pipeline_tui.core.dates import describe_due
    from pipeline_tui.io.text import shown
    from pipeline_tui.services.agenda import agenda
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.store.models import Prospect

    if isinstance(reference, int):
        prospect = Prospect.get_or_none(Prospect.id == reference)
    else:
        try:
            prospect = find_prospect(reference)
        except UserError:
            prospect = None
    if prospect is None:
        return " (agenda lists the follow-ups with their ids)"
    items = agenda(now, None, prospect_id=prospect.id)
    who = f"prospect #{prospect.id} {shown(prospect.name)}"
    if not items:
        return f"; {who} has no open follow-up"
    listed = ", ".join(f"#{item.id} {item.kind} {describe_due(item.due, now)}" for item in items[:10])
    more = f" and {len(items) - 10} more" if len(items) > 10 else ""
    return f"; {who} has {listed}{more}: pipeline-tui done {items[0].id}"


def cmd_agenda(args, now: datetime) -> int:
    from pipeline_tui.services.agenda import agenda

    days = args.days if args.days is not None else user_settings().thresholds.agenda_days
    open_db(args, read_only=True)
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

    check_output(args.output, args)
    open_db(args, read_only=True)
    calendar = agenda_calendar(agenda(now, None, args.pipeline, owner_scope(args)), now)
    write_output(args.output, calendar, args)
    return 0
