"""Natural-language dates for follow-ups: ``tomorrow 10:00``, ``+3d``, ``next tue``...

dateutil's fuzzy parser silently misreads relative forms (``+3d`` becomes the 3rd of the month),
so the relative grammar is ours and only dates with a month name go to dateutil, non-fuzzy, so
that nonsense is an error rather than a wrong date. Numeric dates are read in
:mod:`pipeline_tui.core.date_order`, which refuses one that reads two ways rather than guess.

A day without a time lands at the working hour (09:00 unless the config says otherwise); hours
and minutes are counted in real time across a daylight-saving change; a time the clocks skip
moves to the first minute after the gap (README "Dates").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from pipeline_tui.core.date_order import read_numeric, split_numeric
from pipeline_tui.core.date_rules import WORKING_HOUR, DateRules  # noqa: F401 (their home for callers)
from pipeline_tui.core.iso_dates import DateError, parse_iso  # noqa: F401 (their home for callers)
from pipeline_tui.core.lateness import days_late
from pipeline_tui.core.zones import add_real_time, settle

AFTERNOON = time(14, 0)

WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "weds": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}

UNITS = {
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "wk": "weeks",
    "wks": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "m": "months",
    "mo": "months",
    "month": "months",
    "months": "months",
}
REAL_TIME_UNITS = ("minutes", "hours")

_AT_TIME = r"(?:\s+(?:at\s+)?(?P<time>.+))?$"
_TIME_RE = re.compile(r"^(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?\s*(?P<ampm>am|pm)?$")
_RELATIVE_RE = re.compile(
    r"^(?:in\s+)?(?P<sign>[+-])?\s*(?P<count>\d{1,4})\s*(?P<unit>[a-z]+)(?:\s+(?P<time>.+))?$"
)
_DAY_WORD_RE = re.compile(r"^(?P<word>today|tomorrow|tmrw|yesterday|this)" + _AT_TIME)
_NEXT_WEEK_RE = re.compile(r"^next\s+week" + _AT_TIME)
_END_OF_MONTH_RE = re.compile(r"^end\s+of\s+(?:the\s+)?month" + _AT_TIME)
_WEEKDAY_RE = re.compile(r"^(?:(?P<next>next)\s+)?(?P<day>[a-z]+)" + _AT_TIME)
_MONTH_NAME_RE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)")

EXAMPLES = "tomorrow 10:00, +3d, in 2 weeks, next tue, fri 14:00 or 2026-12-01 09:30"


DEFAULT_RULES = DateRules()


class Reading(NamedTuple):
    """What a typed date means, and the time typed when the clocks skip it (it moved forward)."""

    moment: datetime
    skipped: datetime | None = None

    def notes(self, now: datetime) -> list[str]:
        """What to tell the user about it: a time moved out of a gap, a moment in the past."""
        said = []
        if self.skipped is not None:
            said.append(
                f"{self.skipped:%H:%M} does not exist that day (the clocks go forward): "
                f"moved to {self.moment:%H:%M}"
            )
        if self.moment < now.replace(second=0, microsecond=0):
            said.append("in the past")
        return said


def parse_time(text: str) -> time | None:
    """Read ``14:00``, ``9:30``, ``10am`` or ``2:30pm``; None when it is not a time."""
    match = _TIME_RE.match(text.strip())
    if not match:
        return None
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    ampm = match["ampm"]
    if match["minute"] is None and ampm is None:
        return None  # a bare number is not a time
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59 or int(match["second"] or 0) > 59:
        return None
    return time(hour, minute)  # seconds dropped: follow-ups are to the minute


def _at(day: date, when: str | None, original: str, rules: DateRules) -> datetime:
    """Combine a day with an optional time text (the working hour when absent)."""
    if when is None:
        return datetime.combine(day, rules.working_hour)
    when = when.strip().removeprefix("at ").strip()
    if when == "morning":
        return datetime.combine(day, rules.working_hour)
    if when == "afternoon":
        return datetime.combine(day, AFTERNOON)
    parsed = parse_time(when)
    if parsed is None and when.isdecimal() and int(when) < 24:  # isdigit() takes "²", int() not
        parsed = time(int(when))  # "tomorrow 10": after a day, a bare number is the hour
    if parsed is None:
        raise DateError(f"could not read the time {when!r} in {original!r} (try 10:00, 2pm or afternoon)")
    return datetime.combine(day, parsed)


EARLIEST, LATEST = datetime(1900, 1, 1), datetime(9000, 1, 1)


def read_when(text: str, now: datetime, rules: DateRules = DEFAULT_RULES) -> Reading:
    """Turn what a user typed into a date-time, relative to ``now`` (see the module's rules).

    A weekday, with or without ``next``, is the first such day after today; ``next week`` is
    next Monday. Dates before 1900 or after 9000 are refused: they are typos, and arithmetic
    on them (a snooze, a reminder the day before) would run off the calendar.
    """
    try:
        moment = _parse_when(text, now, rules)
    except OverflowError:
        moment = LATEST
    if not EARLIEST <= moment < LATEST:
        raise DateError(f"{text.strip()!r} is too far away (a date between 1900 and 9000, please)")
    settled = settle(moment, rules.zone)
    return Reading(settled, None if settled == moment else moment)


def parse_when(text: str, now: datetime, rules: DateRules = DEFAULT_RULES) -> datetime:
    """The moment of :func:`read_when`."""
    return read_when(text, now, rules).moment


Reader = Callable[[str, str, datetime, DateRules], "datetime | None"]


def _parse_when(text: str, now: datetime, rules: DateRules) -> datetime:
    original = text
    text = " ".join(text.strip().lower().split())
    if not text:
        raise DateError(f"no date given (try {EXAMPLES})")
    now = now.replace(second=0, microsecond=0)
    if text == "now":
        return now
    for reader in _READERS:
        found = reader(text, original, now, rules)
        if found is not None:
            return found
    only_time = parse_time(text)
    if only_time is not None:
        return datetime.combine(now.date(), only_time)
    return _parse_absolute(text, original, now, rules)


def _day_word(text: str, original: str, now: datetime, rules: DateRules) -> datetime | None:
    """today, tomorrow, yesterday [time]; this morning / this afternoon."""
    match = _DAY_WORD_RE.match(text)
    if not match or (match["word"] == "this" and match["time"] not in ("morning", "afternoon")):
        return None
    offset = {"today": 0, "this": 0, "tomorrow": 1, "tmrw": 1, "yesterday": -1}[match["word"]]
    return _at(now.date() + timedelta(days=offset), match["time"], original, rules)


def _next_week(text: str, original: str, now: datetime, rules: DateRules) -> datetime | None:
    """next week: Monday of the coming week."""
    match = _NEXT_WEEK_RE.match(text)
    if not match:
        return None
    return _at(now.date() + timedelta(days=7 - now.weekday()), match["time"], original, rules)


def _end_of_month(text: str, original: str, now: datetime, rules: DateRules) -> datetime | None:
    """end of month: the last day of this month."""
    match = _END_OF_MONTH_RE.match(text)
    if not match:
        return None
    next_month = now.date().replace(day=28) + timedelta(days=4)  # the 28th is in every month
    return _at(next_month - timedelta(days=next_month.day), match["time"], original, rules)


def _relative(text: str, original: str, now: datetime, rules: DateRules) -> datetime | None:
    """+3d, in 2 weeks, -1m [time] at the working hour; +2h, in 90 min exact in real time."""
    match = _RELATIVE_RE.match(text)
    if not match or match["unit"] not in UNITS:
        return None
    count = int(match["count"]) * (-1 if match["sign"] == "-" else 1)
    unit = UNITS[match["unit"]]
    if unit in REAL_TIME_UNITS:
        if match["time"] is not None:
            raise DateError(f"{original!r}: a time of day goes after days, not after {unit} (try +1d 10:00)")
        return add_real_time(now, timedelta(**{unit: count}), rules.zone)
    from dateutil.relativedelta import relativedelta  # loaded when a date is typed, not per command

    return _at(now.date() + relativedelta(**{unit: count}), match["time"], original, rules)


def _weekday(text: str, original: str, now: datetime, rules: DateRules) -> datetime | None:
    """mon, next tue [time]: the first such day after today."""
    match = _WEEKDAY_RE.match(text)
    if not match or match["day"] not in WEEKDAYS:
        return None
    ahead = (WEEKDAYS[match["day"]] - now.weekday()) % 7 or 7
    return _at(now.date() + timedelta(days=ahead), match["time"], original, rules)


def _numeric(text: str, original: str, now: datetime, rules: DateRules) -> datetime | None:
    """25/04/2026, 04/25, 2026-04-25 [time], in the order the rules give."""
    split = split_numeric(text)
    if split is None:
        return None
    numeric, rest = split
    day = read_numeric(numeric, now.year, rules.order, original.strip())
    rest = re.sub(r"^t(?=\d)", "", rest).strip()  # 2026-12-01T16:15
    return _at(day, rest or None, original, rules)


_READERS: tuple[Reader, ...] = (_day_word, _next_week, _end_of_month, _relative, _weekday, _numeric)


def _parse_absolute(text: str, original: str, now: datetime, rules: DateRules) -> datetime:
    """Dates with a month name (``1 dec 2026``, ``dec 1 14:00``) through dateutil, non-fuzzy;
    anything else left (``3 4 2026``) would be a guess at the order, so it is refused."""
    if not (re.search(r"\d", text) and _MONTH_NAME_RE.search(text)):
        raise DateError(f"could not read {original!r} as a date (try {EXAMPLES})")
    from dateutil import parser as date_parser  # 25 ms to import: only when a date is written out

    default = datetime.combine(now.date(), rules.working_hour)
    try:
        parsed = date_parser.parse(text, default=default, dayfirst=False)
        # dateutil takes a number that is neither a day nor a month for a two-digit year ("32
        # jan" becomes January 2032): a year, when given, must be written in full.
        probe = date_parser.parse(text, default=datetime(2000 if now.year != 2000 else 2004, 1, 1))
    except (ValueError, ArithmeticError) as exc:  # ArithmeticError: dateutil on huge numbers
        raise DateError(f"could not read {original!r} as a date (try {EXAMPLES})") from exc
    if parsed.tzinfo is not None:  # "dec 1 10:00-0" reads as a UTC offset: local times only
        parsed = parsed.replace(tzinfo=None)
    if probe.year == parsed.year and f"{parsed.year:04d}" not in text:
        raise DateError(f"could not read {original!r} as a date: write the year in full, like 2026-12-01")
    return parsed


def parse_day(text: str, now: datetime, rules: DateRules = DEFAULT_RULES) -> date:
    """A calendar day (an expected close date) in the same grammar as :func:`parse_when`."""
    return parse_when(text, now, rules).date()


class FileDate(NamedTuple):
    """A moment as a file wrote it, and whether the file gave its time of day."""

    moment: datetime
    has_time: bool


def read_file_date(text: str, order: str | None, now: datetime) -> FileDate:
    """A date from a file (an export's ``2026-04-03 10:15:00``, ``03/04/2026 14:30``,
    ``Apr 3, 2026``): numeric dates in ``order``, the one settled for their column (None: only
    a date that reads one way), a time when given; no words relative to today, which a file
    cannot mean, and no date without its year."""
    value = " ".join(text.split())
    if value[:4].isdigit() and value[4:5] == "-":
        iso = parse_iso(value)
        return FileDate(iso.replace(microsecond=0), len(value) > 10)
    split = split_numeric(value)
    if split is not None:
        numeric, rest = split
        if len(re.split(r"[/.-]", numeric)) < 3:
            raise DateError(f"{value!r} has no year: write it in full, like 2026-04-25")
        day = read_numeric(numeric, now.year, order, value)
        return _with_time(day, rest, value)
    if not re.search(r"\d{4}", value):
        raise DateError(f"{value!r} is not a date like 2026-04-25")
    at_midnight = _parse_absolute(value.lower(), value, now, DateRules(working_hour=time(0, 0)))
    at_one = _parse_absolute(value.lower(), value, now, DateRules(working_hour=time(0, 1)))
    return FileDate(at_midnight, at_midnight == at_one)


def _with_time(day: date, rest: str, original: str) -> FileDate:
    rest = re.sub(r"^[tT](?=\d)", "", rest).strip().lower()
    if not rest:
        return FileDate(datetime.combine(day, time()), False)
    moment = _at(day, rest, original, DEFAULT_RULES)
    return FileDate(moment, True)


def describe_due(due: datetime, now: datetime) -> str:
    """A short human label for a due time: ``today 14:00``, ``tomorrow``, ``Fri 12 Dec``, ``3d overdue``."""
    days = (due.date() - now.date()).days
    clock = due.strftime("%H:%M")
    if days < 0:
        return f"{days_late(due, now)}d overdue"
    if days == 0:
        return f"today {clock}"
    if days == 1:
        return f"tomorrow {clock}"
    if days < 7:
        return due.strftime("%a ") + clock
    if due.year == now.year:
        return due.strftime("%a %d %b")
    return due.strftime("%d %b %Y")


def moment_reader() -> Callable[[object], datetime | None]:
    """A parser of stored moments (ISO text; None and datetimes pass through) that parses each
    distinct text once and hands out one datetime for it.

    Rows repeat moments: a prospect created and put in its stage at once, a last contact that
    is also the last activity. In the demo's 10,000 open prospects 47,600 texts held 2,600
    moments: the board's read makes 45,000 fewer objects (~1.8 MB) and parses that many less.
    """
    parsed: dict[str, datetime] = {}
    parse = datetime.fromisoformat

    def moment(value):
        if value.__class__ is not str:
            return value  # None, or a server driver's datetime
        found = parsed.get(value)
        if found is None:
            found = parsed[value] = parse(value)
        return found

    return moment
