"""config.toml's [locale] (date order, working hour) and the machine's zone at the entry point."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline_tui.config import date_rules, local_zone, parse_settings
from pipeline_tui.core.dates import DateRules
from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import UserError

PATH = Path("config.toml")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ({}, DateRules()),
        ({"date_order": "DMY"}, DateRules(order="DMY")),
        ({"date_order": "mdy"}, DateRules(order="MDY")),
        ({"date_order": "YMD", "working_hour": "8:30"}, DateRules(order="YMD", working_hour=time(8, 30))),
        ({"working_hour": "2pm"}, DateRules(working_hour=time(14, 0))),
        ({"working_hour": time(7, 45, 30)}, DateRules(working_hour=time(7, 45))),  # TOML's own time
    ],
)
def test_locale_settles_how_dates_read(locale, expected):
    assert parse_settings({"locale": locale}, PATH).dates == expected


@pytest.mark.parametrize(
    ("locale", "named"),
    [
        ({"date_order": "DDM"}, "locale.date_order"),
        ({"date_order": 1}, "locale.date_order"),
        ({"working_hour": "25:00"}, "locale.working_hour"),
        ({"working_hour": 9}, "locale.working_hour"),
        ({"working_hour": datetime(2026, 1, 1, 9, 0)}, "locale.working_hour"),
        ({"zone": "Europe/Madrid"}, "locale.zone"),
    ],
)
def test_a_bad_locale_setting_names_its_key(locale, named):
    with pytest.raises(UserError, match=named.replace(".", r"\.")):
        parse_settings({"locale": locale}, PATH)


def test_locale_must_be_a_table():
    with pytest.raises(UserError, match=r"\[locale\] must be a table"):
        parse_settings({"locale": "DMY"}, PATH)


@pytest.mark.parametrize("name", ["Europe/Madrid", "America/New_York", ":Europe/Madrid"])
def test_the_machines_zone_is_read_from_tz(monkeypatch, name):
    monkeypatch.setenv("TZ", name)
    assert local_zone() == ZoneInfo(name.removeprefix(":"))


def test_a_tz_that_is_a_file_is_read_from_it(monkeypatch):
    monkeypatch.setenv("TZ", "/usr/share/zoneinfo/Europe/Madrid")
    zone = local_zone()
    assert zone.utcoffset(datetime(2026, 7, 1)).total_seconds() == 7200


@pytest.mark.parametrize("name", ["", "Nowhere/Atlantis", "../../etc/passwd", "/nonexistent"])
def test_an_unreadable_or_empty_tz_means_no_daylight_saving(monkeypatch, name):
    monkeypatch.setenv("TZ", name)
    assert local_zone() is None


def test_without_tz_the_zone_is_the_systems(monkeypatch):
    monkeypatch.delenv("TZ", raising=False)
    zone = local_zone()
    localtime = Path("/etc/localtime")
    if localtime.exists():
        assert zone is not None
        assert zone.utcoffset(datetime(2026, 1, 15)) == ZoneInfo.from_file(localtime.open("rb")).utcoffset(
            datetime(2026, 1, 15)
        )


def test_date_rules_fill_in_the_machines_zone_unless_one_is_given(monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    ordered = Settings(dates=DateRules(order="DMY"))
    assert date_rules(ordered) == DateRules(order="DMY", zone=ZoneInfo("America/New_York"))
    pinned = Settings(dates=DateRules(zone=ZoneInfo("Europe/Madrid")))
    assert date_rules(pinned).zone == ZoneInfo("Europe/Madrid")
