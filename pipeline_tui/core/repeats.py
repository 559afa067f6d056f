"""Recurring follow-ups: ``every week``, ``every 2 weeks``, ``every month``, ``every weekday``,
kept as an RFC 5545 recurrence rule (the RRULE a calendar reads) and worked out with
python-dateutil's ``rrule`` (README "Recurring follow-ups").

The rule names the weekday or the day of the month it falls on, so that the next occurrence
can be counted from whichever occurrence is open (snoozed or not) and stays on the series.
"""

from __future__ import annotations

import re
from datetime import datetime

from pipeline_tui.errors import UserError

CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS = "MO,TU,WE,TH,FR"
FREQUENCIES = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
_UNIT = {**{unit: unit for unit in FREQUENCIES}, **{f"{unit}s": unit for unit in FREQUENCIES}}
_ADVERBS = {"daily": "day", "weekly": "week", "monthly": "month", "yearly": "year", "annually": "year"}
_EVERY_RE = re.compile(r"^every\s+(?:(?P<count>\d{1,3})\s+)?(?P<what>[a-z]+)$")
EXAMPLES = "every week, every 2 weeks, every month, every weekday, every monday"
_COUNT = re.compile(r";COUNT=(\d+)")


def parse_repeat(text: str, start: datetime) -> str:
    """What a user typed (``every 2 weeks``) as an RRULE, the series starting at ``start``;
    a rule written out (``FREQ=WEEKLY;BYDAY=MO,TH``) is taken as it is, once checked."""
    words = " ".join(text.strip().lower().split())
    if words.startswith(("freq=", "rrule:")):
        return _checked_rule(text.strip().removeprefix("RRULE:").removeprefix("rrule:"), start)
    words = f"every {_ADVERBS[words]}" if words in _ADVERBS else words
    match = _EVERY_RE.match(words)
    if match is None:
        raise UserError(f"could not read the repeat {text.strip()!r} (try {EXAMPLES})")
    count, what = int(match["count"] or 1), match["what"]
    if what in ("weekday", "weekdays", "workday", "workdays") and count == 1:
        return f"FREQ=WEEKLY;BYDAY={WEEKDAYS}"
    day = _weekday_code(what)
    if day is not None and count == 1:
        return f"FREQ=WEEKLY;BYDAY={day}"
    unit = _UNIT.get(what)
    if unit is None or count < 1:
        raise UserError(f"could not read the repeat {text.strip()!r} (try {EXAMPLES})")
    rule = f"FREQ={FREQUENCIES[unit]}" + (f";INTERVAL={count}" if count > 1 else "")
    if unit == "week":
        rule += f";BYDAY={CODES[start.weekday()]}"
    elif unit == "month":
        rule += f";{_month_day(start.day)}"
    return rule


def _weekday_code(word: str) -> str | None:
    for code, name in zip(CODES, _DAY_NAMES, strict=True):
        if len(word) >= 3 and name.startswith(word.removesuffix("s")):
            return code
    return None


def _month_day(day: int) -> str:
    """The same day each month; a day some months lack (29-31) falls on their last day."""
    if day <= 28:
        return f"BYMONTHDAY={day}"
    return f"BYMONTHDAY={','.join(map(str, range(28, day + 1)))};BYSETPOS=-1"


def _checked_rule(rule: str, start: datetime) -> str:
    from dateutil.rrule import rrulestr

    if not re.fullmatch(r"[A-Za-z0-9=;,+\-]+", rule):
        raise UserError(f"{rule!r} is not a recurrence rule like FREQ=WEEKLY;BYDAY=MO")
    frequency = re.search(r"(?:^|;)FREQ=([A-Z]+)", rule.upper())
    if frequency is None or frequency[1] not in FREQUENCIES.values():
        raise UserError(f"{rule!r}: the rule repeats daily, weekly, monthly or yearly (FREQ=WEEKLY...)")
    try:
        rrulestr(rule.upper(), dtstart=start)
    except (ValueError, TypeError) as exc:
        raise UserError(f"{rule!r} is not a recurrence rule ({exc})") from None
    return rule.upper()


def next_occurrence(rule: str, due: datetime, now: datetime) -> datetime | None:
    """The occurrence after the one due at ``due``, counted from the due time (not from when
    it was done), and still to come: never one that is already past. None when the series
    has ended (a rule with UNTIL, or a COUNT the occurrences so far have used up)."""
    from dateutil.rrule import rrulestr

    start = due.replace(second=0, microsecond=0)
    series = rrulestr(_without_count(rule), dtstart=start)
    following = series.after(max(due, now.replace(second=0, microsecond=0)))
    if following is None or rule_after(rule, due, following) is not None:
        return following
    return None


def rule_after(rule: str, due: datetime, following: datetime) -> str | None:
    """The rule the occurrence at ``following`` keeps: each occurrence starts the series
    again, so a COUNT is what is left of it, less the one done and those skipped; None when
    nothing is left."""
    from dateutil.rrule import rrulestr

    count = _COUNT.search(rule)
    if count is None:
        return rule
    start = due.replace(second=0, microsecond=0)
    skipped = len(rrulestr(_without_count(rule), dtstart=start).between(start, following))
    left = int(count[1]) - 1 - skipped
    return _COUNT.sub(f";COUNT={left}", rule) if left >= 1 else None


def _without_count(rule: str) -> str:
    return _COUNT.sub("", rule)  # (a rule starts with FREQ: see parse_repeat)


def describe_repeat(rule: str) -> str:
    """The rule in words: ``every 2 weeks``, ``every weekday``; a rule written out as it is."""
    parts = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    frequency, interval = parts.get("FREQ"), int(parts.get("INTERVAL", "1"))
    unit = {value: key for key, value in FREQUENCIES.items()}.get(frequency or "")
    every = f"every {unit}" if interval == 1 else f"every {interval} {unit}s"
    days = parts.get("BYDAY", "").split(",") if "BYDAY" in parts else []
    if unit is None or not set(parts) <= {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYSETPOS"}:
        return rule
    if unit == "week" and parts.get("BYDAY") == WEEKDAYS and interval == 1:
        return "every weekday"
    if unit == "week" and len(days) > 1 and set(days) <= set(CODES):
        return f"{every} on {', '.join(_DAY_NAMES[CODES.index(day)][:3].title() for day in days)}"
    if (unit, len(days)) in (("week", 1), ("day", 0), ("year", 0)) or (unit == "month" and not days):
        return every
    return rule
