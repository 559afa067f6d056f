"""Commands on one prospect: add, move, snooze, archive, restore, and the archived list."""

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
    stages_help,
    user_settings,
    warn,
    warn_about_date,
)
from pipeline_tui.errors import UserError


def register(command: AddCommand) -> None:
    _register_add(command)
    _register_move(command)
    _register_snooze(command)
    _register_archiving(command)


def _register_add(command: AddCommand) -> None:
    add = command("add", "add a prospect (a name is enough; the rest is optional)", cmd_add)
    add.add_argument("name", metavar="NAME", help="the deal, e.g. 'Acme fleet renewal'")
    add.add_argument("--value", metavar="AMOUNT", help="the budget, e.g. 12000, 12,000.50 or $12k")
    add.add_argument(
        "--currency",
        metavar="CODE",
        help="its currency, ISO 4217 like USD (default: the value's sign, else the home currency)",
    )
    add.add_argument(
        "--stage",
        metavar="STAGE",
        help=f"where it starts (default: the first; default stages: {stages_help()})",
    )
    add.add_argument("--contact", metavar="NAME", help="the person you deal with")
    add.add_argument("--organization", "--org", metavar="ORG", help="their company or organization")
    add.add_argument("--title", metavar="TITLE", help="the contact's job title")
    add.add_argument("--email", metavar="EMAIL", help="the contact's email address")
    add.add_argument("--phone", metavar="PHONE", help="the contact's phone number")
    add.add_argument(
        "--decision-maker",
        metavar="yes/no/unknown",
        help="is the contact confirmed to have authority to buy? (default: unknown)",
    )
    add.add_argument("--close", metavar="DATE", help=f"expected close date: {dates_help()}")
    add.add_argument("--urgency", metavar="low/medium/high", help="how soon they need it (default: medium)")
    add.add_argument("--source", metavar="TEXT", help="where it came from: cold call, referral, inbound...")
    add.add_argument("--probability", metavar="P", help="override the stage's odds, e.g. 0.6 or 60%%")
    add.add_argument("--notes", metavar="TEXT", help="free notes")
    add.add_argument("--follow-up", metavar="WHEN", help=f"schedule a first follow-up: {dates_help()}")
    add.add_argument(
        "--kind",
        metavar="KIND",
        default="call",
        help=f"the first follow-up's kind: {kinds_help()} (default: call)",
    )


def _register_move(command: AddCommand) -> None:
    move = command("move", "move a prospect to a stage (recorded as a stage change now)", cmd_move)
    move.add_argument("prospect", metavar="PROSPECT", help=PROSPECT_HELP)
    move.add_argument(
        "stage", metavar="STAGE", help=f"a stage of its pipeline, any case (default stages: {stages_help()})"
    )
    move.add_argument("--reason", metavar="TEXT", help="why it was lost (for a lost stage)")


def _register_snooze(command: AddCommand) -> None:
    snooze = command(
        "snooze",
        "put an open deal aside until a date, saying why: the stale advice keeps quiet meanwhile",
        cmd_snooze,
    )
    snooze.add_argument("prospect", help="the deal: an id or a name")
    snooze.add_argument("--until", metavar="WHEN", help="when it wakes, e.g. 2027-01-11 or in 3 weeks")
    snooze.add_argument("--reason", metavar="T", help='why it waits, e.g. "budget opens in January"')
    snooze.add_argument("--clear", action="store_true", help="wake it now instead")


def _register_archiving(command: AddCommand) -> None:
    archive = command("archive", "hide a prospect from every view (restore brings it back)", cmd_archive)
    archive.add_argument("prospect", metavar="PROSPECT", help=PROSPECT_HELP)
    restore = command("restore", "bring back an archived prospect", cmd_restore)
    restore.add_argument("prospect", metavar="PROSPECT", help="the archived prospect: its id or name")
    command("archived", "list archived prospects", cmd_archived)


# the prospect's field each option of `add` fills, where the two names differ
_ADD_OPTIONS = (
    ("value", "value"),
    ("currency", "currency"),
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


def cmd_add(args, now: datetime) -> int:
    from pipeline_tui.core.dates import DEFAULT_RULES
    from pipeline_tui.core.fields import parse_fields
    from pipeline_tui.services.prospects import add_prospect

    fields = {key: getattr(args, attr) for key, attr in _ADD_OPTIONS if getattr(args, attr) is not None}
    # the config is read only for a date: add works beside a broken config otherwise
    dates = date_rules() if args.close is not None or args.follow_up is not None else DEFAULT_RULES
    # check what was typed before a new database is created for it
    parsed = parse_fields({"name": args.name, **fields}, now, dates)
    if parsed.get("currency"):  # a rate is needed to count it (README "Money")
        from pipeline_tui.core.money import require_rate

        require_rate(parsed["currency"], user_settings().currency)
    reading, follow_up = _first_follow_up(args, now, dates)
    open_db(args, create=True)
    prospect = add_prospect(
        now,
        args.name,
        pipeline=args.pipeline,
        stage=args.stage,
        fields=fields,
        follow_up=follow_up,
        dates=dates,
    )
    _say_added(prospect, follow_up)
    if reading is not None:
        warn_about_date("follow-up due", reading.moment, reading.notes(now))
    close = parsed.get("expected_close")
    if close is not None and close < now.date():
        warn(f"expected close {close:%a %d %b %Y}: in the past")
    return 0


def _first_follow_up(args, now: datetime, dates):
    """``--follow-up`` read as a date (with what the reading assumed) and the follow-up it makes."""
    if args.follow_up is None:
        return None, None
    from pipeline_tui.core.dates import read_when
    from pipeline_tui.core.fields import parse_kind

    reading = read_when(args.follow_up, now, dates)
    return reading, (reading.moment, parse_kind(args.kind))


def _say_added(prospect, follow_up) -> None:
    from pipeline_tui.store.models import Stage

    stage = Stage.get_by_id(prospect.stage_id)
    extra = f", {follow_up[1]} {follow_up[0]:%a %d %b %H:%M}" if follow_up else ""
    say(f"Added #{prospect.id} {prospect.name} ({stage.name}{extra})")


def cmd_move(args, now: datetime) -> int:
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.prospects import move_prospect

    open_db(args)
    prospect = find_prospect(args.prospect)
    stage = move_prospect(prospect.id, args.stage, now, lost_reason=args.reason)
    say(f"Moved #{prospect.id} {prospect.name} to {stage.name}")
    return 0


def cmd_snooze(args, now: datetime) -> int:
    from pipeline_tui.core.dates import parse_when
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.prospects import snooze_prospect, wake_prospect

    if args.clear:
        if args.until is not None or args.reason is not None:
            raise UserError("snooze --clear wakes the deal: give it without --until or --reason")
        open_db(args)
        prospect = wake_prospect(find_prospect(args.prospect).id, now)
        say(f"Woke #{prospect.id} {prospect.name}")
        return 0
    if args.until is None or args.reason is None:
        raise UserError('say until when and why: snooze PROSPECT --until 2027-01-11 --reason "..."')
    until = parse_when(args.until, now)
    open_db(args)
    prospect = snooze_prospect(find_prospect(args.prospect).id, until, args.reason, now)
    say(f"Snoozed #{prospect.id} {prospect.name} until {until:%a %d %b %Y %H:%M}")
    return 0


def cmd_archive(args, now: datetime) -> int:
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.prospects import archive_prospect

    open_db(args)
    prospect = archive_prospect(find_prospect(args.prospect).id, now)
    say(f"Archived #{prospect.id} {prospect.name} (pipeline-tui restore {prospect.id} brings it back)")
    return 0


def cmd_restore(args, now: datetime) -> int:
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.prospects import restore_prospect

    open_db(args)
    prospect = restore_prospect(find_prospect(args.prospect, archived=True).id, now)
    say(f"Restored #{prospect.id} {prospect.name}")
    return 0


def cmd_archived(args, now: datetime) -> int:
    from pipeline_tui.services.prospects import archived_prospects

    open_db(args, read_only=True)
    rows = archived_prospects()
    if not rows:
        say("No archived prospects.")
    for prospect in rows:
        say(f"#{prospect.id:<6} {prospect.name}  (archived {prospect.updated_at:%d %b %Y})")
    return 0
