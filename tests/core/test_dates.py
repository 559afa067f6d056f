"""The natural date grammar (README "Dates"), relative to pinned nows, and its refusals."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_tui.core.dates import DateError, DateRules, describe_due, parse_day, parse_iso, parse_when
from pipeline_tui.errors import UserError

THU = datetime(2026, 11, 26, 9, 30)  # a Thursday
SUN = datetime(2026, 11, 29, 18, 45)  # a Sunday evening
JAN31 = datetime(2026, 1, 31, 12, 0)  # a month end before a short February
LEAP_JAN31 = datetime(2028, 1, 31, 8, 15)  # ... before a leap February
MAR31 = datetime(2026, 3, 31, 16, 0)
YEAR_END = datetime(2026, 12, 31, 23, 50)


def test_the_pinned_nows_are_the_weekdays_the_tests_assume():
    assert THU.strftime("%A") == "Thursday"
    assert SUN.strftime("%A") == "Sunday"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the six forms the README names first
        ("tomorrow 10:00", datetime(2026, 11, 27, 10, 0)),
        ("+3d", datetime(2026, 11, 29, 9, 0)),
        ("in 2 weeks", datetime(2026, 12, 10, 9, 0)),
        ("next tue", datetime(2026, 12, 1, 9, 0)),
        ("fri 14:00", datetime(2026, 11, 27, 14, 0)),
        ("2026-12-01 09:30", datetime(2026, 12, 1, 9, 30)),
        # day words: 09:00 unless a time is given
        ("today", datetime(2026, 11, 26, 9, 0)),
        ("today 15:45", datetime(2026, 11, 26, 15, 45)),
        ("tomorrow", datetime(2026, 11, 27, 9, 0)),
        ("tomorrow at 2pm", datetime(2026, 11, 27, 14, 0)),
        ("tmrw 8am", datetime(2026, 11, 27, 8, 0)),
        ("yesterday", datetime(2026, 11, 25, 9, 0)),
        ("now", datetime(2026, 11, 26, 9, 30)),
        # day, week and month offsets land at the working hour; hours and minutes keep the minute
        ("-1w", datetime(2026, 11, 19, 9, 0)),
        ("+2h", datetime(2026, 11, 26, 11, 30)),
        ("+90min", datetime(2026, 11, 26, 11, 0)),
        ("in 3 hours", datetime(2026, 11, 26, 12, 30)),
        ("3d", datetime(2026, 11, 29, 9, 0)),
        ("+3 days", datetime(2026, 11, 29, 9, 0)),
        ("in 1 day", datetime(2026, 11, 27, 9, 0)),
        ("in 3 months", datetime(2027, 2, 26, 9, 0)),
        ("+1m", datetime(2026, 12, 26, 9, 0)),
        ("in -2 days", datetime(2026, 11, 24, 9, 0)),
        ("+0d", datetime(2026, 11, 26, 9, 0)),
        # ... unless a time follows them
        ("+3d 10am", datetime(2026, 11, 29, 10, 0)),
        ("in 2 weeks 14:00", datetime(2026, 12, 10, 14, 0)),
        ("-3 days 9am", datetime(2026, 11, 23, 9, 0)),
        # weekdays: the first such day after today, "next" or not
        ("tue", datetime(2026, 12, 1, 9, 0)),
        ("wed", datetime(2026, 12, 2, 9, 0)),
        ("thu", datetime(2026, 12, 3, 9, 0)),  # on a Thursday: next week, not today
        ("next thu", datetime(2026, 12, 3, 9, 0)),
        ("thursday", datetime(2026, 12, 3, 9, 0)),
        ("fri", datetime(2026, 11, 27, 9, 0)),
        ("next fri", datetime(2026, 11, 27, 9, 0)),
        ("friday at 2:30pm", datetime(2026, 11, 27, 14, 30)),
        ("monday 10am", datetime(2026, 11, 30, 10, 0)),
        ("sun", datetime(2026, 11, 29, 9, 0)),
        # bare times: today
        ("10am", datetime(2026, 11, 26, 10, 0)),
        ("2:30pm", datetime(2026, 11, 26, 14, 30)),
        ("14:00", datetime(2026, 11, 26, 14, 0)),
        ("8:05", datetime(2026, 11, 26, 8, 5)),
        ("12am", datetime(2026, 11, 26, 0, 0)),
        ("12pm", datetime(2026, 11, 26, 12, 0)),
        ("11:59pm", datetime(2026, 11, 26, 23, 59)),
        # absolute dates (no time: 09:00)
        ("2026-12-01", datetime(2026, 12, 1, 9, 0)),
        ("2026-12-01T16:15", datetime(2026, 12, 1, 16, 15)),
        ("1 dec 2026", datetime(2026, 12, 1, 9, 0)),
        ("dec 1", datetime(2026, 12, 1, 9, 0)),
        ("2027-03-15 17:00", datetime(2027, 3, 15, 17, 0)),
        # case and spacing do not matter
        ("  Tomorrow    10:00 ", datetime(2026, 11, 27, 10, 0)),
        ("NEXT TUE", datetime(2026, 12, 1, 9, 0)),
        ("In 2 Weeks", datetime(2026, 12, 10, 9, 0)),
        # next week: its Monday; morning and afternoon; the month's last day
        ("next week", datetime(2026, 11, 30, 9, 0)),
        ("next week 14:30", datetime(2026, 11, 30, 14, 30)),
        ("tomorrow morning", datetime(2026, 11, 27, 9, 0)),
        ("tomorrow afternoon", datetime(2026, 11, 27, 14, 0)),
        ("this afternoon", datetime(2026, 11, 26, 14, 0)),
        ("this morning", datetime(2026, 11, 26, 9, 0)),
        ("fri afternoon", datetime(2026, 11, 27, 14, 0)),
        ("+3d morning", datetime(2026, 11, 29, 9, 0)),
        ("end of month", datetime(2026, 11, 30, 9, 0)),
        ("end of the month", datetime(2026, 11, 30, 9, 0)),
        ("End of month 17:00", datetime(2026, 11, 30, 17, 0)),
        # numeric dates that read one way only need no date_order
        ("25/04/2027", datetime(2027, 4, 25, 9, 0)),
        ("04/25/2027 10:00", datetime(2027, 4, 25, 10, 0)),
        ("25.04.2027 afternoon", datetime(2027, 4, 25, 14, 0)),
        ("4/4/2027", datetime(2027, 4, 4, 9, 0)),  # both readings are the same day
        ("2027/04/03", datetime(2027, 4, 3, 9, 0)),  # year first: always year, month, day
        ("2026-12-01 09:30:59", datetime(2026, 12, 1, 9, 30)),
        ("31/12", datetime(2026, 12, 31, 9, 0)),
    ],
)
def test_grammar_on_a_thursday(text, expected):
    assert parse_when(text, THU) == expected


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # Sunday evening
        (SUN, "mon", datetime(2026, 11, 30, 9, 0)),
        (SUN, "next mon", datetime(2026, 11, 30, 9, 0)),
        (SUN, "sun", datetime(2026, 12, 6, 9, 0)),
        (SUN, "sat 11:00", datetime(2026, 12, 5, 11, 0)),
        (SUN, "tomorrow", datetime(2026, 11, 30, 9, 0)),
        (SUN, "+2h", datetime(2026, 11, 29, 20, 45)),
        (SUN, "+6h", datetime(2026, 11, 30, 0, 45)),
        (SUN, "now", SUN),
        # month ends: relativedelta clamps to the last day of a shorter month
        (JAN31, "in 1 month", datetime(2026, 2, 28, 9, 0)),
        (JAN31, "+1m", datetime(2026, 2, 28, 9, 0)),
        (JAN31, "in 2 months", datetime(2026, 3, 31, 9, 0)),
        (JAN31, "in 3 months", datetime(2026, 4, 30, 9, 0)),
        (JAN31, "end of month", datetime(2026, 1, 31, 9, 0)),
        (LEAP_JAN31, "in 1 month", datetime(2028, 2, 29, 9, 0)),
        (datetime(2028, 2, 3, 10, 0), "end of month", datetime(2028, 2, 29, 9, 0)),
        (MAR31, "-1m", datetime(2026, 2, 28, 9, 0)),
        (MAR31, "in 3 months", datetime(2026, 6, 30, 9, 0)),
        (datetime(2026, 11, 30, 10, 0), "in 3 months", datetime(2027, 2, 28, 9, 0)),
        (datetime(2026, 10, 31, 10, 0), "in 3 months", datetime(2027, 1, 31, 9, 0)),
        # next week from a Sunday is tomorrow's week
        (SUN, "next week", datetime(2026, 11, 30, 9, 0)),
        (datetime(2026, 11, 30, 8, 0), "next week", datetime(2026, 12, 7, 9, 0)),
        # the turn of the year
        (YEAR_END, "tomorrow", datetime(2027, 1, 1, 9, 0)),
        (YEAR_END, "+2h", datetime(2027, 1, 1, 1, 50)),
        (YEAR_END, "+1d", datetime(2027, 1, 1, 9, 0)),
        (YEAR_END, "in 2 weeks", datetime(2027, 1, 14, 9, 0)),
        (YEAR_END, "end of month", datetime(2026, 12, 31, 9, 0)),
        (YEAR_END, "fri", datetime(2027, 1, 1, 9, 0)),
        (YEAR_END, "14:00", datetime(2026, 12, 31, 14, 0)),
    ],
)
def test_grammar_relative_to_other_nows(now, text, expected):
    assert parse_when(text, now) == expected


def test_seconds_of_now_are_dropped():
    now = datetime(2026, 11, 26, 9, 30, 45, 123456)
    assert parse_when("now", now) == datetime(2026, 11, 26, 9, 30)
    assert parse_when("+1h", now) == datetime(2026, 11, 26, 10, 30)


WEEKDAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.mark.parametrize("offset", range(7))
@pytest.mark.parametrize("index", range(7))
@pytest.mark.parametrize("prefix", ["", "next "])
def test_a_weekday_is_always_the_first_such_day_after_today(offset, index, prefix):
    now = THU + timedelta(days=offset)
    result = parse_when(prefix + WEEKDAY_NAMES[index], now)
    ahead = (result.date() - now.date()).days
    assert 1 <= ahead <= 7
    assert result.weekday() == index
    assert result.time() == datetime.min.time().replace(hour=9)


@pytest.mark.parametrize("text", ["blah", "+3x", "next blursday", "2026-13-45", "32/01", "12/31/26", "soon"])
def test_nonsense_is_refused_naming_the_input(text):
    with pytest.raises(DateError) as caught:
        parse_when(text, THU)
    assert repr(text) in str(caught.value)
    assert isinstance(caught.value, UserError)


def test_an_impossible_time_names_the_time_and_the_input():
    with pytest.raises(DateError) as caught:
        parse_when("tomorrow 25:00", THU)
    message = str(caught.value)
    assert "'tomorrow 25:00'" in message
    assert "'25:00'" in message


@pytest.mark.parametrize("text", ["fri 9:75", "today 13pm", "+3d 24:00", "tomorrow 24", "fri at noonish"])
def test_a_bad_time_after_a_good_day_is_refused(text):
    with pytest.raises(DateError, match="could not read the time"):
        parse_when(text, THU)


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_input_is_refused_with_examples(text):
    with pytest.raises(DateError) as caught:
        parse_when(text, THU)
    assert "no date given" in str(caught.value)
    assert "tomorrow 10:00" in str(caught.value)


def test_a_year_must_be_written_in_full_even_in_the_year_it_would_mean():
    # dateutil reads "32/01" as January 2032; in 2032 that would look right, and still is refused
    with pytest.raises(DateError, match="'32/01'"):
        parse_when("32/01", datetime(2032, 5, 5, 9, 0))


def test_parse_day_gives_the_calendar_day():
    assert parse_day("in 2 weeks", THU) == date(2026, 12, 10)
    assert parse_day("2027-01-15", THU) == date(2027, 1, 15)
    with pytest.raises(DateError):
        parse_day("blah", THU)


# ---- parse_iso -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", datetime(2026, 12, 1, 0, 0)),
        (" 2026-12-01 ", datetime(2026, 12, 1, 0, 0)),
        ("2026-12-01 14:30", datetime(2026, 12, 1, 14, 30)),
        ("2026-12-01T14:30", datetime(2026, 12, 1, 14, 30)),
        ("2026-12-01 14:30:15", datetime(2026, 12, 1, 14, 30, 15)),
        # a zone is dropped, the wall-clock time kept (times are local: README "Dates")
        ("2026-12-01T14:30:00+02:00", datetime(2026, 12, 1, 14, 30)),
    ],
)
def test_parse_iso_reads_iso(text, expected):
    assert parse_iso(text) == expected
    assert parse_iso(text).tzinfo is None


@pytest.mark.parametrize(
    "text", ["", "2026-13-01", "2026-02-30", "12/01/2026", "tomorrow", "2026-12-01 25:00"]
)
def test_parse_iso_refuses_anything_else_naming_it(text):
    with pytest.raises(DateError) as caught:
        parse_iso(text, "created")
    message = str(caught.value)
    assert message.startswith("created ")
    assert repr(text) in message


# ---- describe_due ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "label"),
    [
        (datetime(2026, 11, 23, 10, 0), "3d overdue"),
        (datetime(2026, 11, 25, 23, 59), "1d overdue"),
        (datetime(2026, 11, 26, 8, 0), "today 08:00"),  # earlier today is still today
        (datetime(2026, 11, 26, 14, 0), "today 14:00"),
        (datetime(2026, 11, 27, 10, 0), "tomorrow 10:00"),
        (datetime(2026, 11, 30, 9, 0), "Mon 09:00"),
        (datetime(2026, 12, 2, 16, 30), "Wed 16:30"),  # six days ahead
        (datetime(2026, 12, 3, 9, 0), "Thu 03 Dec"),  # a week ahead
        (datetime(2026, 12, 31, 9, 0), "Thu 31 Dec"),
        (datetime(2027, 1, 5, 9, 0), "05 Jan 2027"),  # another year
    ],
)
def test_describe_due(due, label):
    assert describe_due(due, THU) == label


# ---- properties ------------------------------------------------------------------------------

nows = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31))

grammar_words = st.sampled_from(
    [
        "in",
        "next",
        "at",
        "+",
        "-",
        "d",
        "w",
        "m",
        "h",
        "min",
        "days",
        "weeks",
        "months",
        "tomorrow",
        "today",
        "yesterday",
        "now",
        "tue",
        "thu",
        "fri",
        "am",
        "pm",
        ":",
        "/",
        "-",
        ".",
        "2026",
        "12",
        "01",
        "31",
        "32",
        "99",
        "0",
        "25:00",
        "10:00",
        "2:30pm",
        "jan",
        "dec",
        "blursday",
        "x",
        " ",
    ]
)
near_grammar = st.lists(grammar_words, max_size=6).map(" ".join) | st.lists(grammar_words, max_size=6).map(
    "".join
)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40) | near_grammar, now=nows)
def test_parse_when_raises_nothing_but_date_error(text, now):
    try:
        result = parse_when(text, now)
    except DateError as error:
        assert isinstance(error, UserError)
        assert str(error)
    else:
        assert isinstance(result, datetime)


working_hours = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@settings(max_examples=200, deadline=None)
@given(count=st.integers(min_value=0, max_value=3650), now=nows, hour=working_hours)
def test_a_day_offset_lands_at_the_working_hour_an_hour_offset_keeps_the_minute(count, now, hour):
    rules = DateRules(working_hour=hour)
    start = now.replace(second=0, microsecond=0)
    at_work = datetime.combine(start.date(), hour)
    assert parse_when(f"+{count}d", now, rules) == at_work + timedelta(days=count)
    assert parse_when(f"in {count} days", now, rules) == at_work + timedelta(days=count)
    assert parse_when(f"-{count}d", now, rules) == at_work - timedelta(days=count)
    assert parse_when(f"+{count}w", now, rules) == at_work + timedelta(weeks=count)
    assert parse_when(f"+{count}m", now, rules).time() == hour
    assert parse_when(f"+{count}h", now, rules) == start + timedelta(hours=count)
    assert parse_when(f"in {count} min", now, rules) == start + timedelta(minutes=count)


@pytest.mark.parametrize("text", ["in 2 weeks", "+3d", "+14d", "in 1 month", "next week", "end of month"])
def test_relative_days_typed_just_after_midnight_do_not_keep_the_clock(text):
    # found in a real morning: a follow-up typed at 00:51 was due at 00:51
    assert parse_when(text, datetime(2026, 11, 26, 0, 51)).time() == datetime(2026, 1, 1, 9).time()
    assert parse_when(
        text, datetime(2026, 11, 26, 0, 51), DateRules(working_hour=time(8, 30))
    ).time() == time(8, 30)


def test_a_time_after_an_hour_offset_is_refused():
    with pytest.raises(DateError, match="after days"):
        parse_when("+2h 10:00", THU)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tomorrow 10", datetime(2026, 11, 27, 10, 0)),
        ("tomorrow at 10", datetime(2026, 11, 27, 10, 0)),
        ("in 2 weeks at 10:00", datetime(2026, 12, 10, 10, 0)),
        ("fri at 2pm", datetime(2026, 11, 27, 14, 0)),
    ],
)
def test_after_a_day_at_and_a_bare_hour_are_read(text, expected):
    assert parse_when(text, datetime(2026, 11, 26, 9, 30)) == expected


def test_a_huge_number_with_a_unit_is_refused_not_a_crash():
    # found by hypothesis: dateutil raises decimal.InvalidOperation on it
    with pytest.raises(DateError):
        parse_when("10000000000000000000000000000M", datetime(2026, 11, 26, 9, 30))


@given(now=nows)
def test_end_of_month_is_the_last_day_of_this_month(now):
    moment = parse_when("end of month", now)
    assert (moment.year, moment.month) == (now.year, now.month)
    assert (moment + timedelta(days=1)).day == 1 and moment.time() == time(9, 0)


@given(now=nows)
def test_next_week_is_the_monday_after_this_week(now):
    moment = parse_when("next week", now)
    assert moment.weekday() == 0 and 1 <= (moment.date() - now.date()).days <= 7


# -- dates as files write them ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "order", "moment", "has_time"),
    [
        ("2026-04-03", None, datetime(2026, 4, 3), False),
        ("2026-04-03 10:15:00", None, datetime(2026, 4, 3, 10, 15), True),
        ("2026-04-03T10:15", "MDY", datetime(2026, 4, 3, 10, 15), True),
        ("03/04/2026", "DMY", datetime(2026, 4, 3), False),
        ("03/04/2026", "MDY", datetime(2026, 3, 4), False),
        ("25/04/2026 14:30", None, datetime(2026, 4, 25, 14, 30), True),
        ("04/25/2026 2:30 PM", None, datetime(2026, 4, 25, 14, 30), True),
        ("25.04.2026", "DMY", datetime(2026, 4, 25), False),
        ("Apr 3, 2026", None, datetime(2026, 4, 3), False),
        ("3 April 2026 10:00", None, datetime(2026, 4, 3, 10, 0), True),
    ],
)
def test_a_file_date_in_its_columns_order(text, order, moment, has_time):
    from pipeline_tui.core.dates import read_file_date

    assert read_file_date(text, order, THU) == (moment, has_time)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("03/04/2026", "could be 3 April 2026 or 4 March 2026"),
        ("03/04", "has no year"),
        ("tomorrow", "not a date"),
        ("next week", "not a date"),
        ("31/02/2026", "not a date"),
    ],
)
def test_a_file_date_that_only_a_guess_could_read_is_refused(text, words):
    from pipeline_tui.core.dates import read_file_date

    with pytest.raises(DateError, match=words):
        read_file_date(text, None, THU)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2100, 12, 31)),
    st.sampled_from(["DMY", "MDY"]),
)
def test_a_date_written_in_its_order_reads_back(moment, order):
    from pipeline_tui.core.dates import read_file_date

    moment = moment.replace(second=0, microsecond=0)
    day_first = order == "DMY"
    text = moment.strftime("%d/%m/%Y %H:%M" if day_first else "%m/%d/%Y %H:%M")
    assert read_file_date(text, order, THU) == (moment, True)
