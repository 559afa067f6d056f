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
    resolve_db,
    say,
    user_settings,
    warn_about_date,
    whole_number,
    write_output,
)
from pipeline_tui.errors import UserError


def register(command: AddCommand) -> None:
    follow = command(
        "follow-up", "schedule a follow-up, a repeating one, or a cadence of them (or --stop)", cmd_follow_up
    )
    follow.add_argument("prospect", metavar="PROSPECT", help=PROSPECT_HELP)
    follow.add_argument(
        "when",
        metavar="WHEN",
        nargs="?",
        help=f"when it is due (with --cadence: when the cadence starts, default now): {dates_help()}",
    )
    follow.add_argument("--kind", metavar="KIND", default=None, help=f"{kinds_help()} (default: call)")
    follow.add_argument("--notes", metavar="TEXT", default="", help="what it is about")
    follow.add_argument(
        "--repeat",
        metavar="RULE",
        help="make it come back once done: every week, every 2 weeks, every month, every weekday "
        "(or an RRULE such as FREQ=WEEKLY;BYDAY=MO,TH)",
    )
    follow.add_argument(
        "--cadence",
        metavar="NAME",
        help="put the prospect on a cadence: its first step now (or at WHEN), each next one once "
        "the one before is done (new-lead, after-appointment, trial, or one of [cadences] in the "
        "config file)",
    )
    follow.add_argument(
        "--stop",
        action="store_true",
        help="stop the prospect's cadence (its open step is cancelled) and its repeating follow-ups",
    )

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
    if args.stop:
        return _stop(args, now)
    if args.cadence is not None:
        return _start_cadence(args, now)
    if args.when is None:
        raise UserError("follow-up: give WHEN it is due (or --cadence NAME, or --stop)")
    from pipeline_tui.core.dates import read_when
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.follow_ups import schedule

    reading = read_when(args.when, now, date_rules())
    due = reading.moment
    repeat = None
    if args.repeat is not None:
        from pipeline_tui.core.repeats import describe_repeat, parse_repeat

        repeat = parse_repeat(args.repeat, due)
    open_db(args)
    prospect = find_prospect(args.prospect)
    follow_up = schedule(prospect.id, args.kind or "call", due, now, args.notes, repeat=repeat)
    again = f", {describe_repeat(repeat)}" if repeat else ""
    say(f"Scheduled {follow_up.kind} #{follow_up.id} with {prospect.name} for {due:%a %d %b %Y %H:%M}{again}")
    warn_about_date("follow-up due", due, reading.notes(now))
    return 0


def _start_cadence(args, now: datetime) -> int:
    from pipeline_tui.core.cadences import available, find_cadence, soon_label
    from pipeline_tui.core.dates import read_when
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.cadences import start_cadence

    for given, option in ((args.repeat, "--repeat"), (args.kind, "--kind")):
        if given is not None:
            raise UserError(
                f"follow-up: --cadence and {option} do not go together (a cadence's steps say their kind)"
            )
    cadence = find_cadence(available(user_settings().cadences), args.cadence)
    rules = date_rules()
    reading = read_when(args.when, now, rules) if args.when else None
    open_db(args)
    prospect = find_prospect(args.prospect)
    first = start_cadence(prospect.id, cadence, now, reading.moment if reading else None, rules)
    say(
        f"Started {cadence.name} with {prospect.name}: {first.kind} #{first.id} "
        f"{soon_label(first.due_at, now)}, step 1 of {len(cadence.steps)}"
    )
    if reading is not None:
        warn_about_date("cadence start", reading.moment, reading.notes(now))
    return 0


def _stop(args, now: datetime) -> int:
    from pipeline_tui.core.dates import describe_due
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.cadences import stop_follow_ups

    for given, option in ((args.when, "WHEN"), (args.cadence, "--cadence"), (args.repeat, "--repeat")):
        if given is not None:
            raise UserError(f"follow-up: --stop takes the prospect alone, not {option}")
    open_db(args)
    prospect = find_prospect(args.prospect)
    stopped = stop_follow_ups(prospect.id, now)
    name = prospect.name
    if stopped.cadence is not None:
        at = f" at step {stopped.step}" if stopped.step else ""
        cancelled = ", ".join(f"the {f.kind} due {describe_due(f.due_at, now)}" for f in stopped.cancelled)
        say(
            f"Stopped {stopped.cadence.name} for {name}{at}"
            + (f": {cancelled} cancelled" if cancelled else "")
        )
    for follow_up in stopped.unrepeated:
        say(
            f"{follow_up.kind.capitalize()} #{follow_up.id} with {name} no longer repeats (still due "
            f"{describe_due(follow_up.due_at, now)})"
        )
    return 0


def cmd_done(args, now: datetime) -> int:
    from pipeline_tui.services.follow_ups import complete

    open_db(args)
    text = args.activity.strip().removeprefix("#")
    if not text.isdecimal() or len(text) > 18:  # not "²" (isdigit), nor past SQLite's integers
        raise UserError(f"{args.activity!r} is not a follow-up id{_follow_ups_of(args.activity, now)}")
    try:
        follow_up = complete(int(text), now, args.outcome, rules=date_rules())
    except UserError as exc:
        raise UserError(f"{exc}{_follow_ups_of(int(text), now)}") from None
    from pipeline_tui.services.cadences import after_completing

    said = after_completing(follow_up, now)
    say(
        f"Done: {follow_up.kind} #{follow_up.id} with {follow_up.prospect.name}"
        + (f"; {said}" if said else "")
    )
    return 0


def _follow_ups_of(reference: str | int, now: datetime) -> str:
    """What ``done`` says when given a prospect rather than a follow-up: that prospect's open
    follow-ups and their ids (one line, as every refusal)."""
    from pipeline_tui.core.dates import describe_due
    from pipeline_tui.core.printable import printable
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
    who = f"prospect #{prospect.id} {printable(prospect.name)}"
    if not items:
        return f"; {who} has no open follow-up"
    listed = ", ".join(f"#{item.id} {item.kind} {describe_due(item.due, now)}" for item in items[:10])
    more = f" and {len(items) - 10} more" if len(items) > 10 else ""
    return f"; {who} has {listed}{more}: pipeline-tui done {items[0].id}"


def cmd_agenda(args, now: datetime) -> int:
    from pipeline_tui.services.agenda import agenda
    from pipeline_tui.store.quick import reader

    settings = user_settings()
    days = args.days if args.days is not None else settings.thresholds.agenda_days
    # a current SQLite file is read with sqlite3 alone (it runs at shell prompts); a named
    # pipeline is found by every command's rules, through the full opening
    with reader(resolve_db(args), quick=args.pipeline is None) as read:
        items = agenda(now, days, args.pipeline, owner_scope(args), read=read)
    if args.json:
        from pipeline_tui.io.shapes import agenda_json, dumps

        write_output(None, dumps(agenda_json(items, settings.currency.home)))
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
