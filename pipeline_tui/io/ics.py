"""Open follow-ups as an iCalendar file, each with an alarm, for any calendar app."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event, vRecur

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
        who = (
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
        if item.notes:
            event.add("description", item.notes)
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
