"""Typed dates across daylight-saving changes: hours in real time, no time inside a gap.

The zones are pinned here (Europe/Madrid and America/New_York through zoneinfo); the machine's
own zone never enters the core.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline_tui.core.dates import DateError, DateRules, read_when
from pipeline_tui.core.zones import exists, settle

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = [
    MADRID,
    NEW_YORK,
    ZoneInfo("America/Havana"),
    ZoneInfo("Pacific/Apia"),
    ZoneInfo("Australia/Lord_Howe"),
]

# 2026: Madrid springs forward on 29 March at 02:00 and falls back on 25 October at 03:00;
# New York on 8 March at 02:00 and 1 November at 02:00
SPRING = {MADRID: datetime(2026, 3, 29), NEW_YORK: datetime(2026, 3, 8)}


def instant(local: datetime, zone) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


def on_the_clock(local: datetime, zone) -> bool:
    return instant(local, zone).astimezone(zone).replace(tzinfo=None) == local


@pytest.mark.parametrize("zone", [MADRID, NEW_YORK], ids=str)
def test_two_hours_from_half_past_one_on_a_spring_forward_night_is_half_past_four(zone):
    # found: 03:30, one real hour later
    now = SPRING[zone].replace(hour=1, minute=30)
    reading = read_when("in 2h", now, DateRules(zone=zone))
    assert reading.moment == SPRING[zone].replace(hour=4, minute=30)
    assert instant(reading.moment, zone) - instant(now, zone) == timedelta(hours=2)
    assert reading.skipped is None and reading.notes(now) == []


@pytest.mark.parametrize("zone", [MADRID, NEW_YORK], ids=str)
@pytest.mark.parametrize("typed", ["tomorrow 02:30", "tomorrow 2am", "tomorrow 02:00", "tomorrow 2:59am"])
def test_a_time_the_clocks_skip_moves_to_the_first_minute_after_and_says_so(zone, typed):
    # found: 02:30 was stored, a time that does not exist that night
    now = SPRING[zone] - timedelta(hours=10)  # the afternoon before
    reading = read_when(typed, now, DateRules(zone=zone))
    assert reading.moment == SPRING[zone].replace(hour=3)
    assert reading.skipped is not None and reading.skipped.hour == 2
    said = reading.notes(now)
    assert said == [
        f"{reading.skipped:%H:%M} does not exist that day (the clocks go forward): moved to 03:00"
    ]


def test_without_a_zone_there_is_no_daylight_saving():
    now = SPRING[MADRID].replace(hour=1, minute=30)
    assert read_when("in 2h", now).moment == SPRING[MADRID].replace(hour=3, minute=30)
    assert read_when("02:30", now) == (SPRING[MADRID].replace(hour=2, minute=30), None)


def test_an_hour_after_the_first_half_past_one_on_a_fall_back_night_is_the_second():
    now = datetime(2026, 11, 1, 1, 30)  # New York: 01:30 happens twice; now is the first
    later = read_when("+1h", now, DateRules(zone=NEW_YORK)).moment
    assert later == now and later.fold == 1
    assert instant(later, NEW_YORK) - instant(now, NEW_YORK) == timedelta(hours=1)
    assert read_when("+2h", now, DateRules(zone=NEW_YORK)).moment == datetime(2026, 11, 1, 2, 30)


def test_a_day_that_samoa_skipped_moves_to_the_next_one():
    # Pacific/Apia went from 29 December 2011 straight to the 31st
    reading = read_when("tomorrow", datetime(2011, 12, 29, 10, 0), DateRules(zone=ZoneInfo("Pacific/Apia")))
    assert reading.moment == datetime(2011, 12, 31, 0, 0)
    assert reading.skipped == datetime(2011, 12, 30, 9, 0)


def test_settle_leaves_existing_times_alone_and_takes_the_first_minute_after_a_gap():
    assert settle(datetime(2026, 3, 29, 1, 59), MADRID) == datetime(2026, 3, 29, 1, 59)
    assert settle(datetime(2026, 3, 29, 2, 0), MADRID) == datetime(2026, 3, 29, 3, 0)
    assert settle(datetime(2026, 3, 29, 2, 59, 59), MADRID) == datetime(2026, 3, 29, 3, 0)
    assert settle(datetime(2026, 3, 29, 3, 0), MADRID) == datetime(2026, 3, 29, 3, 0)
    assert not exists(datetime(2026, 3, 29, 2, 0), MADRID) and exists(datetime(2026, 3, 29, 2, 0), None)


# ---- properties ------------------------------------------------------------------------------

zones = st.sampled_from(ZONES)
# nows spread over years, and nows within a day of a change (where the mistakes live)
changes = st.sampled_from(
    [
        datetime(2026, 3, 29, 2),
        datetime(2026, 10, 25, 2),
        datetime(2026, 3, 8, 2),
        datetime(2026, 11, 1, 1),
        datetime(2011, 12, 30, 0),
        datetime(2026, 3, 8, 0),
    ]
)
near_changes = st.builds(
    lambda at, minutes: at + timedelta(minutes=minutes), changes, st.integers(-36 * 60, 36 * 60)
)
nows = st.one_of(near_changes, st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31)))
typed_dates = st.one_of(
    st.builds("+{}h".format, st.integers(-72, 72)),
    st.builds("in {} min".format, st.integers(0, 3000)),
    st.builds("+{}d".format, st.integers(-30, 30)),
    st.builds(
        "{} {:02d}:{:02d}".format,
        st.sampled_from(
            ["today", "tomorrow", "yesterday", "sun", "next sun", "+1d", "next week", "end of month"]
        ),
        st.integers(0, 23),
        st.integers(0, 59),
    ),
    st.sampled_from(
        ["now", "02:30", "tomorrow", "tomorrow morning", "tomorrow afternoon", "2026-03-29 02:30"]
    ),
)


@settings(max_examples=400, deadline=None)
@given(now=nows, zone=zones, hours=st.integers(-100, 100))
@example(now=datetime(2026, 3, 29, 1, 30), zone=MADRID, hours=2)
@example(now=datetime(2026, 11, 1, 0, 30), zone=NEW_YORK, hours=2)
def test_hour_offsets_are_exact_in_real_time_across_daylight_saving(now, zone, hours):
    start = now.replace(second=0, microsecond=0)
    moment = read_when(f"{hours:+d}h", now, DateRules(zone=zone)).moment
    assert instant(moment, zone) - instant(start, zone) == timedelta(hours=hours)


@settings(max_examples=400, deadline=None)
@given(now=nows, zone=zones, text=typed_dates)
@example(now=datetime(2026, 3, 28, 15, 0), zone=MADRID, text="tomorrow 02:30")
def test_no_parsed_time_is_inside_a_gap_and_a_moved_one_is_the_first_minute_after(now, zone, text):
    try:
        reading = read_when(text, now, DateRules(zone=zone))
    except DateError:
        return  # too far away, or a time that is no time: refused, not misplaced
    assert on_the_clock(reading.moment, zone), (text, reading)
    if reading.skipped is not None:
        assert not on_the_clock(reading.skipped, zone)
        assert not on_the_clock(reading.moment - timedelta(minutes=1), zone)
        assert reading.skipped < reading.moment <= reading.skipped + timedelta(days=1, minutes=1)
        assert reading.notes(now)[0].startswith(f"{reading.skipped:%H:%M} does not exist that day")
