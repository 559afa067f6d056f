"""The 13 advice codes (README "The figures and the advice"): when each fires, when not,
exactly at its threshold, the order advice comes in, and what the messages say."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from core_factories import NOW, POSITION, STAGES, follow_up, lost, prospect, snapshot, won
from hypothesis import given
from hypothesis import strategies as st

from pipeline_tui.core.advice import (
    ALL_CODES,
    CLOCK_CODES,
    PIPELINE_CODES,
    PROSPECT_CODES,
    Advice,
    advice_groups,
    clock_phrase,
    listed_in_order,
    sort_advice,
)
from pipeline_tui.core.domain import History, Quota, Stage
from pipeline_tui.core.report import build_report
from pipeline_tui.core.settings import Settings, Thresholds

T = Thresholds()
H = timedelta(hours=1)
D = timedelta(days=1)
M = timedelta(minutes=1)

SPEC_CODES = {
    "confirm-decision-maker",
    "probe-budget",
    "probe-timeframe",
    "schedule-appointment",
    "answer-info-request",
    "send-reminder",
    "follow-up-after-appointment",
    "offer-trial",
    "stale",
    "cold-call-more",
    "research-and-presentations",
    "improve-closing",
    "behind-quota",
}


def advise(*prospects, thresholds=T, quota=None, stages=STAGES, now=NOW):
    snap = snapshot(prospects, now=now, quota=quota, stages=stages)
    return build_report(snap, Settings(thresholds=thresholds)).advice


def about(p, **kwargs):
    """The advice about one prospect, by code."""
    return {a.code: a for a in advise(p, **kwargs) if a.prospect_id == p.id}


def pipeline_codes(*prospects, **kwargs):
    return [a.code for a in advise(*prospects, **kwargs) if a.prospect_id is None]


def deal(stage="Qualified", **fields):
    """A prospect that, left alone, asks for nothing: budget, timeframe and decision maker known,
    touched yesterday."""
    defaults = dict(
        name="Acme deal",
        organization="Acme",
        contact="Jane Doe",
        value=500_000,
        expected_close=NOW.date() + timedelta(days=20),
        decision_maker="yes",
        history=History(last_activity=NOW - D),
    )
    if stage in ("Lead", "Qualified") and "follow_ups" not in fields:
        # a confirmed decision maker before Appointment would otherwise ask for a booking
        fields["follow_ups"] = [follow_up("appointment", NOW + 10 * D)]
    return prospect(stage=stage, **{**defaults, **fields})


def test_the_codes_are_the_thirteen_of_the_spec():
    assert set(ALL_CODES) == SPEC_CODES
    assert len(ALL_CODES) == 13


@pytest.mark.parametrize("stage", ["Lead", "Qualified", "Appointment", "Trial", "Proposal"])
def test_a_well_kept_deal_gets_no_advice(stage):
    assert about(deal(stage)) == {}


# ---- confirm-decision-maker (R2) -------------------------------------------------------------


@pytest.mark.parametrize(
    "who, contact, message",
    [
        # the contact whose role is still to be known is the one to ask
        (
            "unknown",
            "Jane Doe",
            "Confirm Jane Doe at Acme can decide before the appointment on Fri 27 Nov 14:00",
        ),
        # every contact is known not to decide (or the flag said no): someone else decides
        (
            "no",
            "Jane Doe",
            "Find who decides at Acme: Jane Doe cannot, before the appointment on Fri 27 Nov 14:00",
        ),
        ("unknown", "", "Find the decision maker at Acme, before the appointment on Fri 27 Nov 14:00"),
        ("no", "", "Find who decides at Acme, before the appointment on Fri 27 Nov 14:00"),
    ],
)
def test_confirm_decision_maker_before_a_scheduled_appointment(who, contact, message):
    p = deal(
        "Qualified",
        decision_maker=who,
        contact=contact,
        follow_ups=[follow_up("appointment", NOW + D + 4.5 * H)],
    )
    advice = about(p)["confirm-decision-maker"]
    assert advice.message == message
    assert advice.when == NOW + D + 4.5 * H


@pytest.mark.parametrize("stage", ["Appointment", "Trial", "Proposal"])
def test_confirm_decision_maker_from_the_appointment_stage_on(stage):
    p = deal(stage, decision_maker="unknown")
    assert about(p)["confirm-decision-maker"].message == (
        f"Confirm Jane Doe at Acme has authority to buy: the deal is in {stage} and nobody has confirmed it"
    )


def test_confirm_decision_maker_not_when_confirmed_or_too_early():
    assert "confirm-decision-maker" not in about(
        deal("Proposal", follow_ups=[follow_up("appointment", NOW + D)])
    )
    assert "confirm-decision-maker" not in about(deal("Qualified", decision_maker="unknown", follow_ups=[]))
    assert "confirm-decision-maker" not in about(deal("Lead", decision_maker="no", follow_ups=[]))


def test_confirm_decision_maker_follows_the_role_not_the_name():
    renamed = tuple(
        Stage(
            s.id,
            s.pipeline_id,
            "Meeting" if s.role == "appointment" else s.name,
            s.position,
            s.probability,
            s.kind,
            s.role,
        )
        for s in STAGES
    )
    p = deal(renamed[2], decision_maker="unknown")
    assert "the deal is in Meeting" in about(p, stages=renamed)["confirm-decision-maker"].message


# ---- probe-budget, probe-timeframe (R3) ------------------------------------------------------


def test_probe_budget_past_lead_without_a_value():
    advice = about(deal("Qualified", value=None))["probe-budget"]
    assert advice.message == (
        "Find out the budget of Acme (Jane Doe): ask what they spent on similar things before"
    )
    assert "probe-budget" in about(deal("Proposal", value=None))
    assert "probe-budget" not in about(deal("Lead", value=None))
    assert "probe-budget" not in about(deal("Qualified", value=0))  # a known budget of nothing


def test_probe_timeframe_past_lead_without_a_close_date():
    advice = about(deal("Appointment", expected_close=None))["probe-timeframe"]
    assert advice.message == (
        "Find out when Acme (Jane Doe) will decide: gauge their urgency and set an expected close date"
    )
    assert "probe-timeframe" in about(deal("Qualified", expected_close=None))
    assert "probe-timeframe" not in about(deal("Lead", expected_close=None))


# ---- schedule-appointment (R4) ---------------------------------------------------------------


@pytest.mark.parametrize("stage", ["Lead", "Qualified"])
def test_schedule_appointment_once_the_decision_maker_is_confirmed(stage):
    advice = about(deal(stage, follow_ups=[]))["schedule-appointment"]
    assert advice.message == "Book an appointment with Acme (Jane Doe): the decision maker is confirmed"


def test_schedule_appointment_not_when_booked_unconfirmed_or_already_there():
    assert "schedule-appointment" not in about(
        deal("Qualified", follow_ups=[follow_up("appointment", NOW + D)])
    )
    assert "schedule-appointment" not in about(deal("Qualified", decision_maker="unknown", follow_ups=[]))
    assert "schedule-appointment" not in about(deal("Appointment", follow_ups=[]))
    # another kind of follow-up is not an appointment
    assert "schedule-appointment" in about(deal("Qualified", follow_ups=[follow_up("call", NOW + D)]))


# ---- answer-info-request (R4) ----------------------------------------------------------------


def _info_request(created):
    return deal("Proposal", follow_ups=[follow_up("info-request", NOW + 2 * D, created=created)])


def test_answer_info_request_after_more_than_four_hours():
    assert "answer-info-request" not in about(_info_request(NOW - 4 * H))
    advice = about(_info_request(NOW - 4 * H - M))["answer-info-request"]
    assert (
        advice.message
        == "Answer the request for information from Acme (Jane Doe) now: they have waited 4 hours"
    )
    assert advice.when == NOW - 4 * H - M
    assert "they have waited 2 days" in about(_info_request(NOW - 50 * H))["answer-info-request"].message


def test_answer_info_request_threshold_is_configurable():
    assert "answer-info-request" not in about(_info_request(NOW - 3 * H))
    assert "answer-info-request" in about(
        _info_request(NOW - 3 * H), thresholds=Thresholds(info_request_hours=2)
    )


def test_only_info_requests_wait_for_an_answer():
    old_call = deal("Proposal", follow_ups=[follow_up("call", NOW + D, created=NOW - 10 * D)])
    assert "answer-info-request" not in about(old_call)


# ---- send-reminder (R4) ----------------------------------------------------------------------


def _appointment_in(delta, *others, history=None):
    follow_ups = [follow_up("appointment", NOW + delta), *others]
    return deal("Appointment", follow_ups=follow_ups, history=history or History(last_activity=NOW - D))


def test_send_reminder_for_an_appointment_within_36_hours():
    advice = about(_appointment_in(36 * H))["send-reminder"]
    assert (
        advice.message
        == "Call and email Acme (Jane Doe) a reminder about the appointment on Fri 27 Nov 21:30"
    )
    assert advice.when == NOW + 36 * H
    assert "send-reminder" in about(_appointment_in(0 * H))
    assert "send-reminder" not in about(_appointment_in(37 * H))
    assert "send-reminder" not in about(_appointment_in(36 * H + M))
    assert "send-reminder" not in about(_appointment_in(-H))  # already past


def test_send_reminder_window_is_configurable():
    assert "send-reminder" in about(_appointment_in(37 * H), thresholds=Thresholds(reminder_window_hours=48))
    assert "send-reminder" not in about(
        _appointment_in(30 * H), thresholds=Thresholds(reminder_window_hours=24)
    )


def test_a_contact_done_in_the_window_suppresses_the_reminder():
    # appointment in 24 hours: the window opened 12 hours ago; last_contact is the latest call,
    # email or reminder done
    done_in_window = History(last_activity=NOW - 12 * H, last_contact=NOW - 12 * H)
    done_before = History(last_activity=NOW - 12 * H - M, last_contact=NOW - 12 * H - M)
    assert "send-reminder" not in about(_appointment_in(24 * H, history=done_in_window))
    assert "send-reminder" in about(_appointment_in(24 * H, history=done_before))


@pytest.mark.parametrize("kind", ["reminder", "call", "email"])
def test_a_contact_due_in_the_window_suppresses_the_reminder(kind):
    assert "send-reminder" not in about(_appointment_in(24 * H, follow_up(kind, NOW + 20 * H)))
    assert "send-reminder" not in about(
        _appointment_in(24 * H, follow_up(kind, NOW - 12 * H))
    )  # overdue, in it
    assert "send-reminder" not in about(_appointment_in(24 * H, follow_up(kind, NOW + 24 * H)))
    assert "send-reminder" in about(_appointment_in(24 * H, follow_up(kind, NOW - 12 * H - M)))
    assert "send-reminder" in about(_appointment_in(24 * H, follow_up(kind, NOW + 24 * H + M)))  # after it


def test_other_follow_ups_do_not_count_as_a_reminder():
    assert "send-reminder" in about(_appointment_in(24 * H, follow_up("task", NOW + 20 * H)))
    assert "send-reminder" in about(_appointment_in(24 * H, follow_up("demo", NOW + 20 * H)))


# ---- follow-up-after-appointment (R4) --------------------------------------------------------


def test_follow_up_after_an_appointment_with_nothing_scheduled():
    met = History(last_activity=NOW - 2 * D, last_appointment_done=NOW - 2 * D)
    advice = about(deal("Appointment", follow_ups=[], history=met))["follow-up-after-appointment"]
    assert (
        advice.message
        == "Follow up with Acme (Jane Doe) after the appointment on Tue 24 Nov: nothing is scheduled"
    )
    assert advice.when == NOW - 2 * D


def test_no_follow_up_advice_when_something_is_scheduled_or_no_appointment_happened():
    met = History(last_activity=NOW - 2 * D, last_appointment_done=NOW - 2 * D)
    for scheduled in (follow_up("task", NOW + 5 * D), follow_up("call", NOW - 3 * D)):
        assert "follow-up-after-appointment" not in about(
            deal("Appointment", follow_ups=[scheduled], history=met)
        )
    assert "follow-up-after-appointment" not in about(deal("Appointment", follow_ups=[]))


# ---- offer-trial (R5) ------------------------------------------------------------------------


def _in_stage_for(delta, stage="Appointment", **fields):
    return deal(stage, created=NOW - 100 * D, stage_entered=NOW - delta, **fields)


def test_offer_trial_after_more_than_14_days_past_qualified():
    advice = about(_in_stage_for(15 * D))["offer-trial"]
    assert advice.message == "Offer Acme (Jane Doe) a free trial or demo: 15 days in Appointment without one"
    assert "offer-trial" not in about(_in_stage_for(14 * D))
    # days are whole days: 14 days and 23 hours is still 14 days
    assert "offer-trial" not in about(_in_stage_for(15 * D - M))
    assert "offer-trial" in about(_in_stage_for(30 * D, "Proposal"))


def test_no_trial_offer_before_qualified_is_passed_or_after_a_demo():
    assert "offer-trial" not in about(_in_stage_for(30 * D, "Qualified"))
    tried = History(last_activity=NOW - D, demo_or_trial=True)
    assert "offer-trial" not in about(_in_stage_for(30 * D, history=tried))
    for kind in ("demo", "trial"):
        assert "offer-trial" not in about(_in_stage_for(30 * D, follow_ups=[follow_up(kind, NOW + 3 * D)]))


def test_offer_trial_threshold_is_configurable():
    seven = Thresholds(offer_trial_after_days=7)
    assert "offer-trial" in about(_in_stage_for(8 * D), thresholds=seven)
    assert "offer-trial" not in about(_in_stage_for(7 * D), thresholds=seven)


# ---- stale -----------------------------------------------------------------------------------


def _idle(stage_entered_ago, last_activity_ago=None):
    history = History(last_activity=None if last_activity_ago is None else NOW - last_activity_ago)
    return deal("Qualified", created=NOW - 200 * D, stage_entered=NOW - stage_entered_ago, history=history)


def test_stale_after_more_than_21_days_without_activity_or_stage_change():
    advice = about(_idle(22 * D))["stale"]
    assert advice.message == "Revive or close Acme (Jane Doe): nothing has happened for 22 days"
    assert advice.when == NOW - 22 * D
    assert "stale" not in about(_idle(21 * D))
    assert "stale" not in about(_idle(22 * D - M))


def test_stale_counts_from_the_latest_activity_or_stage_change():
    assert "stale" not in about(_idle(60 * D, last_activity_ago=21 * D))
    assert about(_idle(60 * D, last_activity_ago=22 * D))["stale"].when == NOW - 22 * D
    assert about(_idle(30 * D, last_activity_ago=25 * D))["stale"].message.endswith("for 25 days")


def test_stale_threshold_is_configurable():
    thirty = Thresholds(stale_after_days=30)
    assert "stale" not in about(_idle(22 * D), thresholds=thirty)
    assert "stale" in about(_idle(31 * D), thresholds=thirty)


# ---- cold-call-more (R6) ---------------------------------------------------------------------


def test_cold_call_more_when_deals_are_late_and_no_appointment_is_near():
    advice = [a for a in advise(deal("Trial")) if a.code == "cold-call-more"]
    assert [a.message for a in advice] == [
        "Make more cold calls: 1 deal is close to a sale but no appointment is booked in the next 7 days"
    ]
    two = [a.message for a in advise(deal("Trial"), deal("Proposal")) if a.code == "cold-call-more"]
    assert two == [
        "Make more cold calls: 2 deals are close to a sale but no appointment is booked in the next 7 days"
    ]


def test_an_appointment_within_seven_days_anywhere_stops_cold_call_advice():
    late = deal("Trial")
    exactly = deal("Appointment", follow_ups=[follow_up("appointment", NOW + 7 * D)])
    beyond = deal("Appointment", follow_ups=[follow_up("appointment", NOW + 7 * D + M)])
    past = deal("Appointment", follow_ups=[follow_up("appointment", NOW - H)])
    assert "cold-call-more" not in pipeline_codes(late, exactly)
    assert "cold-call-more" in pipeline_codes(late, beyond)
    assert "cold-call-more" in pipeline_codes(late, past)
    assert "cold-call-more" not in pipeline_codes(deal("Appointment"))  # nothing late
    assert "cold-call-more" in pipeline_codes(
        late, exactly, thresholds=Thresholds(appointment_horizon_days=6)
    )


def _leads(count):
    return [deal("Lead", value=100_000, expected_close=NOW.date() + 2 * D) for _ in range(count)]


def test_cold_call_more_when_early_prospects_are_fewer_than_needed():
    # open mean value 100,000, win rate 0.10 (the lead stage's): one new prospect brings 10,000
    quota = Quota("month", 50_000)  # 2 leads expected 20,000: gap 30,000: 3 needed
    advice = [a for a in advise(*_leads(2), quota=quota) if a.code == "cold-call-more"]
    assert [a.message for a in advice] == [
        "Make more cold calls: only 2 early prospects against the 3 new ones the quota needs; the "
        "quota needs 3 new prospects by 30 Nov"  # 5 days left: all three this week
    ]
    # 3 leads expected 30,000: gap 30,000: 3 needed, 3 early: enough
    assert "cold-call-more" not in pipeline_codes(*_leads(3), quota=Quota("month", 60_000))
    assert "cold-call-more" not in pipeline_codes(*_leads(2))  # no quota, nothing needed


def test_cold_call_more_is_given_once_when_both_conditions_hold():
    codes = pipeline_codes(*_leads(2), deal("Trial", value=None), quota=Quota("month", 10_000_000))
    assert codes.count("cold-call-more") == 1


# ---- research-and-presentations (R6) ---------------------------------------------------------


def _with_appointments(*dues):
    return [deal("Appointment", follow_ups=[follow_up("appointment", NOW + due)]) for due in dues]


THREE_SOON = (D, 3 * D, 7 * D)


def test_research_with_three_appointments_and_at_most_one_late_deal():
    advice = [a for a in advise(*_with_appointments(*THREE_SOON)) if a.code == "research-and-presentations"]
    assert [a.message for a in advice] == [
        "Cut cold calls: 3 appointments in the next 7 days and 0 deals near closing; "
        "spend the time on research and polishing presentations"
    ]
    one_late = [
        a for a in advise(*_with_appointments(*THREE_SOON), deal("Trial")) if a.code.startswith("research")
    ]
    assert "and 1 deal near closing" in one_late[0].message


def test_no_research_advice_with_fewer_appointments_or_more_late_deals():
    assert "research-and-presentations" not in pipeline_codes(*_with_appointments(D, 3 * D))
    assert "research-and-presentations" not in pipeline_codes(*_with_appointments(D, 3 * D, 7 * D + M))
    assert "research-and-presentations" not in pipeline_codes(*_with_appointments(D, 3 * D, -H))
    assert "research-and-presentations" not in pipeline_codes(
        *_with_appointments(*THREE_SOON), deal("Trial"), deal("Proposal")
    )


def test_appointments_on_one_prospect_count_each():
    busy = deal("Qualified", follow_ups=[follow_up("appointment", NOW + due) for due in THREE_SOON])
    assert "research-and-presentations" in pipeline_codes(busy)


def test_research_thresholds_are_configurable():
    assert "research-and-presentations" not in pipeline_codes(
        *_with_appointments(*THREE_SOON), thresholds=Thresholds(research_min_appointments=4)
    )
    assert "research-and-presentations" in pipeline_codes(
        *_with_appointments(*THREE_SOON),
        deal("Trial"),
        deal("Proposal"),
        thresholds=Thresholds(research_max_late_stage=2),
    )


# ---- improve-closing (R8) --------------------------------------------------------------------


def _closed_after_appointment(won_count, lost_count):
    reached = History(furthest_position=POSITION["Appointment"])
    return [won(100_000, NOW - 10 * D, history=reached) for _ in range(won_count)] + [
        lost(100_000, NOW - 10 * D, history=reached) for _ in range(lost_count)
    ]


def test_improve_closing_with_five_closed_and_a_rate_below_a_quarter():
    advice = [a for a in advise(*_closed_after_appointment(1, 4)) if a.code == "improve-closing"]
    assert [a.message for a in advice] == [
        "Work on closing: only 20% of the 5 prospects who had an appointment bought"
    ]
    assert "improve-closing" not in pipeline_codes(*_closed_after_appointment(2, 6))  # exactly 0.25
    assert "improve-closing" not in pipeline_codes(*_closed_after_appointment(0, 4))  # too few closed


def test_closed_prospects_that_never_had_an_appointment_do_not_count():
    never = [lost(1, NOW - D, history=History(furthest_position=POSITION["Qualified"])) for _ in range(5)]
    assert "improve-closing" not in pipeline_codes(*_closed_after_appointment(0, 4), *never)


def test_improve_closing_thresholds_are_configurable():
    assert "improve-closing" in pipeline_codes(
        *_closed_after_appointment(2, 6), thresholds=Thresholds(improve_closing_below_rate=0.3)
    )
    assert "improve-closing" in pipeline_codes(
        *_closed_after_appointment(0, 4), thresholds=Thresholds(improve_closing_min_closed=4)
    )


# ---- behind-quota (R1) -----------------------------------------------------------------------


def test_behind_quota_only_with_a_quota_and_a_gap():
    on_target = won(1_000_000, NOW - D)
    assert "behind-quota" not in pipeline_codes(on_target, quota=Quota("month", 1_000_000))
    assert "behind-quota" not in pipeline_codes(on_target)
    short = won(999_999, NOW - D)
    advice = [a for a in advise(short, quota=Quota("month", 1_000_000)) if a.code == "behind-quota"]
    assert [a.message for a in advice] == [
        "You are 1 short of the month's quota of 10,000 after what is won and expected: "
        "find about 1 new prospect"
    ]


def test_behind_quota_counts_what_is_expected_too():
    assert "behind-quota" not in pipeline_codes(
        deal("Trial", value=1_000_000), quota=Quota("quarter", 600_000)
    )
    advice = [
        a
        for a in advise(deal("Trial", value=1_000_000), quota=Quota("quarter", 2_600_000))
        if a.code == "behind-quota"
    ]
    # 2,600,000 - 600,000 = 2,000,000 cents short; the open mean 1,000,000 at 0.10: 20 new prospects
    assert advice[0].message == (
        "You are 20,000 short of the quarter's quota of 26,000 after what is won and expected: "
        "find about 20 new prospects"
    )


def test_behind_quota_without_anything_to_average_still_says_find_new_prospects():
    advice = [a for a in advise(quota=Quota("year", 100_000)) if a.code == "behind-quota"]
    assert advice[0].message.endswith("after what is won and expected: find new prospects")


# ---- order and shape -------------------------------------------------------------------------


def test_advice_order_is_pipeline_first_then_by_code_priority_then_time_then_id():
    quota = Quota("month", 10_000_000)
    waiting = deal("Proposal", id=40, follow_ups=[follow_up("info-request", NOW + D, created=NOW - 5 * H)])
    old = deal(
        "Qualified", id=30, value=None, stage_entered=NOW - 30 * D, created=NOW - 40 * D, history=History()
    )
    newer = deal("Qualified", id=20, value=None, stage_entered=NOW - 2 * D)
    twin = deal("Qualified", id=10, value=None, stage_entered=NOW - 2 * D)
    late = deal("Trial", id=50)
    closed = _closed_after_appointment(1, 4)
    found = advise(waiting, old, newer, twin, late, *closed, quota=quota)
    assert [(a.code, a.prospect_id) for a in found] == [
        ("behind-quota", None),
        ("cold-call-more", None),
        ("improve-closing", None),
        ("answer-info-request", 40),
        ("probe-budget", 30),  # waiting since 30 days
        ("probe-budget", 10),  # since 2 days, the lower id first
        ("probe-budget", 20),
        ("stale", 30),
    ]
    shuffled = found[:]
    random.Random(7).shuffle(shuffled)
    assert sort_advice(shuffled) == found


def test_the_order_keys_follow_the_code_tables():
    assert PIPELINE_CODES[0] == "behind-quota"
    assert PROSPECT_CODES.index("answer-info-request") < PROSPECT_CODES.index("send-reminder")
    assert PROSPECT_CODES.index("send-reminder") < PROSPECT_CODES.index("stale")


def _triggering(code):
    """A prospect that draws ``code`` (among others, maybe)."""
    return {
        "confirm-decision-maker": deal("Appointment", decision_maker="unknown"),
        "probe-budget": deal("Qualified", value=None),
        "probe-timeframe": deal("Qualified", expected_close=None),
        "schedule-appointment": deal("Qualified", follow_ups=[]),
        "answer-info-request": _info_request(NOW - 5 * H),
        "send-reminder": _appointment_in(20 * H),
        "follow-up-after-appointment": deal(
            "Appointment",
            follow_ups=[],
            history=History(last_activity=NOW - D, last_appointment_done=NOW - D),
        ),
        "offer-trial": _in_stage_for(20 * D),
        "stale": _idle(40 * D),
    }[code]


VERBS = {
    "confirm-decision-maker": "Confirm ",
    "probe-budget": "Find out the budget",
    "probe-timeframe": "Find out when",
    "schedule-appointment": "Book an appointment",
    "answer-info-request": "Answer the request",
    "send-reminder": "Call and email",
    "follow-up-after-appointment": "Follow up",
    "offer-trial": "Offer ",
    "stale": "Revive or close",
}


@pytest.mark.parametrize("code", PROSPECT_CODES)
def test_prospect_advice_names_the_prospect_and_says_what_to_do(code):
    p = _triggering(code)
    advice = about(p)[code]
    assert advice.prospect_id == p.id
    assert advice.prospect == "Acme deal"
    assert "Acme" in advice.message
    assert advice.message.startswith(VERBS[code])


def test_a_prospect_without_organization_is_named_by_its_name():
    p = deal("Qualified", value=None, organization="", contact="", name="Globex renewal")
    assert "Globex renewal" in about(p)["probe-budget"].message


def test_pipeline_advice_names_no_prospect():
    found = advise(deal("Trial"), *_closed_after_appointment(1, 4), quota=Quota("month", 10**9))
    pipeline = [a for a in found if a.code in PIPELINE_CODES]
    assert {a.code for a in pipeline} == {"behind-quota", "cold-call-more", "improve-closing"}
    assert all(a.prospect_id is None and a.prospect is None for a in pipeline)


def test_closed_prospects_get_no_prospect_advice():
    stale_lost = lost(None, NOW - 100 * D, stage_entered=NOW - 100 * D, created=NOW - 200 * D)
    assert about(stale_lost) == {}


# ---- issue 20: rotting limits, snoozes, the number to call, advice at scale -------------------


def _advise_with(*prospects, limits, now=NOW):
    from pipeline_tui.core.advice import prospect_advice

    return prospect_advice(snapshot(prospects, now=now), T, limits=limits)


def test_stale_uses_its_stage_rotting_limit_and_says_it():
    from pipeline_tui.core.aging import RottingLimit

    p = _idle(9 * D)  # Qualified, idle 9 days
    q = STAGES[1]
    assert [a.code for a in _advise_with(p, limits={q.id: RottingLimit(8, "history")})] == ["stale"]
    (advice,) = _advise_with(p, limits={q.id: RottingLimit(8, "history")})
    assert advice.message == (
        "Revive or close Acme (Jane Doe): nothing has happened for 9 days (Qualified deals go stale after 8)"
    )
    assert _advise_with(p, limits={q.id: RottingLimit(9, "config")}) == []  # 9 days: not past 9
    assert _advise_with(p, limits={}) == []  # else stale_after_days, 21


def test_a_deal_snoozed_with_a_reason_is_not_stale_until_it_wakes():
    snoozed = _idle(40 * D)._replace(snoozed_until=NOW + 3 * D, snooze_reason="budget opens in January")
    assert "stale" not in about(snoozed)
    assert "stale" in about(snoozed._replace(snooze_reason=""))  # a snooze must say why
    assert "stale" in about(snoozed, now=NOW + 3 * D)  # woken


def test_an_edit_counts_as_something_happening():
    assert "stale" not in about(_idle(40 * D)._replace(updated=NOW - 2 * D))


def test_cold_call_more_says_how_many_new_prospects_a_week():
    # a quarter's quota of 500,000; 36 days left; leads of 100,000 at 0.10: one brings 10,000
    advice = [a for a in advise(*_leads(2), quota=Quota("quarter", 500_000)) if a.code == "cold-call-more"]
    # gap 500,000 - 20,000 expected = 480,000: 48 needed, 48 x 7 / 36 = 9.33: 10 a week
    assert [a.message for a in advice] == [
        "Make more cold calls: only 2 early prospects against the 48 new ones the quota needs; the "
        "quota needs 10 new prospects a week until 31 Dec"
    ]


def test_within_a_code_the_most_valuable_deal_comes_first():
    small = deal("Qualified", id=1, value=None, stage_entered=NOW - 30 * D)
    big = deal("Qualified", id=2, value=None, stage_entered=NOW - 2 * D, probability=0.5)
    big = big._replace(value=None)
    # both lack a budget: equal weight (nothing), so the one waiting longest first
    assert [a.prospect_id for a in advise(small, big) if a.code == "probe-budget"] == [1, 2]
    timeframe = [
        deal("Qualified", id=3, expected_close=None, value=10_000),  # 2,500 weighted
        deal("Qualified", id=4, expected_close=None, value=100_000),  # 25,000
        deal("Proposal", id=5, expected_close=None, value=20_000),  # 15,000
    ]
    found = [a for a in advise(*timeframe) if a.code == "probe-timeframe"]
    assert [(a.prospect_id, a.value) for a in found] == [(4, 25_000), (5, 15_000), (3, 2_500)]


def test_advice_groups_count_each_code_with_the_weighted_value_it_names():
    from pipeline_tui.core.advice import advice_groups

    found = advise(
        deal("Qualified", id=3, expected_close=None, value=10_000),
        deal("Proposal", id=5, expected_close=None, value=20_000),
        quota=Quota("month", 10**9),
    )
    groups = advice_groups(found)
    assert [(g.code, g.count) for g in groups] == [
        ("behind-quota", 1),
        ("cold-call-more", 1),  # a deal in Proposal, no appointment soon
        ("probe-timeframe", 2),
    ]
    assert groups[0].value is None and groups[1].value is None  # about the whole pipeline
    assert groups[2].value == 2_500 + 15_000
    assert sum(g.count for g in groups) == len(found)


@pytest.mark.parametrize("seed", range(5))
def test_sort_advice_keeps_the_order_of_the_order_key(seed):
    rng = random.Random(seed)
    pieces = [
        Advice(
            rng.choice(PROSPECT_CODES),
            "m",
            rng.randrange(1, 30),
            "p",
            NOW - D * rng.randrange(0, 3),
            float(rng.choice([0, 0, 100, 250])),
        )
        for _ in range(200)
    ] + [Advice(code, "m") for code in rng.sample(PIPELINE_CODES, 3)]
    assert sort_advice(pieces) == sorted(pieces, key=lambda a: a.order)


# -- the report's advice as plain values: stored pieces in order, those worked out put in place --

_VALUES = st.sampled_from([0.0, 1.5, 250.0, 1e9])  # few: ties on value, and on value and moment
_WHENS = st.sampled_from([NOW - 40 * D, NOW - 3 * D - 5 * H, NOW - 3 * D - 5 * H + timedelta(microseconds=1)])
_PIECES = st.lists(
    st.tuples(st.sampled_from(PROSPECT_CODES), st.integers(1, 60), _VALUES, _WHENS, st.booleans()),
    max_size=40,
    unique_by=lambda piece: (piece[0], piece[1]),  # one piece per prospect and code, as stored
)


@given(_PIECES, st.booleans())
def test_listed_in_order_is_the_sorted_advice_as_plain_values(pieces, unknown):
    """Stored rows (when as the SQLite text, in the SQL order) merged with the pieces worked out
    again give the pieces and groups ``sort_advice`` and ``advice_groups`` give; a stored code
    no rule says is passed over."""
    rows, worked, whole = [], [], []
    for code, pid, value, when, stored in pieces:
        tail = f" (at {pid})" if code in CLOCK_CODES else ""
        message = f"Do {code} for #{pid}"
        worded = message + clock_phrase(code, when, NOW) + tail if code in CLOCK_CODES else message
        piece = Advice(code, worded, pid, f"P{pid} [bold]", when, value)
        whole.append(piece)
        if stored:
            rows.append((pid, piece.prospect, code, message, str(when), tail, value))
        else:
            worked.append(piece)
    rows.sort(key=lambda row: (PROSPECT_CODES.index(row[2]), -row[6], row[4], row[0]))
    if unknown:
        rows.insert(0, (99, "x", "not-a-code", "?", str(NOW), "", 1.0))
    listed, groups = listed_in_order(iter(rows), worked, NOW)
    expected = sort_advice(whole)
    assert listed == [(a.code, a.message, a.prospect_id, a.prospect) for a in expected]
    assert groups == advice_groups(expected)
