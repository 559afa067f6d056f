"""The services: every user action, finding prospects by what users type, undo, one transaction per
action, the revision counter, and the views the screens and commands show."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import UserError
from pipeline_tui.services import base, follow_ups, prospects, setup, views
from pipeline_tui.services.base import can_undo, find_prospect, undo_last
from pipeline_tui.services.follow_ups import (
    complete,
    log_activity,
    reschedule,
    schedule,
    schedule_reminders,
    snooze,
    start_trial,
)
from pipeline_tui.services.prospects import (
    add_prospect,
    archive_prospect,
    archived_prospects,
    edit_prospect,
    mark_lost,
    mark_won,
    move_prospect,
    restore_prospect,
    step_prospect,
)
from pipeline_tui.services.setup import add_pipeline, set_quota
from pipeline_tui.store import queries
from pipeline_tui.store.db import revision
from pipeline_tui.store.models import FollowUp, Prospect, Quota, Stage, StageChange

SETTINGS = Settings()


def read_board(now, pipeline: str | None = None, search: str = ""):
    """The board as the TUI reads it: (strip, [(header, every card of the column)])."""
    from pipeline_tui.services.board import BoardReader

    board = BoardReader(SETTINGS, pipeline).read(now, search)
    return board.strip, [(head, list(cards)) for head, cards in board.columns]


TABLES = ("pipeline", "stage", "prospect", "follow_up", "stage_change", "quota", "setting")


def dump(db) -> dict[str, list[tuple]]:
    """Every row of every table but the revision counter, as stored."""
    return {table: db.execute_sql(f'SELECT * FROM "{table}" ORDER BY 1').fetchall() for table in TABLES}


def stage_name(prospect_id: int) -> str:
    return Stage.get_by_id(Prospect.get_by_id(prospect_id).stage_id).name


def reload(prospect: Prospect) -> Prospect:
    return Prospect.get_by_id(prospect.id)


# -- adding and editing ------------------------------------------------------------------------


def test_add_prospect_with_fields_and_a_first_follow_up(db, now):
    due = now + timedelta(days=2)
    prospect = add_prospect(
        now,
        "  Acme   Renewal ",
        stage="qualified",
        fields={
            "value": "$12,000.50",
            "contact": "Jane Doe",
            "organization": "Acme",
            "title": "CFO",
            "email": "jane@acme.com",
            "phone": "+34 600 000 000",
            "decision_maker": "yes",
            "expected_close": "2026-12-15",
            "urgency": "HIGH",
            "source": "referral",
            "probability": "60%",
            "notes": "Met at the fair",
        },
        follow_up=(due, "appointment"),
    )
    row = reload(prospect)
    assert row.name == "Acme Renewal"
    assert row.value_cents == 1_200_050
    assert (row.contact, row.organization, row.title, row.email, row.phone) == (
        "Jane Doe",
        "Acme",
        "CFO",
        "jane@acme.com",
        "+34 600 000 000",
    )
    assert row.decision_maker == "yes"
    assert row.expected_close == date(2026, 12, 15)
    assert row.urgency == "high"
    assert row.source == "referral"
    assert row.probability == pytest.approx(0.6)
    assert row.notes == "Met at the fair"
    assert stage_name(row.id) == "Qualified"
    assert row.created_at == row.updated_at == row.stage_entered_at == now
    assert row.closed_at is None and row.archived is False
    changes = list(StageChange.select().where(StageChange.prospect == row.id))
    assert [(c.from_stage_id, c.to_stage.name, c.changed_at) for c in changes] == [(None, "Qualified", now)]
    [follow_up] = FollowUp.select().where(FollowUp.prospect == row.id)
    assert (follow_up.kind, follow_up.due_at, follow_up.done_at, follow_up.created_at) == (
        "appointment",
        due,
        None,
        now,
    )


def test_add_prospect_defaults_to_lead_and_closed_stage_stamps_closed_at(db, now):
    lead = add_prospect(now, "Plain")
    assert stage_name(lead.id) == "Lead"
    row = reload(lead)
    assert (row.decision_maker, row.urgency, row.value_cents, row.probability) == (
        "unknown",
        "medium",
        None,
        None,
    )
    won = add_prospect(now, "Already won", stage="WON", fields={"value": "500"})
    assert reload(won).closed_at == now


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"value": "twelve"}, "value"),
        ({"value": "-5"}, "value"),
        ({"decision_maker": "maybe"}, "decision maker"),
        ({"urgency": "asap"}, "urgency"),
        ({"email": "not an email"}, "email"),
        ({"probability": "150%"}, "probability"),
        ({"expected_close": "someday"}, "someday"),
        ({"shoe_size": "42"}, "unknown field"),
    ],
)
def test_add_prospect_refuses_bad_fields_and_writes_nothing(db, now, fields, message):
    before = dump(db)
    with pytest.raises(UserError, match=message):
        add_prospect(now, "Bad", fields=fields)
    assert dump(db) == before
    assert not can_undo()


def test_add_prospect_refuses_an_empty_name_and_an_unknown_stage(db, now):
    with pytest.raises(UserError, match="name"):
        add_prospect(now, "   ")
    with pytest.raises(UserError, match="no stage named 'Negotiation'") as caught:
        add_prospect(now, "X", stage="Negotiation")
    assert "Lead" in str(caught.value), "the message lists the stages"
    assert Prospect.select().count() == 0


def test_edit_prospect_saves_good_values_and_nothing_of_a_bad_edit(db, now):
    prospect = add_prospect(now, "Acme", fields={"value": "1000"})
    later = now + timedelta(hours=1)
    edit_prospect(prospect.id, later, {"value": "2,500", "contact": "Bob", "expected_close": ""})
    row = reload(prospect)
    assert (row.value_cents, row.contact, row.expected_close, row.updated_at) == (250_000, "Bob", None, later)

    before = dump(db)
    with pytest.raises(UserError, match="value"):
        edit_prospect(prospect.id, later + timedelta(hours=1), {"name": "Renamed", "value": "lots"})
    with pytest.raises(UserError, match="use move"):
        edit_prospect(prospect.id, later, {"stage": "Won"})
    with pytest.raises(UserError, match="no prospect"):
        edit_prospect(9999, later, {"name": "Ghost"})
    assert dump(db) == before
    assert reload(prospect).name == "Acme"


# -- moving through the stages -----------------------------------------------------------------


def test_move_prospect_records_the_change_and_stamps_closing(db, now):
    prospect = add_prospect(now, "Acme")
    t1, t2, t3, t4 = (now + timedelta(days=d) for d in (1, 2, 3, 4))

    assert move_prospect(prospect.id, "appointment", t1).name == "Appointment"
    row = reload(prospect)
    assert (stage_name(row.id), row.stage_entered_at, row.closed_at, row.updated_at) == (
        "Appointment",
        t1,
        None,
        t1,
    )

    move_prospect(prospect.id, "Lost", t2, lost_reason="  went with a competitor ")
    row = reload(prospect)
    assert (stage_name(row.id), row.closed_at, row.lost_reason) == ("Lost", t2, "went with a competitor")

    move_prospect(prospect.id, "Proposal", t3)  # reopened
    row = reload(prospect)
    assert (stage_name(row.id), row.closed_at, row.lost_reason, row.stage_entered_at) == (
        "Proposal",
        None,
        "",
        t3,
    )

    move_prospect(prospect.id, "Won", t4)
    row = reload(prospect)
    assert (stage_name(row.id), row.closed_at, row.lost_reason) == ("Won", t4, "")

    history = [
        (c.from_stage.name if c.from_stage else None, c.to_stage.name, c.changed_at)
        for c in StageChange.select().where(StageChange.prospect == prospect.id).order_by(StageChange.id)
    ]
    assert history == [
        (None, "Lead", now),
        ("Lead", "Appointment", t1),
        ("Appointment", "Lost", t2),
        ("Lost", "Proposal", t3),
        ("Proposal", "Won", t4),
    ]


def test_move_prospect_refusals(db, now):
    prospect = add_prospect(now, "Acme")
    add_pipeline("Renewals", (("Due", 0.5, "open", "lead"), ("Renewed", 1.0, "won", "won")))
    before = dump(db)
    with pytest.raises(UserError, match="already in Lead"):
        move_prospect(prospect.id, "lead", now)
    with pytest.raises(UserError, match="no stage named"):
        move_prospect(prospect.id, "Renewed", now)  # a stage of another pipeline
    with pytest.raises(UserError, match="no prospect"):
        move_prospect(424242, "Won", now)
    assert dump(db) == before


def test_step_prospect_moves_one_open_stage_and_refuses_beyond_the_edges(db, now):
    prospect = add_prospect(now, "Acme")
    with pytest.raises(UserError, match="first open stage"):
        step_prospect(prospect.id, -1, now)
    visited = [step_prospect(prospect.id, +1, now + timedelta(minutes=i)).name for i in range(4)]
    assert visited == ["Qualified", "Appointment", "Trial", "Proposal"]
    with pytest.raises(UserError, match="last open stage"):
        step_prospect(prospect.id, +1, now)
    assert step_prospect(prospect.id, -1, now).name == "Trial"
    assert StageChange.select().where(StageChange.prospect == prospect.id).count() == 6
    mark_won(prospect.id, now)
    with pytest.raises(UserError, match="closed"):
        step_prospect(prospect.id, -1, now)


def test_mark_won_and_mark_lost(db, now):
    winner = add_prospect(now, "Winner", stage="Proposal", fields={"value": "1000"})
    loser = add_prospect(now, "Loser", stage="Trial")
    later = now + timedelta(hours=2)
    assert mark_won(winner.id, later).name == "Won"
    assert reload(winner).closed_at == later
    with pytest.raises(UserError, match="already won"):
        mark_won(winner.id, later)
    assert mark_lost(loser.id, "no budget", later).name == "Lost"
    row = reload(loser)
    assert (row.closed_at, row.lost_reason) == (later, "no budget")
    with pytest.raises(UserError, match="already lost"):
        mark_lost(loser.id, "again", later)
    assert queries.lost_reasons() == ["no budget"]


def test_archive_hides_a_prospect_from_every_view_and_restore_brings_it_back(db, now):
    set_quota(1_000_000, "quarter", now)
    add_prospect(now, "Keep", stage="Proposal", fields={"value": "1000"}, follow_up=(now, "call"))
    hide = add_prospect(now, "Hide", stage="Proposal", fields={"value": "5000"}, follow_up=(now, "call"))
    closed = add_prospect(now, "Hidden winner", stage="Proposal", fields={"value": "7000"})
    mark_won(closed.id, now)

    def visible():
        strip, columns = read_board(now)
        report = views.report(now, SETTINGS)
        return (
            {c.name for _, cards in columns for c in cards},
            strip.won,
            {i.prospect for i in views.agenda(now)},
            {s.stage.name: s.count for s in report.stages},
            report.quota.won,
            report.quota.expected,
            {r.prospect.name for r in views.export_rows(now, SETTINGS) if not r.prospect.archived},
        )

    assert visible() == (
        {"Keep", "Hide"},
        (1, 700_000),
        {"Keep", "Hide"},
        {"Lead": 0, "Qualified": 0, "Appointment": 0, "Trial": 0, "Proposal": 2, "Won": 1, "Lost": 0},
        700_000,
        round(0.75 * 600_000),
        {"Keep", "Hide", "Hidden winner"},
    )
    archive_prospect(hide.id, now)
    archive_prospect(closed.id, now)
    assert visible() == (
        {"Keep"},
        (0, 0),
        {"Keep"},
        {"Lead": 0, "Qualified": 0, "Appointment": 0, "Trial": 0, "Proposal": 1, "Won": 0, "Lost": 0},
        0,
        round(0.75 * 100_000),
        {"Keep"},
    )
    assert {p.name for p in archived_prospects()} == {"Hide", "Hidden winner"}
    with pytest.raises(UserError, match="already archived"):
        archive_prospect(hide.id, now)
    with pytest.raises(UserError, match="no prospect matches"):
        find_prospect("Hide")
    assert find_prospect("hide", archived=True).id == hide.id

    restore_prospect(hide.id, now)
    restore_prospect(closed.id, now)
    with pytest.raises(UserError, match="not archived"):
        restore_prospect(hide.id, now)
    assert visible()[0] == {"Keep", "Hide"}
    assert archived_prospects() == []


# -- follow-ups --------------------------------------------------------------------------------


def test_schedule_a_follow_up(db, now):
    prospect = add_prospect(now, "Acme")
    due = datetime(2026, 11, 28, 14, 30, 45)
    made = schedule(prospect.id, "Info Request", due, now, notes="  send the price list ")
    row = FollowUp.get_by_id(made.id)
    assert (row.kind, row.due_at, row.done_at, row.created_at, row.notes) == (
        "info-request",
        due.replace(second=0),
        None,
        now,
        "send the price list",
    )
    with pytest.raises(UserError, match="kind"):
        schedule(prospect.id, "fax", due, now)
    with pytest.raises(UserError, match="no prospect"):
        schedule(777, "call", due, now)
    assert FollowUp.select().count() == 1


@pytest.mark.parametrize(
    "appointment, expected",
    [
        (datetime(2026, 11, 30, 15, 0), datetime(2026, 11, 29, 9, 0)),  # the day before at 09:00
        (datetime(2026, 11, 27, 8, 0), datetime(2026, 11, 26, 9, 30)),  # day before is 09:00 today: past
        (datetime(2026, 11, 26, 16, 0), datetime(2026, 11, 26, 9, 30)),  # today: never in the past
    ],
)
def test_schedule_reminders_the_day_before_never_in_the_past(db, now, appointment, expected):
    prospect = add_prospect(now, "Acme")
    meeting = schedule(prospect.id, "appointment", appointment, now)
    made = schedule_reminders(meeting.id, now)
    assert sorted(f.kind for f in made) == ["call", "email"]
    for follow_up in made:
        row = FollowUp.get_by_id(follow_up.id)
        assert row.due_at == expected
        assert row.due_at >= now
        assert row.prospect_id == prospect.id and row.done_at is None
        assert appointment.strftime("%d %b") in row.notes


def test_schedule_reminders_only_for_open_appointments(db, now):
    prospect = add_prospect(now, "Acme")
    call = schedule(prospect.id, "call", now + timedelta(days=2), now)
    with pytest.raises(UserError, match="appointments"):
        schedule_reminders(call.id, now)
    meeting = schedule(prospect.id, "appointment", now + timedelta(days=2), now)
    complete(meeting.id, now)
    with pytest.raises(UserError, match="already done"):
        schedule_reminders(meeting.id, now)
    assert FollowUp.select().count() == 2


def test_complete_a_follow_up(db, now):
    prospect = add_prospect(now, "Acme")
    call = schedule(prospect.id, "call", now - timedelta(days=1), now - timedelta(days=3))
    later = now + timedelta(minutes=5)
    complete(call.id, later, outcome=" left a message ")
    row = FollowUp.get_by_id(call.id)
    assert (row.done_at, row.outcome) == (later, "left a message")
    assert reload(prospect).updated_at == later
    with pytest.raises(UserError, match="already done"):
        complete(call.id, later)
    with pytest.raises(UserError, match="no follow-up"):
        complete(31337, later)


def test_snooze_an_overdue_follow_up_lands_tomorrow_at_its_time(db, now):
    prospect = add_prospect(now, "Acme")
    three_days_late = schedule(prospect.id, "call", datetime(2026, 11, 23, 14, 15), now)
    this_morning = schedule(prospect.id, "email", datetime(2026, 11, 26, 8, 0), now)
    upcoming = schedule(prospect.id, "task", datetime(2026, 11, 27, 11, 0), now)

    snooze(three_days_late.id, timedelta(days=1), now)
    snooze(this_morning.id, timedelta(days=1), now)
    snooze(upcoming.id, timedelta(days=7), now)

    due = {f.id: f.due_at for f in FollowUp.select()}
    assert due[three_days_late.id] == datetime(2026, 11, 27, 14, 15)
    assert due[this_morning.id] == datetime(2026, 11, 27, 8, 0)
    assert due[upcoming.id] == datetime(2026, 12, 4, 11, 0)
    statuses = {item.id: item.status for item in views.agenda(now, days=30)}
    assert statuses[three_days_late.id] == statuses[this_morning.id] == "upcoming"


def test_reschedule_a_follow_up(db, now):
    prospect = add_prospect(now, "Acme")
    call = schedule(prospect.id, "call", now, now)
    reschedule(call.id, datetime(2026, 12, 3, 16, 45, 30), now)
    assert FollowUp.get_by_id(call.id).due_at == datetime(2026, 12, 3, 16, 45)
    complete(call.id, now)
    with pytest.raises(UserError, match="already done"):
        reschedule(call.id, now, now)


def test_log_activity_records_something_done_now(db, now):
    prospect = add_prospect(now - timedelta(days=3), "Acme")
    entry = log_activity(prospect.id, "call", now, notes="asked about pricing", outcome="interested")
    row = FollowUp.get_by_id(entry.id)
    assert (row.kind, row.due_at, row.done_at, row.notes, row.outcome) == (
        "call",
        now,
        now,
        "asked about pricing",
        "interested",
    )
    assert reload(prospect).updated_at == now
    history = queries.load_history(ids=[prospect.id])[prospect.id]
    assert history.last_contact == now


def test_start_trial_logs_the_start_and_schedules_the_end(db, now):
    prospect = add_prospect(now, "Acme", stage="Appointment")
    ends = now + timedelta(days=14)
    end = start_trial(prospect.id, "trial", ends, now)
    rows = list(FollowUp.select().where(FollowUp.prospect == prospect.id).order_by(FollowUp.id))
    assert [(r.kind, r.due_at, r.done_at) for r in rows] == [("trial", now, now), ("trial", ends, None)]
    assert end.id == rows[1].id
    assert queries.load_history(ids=[prospect.id])[prospect.id].demo_or_trial
    with pytest.raises(UserError, match="after now"):
        start_trial(prospect.id, "demo", now, now)
    with pytest.raises(UserError, match="demo or a trial"):
        start_trial(prospect.id, "call", ends, now)
    assert FollowUp.select().count() == 2


def test_default_next_follow_up_falls_on_a_weekday_morning(now):
    # now is Thursday 26 November 2026, 09:30
    assert follow_ups.default_next("appointment", now) == ("email", datetime(2026, 11, 27, 9, 0))
    assert follow_ups.default_next("trial", now) == ("call", datetime(2026, 11, 30, 9, 0))  # not Saturday
    assert follow_ups.default_next("call", now) == ("call", datetime(2026, 11, 30, 9, 0))  # not Sunday
    assert follow_ups.default_next("task", now) == ("call", datetime(2026, 12, 3, 9, 0))
    friday = datetime(2026, 11, 27, 16, 0)
    assert follow_ups.default_next("appointment", friday) == ("email", datetime(2026, 11, 30, 9, 0))


# -- quota, pipelines, preferences -------------------------------------------------------------


def test_set_quota_keeps_the_latest(db, now):
    assert setup.current_quota() is None
    set_quota(5_000_000, "quarter", now)
    set_quota(2_000_000, "month", now + timedelta(minutes=1))
    quota = setup.current_quota()
    assert (quota.period, quota.target) == ("month", 2_000_000)
    with pytest.raises(UserError, match="period"):
        set_quota(100, "week", now)
    with pytest.raises(UserError, match="positive"):
        set_quota(0, "month", now)
    assert Quota.select().count() == 2


def test_add_pipeline_with_default_or_own_stages(db, now):
    renewals = add_pipeline("  Renewals ")
    assert renewals.name == "Renewals"
    assert [p.name for p in setup.pipelines()] == ["Sales", "Renewals"]
    assert views.stage_names(renewals.id) == [
        "Lead",
        "Qualified",
        "Appointment",
        "Trial",
        "Proposal",
        "Won",
        "Lost",
    ]
    with pytest.raises(UserError, match="already a pipeline"):
        add_pipeline("renewals")
    with pytest.raises(UserError, match="name"):
        add_pipeline("   ")
    custom = add_pipeline("Partners", (("Intro", 0.2, "open", "lead"), ("Signed", 1.0, "won", "won")))
    assert views.stage_names(custom.id) == ["Intro", "Signed"]
    deal = add_prospect(now, "Partner deal", pipeline="partners")
    assert stage_name(deal.id) == "Intro"
    assert base.find_pipeline("PARTNERS").id == custom.id
    with pytest.raises(UserError, match="no pipeline named"):
        base.find_pipeline("Nope")


def test_preferences(db):
    assert setup.get_preference("theme") is None
    setup.set_preference("theme", "nord")
    setup.set_preference("theme", "gruvbox")
    assert setup.get_preference("theme") == "gruvbox"
    assert not can_undo(), "preferences are not undoable actions"


# -- finding prospects -------------------------------------------------------------------------


def test_find_prospect_by_id_name_and_prefix(db, now):
    acme = add_prospect(now, "Acme")
    acme_corp = add_prospect(now, "Acme Corp")
    northwind = add_prospect(now, "Northwind Traders")
    number = add_prospect(now, "3M")
    add_prospect(now, "Globex East")
    add_prospect(now, "Globex West")

    assert find_prospect(str(northwind.id)).id == northwind.id
    assert find_prospect(northwind.id).id == northwind.id
    assert find_prospect("  ACME ").id == acme.id, "an exact name wins over prefixes"
    assert find_prospect("acme corp").id == acme_corp.id
    assert find_prospect("acme   CORP").id == acme_corp.id, "spaces as typed do not matter"
    assert find_prospect("north").id == northwind.id
    assert find_prospect("3m").id == number.id
    with pytest.raises(UserError) as caught:
        find_prospect("globex")
    message = str(caught.value)
    assert "Globex East" in message and "Globex West" in message and "several" in message
    with pytest.raises(UserError, match="no prospect matches 'Initech'"):
        find_prospect("Initech")


def test_find_prospect_treats_like_wildcards_literally(db, now):
    add_prospect(now, "50% Off Store")
    add_prospect(now, "500 Club")
    add_prospect(now, "A_B Testing")
    add_prospect(now, "AXB Labs")
    assert find_prospect("50%").name == "50% Off Store"
    assert find_prospect("a_b").name == "A_B Testing"


def test_find_prospect_is_case_insensitive_beyond_ascii(db, now):
    ecole = add_prospect(now, "École Dupont")
    arzte = add_prospect(now, "Ärzte Zentrum")
    add_prospect(now, "Ärztehaus Nord")
    assert find_prospect("École Dupont").id == ecole.id
    assert find_prospect("école dupont").id == ecole.id
    assert find_prospect("ÉCOLE").id == ecole.id
    assert find_prospect("ärzte zentrum").id == arzte.id
    with pytest.raises(UserError, match="several"):
        find_prospect("ÄRZTE")
    pipeline = add_pipeline("Équipe Nord")
    assert base.find_pipeline("équipe nord").id == pipeline.id
    with pytest.raises(UserError, match="already a pipeline"):
        add_pipeline("ÉQUIPE NORD")


def test_ambiguity_with_many_matches_says_there_are_more(db, now):
    for i in range(12):
        add_prospect(now, f"Same {i:02d}")
    with pytest.raises(UserError, match="and more"):
        find_prospect("same")


# -- undo --------------------------------------------------------------------------------------


def _with_prospect(now):
    prospect = add_prospect(now, "Acme", fields={"value": "1000", "contact": "Jane"})
    return prospect.id


def _with_follow_up(now):
    pid = _with_prospect(now)
    return schedule(pid, "call", now - timedelta(days=2), now - timedelta(days=5)).id


def _with_appointment(now):
    pid = _with_prospect(now)
    return schedule(pid, "appointment", now + timedelta(days=3), now).id


UNDOABLE = {
    "add": (
        lambda now: None,
        lambda x, now: add_prospect(now, "New", fields={"value": "5"}, follow_up=(now, "call")),
    ),
    "edit": (_with_prospect, lambda pid, now: edit_prospect(pid, now, {"value": "99", "notes": "changed"})),
    "move": (_with_prospect, lambda pid, now: move_prospect(pid, "Trial", now + timedelta(1))),
    "move-lost": (_with_prospect, lambda pid, now: move_prospect(pid, "Lost", now, lost_reason="price")),
    "step": (_with_prospect, lambda pid, now: step_prospect(pid, 1, now + timedelta(1))),
    "won": (_with_prospect, lambda pid, now: mark_won(pid, now + timedelta(1))),
    "lost": (_with_prospect, lambda pid, now: mark_lost(pid, "timing", now + timedelta(1))),
    "archive": (_with_prospect, lambda pid, now: archive_prospect(pid, now + timedelta(1))),
    "schedule": (_with_prospect, lambda pid, now: schedule(pid, "email", now + timedelta(2), now)),
    "reminders": (_with_appointment, lambda fid, now: schedule_reminders(fid, now)),
    "complete": (_with_follow_up, lambda fid, now: complete(fid, now + timedelta(1), "done it")),
    "snooze": (_with_follow_up, lambda fid, now: snooze(fid, timedelta(days=1), now)),
    "reschedule": (_with_follow_up, lambda fid, now: reschedule(fid, now + timedelta(days=9), now)),
    "log": (_with_prospect, lambda pid, now: log_activity(pid, "email", now + timedelta(1), "sent")),
    "trial": (_with_prospect, lambda pid, now: start_trial(pid, "demo", now + timedelta(7), now)),
    "quota": (lambda now: None, lambda x, now: set_quota(1_000_000, "month", now)),
    "pipeline": (lambda now: None, lambda x, now: add_pipeline("Renewals")),
}


@pytest.mark.parametrize("kind", sorted(UNDOABLE))
def test_undo_last_puts_the_database_back(db, now, kind):
    prepare, act = UNDOABLE[kind]
    target = prepare(now)
    before = dump(db)
    base.clear_undo()
    act(target, now)
    assert dump(db) != before
    assert can_undo()
    label = undo_last()
    assert label
    assert dump(db) == before
    assert undo_last() is None


def test_undo_restore_and_undo_in_sequence(db, now):
    pid = _with_prospect(now)
    archive_prospect(pid, now)
    middle = dump(db)
    restore_prospect(pid, now + timedelta(1))
    assert undo_last().startswith("restored")
    assert dump(db) == middle
    assert undo_last().startswith("archived")
    assert reload(Prospect(id=pid)).archived is False
    assert undo_last().startswith("added")
    assert Prospect.select().count() == 0


def test_undo_labels_name_the_action(db, now):
    pid = _with_prospect(now)
    move_prospect(pid, "Proposal", now)
    assert undo_last() == "moved Acme to Proposal"


# -- one transaction per action ----------------------------------------------------------------


class Boom(Exception):
    pass


def _fail_on(module, name: str, when) -> tuple:
    """Make ``module.name`` raise once ``when(args)`` says so; the real one runs before."""
    original = getattr(module, name)

    def failing(*args, **kwargs):
        if when(*args, **kwargs):
            raise Boom(f"{name} failed")
        return original(*args, **kwargs)

    return original, failing


@pytest.mark.parametrize(
    "module, name, when, act",
    [
        # add: the prospect row is inserted, then inserting its stage change fails
        (
            prospects,
            "create",
            lambda model, **_: model is StageChange,
            lambda ids, now: add_prospect(now, "Half"),
        ),
        # add with a follow-up: prospect and stage change inserted, the follow-up fails
        (
            prospects,
            "create",
            lambda model, **_: model is FollowUp,
            lambda ids, now: add_prospect(now, "Half", follow_up=(now, "call")),
        ),
        # move: the stage change is inserted, then updating the prospect fails
        (prospects, "save", lambda *a, **k: True, lambda ids, now: move_prospect(ids[0], "Won", now)),
        # reminders: the call is inserted, the email fails
        (
            follow_ups,
            "create",
            lambda model, **values: values.get("kind") == "email",
            lambda ids, now: schedule_reminders(ids[1], now),
        ),
        # trial: the start is logged, the end fails
        (
            follow_ups,
            "create",
            lambda model, **values: values.get("done_at") is None,
            lambda ids, now: start_trial(ids[0], "trial", now + timedelta(days=7), now),
        ),
        # complete: the follow-up is marked done, then touching the prospect fails
        (
            follow_ups,
            "save",
            lambda instance, **changes: isinstance(instance, Prospect),
            lambda ids, now: complete(ids[1], now),
        ),
    ],
    ids=["add", "add-follow-up", "move", "reminders", "trial", "complete"],
)
def test_an_action_failing_halfway_writes_nothing(db, now, monkeypatch, module, name, when, act):
    pid = _with_prospect(now)
    fid = schedule(pid, "appointment", now + timedelta(days=3), now).id
    base.clear_undo()
    before, counter = dump(db), revision()
    original, failing = _fail_on(module, name, when)
    monkeypatch.setattr(module, name, failing)
    with pytest.raises(Boom):
        act((pid, fid), now)
    monkeypatch.setattr(module, name, original)
    assert dump(db) == before
    assert revision() == counter
    assert not can_undo()
    act((pid, fid), now)  # and it works once nothing fails
    assert dump(db) != before


def test_the_revision_counter_increases_with_each_write(db, now):
    seen = [revision()]
    pid = add_prospect(now, "Acme").id
    seen.append(revision())
    fid = schedule(pid, "call", now, now).id
    seen.append(revision())
    complete(fid, now)
    seen.append(revision())
    set_quota(100_00, "month", now)
    seen.append(revision())
    setup.set_preference("theme", "nord")
    seen.append(revision())
    undo_last()
    seen.append(revision())
    assert seen == sorted(set(seen)), seen
    with pytest.raises(UserError):
        move_prospect(pid, "Nowhere", now)
    assert revision() == seen[-1], "a refused action does not count"


# -- the views ---------------------------------------------------------------------------------


def test_board_columns_cards_statuses_and_period_totals(db, now):
    set_quota(10_000_000, "month", now)
    strong = add_prospect(
        now,
        "Strong",
        stage="Proposal",
        fields={"value": "50000", "decision_maker": "yes", "urgency": "high", "expected_close": "2026-12-10"},
    )
    weak = add_prospect(now, "Weak", stage="Proposal", fields={"decision_maker": "no", "urgency": "low"})
    overdue = add_prospect(now, "Overdue", stage="Lead", follow_up=(now - timedelta(days=2), "call"))
    today = add_prospect(now, "Today", stage="Lead", follow_up=(now + timedelta(hours=3), "call"))
    upcoming = add_prospect(now, "Upcoming", stage="Lead", follow_up=(now + timedelta(days=3), "email"))
    none = add_prospect(now, "None", stage="Qualified")
    # won and lost inside November count; won in October (another month) does not
    for name, value, when, close in (
        ("Won now", "1000", datetime(2026, 11, 3, 10), mark_won),
        ("Won too", "2500", datetime(2026, 11, 20, 10), mark_won),
        ("Won before", "9000", datetime(2026, 10, 30, 10), mark_won),
    ):
        close(add_prospect(when - timedelta(days=9), name, fields={"value": value}).id, when)
    mark_lost(add_prospect(now, "Lost now", fields={"value": "400"}).id, "price", datetime(2026, 11, 2))

    strip, columns = read_board(now)
    assert strip.pipeline.name == "Sales"
    assert [head.stage.name for head, _ in columns] == [
        "Lead",
        "Qualified",
        "Appointment",
        "Trial",
        "Proposal",
    ]
    cards = {head.stage.name: cards for head, cards in columns}
    assert [c.name for c in cards["Proposal"]] == ["Strong", "Weak"]
    assert cards["Proposal"][0].score > cards["Proposal"][1].score
    for head, column in columns:
        scores = [c.score for c in column]
        assert scores == sorted(scores, reverse=True)
        assert head.value == sum(c.value or 0 for c in column)
        assert head.weighted_value == pytest.approx(sum(c.weighted_value for c in column))
        assert head.count == len(column)
    status = {c.id: c.follow_up_status for _, column in columns for c in column}
    assert status == {
        strong.id: "none",
        weak.id: "none",
        overdue.id: "overdue",
        today.id: "today",
        upcoming.id: "upcoming",
        none.id: "none",
    }
    by_id = {c.id: c for _, column in columns for c in column}
    assert by_id[strong.id].weighted_value == pytest.approx(0.75 * 5_000_000)
    assert by_id[overdue.id].next_follow_up.kind == "call"
    assert (strip.period.start, strip.period.end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert strip.won == (2, 350_000)
    assert strip.lost == (1, 40_000)
    assert "weak" in Prospect.get_by_id(weak.id).search_text


def test_board_of_another_pipeline(db, now):
    add_pipeline(
        "Renewals",
        (
            ("Due", 0.5, "open", "lead"),
            ("Quoted", 0.7, "open", "proposal"),
            ("Renewed", 1.0, "won", "won"),
            ("Lapsed", 0.0, "lost", "lost"),
        ),
    )
    add_prospect(now, "Sales deal")
    add_prospect(now, "Renewal deal", pipeline="Renewals", stage="quoted")
    strip, columns = read_board(now, "renewals")
    assert [head.stage.name for head, _ in columns] == ["Due", "Quoted"]
    assert [[card.name for card in cards] for _, cards in columns] == [[], ["Renewal deal"]]
    assert [p.name for p in strip.pipelines] == ["Sales", "Renewals"]


def test_agenda_groups_and_statuses(db, now):
    pid = add_prospect(now, "Acme").id
    other = add_prospect(now, "Globex").id
    plan = {
        "late": (now - timedelta(days=3), "Overdue", "overdue"),
        "earlier today": (now - timedelta(minutes=30), "Overdue", "overdue"),
        "later today": (now.replace(hour=17), "Today", "today"),
        "tomorrow": (datetime(2026, 11, 27, 8, 0), "Tomorrow", "upcoming"),
        "saturday": (datetime(2026, 11, 28, 10, 0), "This week", "upcoming"),  # to Sunday
        "in five days": (datetime(2026, 12, 1, 10, 0), "Next week", "upcoming"),
        "in ten days": (datetime(2026, 12, 6, 10, 0), "Next week", "upcoming"),  # the Sunday after
        "in twelve days": (datetime(2026, 12, 8, 10, 0), "Later", "upcoming"),
    }
    ids = {}
    for notes, (due, _, _) in plan.items():
        ids[notes] = schedule(pid, "call", due, now, notes=notes).id
    done = schedule(other, "call", now - timedelta(days=1), now)
    complete(done.id, now)
    archived = add_prospect(now, "Archived", follow_up=(now, "call"))
    archive_prospect(archived.id, now)

    items = views.agenda(now, days=None)
    assert [i.notes for i in items] == list(plan), "oldest first"
    for item in items:
        _, group, status = plan[item.notes]
        assert (item.group, item.status) == (group, status), item.notes
        assert (item.prospect, item.prospect_id, item.kind) == ("Acme", pid, "call")
    assert list(dict.fromkeys(i.group for i in items)) == list(views.AGENDA_GROUPS)

    week = views.agenda(now)  # overdue, then due within 7 days
    assert [i.notes for i in week] == list(plan)[:-2]
    assert [i.notes for i in views.agenda(now, days=0)] == ["late", "earlier today", "later today"]
    assert views.agenda(now, days=1)[-1].notes == "tomorrow"


def test_prospect_detail_timeline_score_and_advice(db, now):
    start = now - timedelta(days=10)
    prospect = add_prospect(
        start, "Acme", fields={"value": "20000", "contact": "Jane", "organization": "Acme Inc"}
    )
    move_prospect(prospect.id, "Qualified", start + timedelta(days=1))
    call = schedule(prospect.id, "call", start + timedelta(days=2), start)
    complete(call.id, start + timedelta(days=2), "interested")
    move_prospect(prospect.id, "Appointment", start + timedelta(days=3))
    schedule(prospect.id, "appointment", now + timedelta(days=1), start + timedelta(days=3), notes="demo day")

    detail = views.prospect_detail(prospect.id, now, SETTINGS)
    assert detail.prospect.id == prospect.id
    assert detail.stage.name == "Appointment"
    assert detail.pipeline == "Sales"
    assert [s.name for s in detail.stages][:3] == ["Lead", "Qualified", "Appointment"]
    assert detail.weighted_value == pytest.approx(0.4 * 2_000_000)
    assert [f.kind for f in detail.open_follow_ups] == ["appointment"]

    timeline = [(e.when, e.what, e.text, e.done) for e in detail.timeline]
    assert timeline == [
        (now + timedelta(days=1), "appointment", "demo day", False),
        (start + timedelta(days=3), "stage", "Qualified → Appointment", True),
        (start + timedelta(days=2), "call", "→ interested", True),
        (start + timedelta(days=1), "stage", "Lead → Qualified", True),
        (start, "created", "added in Lead", True),
    ]

    score = detail.score
    assert 0 <= score.total <= 100
    assert score.total == max(0, min(100, sum(p.points for p in score.parts)))
    reasons = " | ".join(p.reason for p in score.parts)
    assert "budget known" in reasons and "stage Appointment" in reasons

    codes = {a.code for a in detail.advice}
    assert "confirm-decision-maker" in codes  # an appointment is booked, nobody confirmed authority
    assert "send-reminder" in codes  # the appointment is within 36 hours
    assert "probe-timeframe" in codes  # no expected close date
    assert all(a.prospect_id == prospect.id for a in detail.advice)

    mark_won(prospect.id, now)
    closed = views.prospect_detail(prospect.id, now, SETTINGS)
    assert closed.score is None and closed.advice == []
    with pytest.raises(UserError, match="no prospect"):
        views.prospect_detail(4242, now, SETTINGS)


def test_logging_a_call_completes_the_call_that_was_due_and_schedules_the_next(db, now):
    prospect = add_prospect(now - timedelta(days=3), "Acme")
    late = schedule(prospect.id, "call", now - timedelta(days=2), now - timedelta(days=3), "ask for the PO")
    later = schedule(prospect.id, "call", now + timedelta(days=2), now)  # not due yet: stays open
    email = schedule(prospect.id, "email", now - timedelta(days=1), now)  # another kind: stays open
    monday = datetime(2026, 11, 30, 9, 0)
    entry = log_activity(
        prospect.id, "call", now, notes="spoke to Jane", outcome="PO next week", then=("email", monday)
    )
    assert entry.id == late.id
    done = FollowUp.get_by_id(late.id)
    assert (done.done_at, done.outcome, done.notes) == (now, "PO next week", "ask for the PO · spoke to Jane")
    assert FollowUp.get_by_id(later.id).done_at is None and FollowUp.get_by_id(email.id).done_at is None
    newest = FollowUp.select().order_by(FollowUp.id.desc()).first()
    assert (newest.kind, newest.due_at, newest.done_at) == ("email", monday, None)
    assert FollowUp.select().where(FollowUp.prospect == prospect.id).count() == 4  # no extra entry
    undo_last()  # one action: the call open again, the next email gone
    assert FollowUp.get_by_id(late.id).done_at is None
    assert FollowUp.select().where(FollowUp.prospect == prospect.id).count() == 3


def test_logging_a_call_answers_the_follow_up_chosen_when_it_is_a_call(db, now):
    acme, other = add_prospect(now, "Acme"), add_prospect(now, "Other")
    tomorrow = schedule(acme.id, "call", now + timedelta(days=1), now)  # chosen on the agenda
    assert log_activity(acme.id, "call", now, answers=tomorrow.id).id == tomorrow.id
    meeting = schedule(acme.id, "appointment", now + timedelta(days=1), now)
    entry = log_activity(acme.id, "call", now, answers=meeting.id)  # a call does not hold a meeting
    assert entry.id != meeting.id and FollowUp.get_by_id(meeting.id).done_at is None
    theirs = schedule(other.id, "call", now, now)
    with pytest.raises(UserError, match="not about this prospect"):
        log_activity(acme.id, "call", now, answers=theirs.id)


def test_export_rows(db, now):
    first = add_prospect(
        now - timedelta(days=5),
        "First",
        stage="Trial",
        fields={"value": "1000"},
        follow_up=(now + timedelta(days=4), "email"),
    )
    schedule(first.id, "call", now + timedelta(days=1), now)
    log_activity(first.id, "call", now - timedelta(days=1))
    won = add_prospect(now, "Winner", fields={"value": "3000"})
    mark_won(won.id, now)
    hidden = add_prospect(now, "Hidden")
    archive_prospect(hidden.id, now)

    rows = views.export_rows(now, SETTINGS)
    assert [(r.prospect.name, r.prospect.archived) for r in rows] == [
        ("First", False),
        ("Winner", False),
        ("Hidden", True),  # every prospect: an archived one too, marked
    ]
    first_row, won_row, _ = rows
    assert (first_row.stage, first_row.stage_kind) == ("Trial", "open")
    assert first_row.weighted_value == pytest.approx(0.6 * 100_000)
    assert 0 <= first_row.score <= 100
    assert (first_row.next_follow_up.kind, first_row.next_follow_up.due) == ("call", now + timedelta(days=1))
    assert first_row.last_activity == now - timedelta(days=1)
    assert (won_row.stage, won_row.stage_kind, won_row.score, won_row.next_follow_up) == (
        "Won",
        "won",
        None,
        None,
    )
    assert won_row.weighted_value == pytest.approx(300_000)
    assert won_row.last_activity is None


def test_report_view_for_one_pipeline(db, now):
    add_pipeline("Renewals")
    add_prospect(now, "Sales deal", fields={"value": "100"})
    add_prospect(now, "Renewal deal", pipeline="Renewals", fields={"value": "200"})
    everything = views.report(now, SETTINGS)
    assert sum(s.count for s in everything.stages) == 2
    assert len(everything.stages) == 14
    renewals = views.report(now, SETTINGS, "renewals")
    assert {s.pipeline for s in renewals.stages} == {"Renewals"}
    assert sum(s.count for s in renewals.stages) == 1
    assert sum(s.value for s in renewals.stages) == 20_000


def test_a_prospect_has_the_same_score_on_the_board_in_its_detail_and_in_the_export(db, now):
    add_pipeline("Renewals")
    small = add_prospect(now, "Small", fields={"value": "1000"})
    large = add_prospect(now, "Large", fields={"value": "2000", "decision_maker": "yes"})
    for value in (5000, 6000, 7000):  # other open prospects, in another pipeline, rank the budgets too
        add_prospect(now, f"Renewal {value}", pipeline="Renewals", fields={"value": str(value)})
    board = {c.id: c.score for _, cards in read_board(now)[1] for c in cards}
    exported = {r.prospect.id: r.score for r in views.export_rows(now, SETTINGS)}
    for prospect in (small, large):
        detail = views.prospect_detail(prospect.id, now, SETTINGS).score.total
        assert board[prospect.id] == detail == exported[prospect.id], prospect.name


def _insert_from_another_connection(db_path) -> None:
    """Another program adds a prospect (and a follow-up) while a view is being read."""
    import sqlite3

    connection = sqlite3.connect(db_path)
    with connection:
        cursor = connection.execute(
            "INSERT INTO prospect (pipeline_id, stage_id, name, organization, contact, title, email, phone,"
            " decision_maker, urgency, source, notes, lost_reason, created_at, updated_at, stage_entered_at,"
            " archived) VALUES (1, 1, 'Sneaky', '', '', '', '', '', 'unknown', 'medium', '', '', '',"
            " '2026-11-26 09:00:00', '2026-11-26 09:00:00', '2026-11-26 09:00:00', 0)"
        )
        connection.execute(
            "INSERT INTO follow_up (prospect_id, kind, due_at, created_at, outcome, notes)"
            " VALUES (?, 'call', '2026-11-20 09:00:00', '2026-11-19 09:00:00', '', '')",
            (cursor.lastrowid,),
        )
    connection.close()


@pytest.mark.parametrize("view", ["export", "report"])
def test_views_read_one_consistent_state_while_another_program_writes(db, db_path, now, monkeypatch, view):
    from pipeline_tui.store import report as report_reads

    add_prospect(now, "Acme", fields={"value": "100"}, follow_up=(now, "call"))
    # the report reads its open follow-ups itself (store.report), before its prospects
    module, name = (
        (report_reads, "_open_follow_ups") if view == "report" else (queries, "load_open_follow_ups")
    )
    original = getattr(module, name)

    def meanwhile(*args, **kwargs):
        # the export's read of them all (not the scores worked out before it), the report's own
        if view == "report" or (args[0] if args else kwargs.get("ids")) is None:
            _insert_from_another_connection(db_path)
            monkeypatch.setattr(module, name, original)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, meanwhile)
    if view == "export":
        names = [r.prospect.name for r in views.export_rows(now, SETTINGS)]
    else:
        report = views.report(now, SETTINGS)
        names = ["Acme"] if sum(s.count for s in report.stages) == 1 else []
    assert names == ["Acme"], "what was read first decides; the rest comes next time"
    assert Prospect.select().count() == 2


def test_a_note_the_notes_have_no_room_for_says_that_the_notes_are_full(db, now):
    """A short note on full notes was refused as "notes is longer than 10,000 characters"."""
    from pipeline_tui.services.notes import add_note

    full = add_prospect(now, "Full notes", fields={"notes": "x" * 9_985})
    with pytest.raises(UserError) as refused:
        add_note(full.id, "call back on Monday", now)
    said = str(refused.value)
    assert "would be longer than 10,000 characters" in said and "hold 9,985 already" in said
    assert Prospect.get_by_id(full.id).notes == "x" * 9_985
    add_note(full.id, "ok", now)  # "\nYYYY-MM-DD: ok" still fits
    assert Prospect.get_by_id(full.id).notes.endswith(f"\n{now:%Y-%m-%d}: ok")
