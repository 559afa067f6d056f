"""Date fields in the forms: what their preview says (in the past, moved out of a daylight-saving
gap, a date that reads two ways), and what is saved, pressing real keys."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Static

from pipeline_tui.core.dates import DateRules
from pipeline_tui.core.settings import Settings
from pipeline_tui.store.models import FollowUp
from pipeline_tui.ui.widgets.forms import FormScreen
from tests.ui.helpers import focused_card, screen_text

SIZE = (120, 40)


def hint(app, field: str) -> Static:
    return app.screen.query_one(f"#hint-{field}", Static)


def follow_ups_of(prospect_id: int) -> list[FollowUp]:
    return list(FollowUp.select().where(FollowUp.prospect == prospect_id).order_by(FollowUp.id))


async def schedule(pilot, app, typed: str) -> tuple[int, int]:
    """Open ``f`` on the focused card and type a date: the card's id and its follow-up count."""
    await pilot.pause()
    card = focused_card(app)
    before = len(follow_ups_of(card.id))
    await pilot.press("f")
    await pilot.pause()
    await pilot.press(*typed)
    await pilot.pause()
    return card.id, before


async def test_a_follow_up_in_the_past_is_previewed_as_such_and_saved_once_seen(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        prospect, before = await schedule(pilot, app, "yesterday 14:00")
        preview = hint(app, "when")
        assert str(preview.content) == "→ Wed 25 Nov 2026 14:00 · in the past"
        assert preview.has_class("-caution") and not preview.has_class("-bad")
        assert "in the past" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)
        added = follow_ups_of(prospect)[before:]
        assert [f.due_at for f in added] == [datetime(2026, 11, 25, 14, 0)]


async def test_a_follow_up_ahead_has_a_plain_preview(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await schedule(pilot, app, "tomorrow afternoon")
        preview = hint(app, "when")
        assert str(preview.content) == "→ Fri 27 Nov 2026 14:00"
        assert not preview.has_class("-caution")


async def test_a_time_the_clocks_skip_is_previewed_moved_and_saved_moved(demo_db, make_app):
    madrid = Settings(dates=DateRules(zone=ZoneInfo("Europe/Madrid")))
    app = make_app(now=datetime(2026, 3, 28, 15, 0), settings=madrid)  # the day before spring forward
    async with app.run_test(size=SIZE) as pilot:
        prospect, before = await schedule(pilot, app, "tomorrow 02:30")
        preview = hint(app, "when")
        assert str(preview.content) == (
            "→ Sun 29 Mar 2026 03:00 · 02:30 does not exist that day (the clocks go forward): moved to 03:00"
        )
        assert preview.has_class("-caution")
        await pilot.press("enter")
        await pilot.pause()
        assert [f.due_at for f in follow_ups_of(prospect)[before:]] == [datetime(2026, 3, 29, 3, 0)]


async def test_a_date_that_reads_two_ways_is_refused_until_the_order_is_set(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        prospect, before = await schedule(pilot, app, "03/04/2027")
        preview = hint(app, "when")
        assert preview.has_class("-bad")
        assert "could be 3 April 2027 or 4 March 2027" in str(preview.content)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen) and len(follow_ups_of(prospect)) == before

    european = make_app(settings=Settings(dates=DateRules(order="DMY")))
    async with european.run_test(size=SIZE) as pilot:
        prospect, before = await schedule(pilot, european, "03/04/2027")
        assert str(hint(european, "when").content) == "→ Sat 03 Apr 2027 09:00"
        await pilot.press("enter")
        await pilot.pause()
        assert [f.due_at for f in follow_ups_of(prospect)[before:]] == [datetime(2027, 4, 3, 9, 0)]


async def test_the_trials_default_end_typed_just_after_midnight_lands_at_the_working_hour(demo_db, make_app):
    # found: "+14d" at 00:51 put the trial's end at 00:51
    app = make_app(now=datetime(2026, 11, 26, 0, 51))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card = focused_card(app)
        await pilot.press("t")
        await pilot.pause()
        assert str(hint(app, "ends").content) == "→ Thu 10 Dec 2026 09:00"
        await pilot.press("enter")
        await pilot.pause()
        assert follow_ups_of(card.id)[-1].due_at == datetime(2026, 12, 10, 9, 0)


async def test_the_working_hour_from_the_settings_is_where_days_land(demo_db, make_app):
    early = Settings(dates=DateRules(working_hour=time(8, 15)))
    app = make_app(settings=early)
    async with app.run_test(size=SIZE) as pilot:
        prospect, before = await schedule(pilot, app, "+3d")
        assert str(hint(app, "when").content) == "→ Sun 29 Nov 2026 08:15"
        await pilot.press("enter")
        await pilot.pause()
        assert [f.due_at for f in follow_ups_of(prospect)[before:]] == [datetime(2026, 11, 29, 8, 15)]


async def test_an_expected_close_in_the_past_is_previewed_as_such(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#field-expected_close").focus()
        await pilot.press("ctrl+a", "ctrl+k", *"end of month")
        await pilot.pause()
        assert str(hint(app, "expected_close").content) == "→ Mon 30 Nov 2026"
        await pilot.press("ctrl+a", "ctrl+k", *"-1w")
        await pilot.pause()
        preview = hint(app, "expected_close")
        assert str(preview.content) == "→ Thu 19 Nov 2026 · in the past" and preview.has_class("-caution")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_keys_help_lists_the_date_forms_unbroken(demo_db, make_app, size):
    from pipeline_tui.ui.screens.help import DATE_HELP

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("question_mark", *["j"] * 80)
        await pilot.pause()
        shown = screen_text(app)
        for line in DATE_HELP.splitlines():
            assert line in shown, line
        assert "next week" in shown and "afternoon" in shown and "+2h: exact" in shown
        if size == (120, 40):  # wide: every key and the dates at once, nothing to scroll
            from textual.containers import VerticalScroll

            assert app.screen.query_one(VerticalScroll).max_scroll_y == 0
