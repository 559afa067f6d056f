"""The services read typed dates by the user's rules (date order, working hour), and the times
they make up themselves (the next follow-up offered, a reminder) land at the working hour."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from pipeline_tui.core.dates import DateError, DateRules
from pipeline_tui.services import follow_ups
from pipeline_tui.services.prospects import add_prospect, edit_prospect
from pipeline_tui.store.models import FollowUp, Prospect

EARLY = time(8, 0)


def test_the_next_follow_up_offered_lands_at_the_working_hour(now):
    assert follow_ups.default_next("appointment", now, EARLY) == ("email", datetime(2026, 11, 27, 8, 0))
    assert follow_ups.default_next("call", now, EARLY) == ("call", datetime(2026, 11, 30, 8, 0))


def test_the_reminder_the_day_before_lands_at_the_working_hour(now):
    appointment = datetime(2026, 12, 3, 15, 0)
    assert follow_ups.reminder_time(appointment, now) == datetime(2026, 12, 2, 9, 0)
    assert follow_ups.reminder_time(appointment, now, EARLY) == datetime(2026, 12, 2, 8, 0)


def test_reminders_are_scheduled_at_the_working_hour(db, now):
    prospect = add_prospect(now, "Acme")
    meeting = follow_ups.schedule(prospect.id, "appointment", datetime(2026, 12, 3, 15, 0), now)
    made = follow_ups.schedule_reminders(meeting.id, now, EARLY)
    assert {f.due_at for f in made} == {datetime(2026, 12, 2, 8, 0)}


def test_an_expected_close_typed_reads_by_the_users_date_order(db, now):
    with pytest.raises(DateError, match="could be 3 April 2027 or 4 March 2027"):
        add_prospect(now, "Acme", fields={"expected_close": "03/04/2027"})
    assert Prospect.select().count() == 0
    acme = add_prospect(now, "Acme", fields={"expected_close": "03/04/2027"}, dates=DateRules(order="DMY"))
    assert Prospect.get_by_id(acme.id).expected_close == date(2027, 4, 3)
    edit_prospect(acme.id, now, {"expected_close": "03/04/2027"}, dates=DateRules(order="MDY"))
    assert Prospect.get_by_id(acme.id).expected_close == date(2027, 3, 4)
    with pytest.raises(DateError):
        edit_prospect(acme.id, now, {"expected_close": "04/03/2027"})
    assert Prospect.get_by_id(acme.id).expected_close == date(2027, 3, 4)
    assert FollowUp.select().count() == 0
