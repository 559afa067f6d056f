"""The agenda and the report, pressed through the Pilot."""

from __future__ import annotations

from datetime import timedelta

from pipeline_tui.store.models import FollowUp
from pipeline_tui.ui.screens.agenda import AgendaList, Heading
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.screens.report import AdviceList
from pipeline_tui.ui.widgets.footer import KeysFooter
from tests.ui.helpers import screen_text

SIZE = (120, 40)


async def show_agenda(pilot) -> None:
    """From a freshly started app: settle, press 2, settle."""
    await pilot.pause()
    await pilot.press("2")
    await pilot.pause()


def agenda_current(app):
    return app.screen.query_one(AgendaList).current


def open_count() -> int:
    return FollowUp.select().where(FollowUp.done_at.is_null()).count()


async def test_agenda_groups_with_counts(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_agenda(pilot)
        text = screen_text(app)
        rows = app.screen.query_one(AgendaList).items
        headings = [row for row in rows if isinstance(row, Heading)]
        assert [h[0] for h in headings][0] == "Overdue"
        for group, count in headings:
            assert f"{group} ({count})" in text
        assert sum(count for _, count in headings) == open_count()


async def test_done_asks_outcome_and_schedules_the_next(demo_db, make_app, now):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_agenda(pilot)
        item = agenda_current(app)
        await pilot.press("d", *"sent the numbers", "enter")
        await pilot.pause()
        done = FollowUp.get_by_id(item.id)
        assert done.done_at == now and done.outcome == "sent the numbers"
        newest = (
            FollowUp.select()
            .where(FollowUp.prospect == item.prospect_id)
            .order_by(FollowUp.id.desc())
            .first()
        )
        assert newest.id != item.id and newest.done_at is None and newest.due_at > now


async def test_after_an_appointment_the_next_follow_up_is_required(demo_db, make_app, now):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_agenda(pilot)
        agenda = app.screen.query_one(AgendaList)
        while agenda_current(app).kind != "appointment":
            await pilot.press("j")
        item = agenda_current(app)
        await pilot.press("d")
        await pilot.pause()
        assert "After an appointment, always schedule" in screen_text(app)
        app.screen.query_one("#field-next_when").value = ""
        await pilot.press("enter")
        await pilot.pause()
        hint = app.screen.query_one("#hint-next_when")
        assert "keep following up" in str(hint.render()) and hint.has_class("-bad")
        assert FollowUp.get_by_id(item.id).done_at is None
        app.screen.query_one("#field-next_when").value = "tomorrow 9:00"
        await pilot.press("enter")
        await pilot.pause()
        assert FollowUp.get_by_id(item.id).done_at == now
        assert agenda.current is not None


async def test_snooze_a_day_a_week_and_reschedule(demo_db, make_app, now):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_agenda(pilot)
        first = agenda_current(app)
        assert first.status == "overdue"
        await pilot.press("s")
        await pilot.pause()
        moved = FollowUp.get_by_id(first.id)
        assert moved.due_at.date() == now.date() + timedelta(days=1)
        said = app.screen.query_one(KeysFooter).message
        assert said.startswith("Snoozed to ") and said.endswith(first.prospect), said
        second = agenda_current(app)
        assert second.id != first.id
        due = FollowUp.get_by_id(second.id).due_at
        await pilot.press("S")
        await pilot.pause()
        assert FollowUp.get_by_id(second.id).due_at >= max(
            due, now.replace(hour=due.hour, minute=due.minute)
        ) + timedelta(days=7) - timedelta(minutes=1)
        third = agenda_current(app)
        await pilot.press("r", *"2026-12-24 16:00", "enter")
        await pilot.pause()
        assert FollowUp.get_by_id(third.id).due_at.isoformat() == "2026-12-24T16:00:00"


async def test_enter_opens_the_prospect_over_the_agenda_and_1_jumps_to_it_on_the_board(demo_db, make_app):
    from pipeline_tui.ui.screens.prospect_pane import ProspectPaneScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_agenda(pilot)
        item = agenda_current(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ProspectPaneScreen)
        assert app.screen.pane.prospect_id == item.prospect_id
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        assert app.screen.detail.prospect_id == item.prospect_id
        assert item.prospect in screen_text(app)


async def test_a_in_the_pane_over_the_agenda_opens_the_deals_people(demo_db, make_app):
    """The pane's key line says "a people" over the agenda too: the key works there."""
    from pipeline_tui.ui.screens.people import PeopleScreen
    from pipeline_tui.ui.screens.prospect_pane import ProspectPaneScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_agenda(pilot)
        item = agenda_current(app)
        await pilot.press("enter", "a")
        await pilot.pause()
        assert isinstance(app.screen, PeopleScreen) and app.screen.prospect_id == item.prospect_id
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProspectPaneScreen)


async def test_triage_ten_follow_ups_in_at_most_thirty_keys(demo_db, make_app, now):
    """Mark done (keeping the offered next step) or snooze ten follow-ups; count every key."""
    app = make_app()
    keys = 0

    async def press(*pressed: str) -> None:
        nonlocal keys
        keys += len(pressed)
        await pilot.press(*pressed)
        await pilot.pause()

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await press("2")
        handled = []
        for turn in range(10):
            item = agenda_current(app)
            handled.append(item.id)
            if turn % 3 == 2:
                await press("s")
            else:
                await press("d", "enter")
        assert keys <= 30, keys
        rows = {f.id: f for f in FollowUp.select().where(FollowUp.id.in_(handled))}
        assert len(rows) == 10
        assert all(f.done_at == now or f.due_at > now for f in rows.values())


async def test_report_shows_quota_figures_and_advice_opens_prospects(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        text = screen_text(app)
        for words in ("Quota", "Won so far", "Gap, to find", "New prospects", "What to do"):
            assert words in text
        figures = app.screen.query_one("#report-body").content.plain  # below: J scrolls to them
        assert "\nConversion\n" in figures and "\nForecast, weighted" in figures
        advice = app.screen.query_one(AdviceList)
        assert advice.items[0].prospect_id is None  # pipeline-wide advice first
        while advice.current.prospect_id is None:
            await pilot.press("j")
        target = advice.current.prospect_id
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#detail").prospect_id == target  # its pane, over the report


async def test_layout_at_80_by_24_keeps_every_view_readable(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key, words in (("1", "Lead"), ("enter", "Next steps"), ("2", "Overdue"), ("3", "Won so far")):
            await pilot.press(key)
            await pilot.pause()
            lines = screen_text(app).splitlines()
            assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
            assert words in "\n".join(lines)


async def test_f_in_the_agenda_schedules_for_that_prospect(demo_db, make_app, now):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_agenda(pilot)
        item = agenda_current(app)
        before = FollowUp.select().where(FollowUp.prospect == item.prospect_id).count()
        await pilot.press("f", *"+2d", "enter")
        await pilot.pause()
        assert FollowUp.select().where(FollowUp.prospect == item.prospect_id).count() == before + 1


async def test_the_palette_finds_a_prospect_by_name_and_opens_it(demo_db, make_app):
    from pipeline_tui.store.models import Prospect

    target = Prospect.get(Prospect.organization == "Juniper Hotels")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"juniper")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, BoardScreen)
        assert app.screen.detail.prospect_id == target.id


def test_agenda_headings_count_a_group_over_the_whole_list():
    """A follow-up spliced in after an action may be grouped at a later time than the rest,
    so a group can come in two runs: each heading still gives the group's whole count."""
    from types import SimpleNamespace

    from pipeline_tui.ui.screens.agenda import _rows_with_headings

    items = [
        SimpleNamespace(id=i, group=g)
        for i, g in enumerate(["Overdue", "Overdue", "Today", "Overdue", "Today"])
    ]
    rows, cursor, counts = _rows_with_headings(items, keep=3)
    assert counts["Overdue"] == 3 and counts["Today"] == 2
    assert [row for row in rows if isinstance(row, Heading)] == [
        ("Overdue", 3),
        ("Today", 2),
        ("Overdue", 3),
        ("Today", 2),
    ]
    assert rows[cursor] is items[3]


async def test_the_agenda_spliced_after_actions_is_the_agenda_read_afresh(demo_db, make_app, now):
    """After snoozes the screen splices the changed follow-ups in by bisection: the result must
    be the list a fresh read gives, in the same order."""
    from pipeline_tui.services.agenda import AgendaItem, agenda

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_agenda(pilot)
        for key in ("s", "s", "S", "j", "s", "s"):
            await pilot.press(key)
            await pilot.pause()
        shown = [row.id for row in app.screen.list.items if isinstance(row, AgendaItem)]
        assert shown == [item.id for item in agenda(now, None)]


async def test_help_lists_the_long_column_keys_and_scrolls_with_j_and_k(demo_db, make_app):
    from textual.containers import VerticalScroll

    from pipeline_tui.ui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        scroll = app.screen.query_one(VerticalScroll)
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert scroll.scroll_offset.y == 3
        await pilot.press("k")
        await pilot.pause()
        assert scroll.scroll_offset.y == 2
        help_text = app.screen.text()
        assert "First or last card of the column" in help_text and "PgUp" in help_text


def test_report_counts_read_with_thousands_separators(db, now):
    from dataclasses import replace

    from pipeline_tui.core.settings import Settings
    from pipeline_tui.services.views import report
    from pipeline_tui.ui.screens.report import figures_content

    result = replace(report(now, Settings()), appointment_closed=69591)
    assert "of 69,591 closed" in figures_content(result).plain


async def test_the_report_screen_shows_each_new_figure_at_80_by_24(demo_db, make_app):
    """Issue 20: days left and pace, lead-to-win beside win rate, this week against its goals,
    time in stage, slipped deals, lost reasons and sources, all inside the narrow figures pane."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        result = app.screen._result
        plain = app.screen.query_one("#report-body").content.plain
        q, lead, week = result.quota, result.quota.lead_to_win, result.activity
        lines = plain.splitlines()
        assert f"Days left{q.days_left:>19}" in lines
        assert f"  at {float(lead.rate):.0%} lead-to-win: {lead.won} won of" in lines
        assert f"  {lead.decided} decided, {lead.aged_out} aged out" in lines
        assert f"Win rate (won÷closed){f'{float(q.win_rate):.0%}':>7}" in lines
        assert any(
            line.startswith(f"Calls         {week.calls.done:>4} of {week.calls.goal}") for line in lines
        )
        assert f"The quota needs {week.needed_per_week} new a week" in lines
        assert result.slipped.count and f"{result.slipped.count} slipped" in plain
        for days in result.stage_days:
            assert any(line.startswith(f"{days.stage:<12}{days.avg_days:>5.1f} ") for line in lines)
        for reason in result.lost_reasons:
            assert any(line.startswith(reason.reason[:10]) and f" {reason.count} " in line for line in lines)
        for source in result.sources:
            assert any(
                line.startswith(source.source) and line.endswith(f"{float(source.rate):.0%}")
                for line in lines
            )
        width = app.screen.query_one("#report-figures").scrollable_content_region.width
        assert width <= 40 and all(len(line) <= width for line in lines), "nothing wraps at 80 columns"
        figures = app.screen.query_one("#report-figures")
        for _ in range(len(lines) // 3 + 2):  # J scrolls the figures down to the last of them
            await pilot.press("J")
        await pilot.pause()
        assert figures.scroll_y == figures.max_scroll_y > 0
        assert result.sources[-1].source in screen_text(app)


def test_a_lost_reason_prints_as_typed_never_as_markup_or_escapes(db, now):
    from dataclasses import replace

    from pipeline_tui.core.insight import LostReason
    from pipeline_tui.core.settings import Settings
    from pipeline_tui.services.views import report
    from pipeline_tui.ui.screens.report import figures_content

    hostile = LostReason("\x1b[2J[bold]cheap[/]", 2, 100)
    result = replace(report(now, Settings()), lost_reasons=[hostile])
    plain = figures_content(result).plain
    assert "\x1b" not in plain and "\ufffd[2J[bold]chea…     2 " in plain
