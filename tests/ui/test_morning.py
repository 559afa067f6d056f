"""A morning of triage, smoothed (issue 18): the pane's keys, a call that completes the call due,
the pane over the agenda and the report, agenda rows to call from, and the smaller things a
new user tripped over. Pressed through the Pilot, checked on screen and in the database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from textual.widgets import Static

from pipeline_tui.services.follow_ups import default_next, schedule
from pipeline_tui.services.prospects import add_prospect
from pipeline_tui.store.models import FollowUp, Prospect, Quota
from pipeline_tui.ui.format import money
from pipeline_tui.ui.screens.agenda import AgendaList, AgendaScreen
from pipeline_tui.ui.screens.report import AdviceList, ReportScreen
from pipeline_tui.ui.widgets.footer import KeysFooter
from tests.ui.helpers import board_of, focused_card, screen_text

SIZE = (120, 40)
SMALL = (80, 24)


async def settle(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
    await pilot.pause()


def footer_text(app) -> str:
    return app.screen.query_one(KeysFooter).content.plain


def pane_screen():
    from pipeline_tui.ui.screens.prospect_pane import ProspectPaneScreen  # new: import it late

    return ProspectPaneScreen


def agenda_list(app) -> AgendaList:
    return app.screen.query_one(AgendaList)


async def cursor_to(pilot, app, wanted) -> None:
    """Move the agenda's cursor down to the first follow-up for which ``wanted`` holds."""
    agenda = agenda_list(app)
    for _ in range(len(agenda.items)):
        if agenda.current is not None and wanted(agenda.current):
            return
        await pilot.press("j")
    raise AssertionError("no such follow-up on the agenda")


# -- 2: the detail pane scrolls with keys --------------------------------------------------------


async def test_the_detail_pane_scrolls_with_J_K_and_ctrl_d_u_shown_in_the_footer_and_help(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        first = focused_card(app)
        Prospect.update(notes=" ".join(f"word{i}" for i in range(200))).where(
            Prospect.id == first.id
        ).execute()
        assert "Scroll detail" not in footer_text(app)  # the pane is closed: its keys are not offered
        await settle(pilot, "J")
        await settle(pilot, "enter")
        pane = board_of(app).detail
        assert pane.is_open and "JK Scroll detail" in footer_text(app)
        assert "J/K scroll" in screen_text(app)  # the last line in sight says how
        await settle(pilot, "J", "J")
        assert pane.scroll_offset.y == 2
        await settle(pilot, "K")
        assert pane.scroll_offset.y == 1
        await settle(pilot, "ctrl+d")
        assert pane.scroll_offset.y == 1 + pane.scrollable_content_region.height // 2
        await settle(pilot, "ctrl+u")
        assert pane.scroll_offset.y == 1
        assert focused_card(app).id == first.id  # the keys scrolled the pane, not the column
        await settle(pilot, "escape")
        assert "Scroll detail" not in footer_text(app)
        await settle(pilot, "question_mark")
        help_text = app.screen.query(Static)[1].content.plain
        assert "Scroll the detail down" in help_text and "Detail half a page up" in help_text


# -- 4: c on an agenda call completes it and asks for the next step ------------------------------


async def test_c_on_an_agenda_call_completes_that_call_and_asks_for_the_next_step(demo_db, make_app, now):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "2")
        await cursor_to(pilot, app, lambda item: item.kind == "call")
        call = agenda_list(app).current
        await settle(pilot, "c")
        text = screen_text(app)
        assert "This completes the call due" in text and "Next" in text and "When" in text
        await pilot.press(*"left a voicemail")
        await settle(pilot, "enter")
        done = FollowUp.get_by_id(call.id)
        assert (done.done_at, done.outcome) == (now, "left a voicemail")
        kind, due = default_next("call", now)
        newest = (
            FollowUp.select()
            .where(FollowUp.prospect == call.prospect_id)
            .order_by(FollowUp.id.desc())
            .first()
        )
        assert (newest.kind, newest.due_at, newest.done_at) == (kind, due, None)
        assert isinstance(app.screen, AgendaScreen)
        assert call.id not in {item.id for item in agenda_list(app).items if hasattr(item, "kind")}
        assert f"next call {due:%a %d %b %H:%M}" in footer_text(app)


async def test_c_on_the_board_completes_the_prospects_call_due_today(demo_db, make_app, now):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        card = focused_card(app)
        due = schedule(card.id, "call", now - timedelta(hours=1), now)
        await settle(pilot, "c")
        assert "This completes the call due" in screen_text(app)
        await pilot.press(*"spoke to them")
        await settle(pilot, "enter")
        assert FollowUp.get_by_id(due.id).done_at == now


# -- 5: enter opens the pane over the agenda or the report; esc returns there --------------------


async def test_enter_on_the_agenda_opens_the_pane_over_it_and_esc_returns_to_the_row(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "2", "j", "j", "j")
        item = agenda_list(app).current
        long_notes = " ".join(f"word{i}" for i in range(300))
        Prospect.update(notes=long_notes).where(Prospect.id == item.prospect_id).execute()
        await settle(pilot, "enter")
        assert isinstance(app.screen, pane_screen())
        assert app.screen.pane.prospect_id == item.prospect_id and app.screen.pane.is_open
        text = screen_text(app)
        assert "word1 " in text and "Overdue" in text  # the pane, and the agenda beside it
        await settle(pilot, "J")
        assert app.screen.pane.scroll_offset.y == 1
        await settle(pilot, "escape")
        assert isinstance(app.screen, AgendaScreen)
        assert agenda_list(app).current.id == item.id


async def test_enter_on_advice_opens_the_pane_over_the_report_and_1_goes_to_the_board(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "3")
        advice = app.screen.query_one(AdviceList)
        while advice.current.prospect_id is None:
            await pilot.press("j")
        target = advice.current.prospect_id
        await settle(pilot, "enter")
        assert isinstance(app.screen, pane_screen()) and app.screen.pane.prospect_id == target
        assert "What to do" in screen_text(app)
        await settle(pilot, "escape")
        assert isinstance(app.screen, ReportScreen) and advice.current.prospect_id == target
        await settle(pilot, "enter", "1")
        assert board_of(app).detail.prospect_id == target and focused_card(app).id == target


async def test_the_panes_keys_act_on_its_prospect_and_the_agenda_shows_it_after(demo_db, make_app, now):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "2")
        item = agenda_list(app).current
        await settle(pilot, "enter", "f")
        await pilot.press(*"2026-12-24 10:00")
        await settle(pilot, "enter")
        assert isinstance(app.screen, pane_screen())
        assert "Thu 24 Dec" in screen_text(app) or "24 Dec" in screen_text(app)
        await settle(pilot, "escape")
        scheduled = FollowUp.select().where(
            FollowUp.prospect == item.prospect_id, FollowUp.due_at == datetime(2026, 12, 24, 10)
        )
        assert scheduled.count() == 1
        assert isinstance(app.screen, AgendaScreen) and agenda_list(app).current.id == item.id
        assert datetime(2026, 12, 24, 10) in {getattr(row, "due", None) for row in agenda_list(app).items}


async def test_d_and_s_in_the_pane_act_on_the_agenda_row_it_was_opened_from(demo_db, make_app, now):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "2")
        first = agenda_list(app).current
        await settle(pilot, "enter", "d")
        await pilot.press(*"sent it")
        await settle(pilot, "enter")
        assert isinstance(app.screen, AgendaScreen)  # done: back on the agenda
        assert FollowUp.get_by_id(first.id).done_at == now
        second = agenda_list(app).current
        assert second.id != first.id
        await settle(pilot, "enter", "s")
        assert isinstance(app.screen, AgendaScreen)
        assert FollowUp.get_by_id(second.id).due_at > now
        await settle(pilot, "3")  # from the report there is no row: d is not offered
        while app.screen.query_one(AdviceList).current.prospect_id is None:
            await pilot.press("j")
        await settle(pilot, "enter")
        assert "Done" not in footer_text(app)


# -- 11: the smaller ones ----------------------------------------------------------------------


async def test_one_word_for_an_appointment_everywhere(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "2")
        rows = [row for row in agenda_list(app).items if getattr(row, "kind", "") == "appointment"]
        assert rows
        text = screen_text(app)
        assert "appointment " in text
        for line in text.splitlines():  # the kind column, not what a user wrote in the notes
            assert line[14:22] != "meeting ", line


async def test_the_decision_maker_question_is_one_and_yes_confirms_and_moves(demo_db, make_app):
    from tests.ui.test_board import stage_of

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "l")
        column = next(c for c in board_of(app).columns if c.has_focus)
        while focused_card(app).decision_maker == "yes":
            await pilot.press("j")
        card = focused_card(app)
        await settle(pilot, "L")
        question = app.screen
        assert question.question.endswith("the decision maker?") and question.question.count("?") == 1
        assert "?" not in question.detail  # was "... Move anyway?": a second question for one key
        await settle(pilot, "n")
        assert stage_of(card.id) == "Qualified"
        assert Prospect.get_by_id(card.id).decision_maker != "yes"
        await settle(pilot, "L", "y")
        assert stage_of(card.id) == "Appointment"
        assert Prospect.get_by_id(card.id).decision_maker == "yes"
        assert column.stage.name == "Qualified"


@pytest.mark.parametrize("size", [SIZE, SMALL])
async def test_source_and_phone_are_never_split_in_the_pane(demo_db, make_app, now, size):
    prospect = add_prospect(
        now,
        "Acme fleet renewal with a long name",
        fields={
            "organization": "Acme Corporation International",
            "contact": "Jane Roe-Smithson",
            "title": "Head of Procurement",
            "email": "jane.roe-smithson@acme-corporation.example",
            "phone": "+34 600 111 222",
            "source": "cold call",
            "decision_maker": "unknown",
        },
    )
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        board_of(app).select_prospect(prospect.id, open_detail=True)
        await settle(pilot)
        lines = board_of(app).detail.text().splitlines()
        assert any("+34 600 111 222" in line for line in lines), lines
        assert "Source cold call" in lines, lines  # a line of its own, whole
        assert lines[lines.index("Source cold call") + 1] == ""  # then a blank before Next steps


def test_a_contacts_phone_is_never_split_in_the_pane_at_any_width(db, now):
    """The People section's phone numbers stay whole, as the deal's own do (issue 18, item 11)."""
    from pipeline_tui.core.settings import Settings
    from pipeline_tui.services.views import prospect_detail
    from pipeline_tui.ui.widgets.prospect_detail import detail_parts
    from pipeline_tui.ui.widgets.virtual_list import wrap_parts

    fields = {"contact": "Pau Bauer", "email": "pau.bauer@bluebirdlabs.example", "phone": "+34 696 468 332"}
    deal = add_prospect(now, "Bluebird Labs support plan", fields=fields)
    parts = detail_parts(prospect_detail(deal.id, now, Settings()), now)
    for width in range(30, 70):
        lines = [
            "".join(text for text, _ in line).replace("\u00a0", " ") for line in wrap_parts(parts, width)
        ]
        phones = [line for line in lines if "+34" in line or "468" in line]  # the deal's, its contact's
        assert len(phones) == 2 and all("+34 696 468 332" in line for line in phones), (width, lines)


async def test_the_quota_is_set_from_the_command_palette(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "ctrl+p")
        await pilot.press(*"quota")
        await pilot.pause(0.5)
        await settle(pilot, "enter")
        assert "Target" in screen_text(app)
        app.screen.query_one("#field-target").value = ""
        await pilot.press(*"200,000", "down")
        app.screen.query_one("#field-period").value = ""
        await pilot.press(*"year")
        await settle(pilot, "enter")
        quota = Quota.select().order_by(Quota.id.desc()).first()
        assert (quota.target_cents, quota.period, quota.owner) == (20_000_000, "year", "")
        assert "Quota set: 200,000 per year" in footer_text(app)


async def test_w_on_a_deal_without_a_value_asks_what_it_was_won_for(demo_db, make_app, now):
    from tests.ui.test_board import stage_of

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        while focused_card(app).value is not None:
            await pilot.press("j")
        card = focused_card(app)
        await settle(pilot, "w")
        assert "Won for" in screen_text(app)
        await settle(pilot, "enter")  # no amount: refused, nothing saved
        assert stage_of(card.id) != "Won"
        await pilot.press(*"7,500")
        await settle(pilot, "enter")
        won = Prospect.get_by_id(card.id)
        assert stage_of(card.id) == "Won" and won.value_cents == 750_000


THEMES_WITH_COLOURS = "every theme but ansi-dark and ansi-light, whose colours the terminal picks"


async def test_the_cursor_row_reads_well_in_every_theme(demo_db, make_app):
    """WCAG contrast of at least 4.5:1 for every part of the cursor's row: the agenda's red
    "30d late" on the blue cursor was 1.2:1 in textual-dark; the board's card and the report's
    advice too."""
    from pipeline_tui.ui.contrast import READABLE, contrast

    def worst(widget, line: int) -> float:
        """The lowest contrast of the line's text (not its bars: the cursor's ▌, an edge ▕)."""
        return min(
            contrast(s.style.color.triplet, s.style.bgcolor.triplet)
            for s in widget.render_line(line)
            if s.text.strip(" ▌▕") and s.style.color.triplet and s.style.bgcolor
        )

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        themes = sorted(t for t in app.available_themes if not t.startswith("ansi"))
        assert len(themes) > 10, THEMES_WITH_COLOURS
        for view in ("1", "2", "3"):
            await settle(pilot, view)
            for theme in themes:
                app.theme = theme
                await pilot.pause()
                widget = app.focused
                first_line = getattr(widget, "header_height", 0)
                top = first_line + widget.cursor * widget.row_height - int(widget.scroll_offset.y)
                for line in range(top, top + min(widget.row_height, 3)):
                    assert worst(widget, line) >= READABLE, (view, theme, widget.render_line(line).text)


def test_the_readme_screenshots_start_no_run_of_text_with_blanks(tmp_path, monkeypatch):
    """librsvg draws a run of text that starts with blanks without them, where they were:
    "addedin Lead", "43%of"."""
    import re

    from pipeline_tui.ui import screenshots

    monkeypatch.setattr(screenshots, "SCENES", {"detail": ("j", "enter"), "report": ("3",)})
    assert screenshots.main([str(tmp_path)]) == 0
    for name in ("detail", "report"):
        svg = (tmp_path / f"{name}.svg").read_text()
        assert not re.search(r"<text [^>]*>&#160;", svg), name
    assert "&#160;of&#160;14&#160;closed" not in (tmp_path / "report.svg").read_text()


# -- 12: agenda rows to call from --------------------------------------------------------------


async def test_agenda_rows_show_contact_phone_value_and_stage_as_room_allows(demo_db, make_app):
    for size, shown, left_out in (
        (SIZE, ("contact", "phone", "value", "stage"), ()),
        (SMALL, ("contact", "phone"), ("stage",)),
    ):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await settle(pilot, "2")
            item = agenda_list(app).current
            prospect = Prospect.get_by_id(item.prospect_id)
            row = next(line for line in screen_text(app).splitlines() if item.prospect[:12] in line)
            expected = {
                "contact": prospect.contact,
                "phone": prospect.phone,
                "value": money(prospect.value_cents, short=True) if prospect.value_cents else None,
                "stage": item.stage,
            }
            for column in shown:
                if expected[column]:
                    assert expected[column] in row, (size, column, row)
            for column in left_out:
                assert f" {expected[column]}" not in row, (size, column, row)
