"""Cadences, repeats and email templates: the pure rules behind follow-ups that run themselves."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline_tui.core.cadences import (
    DEFAULT_CADENCES,
    CadenceStep,
    NextStep,
    available,
    find_cadence,
    parse_cadence,
    parse_step,
    step_due,
)
from pipeline_tui.core.repeats import describe_repeat, next_occurrence, parse_repeat
from pipeline_tui.core.templates import (
    DEFAULT_TEMPLATES,
    EmailTemplate,
    fill,
    mailto,
    parse_template,
    value_for_email,
)
from pipeline_tui.errors import UserError

THU = datetime(2026, 11, 26, 15, 40)  # a Thursday afternoon
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1))


# -- cadences ---------------------------------------------------------------------------------


def test_the_default_cadences_are_three_and_all_valid():
    assert set(DEFAULT_CADENCES) == {"new-lead", "after-appointment", "trial"}
    for name, steps in DEFAULT_CADENCES.items():
        assert parse_cadence(name, list(steps)).steps == available({})[name].steps


def test_a_step_reads_kind_and_gap():
    assert parse_step("Email  +3d") == CadenceStep("email", "+3d")
    assert parse_step("info-request in 2 weeks") == CadenceStep("info-request", "in 2 weeks")


@pytest.mark.parametrize(
    "text, words",
    [
        ("phone +2d", "not a kind"),
        ("call", "give the gap"),
        ("call 2026-12-01", "a date, not a gap"),
        ("call -2d", "cannot come before"),
        ("call +2x", "could not read"),
        (3, "a step is text"),
    ],
)
def test_a_bad_step_is_refused_in_words(text, words):
    with pytest.raises(UserError, match=words):
        parse_step(text)


def test_a_cadence_needs_a_list_of_steps():
    with pytest.raises(UserError, match="must be a list of steps"):
        parse_cadence("x", "call +2d")
    with pytest.raises(UserError, match="must be a list of steps"):
        parse_cadence("x", [])
    with pytest.raises(UserError, match="x step 2"):
        parse_cadence("x", ["call +1d", "fax +1d"])


def test_config_cadences_join_and_replace_the_defaults():
    mine = parse_cadence("trial", ["call +1d"])
    found = available({"trial": mine, "after-demo": parse_cadence("after-demo", ["call +2d"])})
    assert found["trial"] is mine and "after-demo" in found and "new-lead" in found
    assert find_cadence(found, "After-Demo").name == "after-demo"
    with pytest.raises(UserError, match="no cadence named 'demo' .*after-demo"):
        find_cadence(found, "demo")


def test_a_day_gap_counts_from_the_moment_given():
    step = CadenceStep("email", "+3d")
    due = step_due(step, THU)
    assert due.date() == datetime(2026, 11, 30).date()  # Sunday → Monday
    assert due.weekday() == 0


def test_a_zero_gap_is_never_before_the_start():
    assert step_due(CadenceStep("call", "+0d"), THU) >= THU.replace(second=0)


@given(moments, st.sampled_from(["+0d", "+1d", "+2d", "+3d", "+5d", "+1w", "+4h", "in 2 weeks", "tomorrow"]))
def test_a_step_is_never_before_what_it_counts_from_nor_on_a_weekend(since, gap):
    due = step_due(CadenceStep("call", gap), since)
    assert due >= since.replace(second=0, microsecond=0)
    assert due.weekday() < 5
    assert due - since < timedelta(days=17)


def test_next_step_is_described_as_the_footer_says_it():
    step = NextStep("email", datetime(2026, 11, 27, 9, 0), 2, 3)
    assert step.describe(THU) == "next: email tomorrow 09:00, step 2 of 3"
    assert (
        NextStep("email", datetime(2026, 11, 30, 9), 2, 3).describe(THU)
        == "next: email Mon 09:00, step 2 of 3"
    )
    weekly = NextStep("call", datetime(2026, 12, 14, 9), repeat="every week")
    assert weekly.describe(THU) == "next: call Mon 14 Dec 09:00 (every week)"


# -- repeats ----------------------------------------------------------------------------------

MON = datetime(2026, 11, 30, 9, 0)


@pytest.mark.parametrize(
    "text, rule, words",
    [
        ("every week", "FREQ=WEEKLY;BYDAY=MO", "every week"),
        ("Every 2 Weeks", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "every 2 weeks"),
        ("every month", "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1", "every month"),
        ("every weekday", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday"),
        ("every day", "FREQ=DAILY", "every day"),
        ("every 3 months", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=28,29,30;BYSETPOS=-1", "every 3 months"),
        ("every thursday", "FREQ=WEEKLY;BYDAY=TH", "every week"),
        ("FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=WEEKLY;BYDAY=MO,TH", "every week on Mon, Thu"),
    ],
)
def test_repeats_read_as_rrules(text, rule, words):
    assert parse_repeat(text, MON) == rule
    assert describe_repeat(rule) == words


@pytest.mark.parametrize(
    "text", ["every", "every 0 weeks", "sometimes", "every 2 weekdays", "FREQ=HOURLY", "FREQ=WEEKLY;BYDAY=XX"]
)
def test_a_repeat_that_is_not_one_is_refused(text):
    with pytest.raises(UserError):
        parse_repeat(text, MON)


def test_the_next_occurrence_counts_from_the_due_time_not_the_done_time():
    rule = parse_repeat("every week", MON)
    done_late = MON + timedelta(days=1, hours=6)  # done on Tuesday afternoon
    assert next_occurrence(rule, MON, done_late) == MON + timedelta(days=7)
    done_early = MON - timedelta(days=3)
    assert next_occurrence(rule, MON, done_early) == MON + timedelta(days=7)
    # three weeks late: the next one still to come, on the series
    assert next_occurrence(rule, MON, MON + timedelta(days=20)) == MON + timedelta(days=21)


def test_a_snoozed_occurrence_returns_to_its_weekday():
    rule = parse_repeat("every week", MON)
    assert next_occurrence(rule, MON + timedelta(days=1), MON + timedelta(days=1)) == MON + timedelta(days=7)


def test_every_month_from_the_31st_falls_on_the_last_day_of_short_months():
    start = datetime(2027, 1, 31, 10, 0)
    rule = parse_repeat("every month", start)
    february = next_occurrence(rule, start, start)
    assert february == datetime(2027, 2, 28, 10, 0)
    assert next_occurrence(rule, february, february) == datetime(2027, 3, 31, 10, 0)


def test_a_series_with_an_end_ends():
    rule = parse_repeat("FREQ=WEEKLY;COUNT=1", MON)
    assert next_occurrence(rule, MON, MON) is None


@given(
    moments,
    st.timedeltas(min_value=timedelta(days=-60), max_value=timedelta(days=60)),
    st.sampled_from(["every week", "every 2 weeks", "every month", "every weekday", "every day"]),
)
def test_the_next_occurrence_is_to_come_and_on_the_series(due, done_after, text):
    due = due.replace(second=0, microsecond=0)
    rule = parse_repeat(text, due)
    done = due + done_after
    following = next_occurrence(rule, due, done)
    assert following > max(due, done.replace(second=0, microsecond=0))
    assert following.time() == due.time()
    if "week" in text and "weekday" not in text:
        assert following.weekday() == due.weekday()
    if text == "every weekday":
        assert following.weekday() < 5


# -- templates --------------------------------------------------------------------------------

VALUES = {"name": "Acme fleet", "first_name": "Jane", "me": "Ana", "email": "jane@acme.com"}


def test_a_template_fills_in_the_prospects_fields():
    template = parse_template("t", {"subject": "About {name}", "body": "Hi {first_name}, {{braces}}"})
    assert fill(template.subject, VALUES) == "About Acme fleet"
    assert fill(template.body, VALUES) == "Hi Jane, {braces}"
    assert fill("{stage}", VALUES) == ""


@pytest.mark.parametrize(
    ("cents", "currency", "home", "said"),
    [
        (150_000_000, "JPY", "EUR", "¥1,500,000"),  # as the pane says it, without the home worth
        (875_000, "", "EUR", "€8,750"),  # the home currency named too: the reader may count in another
        (875_000, "EUR", "EUR", "€8,750"),
        (1_200_000, "USD", "CAD", "USD 12,000"),  # "$" would read as the home dollar
        (1_200_000, "CHF", "EUR", "CHF 12,000"),
        (875_000, "", "", "8,750"),  # no currency anywhere: the plain amount
        (None, "JPY", "EUR", ""),
    ],
)
def test_a_templates_value_names_its_currency(cents, currency, home, said):
    assert value_for_email(cents, currency, home) == said


@pytest.mark.parametrize(
    "table, words",
    [
        ({"subject": "{name.__class__}"}, "not a field"),
        ({"subject": "{0}"}, "not a field"),
        ({"subject": "{name!r}"}, "not a field"),
        ({"body": "{unknown}"}, "not a field"),
        ({"body": "{name"}, "brace"),
        ({"subject": 3}, "text in quotes"),
        ({"cc": "x"}, "unknown key"),
        ("x", "must be a table"),
    ],
)
def test_a_template_reaching_past_the_fields_is_refused(table, words):
    with pytest.raises(UserError, match=words):
        parse_template("t", table)


def test_the_default_template_uses_known_fields_only():
    for name, template in DEFAULT_TEMPLATES.items():
        assert parse_template(name, template._asdict()) == template


@given(st.text(), st.text(), st.text())
def test_a_mailto_link_carries_the_text_exactly_and_adds_no_header(name, first, address):
    template = EmailTemplate("Re: {name}", "Hi {first_name}\n{name}")
    link = mailto(address, template, {"name": name, "first_name": first})
    assert not any(c in link for c in "\r\n \x00") and link.count("?") == 1 and link.count("&") == 1
    parts = urlsplit(link)
    query = parse_qs(parts.query, keep_blank_values=True)
    assert set(query) == {"subject", "body"}
    assert unquote(parts.path) == address.strip()
    assert query["subject"] == [f"Re: {name}"]
    expected = f"Hi {first}\n{name}".replace("\r\n", "\n").replace("\n", "\r\n")
    assert query["body"] == [expected]


def test_a_count_is_used_up_by_the_occurrences_done_and_skipped():
    """Each occurrence starts the series again at its own due time: a COUNT kept as it was
    came back forever (COUNT=2 done four times, four more). What is left of it goes on."""
    from pipeline_tui.core.repeats import rule_after

    rule = parse_repeat("FREQ=DAILY;COUNT=2", MON)
    second = next_occurrence(rule, MON, MON)
    assert second == MON + timedelta(days=1)
    assert rule_after(rule, MON, second) == "FREQ=DAILY;COUNT=1"
    assert next_occurrence("FREQ=DAILY;COUNT=1", second, second) is None
    # done three days late: the two skipped count, as the one done does
    five = parse_repeat("FREQ=DAILY;COUNT=5", MON)
    late = next_occurrence(five, MON, MON + timedelta(days=3, hours=1))
    assert late == MON + timedelta(days=4) and rule_after(five, MON, late) == "FREQ=DAILY;COUNT=1"
    assert next_occurrence(five, MON, MON + timedelta(days=4, hours=1)) is None
    # a snoozed occurrence (Tuesday) of a Monday series: only the one done is used
    weekly = "FREQ=WEEKLY;BYDAY=MO;COUNT=3"
    assert (
        rule_after(weekly, MON + timedelta(days=1), MON + timedelta(days=7)) == "FREQ=WEEKLY;BYDAY=MO;COUNT=2"
    )
