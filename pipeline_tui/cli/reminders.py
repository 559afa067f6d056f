"""Reminders outside the app: `due`, one line for a shell prompt, and `notify`, for cron.

Both run often (every prompt, every five minutes): they load the database layer and their own
queries, not the rules core, the views or the TUI.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from pipeline_tui.cli.common import AddCommand, open_db, owner_scope, resolve_db, say, write_output

NAME_ROOM = 24  # cells of a prospect's name in the prompt's line


def register(command: AddCommand) -> None:
    due = command(
        "due", 'one line for a shell prompt: "2 overdue · 3 today · next: call Acme 10:00"', cmd_due
    )
    due.add_argument("--json", action="store_true", help="the counts and the next follow-up as JSON")
    notify = command(
        "notify",
        "for cron: a desktop notification (notify-send, else a printed line) for each follow-up "
        "coming due, once",
        cmd_notify,
    )
    notify.add_argument(
        "--within",
        metavar="TIME",
        default="15m",
        type=_within,
        help="how soon a follow-up is coming due to be announced: 15m, 1h, 1d (default: 15m); "
        "one due that long ago and never announced is announced too",
    )


_WITHIN_RE = re.compile(r"^(\d{1,5})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)$")


def _within(text: str) -> timedelta:
    """``15m``, ``1h``, ``2d``: minutes (not months, as in a date), hours or days, up to a week."""
    import argparse

    match = _WITHIN_RE.match(text.strip().lower())
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time like 15m, 1h or 1d")
    unit = {"m": "minutes", "h": "hours", "d": "days"}[match[2][0]]
    within = timedelta(**{unit: int(match[1])})
    if within > timedelta(days=7):
        raise argparse.ArgumentTypeError(f"{text!r} is more than a week")
    return within


def _short(text: str, room: int = NAME_ROOM) -> str:
    """``text`` shown safely in at most ``room`` terminal cells (a wide character takes two)."""
    from unicodedata import east_asian_width

    from pipeline_tui.core.printable import printable

    text, used = printable(text), 0
    for place, character in enumerate(text):
        used += 2 if east_asian_width(character) in "WF" else 1
        if used > room - (1 if place < len(text) - 1 else 0):
            return text[:place] + "…"
    return text


def due_line(summary, now: datetime) -> str:
    """``2 overdue · 3 today · next: call Acme 10:00``."""
    line = f"{summary.overdue} overdue · {summary.today} today"
    following = summary.next
    if following is not None:
        from pipeline_tui.core.soon import soon_label

        when = (
            f"{following.due:%H:%M}" if following.due.date() == now.date() else soon_label(following.due, now)
        )
        who = _short(following.organization or following.prospect)
        line += f" · next: {following.kind} {who} {when}"
    return line


def cmd_due(args, now: datetime) -> int:
    from pipeline_tui.services.reminders import due_summary

    summary = due_summary(resolve_db(args), now, owner_scope(args), args.pipeline)
    if args.json:
        from pipeline_tui.io.shapes import due_json, dumps

        write_output(None, dumps(due_json(summary)))
    else:
        say(due_line(summary, now))
    return 0


def cmd_notify(args, now: datetime) -> int:
    from pipeline_tui.services.reminders import announce_due

    open_db(args)
    announce_due(now, args.within, lambda reminder: _send(reminder, now), owner_scope(args))
    return 0


def _send(reminder, now: datetime) -> None:
    """A desktop notification, else a line on stdout (which cron mails)."""
    import html

    from pipeline_tui.core.printable import printable
    from pipeline_tui.io import desktop

    who = printable(reminder.organization or reminder.prospect)
    if reminder.due < now:
        when = f"was due {reminder.due:%H:%M}"
    else:
        when = (
            f"at {reminder.due:%H:%M}"
            if reminder.due.date() == now.date()
            else f"{reminder.due:%a %d %b %H:%M}"
        )
    title = f"{reminder.kind.capitalize()} {who} {when}"  # plain text (see desktop.notify): not escaped
    about = [reminder.contact, reminder.phone, reminder.notes]
    if reminder.organization and reminder.organization != reminder.prospect:
        about.insert(0, reminder.prospect)
    body = " · ".join(printable(text) for text in about if text.strip())
    if not desktop.notify(title, html.escape(body, quote=False)):
        say(f"{title}" + (f": {body}" if body else ""))
