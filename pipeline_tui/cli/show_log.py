"""One prospect from the shell: ``show`` prints it whole, ``log`` records a call or a note."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.cli.common import (
    PROSPECT_HELP,
    AddCommand,
    date_rules,
    dates_help,
    kinds_help,
    open_db,
    say,
    user_settings,
    warn_about_date,
    write_output,
)
from pipeline_tui.errors import UserError


def register(command: AddCommand) -> None:
    show = command("show", "one prospect: its fields, next steps, advice, score and history", cmd_show)
    show.add_argument("prospect", metavar="PROSPECT", help=PROSPECT_HELP + "; archived ones too")
    show.add_argument("--json", action="store_true", help="as JSON (fields named as in export)")

    log = command(
        "log",
        "log a call made just now, or a note; a call completes the call that was due",
        cmd_log,
    )
    log.add_argument("prospect", metavar="PROSPECT", help=PROSPECT_HELP)
    log.add_argument(
        "what",
        metavar="call|note",
        choices=("call", "note"),
        help="call: a call that just happened (it completes the prospect's call due today or "
        "before); note: a dated line added to its notes",
    )
    log.add_argument("text", metavar="TEXT", help="what happened (a call's outcome), or the note")
    log.add_argument(
        "--next", metavar="WHEN", help=f"after a call, schedule the next follow-up: {dates_help()}"
    )
    log.add_argument(
        "--next-kind",
        metavar="KIND",
        default="call",
        help=f"the next follow-up's kind: {kinds_help()} (default: call)",
    )


def _prospect(reference: str):
    from pipeline_tui.services.base import find_prospect

    try:
        return find_prospect(reference)
    except UserError as live:
        try:
            return find_prospect(reference, archived=True)
        except UserError:
            raise live from None


def cmd_show(args, now: datetime) -> int:
    from pipeline_tui.services.views import prospect_detail

    settings = user_settings()
    open_db(args)
    detail = prospect_detail(_prospect(args.prospect).id, now, settings)
    if args.json:
        from pipeline_tui.io.shapes import dumps, prospect_json

        write_output(None, dumps(prospect_json(detail, now, settings.currency.home)))
    else:
        from pipeline_tui.io.text import prospect_text

        write_output(None, prospect_text(detail, now))
    return 0


def cmd_log(args, now: datetime) -> int:
    from pipeline_tui.core.dates import read_when
    from pipeline_tui.core.fields import parse_kind
    from pipeline_tui.services.base import find_prospect

    if args.what == "note" and args.next is not None:
        raise UserError("--next goes with a call: schedule a follow-up with pipeline-tui follow-up")
    reading = read_when(args.next, now, date_rules()) if args.next is not None else None
    then = (parse_kind(args.next_kind), reading.moment) if reading is not None else None
    open_db(args)
    prospect = find_prospect(args.prospect)
    name = prospect.name
    if args.what == "note":
        from pipeline_tui.services.notes import add_note

        add_note(prospect.id, args.text, now)
        say(f"Noted on #{prospect.id} {name}")
        return 0
    from pipeline_tui.services.follow_ups import answered_follow_up, log_activity

    due = answered_follow_up(prospect.id, "call", now)
    entry = log_activity(prospect.id, "call", now, outcome=args.text, then=then, rules=date_rules())
    done = f": call #{entry.id} due {due.due_at:%a %d %b %H:%M} is done" if due is not None else ""
    from pipeline_tui.services.cadences import after_completing

    said = after_completing(entry, now)  # a cadence's next step, a repeat's next occurrence
    say(f"Logged a call with #{prospect.id} {name}{done}" + (f"; {said}" if said else ""))
    if then is not None:
        say(f"Next: {then[0]} {then[1]:%a %d %b %Y %H:%M}")
        warn_about_date("next follow-up due", then[1], reading.notes(now))
    return 0
