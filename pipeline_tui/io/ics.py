"""Open follow-ups as an iCalendar file, each with an alarm, for any calendar app.

RFC 5545 forbids control characters in text values: names and notes go in without them (and
without bidi overrides, which a calendar shows as the terminal would).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event, vRecur

from pipeline_tui.core.printable import without_controls
from pipeline_tui.services.agenda import AgendaItem

DURATIONS = {"appointment": timedelta(hours=1), "demo": timedelta(hours=1)}
ALARM_BEFORE = timedelta(minutes=15)


def agenda_calendar(items: list[AgendaItem], now: datetime) -> bytes:
    """A VCALENDAR with one VEVENT and one VALARM per open follow-up (floating local times)."""
    calendar = Calendar()
    calendar.add("prodid", "-//pipeline-tui//follow-ups//EN")
    calendar.add("version", "2.0")
    for item in items:
        event = Event()
        who = without_controls(
            f"{item.prospect} ({item.organization})"
            if item.organization and item.organization not in item.prospect
            else item.prospect
        )
        event.add("uid", f"follow-up-{item.id}@pipeline-tui")
        event.add("dtstamp", now)
        event.add("dtstart", item.due)
        duration = DURATIONS.get(item.kind, timedelta(minutes=15))
        event.add("dtend", item.due + duration if item.due <= datetime.max - duration else datetime.max)
        event.add("summary", f"{item.kind.capitalize()}: {who}")
        notes = without_controls(item.notes, lines=True).strip()
        if notes:
            event.add("description", notes)
        event.add("categories", [item.kind])
        if item.repeat:  # a repeating follow-up: the calendar shows the series from this one on
            event.add("rrule", vRecur.from_ical(item.repeat))
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{item.kind.capitalize()}: {who}")
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
