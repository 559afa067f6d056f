"""The board, pressed through the Pilot: what the screen shows and what the database holds."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from pipeline_tui.store.models import FollowUp, Prospect, Stage, StageChange
from pipeline_tui.ui.textual_internals import dirty_regions, screen_lines
from tests.ui.helpers import board_of, cards_in, column_names, focused_card, screen_text

SIZE = (120, 40)


def stage_of(prospect_id: int) -> str:
    return Stage.get_by_id(Prospect.get_by_id(prospect_id).stage_id).name


async def test_board_shows_open_stages_sorted_by_score(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert column_names(app) == ["Lead", "Qualified", "Appointment", "Trial", "Proposal"]
        for stage in column_names(app):
            cards = cards_in(app, stage)
            scores = [card.score for card in cards]
            assert scores == sorted(scores, reverse=True)
            in_db = (
                Prospect.select().join(Stage).where(Stage.name == stage, Prospect.archived == False).count()
            )  # noqa: E712
            assert len(cards) == in_db
        text = screen_text(app)
        assert "Won " in text and "Lost " in text
        lead_count = len(cards_in(app, "Lead"))
        assert f"Lead {lead_count}" in text


async def test_cursor_keys_move_between_cards_and_columns(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = focused_card(app)
        assert first.id == cards_in(app, "Lead")[0].id
        await pilot.press("j")
        assert focused_card(app).id == cards_in(app, "Lead")[1].id
        await pilot.press("k", "l")
        assert focused_card(app).id == cards_in(app, "Qualified")[0].id
        await pilot.press("right")
        assert focused_card(app).id == cards_in(app, "Appointment")[0].id
        await pilot.press("h")
        assert focused_card(app).id == cards_in(app, "Qualified")[0].id


async def test_L_and_H_move_a_prospect_and_the_cursor_follows(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "l")  # Appointment -> Trial needs no confirmation
        card = focused_card(app)
        assert stage_of(card.id) == "Appointment"
        await pilot.press("L")
        await pilot.pause()
        assert stage_of(card.id) == "Trial"
        assert focused_card(app).id == card.id
        assert card.id in [c.id for c in cards_in(app, "Trial")]
        last = (
            StageChange.select()
            .where(StageChange.prospect == card.id)
            .order_by(StageChange.id.desc())
            .first()
        )
        assert Stage.get_by_id(last.to_stage_id).name == "Trial"
        await pilot.press("H")
        await pilot.pause()
        assert stage_of(card.id) == "Appointment"


async def test_an_action_says_what_it_did_in_the_footer_not_in_a_toast(demo_db, make_app):
    """A toast costs a whole-screen layout as it comes and goes; the footer line says it."""
    from pipeline_tui.ui.widgets.footer import KeysFooter

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        assert footer.message == "" and "Move" in screen_text(app).splitlines()[-1]
        await pilot.press("l", "l")
        card = focused_card(app)
        await pilot.press("L")
        await pilot.pause()
        assert footer.message == f"Moved to Trial: {card.name}"
        assert footer.message in screen_text(app).splitlines()[-1]
        assert not app._notifications, "no toast"
        footer._forget_message()  # as its timer does
        await pilot.pause()
        assert footer.message == "" and "Move" in screen_text(app).splitlines()[-1]


async def test_clicking_a_key_in_the_footer_presses_it(demo_db, make_app):
    from pipeline_tui.ui.screens.help import HelpScreen
    from pipeline_tui.ui.widgets.footer import KeysFooter

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        x = footer.content.plain.index(" ? Keys") + 1
        await pilot.click(KeysFooter, offset=(x, 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_moving_into_appointment_without_decision_maker_asks_first(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l")
        qualified = cards_in(app, "Qualified")
        index = next(i for i, c in enumerate(qualified) if c.decision_maker != "yes")
        for _ in range(index):
            await pilot.press("j")
        card = focused_card(app)
        await pilot.press("L")
        await pilot.pause()
        assert "decision maker" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert stage_of(card.id) == "Qualified"
        await pilot.press("L")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert stage_of(card.id) == "Appointment"


async def test_won_removes_the_card_and_counts_in_the_strip(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        won_before = board_of(app).data.strip.won[0]
        card = focused_card(app)
        await pilot.press("w")
        await pilot.pause()
        assert stage_of(card.id) == "Won"
        assert card.id not in [c.id for c in cards_in(app, "Lead")]
        assert board_of(app).data.strip.won[0] == won_before + 1


async def test_lost_asks_why_and_saves_the_reason(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card = focused_card(app)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("enter")  # empty reason is refused inline
        await pilot.pause()
        assert "say why" in screen_text(app)
        assert stage_of(card.id) == "Lead"
        await pilot.press(*"went with a cheaper tool", "enter")
        await pilot.pause()
        prospect = Prospect.get_by_id(card.id)
        assert stage_of(card.id) == "Lost"
        assert prospect.lost_reason == "went with a cheaper tool"


async def test_follow_up_form_checks_the_date_and_offers_reminders(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card = focused_card(app)
        before = FollowUp.select().where(FollowUp.prospect == card.id).count()
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"blah", "tab", "ctrl+a", "ctrl+k", *"appointment", "enter")
        await pilot.pause()
        assert "could not read 'blah'" in screen_text(app)
        assert app.focused.id == "field-when", "the field to fix has the keys"
        assert FollowUp.select().where(FollowUp.prospect == card.id).count() == before
        for _ in range(4):
            await pilot.press("backspace")
        await pilot.press(*"next tue 10:00", "enter")
        await pilot.pause()
        assert "reminder" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        added = list(FollowUp.select().where(FollowUp.prospect == card.id).order_by(FollowUp.id))[before:]
        assert [f.kind for f in added] == ["appointment", "call", "email"]
        assert added[0].due_at.strftime("%a %H:%M") == "Tue 10:00"
        assert added[1].due_at == added[0].due_at.replace(hour=9, minute=0) - timedelta(days=1)


async def test_edit_shows_bad_values_inline_and_saves_good_ones(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card = focused_card(app)
        old_value = Prospect.get_by_id(card.id).value_cents
        await pilot.press("e")
        await pilot.pause()
        value_input = app.screen.query_one("#field-value")
        value_input.focus()
        await pilot.press("ctrl+a", "ctrl+k", *"lots", "enter")
        await pilot.pause()
        assert "not an amount" in screen_text(app)
        assert Prospect.get_by_id(card.id).value_cents == old_value
        await pilot.press("ctrl+a", "ctrl+k", *"15,000", "enter")
        await pilot.pause()
        assert Prospect.get_by_id(card.id).value_cents == 1_500_000


async def test_archive_then_undo(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card = focused_card(app)
        await pilot.press("delete")
        await pilot.pause()
        assert Prospect.get_by_id(card.id).archived
        assert card.id not in [c.id for c in cards_in(app, "Lead")]
        await pilot.press("u")
        await pilot.pause()
        assert not Prospect.get_by_id(card.id).archived
        assert card.id in [c.id for c in cards_in(app, "Lead")]
        assert focused_card(app).id == card.id, "the card brought back is the one selected"


async def test_undoing_a_won_deal_selects_it_again(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j")
        card = focused_card(app)
        await pilot.press("w")
        await pilot.pause()
        assert focused_card(app).id != card.id
        await pilot.press("u")
        await pilot.pause()
        assert focused_card(app).id == card.id


async def test_undo_a_move(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "l")
        card = focused_card(app)
        changes = StageChange.select().count()
        await pilot.press("L")
        await pilot.pause()
        assert stage_of(card.id) == "Trial"
        await pilot.press("u")
        await pilot.pause()
        assert stage_of(card.id) == "Appointment"
        assert StageChange.select().count() == changes


async def test_enter_opens_the_detail_pane_which_follows_the_cursor(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card = focused_card(app)
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Score " in text and "History" in text and "Next steps" in text
        assert board_of(app).detail.prospect_id == card.id
        await pilot.press("j")
        await pilot.pause()
        assert board_of(app).detail.prospect_id == cards_in(app, "Lead")[1].id
        await pilot.press("escape")
        await pilot.pause()
        assert not board_of(app).detail.is_open


async def test_the_detail_pane_wraps_long_text_and_says_how_much_more_there_is(demo_db, make_app):
    """The pane draws its own lines: text wrapped to its width, the last line in sight saying
    how many more there are, the wheel scrolling to them, and the next prospect from its top."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        first = focused_card(app)
        words = [f"word{i}" for i in range(120)]
        Prospect.update(notes=" ".join(words)).where(Prospect.id == first.id).execute()
        await pilot.press("enter")
        await pilot.pause()
        pane = board_of(app).detail
        width = pane.scrollable_content_region.width
        lines = pane.text().splitlines()
        assert max(len(line) for line in lines) <= width < 60
        assert " ".join(pane.text().split()).count(" ".join(words)) == 1  # every word, in order
        shown = screen_text(app)
        assert f"↓ {len(lines) - pane.size.height + 1} more lines" in shown
        assert "esc close" not in shown  # the last line of all is below
        for _ in range(50):  # (its people come before its history since issue 21)
            pane.post_message(events.MouseScrollDown(pane, 2, 2, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert pane.scroll_offset.y > 0
        shown = screen_text(app)
        assert "esc close" in shown and "more lines" not in shown
        await pilot.click(pane, offset=(5, 5))  # a click in the pane leaves it open
        await pilot.pause()
        assert pane.is_open and pane.prospect_id == first.id
        await pilot.press("j")
        await pilot.pause()
        assert pane.prospect_id != first.id and pane.scroll_offset.y == 0


@pytest.mark.parametrize("size", [SIZE, (90, 30)])
async def test_the_detail_pane_never_covers_the_focused_column(demo_db, make_app, size):
    """The pane lies over the columns (opening it redraws no card), so it must take the side,
    and the width, that leaves the column whose card it shows in sight."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        sides = set()
        for key in ["l"] * 5 + ["h"] * 5:
            await pilot.pause()
            board = board_of(app)
            column = next(c for c in board.columns if c.has_focus)
            pane = board.detail.region
            assert pane.width >= 36
            assert not column.region.intersection(pane), (column.stage.name, column.region, pane)
            assert board.detail.prospect_id == focused_card(app).id
            sides.add(board.detail.has_class("-left"))
            await pilot.press(key)
        assert sides == {True, False}  # at either end it moved to the other side


async def test_control_characters_in_a_name_are_shown_not_sent_to_the_terminal(demo_db, make_app):
    """An imported name can hold an ESC: written out as it is, it would start an escape sequence
    (restyle the screen, retitle the window). Cards, the detail pane and messages show it as �."""
    evil = "Evil\x1b[31mRED\x1b]0;title\x07 Co"
    lead = Prospect.select().order_by(Prospect.id).first()
    Prospect.update(name=evil, notes="line\x1b[2J").where(Prospect.id == lead.id).execute()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        board = board_of(app)
        board.select_prospect(lead.id, open_detail=True)
        await pilot.pause()
        board.notify(f"Moved: {evil}", markup=False)
        await pilot.pause()
        lines = screen_lines(app.screen)
        shown = "\n".join(segment.text for strip in lines for segment in strip)
        assert "\x1b" not in shown and "\x07" not in shown
        assert shown.count("Evil\ufffd[31") >= 3  # the card (cut in the middle), the pane, the message
        assert "line\ufffd[2J" in shown  # the notes in the pane


def _searched_by(card) -> str:
    return Prospect.get_by_id(card.id).search_text


async def test_search_filters_as_you_type_and_escape_clears(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        total = sum(len(cards_in(app, s)) for s in column_names(app))
        await pilot.press("slash", *"juniper")
        await pilot.pause()
        shown = [c for s in column_names(app) for c in cards_in(app, s)]
        assert shown and all("juniper" in _searched_by(c) for c in shown)
        assert len(shown) < total
        await pilot.press("enter")
        await pilot.pause()
        assert "juniper" in _searched_by(focused_card(app))
        await pilot.press("escape")
        await pilot.pause()
        assert sum(len(cards_in(app, s)) for s in column_names(app)) == total
        # the search line, mounted by the first /, is the same line the next time
        await pilot.press("slash", *"zz-nothing")
        await pilot.pause()
        assert sum(len(cards_in(app, s)) for s in column_names(app)) == 0
        assert len(app.screen.query("#search")) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert sum(len(cards_in(app, s)) for s in column_names(app)) == total


async def test_the_search_line_comes_with_the_first_slash(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.screen.query("#search"), "not composed at start-up"
        await pilot.press("slash")
        await pilot.pause()
        assert app.screen.query_one("#search").has_focus


async def test_keys_typed_right_after_the_slash_go_to_the_search_line(demo_db, make_app):
    """A terminal hands over keys typed quickly (or pasted) together: the letters after / are
    queued before the search line exists. They must land in it, not on the board's own keys
    (p: next pipeline, n: new prospect...)."""
    from textual import events

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key, character in [("slash", "/"), *((c, c) for c in "pine")]:
            app.post_message(events.Key(key, character))  # all queued before / is handled
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#search").value == "pine"
        assert app.screen is board_of(app), "no dialog opened"
        assert board_of(app).filter == "pine"


async def test_quick_add_needs_only_a_name(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n", *"Zeta Robotics pilot", "enter")
        await pilot.pause()
        prospect = Prospect.get(Prospect.name == "Zeta Robotics pilot")
        assert stage_of(prospect.id) == "Lead"
        assert prospect.id in [c.id for c in cards_in(app, "Lead")]
        assert focused_card(app).id == prospect.id


async def test_a_name_typed_right_after_n_goes_to_the_form(demo_db, make_app):
    """As for the search line: letters queued before the form took the focus land in its
    field, not on the board's or the app's keys (m: mine only, q: quit, c: log a call)."""
    from textual import events
    from textual.widgets import Input

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for character in "nmcq Co":  # n, then a name: all queued before n is handled
            app.post_message(events.Key("space" if character == " " else character, character))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.value == "mcq Co"
        assert app.is_running and not app.mine


async def test_quick_add_refuses_an_empty_name_inline(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        count = Prospect.select().count()
        await pilot.press("n", "enter")
        await pilot.pause()
        assert "name is required" in screen_text(app)
        assert Prospect.select().count() == count


async def test_empty_database_says_how_to_start(db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Your pipeline is empty" in text and "pipeline-tui demo" in text
        await pilot.press("n", *"First deal", "enter")
        await pilot.pause()
        assert "Your pipeline is empty" not in screen_text(app)
        assert "First deal" in screen_text(app)  # the columns are back, with the card
        assert focused_card(app).name == "First deal"


async def test_changes_from_another_process_show_up(demo_db, make_app, now):
    from pipeline_tui.services.prospects import add_prospect

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        add_prospect(now, "Written elsewhere")  # as a cron job would
        app.check_for_changes()
        await pilot.pause()
        assert "Written elsewhere" in [c.name for c in cards_in(app, "Lead")]


async def test_theme_is_remembered(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.theme = "nord"
        await pilot.pause()
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_help_lists_keys_by_screen(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for words in ("Board", "Agenda", "Report", "Follow-up", "Snooze" if False else "+1 week", "Won"):
            assert words in text
        await pilot.press("escape")
        await pilot.pause()
        assert "Keys  (esc closes)" not in screen_text(app)


async def test_an_edit_made_elsewhere_meanwhile_is_not_silently_overwritten(demo_db, make_app, now):
    from pipeline_tui.services.prospects import edit_prospect

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card = focused_card(app)
        await pilot.press("e")
        await pilot.pause()
        edit_prospect(card.id, now, {"notes": "written by a colleague"})  # another process, meanwhile
        app.screen.query_one("#field-value").value = "99,000"
        await pilot.press("enter")
        await pilot.pause()
        assert "changed elsewhere" in str(app.screen.query_one("#form-error").render())
        saved = Prospect.get_by_id(card.id)
        assert saved.notes == "written by a colleague" and saved.value_cents != 9_900_000


async def test_m_shows_only_my_prospects(demo_db, make_app, now):
    from pipeline_tui.services.base import set_user
    from pipeline_tui.services.prospects import add_prospect

    set_user("ana")
    try:
        add_prospect(now, "Ana's own deal")
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            everyone = sum(len(cards_in(app, s)) for s in column_names(app))
            await pilot.press("m")
            await pilot.pause()
            mine = [c.name for s in column_names(app) for c in cards_in(app, s)]
            assert mine == ["Ana's own deal"] and everyone > 1
            assert "mine (ana)" in screen_text(app)
            await pilot.press("m")
            await pilot.pause()
            assert sum(len(cards_in(app, s)) for s in column_names(app)) == everyone
    finally:
        set_user("")


async def test_after_each_action_the_board_is_the_board_read_afresh(demo_db, make_app, now):
    """Every action reads the board again (a window of each column): what it shows is what a
    reader opened just now reads, card for card, after moves, a win and an edit."""
    from pipeline_tui.core.settings import Settings
    from pipeline_tui.services.board import BoardReader

    def shown() -> list[list[tuple]]:
        return [[(c.id, c.score, c.stage_id) for c in column.items] for column in board_of(app).columns]

    def fresh() -> list[list[tuple]]:
        board = BoardReader(Settings()).read(now)
        return [[(c.id, c.score, c.stage_id) for c in cards] for _, cards in board.columns]

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "L", "j", "w", "h", "j", "L")
        await pilot.pause()
        assert shown() == fresh()
        assert all(len(column.items) == column.head.count for column in board_of(app).columns)


async def test_a_long_column_scrolls_to_the_cursor_and_with_the_wheel(demo_db, make_app):
    """Columns draw no scrollbar (the header counts the cards): keys and the wheel still scroll."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        lead = board_of(app).columns[0]
        assert len(lead.items) * lead.row_height > lead.size.height, "the demo's Lead column is long"
        await pilot.press("G")
        await pilot.pause()
        assert focused_card(app).id == lead.items[-1].id
        assert lead.scroll_offset.y > 0
        assert lead.items[-1].name.split()[0] in screen_text(app)
        await pilot.press("g")
        await pilot.pause()
        assert lead.scroll_offset.y == 0
        lead.post_message(events.MouseScrollDown(lead, 2, 2, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert lead.scroll_offset.y > 0


async def test_keys_typed_in_one_burst_land_in_the_column_they_were_meant_for(demo_db, make_app):
    """``lj`` arriving together: j moves in the column l went to, not the one before."""
    from textual import events

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in ("l", "j", "j"):
            app.post_message(events.Key(key, key))
        await pilot.pause()
        board = board_of(app)
        assert [column.cursor for column in board.columns[:2]] == [0, 2]
        assert focused_card(app).id == cards_in(app, "Qualified")[2].id


async def test_a_theme_changed_on_another_view_restyles_the_board_when_it_comes_back(demo_db, make_app):
    """Views skip Textual's restyle on return unless the theme changed meanwhile."""
    from textual.color import Color

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        cards = board_of(app).columns[0]
        dark = cards.styles.background
        await pilot.press("2", "1")
        assert cards.styles.background == dark
        await pilot.press("2")
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert board_of(app).columns[0] is cards
        assert cards.styles.background != dark
        assert cards.styles.background == Color.parse(app.current_theme.surface)


async def test_a_message_said_on_the_way_to_another_view_is_shown_there(demo_db, make_app):
    """An action that ends on another screen (add from the agenda, then open it on the board)
    still says what it did: the app keeps the message, each view's footer shows it."""
    from pipeline_tui.ui.widgets.footer import KeysFooter

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        app.notify("Added Zed deal")
        await pilot.press("1")
        await pilot.pause()
        assert app.screen.query_one(KeysFooter).message == "Added Zed deal"


async def test_footer_markup_and_a_group_of_keys_clicked_one_by_one(demo_db, make_app):
    """Textual's own messages use markup; each key of "HL Move" presses its own key."""
    from pipeline_tui.ui.widgets.footer import KeysFooter

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        app.notify("Press [b]ctrl+q[/b] to quit")
        await pilot.pause()
        assert footer.message == "Press ctrl+q to quit"
        app.notify("Acme [b name")  # not valid markup: shown as typed
        await pilot.pause()
        assert footer.message == "Acme [b name"
        app.notify("Moved to Trial: Acme [weird] name", markup=False)  # as ours all say it
        await pilot.pause()
        assert footer.message == "Moved to Trial: Acme [weird] name"
        footer._forget_message()
        await pilot.pause()
        await pilot.press("l", "l")
        card = focused_card(app)
        plain = footer.content.plain
        await pilot.click(KeysFooter, offset=(plain.index("HL Move") + 1, 0))  # the L
        await pilot.pause()
        assert stage_of(card.id) == "Trial"
        footer._forget_message()  # a long message takes the whole line while it shows
        await pilot.pause()
        await pilot.click(KeysFooter, offset=(plain.index("HL Move"), 0))  # the H
        await pilot.pause()
        assert stage_of(card.id) == "Appointment"


async def test_a_smaller_window_still_shows_the_cursor(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lead = board_of(app).columns[0]
        await pilot.press("j", "j", "j", "j", "j", "j")
        await pilot.resize_terminal(80, 16)
        await pilot.pause()
        top = int(lead.scroll_offset.y)
        row = lead.cursor * lead.row_height
        assert top <= row and row + lead.row_height <= top + lead.size.height


async def test_c_logs_a_call_typing_straight_into_the_outcome(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card = focused_card(app)
        before = FollowUp.select().where(FollowUp.prospect == card.id).count()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"Talked to Ana, wants pricing", "enter")
        await pilot.pause()
        logged = FollowUp.select().where(FollowUp.prospect == card.id).order_by(FollowUp.id.desc()).first()
        assert FollowUp.select().where(FollowUp.prospect == card.id).count() == before + 1
        assert (logged.kind, logged.outcome) == ("call", "Talked to Ana, wants pricing")


async def test_a_cursor_move_draws_two_rows_and_the_header_in_its_own_frame(demo_db, make_app):
    """j redraws the row left and the row reached (not the whole column), and the header's
    ``2/N`` changes at once, in the same frame, not after a message a frame later."""
    from textual.geometry import Region

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        column = cards = board_of(app).columns[0]
        dirty_regions(cards).clear()
        cards.action_cursor(1)  # what j does, without letting a frame be drawn yet
        height, width, top = cards.row_height, cards.size.width, cards.header_height
        rows = {Region(0, top, width, height), Region(0, top + height, width, height)}
        assert dirty_regions(cards) == rows | {Region(0, 0, width, top)}  # and the header
        assert f"2/{len(cards.items)}" in column.header_text()
        await pilot.pause()
        assert focused_card(app).id == cards_in(app, "Lead")[1].id


async def test_refilling_a_column_draws_again_from_the_first_row_that_changed(demo_db, make_app):
    """A card leaving the middle of a column: the rows above it and their lines stay as drawn;
    the header (its count) and the rows from that card down are drawn again."""
    from textual.geometry import Region

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        column = board_of(app).columns[0]
        cards, head = list(column.items), column.head
        dirty_regions(column).clear()
        fewer = head._replace(count=head.count - 1)
        column.show(fewer, cards[:2] + cards[3:], app.now(), cursor=0)  # the third card has left
        width, top, height = column.size.width, column.header_height, column.row_height
        below = top + 2 * height
        assert dirty_regions(column) == {
            Region(0, 0, width, top),
            Region(0, below, width, column.size.height - below),
        }
        assert f"{len(cards) - 1}" in column.header_text()
        dirty_regions(column).clear()
        column.show(fewer, cards[:2] + cards[3:], app.now(), cursor=0)  # nothing changed: nothing drawn
        assert dirty_regions(column) == set()
        column.show(head._replace(count=head.count - 2), cards[1:], app.now(), cursor=0)  # the first left
        assert dirty_regions(column) == {Region(0, 0, width, column.size.height)}
        dirty_regions(column).clear()
        later = app.now() + timedelta(hours=1)  # the same cards an hour on: "late" may now show
        column.show(column.head, list(column.items), later, cursor=0)
        assert dirty_regions(column) == {Region(0, 0, width, column.size.height)}


async def test_focus_moved_by_a_key_shows_on_both_columns_in_that_keys_frame(demo_db, make_app):
    """l marks the column left and the column reached (header colour, cursor row) at once;
    the focus events that follow find nothing left to change."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lead, qualified = board_of(app).columns[:2]
        assert lead.looks_focused
        board_of(app).action_column(1)  # what l does, before any event is handled
        assert not lead.looks_focused
        assert qualified.looks_focused
        await pilot.pause()
        assert not lead.looks_focused and qualified.looks_focused


async def test_garbage_collection_resumes_after_the_first_frame(demo_db, make_app):
    """Collection is off while the app starts (it would only walk start-up objects again and
    again) and must come back once the board is shown, collecting less often than Python's
    default: a card move allocated enough to trigger four collections."""
    import gc

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert gc.isenabled()
        assert gc.get_threshold()[0] >= 10_000


async def test_the_focused_columns_header_takes_the_themes_colour(demo_db, make_app):
    def header_background(column):
        width = column.scrollable_content_region.width
        return column.render_header(0, width)._segments[0].style.bgcolor

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lead, qualified = board_of(app).columns[:2]
        before = header_background(lead)
        assert before == lead.get_component_rich_style("stage-header--focused").bgcolor
        card_line = lead.render_line(lead.header_height)  # the cursor's card, its name
        assert header_background(qualified) != before  # not focused: the plain header
        app.theme = "nord" if app.theme != "nord" else "gruvbox"
        await pilot.pause()
        after = header_background(lead)
        assert after != before
        assert after == lead.get_component_rich_style("stage-header--focused").bgcolor
        redrawn = lead.render_line(lead.header_height)
        assert redrawn.text == card_line.text and list(redrawn) != list(card_line)  # new colours
        cursor = lead.get_component_rich_style("card--cursor", partial=True).bgcolor
        *row, edge = list(redrawn)
        assert all(segment.style.bgcolor == cursor for segment in row)
        assert edge.text == "▕" and edge.style.color == lead.get_component_rich_style("stage-edge").color


async def test_p_switches_to_another_pipelines_columns_and_back(demo_db, make_app, now):
    from pipeline_tui.core.domain import LOST, OPEN, WON
    from pipeline_tui.services import prospects, setup

    setup.add_pipeline(
        "Renewals", (("Due", 0.5, OPEN, "lead"), ("Renewed", 1.0, WON, "won"), ("Gone", 0.0, LOST, "lost"))
    )
    renewal = prospects.add_prospect(now, "Acme renewal", pipeline="Renewals")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert column_names(app) == ["Lead", "Qualified", "Appointment", "Trial", "Proposal"]
        await pilot.press("p")
        await pilot.pause()
        assert column_names(app) == ["Due"]
        assert focused_card(app).id == renewal.id
        board = board_of(app)
        main = board.query_one("#board-main")
        assert list(main.children)[1:] == [*board.columns, board.query_one("#welcome")]
        assert "Acme renewal" in screen_text(app) and "Lead" not in screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        assert column_names(app) == ["Lead", "Qualified", "Appointment", "Trial", "Proposal"]
        assert focused_card(app).id == cards_in(app, "Lead")[0].id


def _card_on_board(app, prospect_id: int):
    return next(card for column in board_of(app).columns for card in column.items if card.id == prospect_id)


@pytest.mark.parametrize("keys", [["s"], ["d", "enter", "escape"]])
async def test_a_follow_up_triaged_on_the_agenda_shows_on_the_board_at_once(demo_db, make_app, keys):
    """Snoozed (s) or done (d) on the agenda, an overdue follow-up no longer shows overdue on
    its card when the board comes back (1): every view shows what any other one changed."""
    from pipeline_tui.ui.screens.agenda import AgendaScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, AgendaScreen)
        item = app.screen.list.current
        assert item.status == "overdue"
        assert _card_on_board_later(item.prospect_id)
        await pilot.press("1")
        await pilot.pause()
        before = _card_on_board(app, item.prospect_id)
        assert before.follow_up_status == "overdue" and before.next_follow_up.id == item.id
        await pilot.press("2")
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        after = _card_on_board(app, item.prospect_id)
        assert (
            after.next_follow_up is None
            or after.next_follow_up.id != item.id
            or (after.next_follow_up.due > before.next_follow_up.due)
        )
        assert after.follow_up_status != "overdue" or after.next_follow_up.id != item.id
        assert after.score != before.score or after.next_follow_up != before.next_follow_up


def _card_on_board_later(prospect_id: int) -> bool:
    """The prospect is on the board: open, in the Sales pipeline."""
    prospect = Prospect.get_by_id(prospect_id)
    return not prospect.archived and Stage.get_by_id(prospect.stage_id).kind == "open"


async def test_search_without_accents_finds_calls_and_closed_deals_with_their_stage(demo_db, make_app, now):
    from pipeline_tui.services.follow_ups import log_activity
    from pipeline_tui.services.prospects import add_prospect, mark_won

    add_prospect(now, "Nordic pilot", fields={"contact": "Ingrid Bergström"})
    called = add_prospect(now, "Quiet deal")
    log_activity(called.id, "call", now, outcome="asked about the Jörg edition")
    mark_won(add_prospect(now, "Jorgensen rollout").id, now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"bergstrom")
        await pilot.pause()
        assert [c.name for s in column_names(app) for c in cards_in(app, s)] == ["Nordic pilot"]
        await pilot.press("escape", "slash", *"jorg")
        await pilot.pause()
        assert column_names(app) == ["Lead", "Qualified", "Appointment", "Trial", "Proposal", "Won"]
        assert [c.name for c in cards_in(app, "Lead")] == ["Quiet deal"]
        assert [(c.name, c.closed) for c in cards_in(app, "Won")] == [("Jorgensen rollout", "won 26 Nov 26")]
        assert "won 26 Nov 26" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert column_names(app) == ["Lead", "Qualified", "Appointment", "Trial", "Proposal"]


async def test_two_deals_of_one_company_are_told_apart_on_narrow_cards(db, make_app, now):
    """A name too long for its card is cut from the middle: its end, which tells two deals of
    one company apart, stays ("Quarry Printing…" once sat beside "Quarry Printing pilot")."""
    from pipeline_tui.services.prospects import add_prospect

    for name in ("Quarry Printing expansion", "Quarry Printing expansion pilot"):
        add_prospect(now, name, stage="Trial", fields={"value": "900000", "decision_maker": "yes"})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("l", "l", "l")
        await pilot.pause()
        trial = next(c for c in board_of(app).columns if c.stage.name == "Trial")
        width = trial.scrollable_content_region.width
        titles = [trial.render_line(trial.header_height + row * trial.row_height).text for row in range(2)]
        assert len(set(titles)) == 2, titles
        assert any(title.rstrip(" ▕").endswith("pilot") for title in titles), (titles, width)
        assert all("Quarry" in title and "…" in title for title in titles), titles


async def test_the_board_reads_again_when_the_clock_moves_a_card_on(db, make_app, now):
    """A follow-up due at 11:00 falls overdue at 11:00: the card says so, with its new score,
    without a key pressed (the board looks at the clock every half a minute)."""
    from pipeline_tui.services.prospects import add_prospect

    deal = add_prospect(now, "Deal", follow_up=(now.replace(hour=11, minute=0), "call"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = _card_on_board(app, deal.id)
        assert before.follow_up_status == "today"
        board = board_of(app)
        app.pinned_now = now.replace(hour=10, minute=59)
        board._check_clock()
        assert _card_on_board(app, deal.id) is before, "nothing moved: nothing read"
        app.pinned_now = now.replace(hour=11, minute=1)
        board._check_clock()
        await pilot.pause()
        after = _card_on_board(app, deal.id)
        assert after.follow_up_status == "overdue" and after.score < before.score


async def test_a_card_moved_reads_again_only_the_columns_it_left_and_entered(demo_db, make_app):
    """The other columns keep their cards as read (no window of theirs is read again), and the
    strip of won and lost stays as read: no deal closed. A deal won reads the strip again."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "l")
        before = [column.items for column in board_of(app).columns]
        strip = board_of(app).data.strip
        await pilot.press("L")
        await pilot.pause()
        after = [column.items for column in board_of(app).columns]
        assert [a is b for a, b in zip(before, after, strict=True)] == [True, True, False, False, True]
        assert board_of(app).data.strip is strip
        await pilot.press("w")
        await pilot.pause()
        assert board_of(app).data.strip.won[0] == strip.won[0] + 1


async def test_cards_read_while_the_server_is_gone_leave_the_board_as_it_was(
    demo_db, make_app, monkeypatch, now
):
    """The board reads its cards as it draws them: a read that finds the server gone (a redraw
    after another program's write, a search typed) is said in the footer; nothing ends the app."""
    from pipeline_tui.errors import ServerLost
    from pipeline_tui.services.board import BoardReader
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.ui import app as app_module
    from pipeline_tui.ui.widgets.footer import KeysFooter

    for number in range(30):  # windows of the Lead column not read at first
        add_prospect(now, f"Extra lead {number}")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        def gone(*_args, **_kwargs):
            raise ServerLost("the database server is unreachable")

        monkeypatch.setattr(BoardReader, "window", gone)
        board = board_of(app)
        app.keep_screen(board.reload)  # as the poll does when another program wrote
        await pilot.pause()
        await pilot.press("G", "slash", "a")
        await pilot.pause()
        assert app.return_code is None and app.server_lost
        assert app.screen.query_one(KeysFooter).message in (app_module.SERVER_GONE, app_module.SERVER_REFUSED)


async def test_closing_a_search_while_the_server_is_gone_leaves_the_board_as_it_was(
    demo_db, make_app, monkeypatch
):
    """Escape empties the search and reads the board again: with the server gone that read is
    said in the footer, and the app goes on (it ended with a traceback)."""
    from pipeline_tui.errors import ServerLost
    from pipeline_tui.services.board import BoardReader
    from pipeline_tui.ui import app as app_module
    from pipeline_tui.ui.widgets.footer import KeysFooter

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", "a")
        await pilot.pause()

        def gone(*_args, **_kwargs):
            raise ServerLost("the database server is unreachable")

        monkeypatch.setattr(BoardReader, "read", gone)
        await pilot.press("escape")
        await pilot.pause()
        assert app.return_code is None and app.server_lost
        assert app.screen.query_one(KeysFooter).message in (app_module.SERVER_GONE, app_module.SERVER_REFUSED)


async def test_the_new_prospect_form_opens_while_the_server_is_gone(demo_db, make_app, monkeypatch):
    """n with the server gone opened nothing, and the name typed next ran the board's keys (f of
    "Offline" opened a follow-up form): the form opens on the stages the board read, its save
    is refused (and kept) until the server is back."""
    from pipeline_tui.errors import ServerLost
    from pipeline_tui.services import base
    from pipeline_tui.ui.widgets.forms import FormScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        def gone(*_args, **_kwargs):
            raise ServerLost("the database server is unreachable")

        monkeypatch.setattr(base, "find_pipeline", gone)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen) and app.screen.form_title == "New prospect"
        stage = next(item for item in app.screen.fields if item.name == "stage")
        assert stage.choices == ["Lead", "Qualified", "Appointment", "Trial", "Proposal", "Won", "Lost"]
        await pilot.press(*"Offline lead")
        assert app.screen.values()["name"] == "Offline lead"


def _server_switch(monkeypatch) -> dict:
    """Every statement finds the server gone while ``switch["gone"]``, as a lost connection does."""
    from pipeline_tui.errors import ServerLost
    from pipeline_tui.store import models

    db, switch = models.database.obj, {"gone": False}
    for name in ("execute_sql", "begin"):
        real = getattr(db, name)

        def watched(*args, _real=real, **kwargs):
            if switch["gone"]:
                raise ServerLost("the database server is unreachable")
            return _real(*args, **kwargs)

        monkeypatch.setattr(db, name, watched)
    return switch


@pytest.mark.parametrize("pane_read", [False, True])
async def test_the_edit_form_opens_while_the_server_is_gone(demo_db, make_app, monkeypatch, pane_read):
    """e with the server gone opened nothing (the form read the prospect first), and " renamed"
    typed next ran the board's keys. It opens on what the board last read (the pane's prospect,
    else the card's fields); its save is refused and kept, and goes through once it is back."""
    from pipeline_tui.ui.widgets.forms import FormScreen

    switch = _server_switch(monkeypatch)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l")
        if pane_read:
            await pilot.press("enter", "escape")
        await pilot.pause()
        card = focused_card(app)
        switch["gone"] = True
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen) and app.screen.form_title == f"Edit {card.name}"
        assert ("email" in app.screen.values()) is pane_read  # the card shows no email
        await pilot.press("end", *" renamed", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert "Server unreachable: nothing was saved" in str(app.screen.query_one("#form-error").render())
        switch["gone"] = False
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)
    assert Prospect.get_by_id(card.id).name == f"{card.name} renamed"


async def test_an_edit_typed_while_the_server_was_gone_is_refused_if_changed_elsewhere(
    demo_db, make_app, monkeypatch
):
    """The form opened from the card's fields alone: a name changed elsewhere meanwhile is not
    overwritten by its save."""
    from pipeline_tui.ui.widgets.forms import FormScreen

    switch = _server_switch(monkeypatch)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        card = focused_card(app)
        switch["gone"] = True
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("tab", *"Mine Inc", "enter")
        switch["gone"] = False
        Prospect.update(name="Theirs").where(Prospect.id == card.id).execute()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert "changed elsewhere" in str(app.screen.query_one("#form-error").render())
    assert Prospect.get_by_id(card.id).name == "Theirs"


async def test_the_lost_form_opens_while_the_server_is_gone(demo_db, make_app, monkeypatch):
    """x read the reasons given before first: with the server gone it opened nothing."""
    from pipeline_tui.ui.widgets.forms import FormScreen

    switch = _server_switch(monkeypatch)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        switch["gone"] = True
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen) and app.screen.form_title.startswith("Lost: ")
        await pilot.press(*"price")
        assert app.screen.values()["reason"] == "price"


def test_the_pane_says_days_in_stage_a_slipped_close_and_a_snooze_with_its_reason(demo_db, now):
    """Issue 20: the pane shows days in the current stage; the demo's slipped deal and its deal
    snoozed with a reason say so."""
    from datetime import datetime

    from pipeline_tui.core.settings import Settings
    from pipeline_tui.services.views import prospect_detail
    from pipeline_tui.ui.widgets.prospect_detail import detail_parts
    from pipeline_tui.ui.widgets.virtual_list import GLUE

    def pane(prospect: Prospect) -> str:
        parts = detail_parts(prospect_detail(prospect.id, now, Settings()), now)
        return "".join(p if isinstance(p, str) else p[0] for p in parts).replace(GLUE, " ")

    open_ids = [s.id for s in Stage.select().where(Stage.kind == "open")]
    live = list(Prospect.select().where(Prospect.stage.in_(open_ids), Prospect.archived == False))  # noqa: E712
    slipped = [p for p in live if p.expected_close and p.expected_close < now.date()]
    [snoozed] = [p for p in live if p.snooze_reason]
    assert slipped and all("slipped" in pane(p) for p in slipped)
    on_time = next(p for p in live if p.expected_close and p.expected_close >= now.date())
    assert "slipped" not in pane(on_time)
    entered = datetime.fromisoformat(str(on_time.stage_entered_at))
    assert f"{(now - entered).days} days in stage" in pane(on_time)
    assert f"Snoozed until {snoozed.snoozed_until:%d %b %Y}  their budget opens in January" in pane(snoozed)


async def test_cards_show_days_in_stage_and_flag_a_slipped_close(demo_db, make_app, now):
    """Issue 20: each card says how many days it has sat in its stage, and ⚑ marks an open deal
    whose expected close date has passed (the demo has one)."""
    from datetime import datetime

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        cards = [card for column in board_of(app).columns for card in column.items]
        rows = {p.id: p for p in Prospect.select().where(Prospect.id.in_([c.id for c in cards]))}
        for card in cards:
            prospect = rows[card.id]
            entered = datetime.fromisoformat(str(prospect.stage_entered_at))
            assert card.days_in_stage == (now - entered).days
            close = prospect.expected_close
            assert card.slipped == (close is not None and close < now.date())
        [slipped] = [c for c in cards if c.slipped]
        text = screen_text(app)
        assert f" {slipped.days_in_stage}d⚑" in text
        assert text.count("⚑") == 1


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_rotting_card_is_marked_and_a_logged_call_clears_it(demo_db, make_app, size):
    """Issue 20: a card idle past its stage's limit with no next step says "rotting" and how
    long it has been idle; days in stage stay readable in the narrowest columns (80x24)."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        qualified = cards_in(app, "Qualified")
        rotting = [index for index, card in enumerate(qualified) if card.rotting]
        assert rotting, "the demo has a rotting deal in Qualified"
        await pilot.press("l", *["j"] * rotting[0])
        card = focused_card(app)
        assert card.rotting and card.next_follow_up is None
        lines = screen_text(app).splitlines()
        assert any(
            f"rotting {card.idle_days}d" in line or f"rotting: {card.idle_days}d idle" in line
            for line in lines
        )
        after_marks = re.findall(r"DM[✓?✗](\S*\s?\S*)", screen_text(app))
        assert len(after_marks) >= 10 and all(re.fullmatch(r" ?\d+d⚑?", tail) for tail in after_marks), (
            after_marks
        )
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"Talked to Ana", "enter")
        await pilot.pause()
        assert not focused_card(app).rotting, "a call just logged: touched today"
        assert "rotting" not in "\n".join(
            line for line in screen_text(app).splitlines() if card.name[:5] in line
        )


async def test_the_board_makes_an_index_an_import_left_out_of_date_once_it_is_shown(db, make_app):
    """A big import leaves the index of texts to be made: the board makes it in a thread."""
    from pipeline_tui.services.board import search_index_out_of_date
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.store import search
    from pipeline_tui.store.db import run_write

    if not search.has_index(db):
        pytest.skip("the trigram index is SQLite's")
    add_prospect(make_app().now(), "Brightwater dental")
    run_write(lambda: search.set_out_of_date(db))
    assert search_index_out_of_date()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert not search_index_out_of_date()
        assert search.uses_index()


async def test_a_search_typed_keeps_the_strip_as_read_until_a_deal_is_won_elsewhere(demo_db, make_app, now):
    """Each letter of a search reads the columns again, but not the won and lost of the strip:
    nothing was written. A deal won by another program meanwhile is in the next letter's strip."""
    from pipeline_tui.services.prospects import mark_won

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        strip = board_of(app).data.strip
        other = cards_in(app, "Lead")[-1]
        await pilot.press("slash", *"an")
        await pilot.pause()
        assert board_of(app).data.strip is strip and board_of(app).data.search == "an"
        mark_won(other.id, now)  # as another program would
        await pilot.press("d")
        await pilot.pause()
        assert board_of(app).data.strip.won[0] == strip.won[0] + 1


async def test_a_letter_typed_in_the_search_reads_the_board_as_it_is_typed(demo_db, make_app):
    """The board is read again as the letter goes into the search line, not a message later
    (Input.Changed): the letter and the cards it finds are then drawn in one frame, not the
    letter in a frame of its own first."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"jun")
        await pilot.pause()
        board = board_of(app)
        board.search.insert_text_at_cursor("i")  # as the key i does, with nothing awaited after
        assert board.filter == "juni" and board.data.search == "juni"
        await pilot.pause()
        shown = [c for s in column_names(app) for c in cards_in(app, s)]
        assert shown and all("juni" in _searched_by(c) for c in shown)
        assert "juni" in screen_text(app).splitlines()[1]


async def test_the_pane_opened_again_draws_only_the_lines_that_changed(demo_db, make_app, now, monkeypatch):
    """The pane keeps each line it drew by what the line shows: opened again on the same card
    it draws none anew; after a note is added, only lines that differ (and the note shows)."""
    from pipeline_tui.services.notes import add_note
    from pipeline_tui.ui.widgets import prospect_detail

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        first = screen_text(app)
        drawn = []
        make_strip = prospect_detail.make_strip
        monkeypatch.setattr(prospect_detail, "make_strip", lambda *a: drawn.append(a) or make_strip(*a))
        await pilot.press("escape", "enter")
        await pilot.pause()
        assert drawn == [] and screen_text(app) == first
        add_note(focused_card(app).id, "Called back about the quarry", now)
        board_of(app).reload()
        await pilot.pause()
        lines = board_of(app).scrollable_content_region.height
        assert 0 < len(drawn) < lines and "Called back about the quarry" in screen_text(app)


async def test_the_edit_form_of_a_long_name_keeps_its_keys_in_sight_at_80x24(demo_db, make_app):
    """A 300-character name (the longest allowed) is the form's title: one line cut with an
    ellipsis, so the fields and the line of keys below them stay on a small terminal."""
    from pipeline_tui.ui.screenshots import SMALL

    long_name = ("Longname " * 34)[:300]
    Prospect.update(name=long_name).execute()
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        title = app.screen.query_one(".form-title")
        keys = app.screen.query_one("#form-keys")
        assert title.region.height == 1
        assert "…" in screen_text(app)
        assert 0 < keys.region.bottom <= SMALL[1], "the line of keys is on the screen"


async def test_a_database_that_refuses_writes_is_said_in_one_line_not_a_traceback(demo_db, make_app, now):
    """A read-only database (a file made immutable, a copy on a read-only disk): the board must
    write the scores the clock moved on, cannot, and says so; the command line prints it."""
    from pipeline_tui.ui import app as app_module

    demo_db.execute_sql("PRAGMA query_only = ON")  # as SQLite refuses a read-only file's writes
    try:
        app = make_app(now=now + timedelta(days=40))  # the stored scores no longer hold: rewritten
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.pause()
        assert app.return_code == 2
        assert "readonly database" in str(app.refused)
        said = app_module._why(app.refused, "/data/pipeline.db")
        assert said.startswith("/data/pipeline.db is read-only (") and "\n" not in said
    finally:
        demo_db.execute_sql("PRAGMA query_only = OFF")


def test_the_pane_keeps_a_space_between_a_follow_ups_kind_and_when(demo_db, now):
    """The kind "appointment" is longer than the others: it read "appointmenttomorrow 10:00"."""
    from pipeline_tui.core.settings import Settings
    from pipeline_tui.services.views import prospect_detail
    from pipeline_tui.ui.widgets.prospect_detail import detail_parts

    booked = FollowUp.select().where(FollowUp.kind == "appointment", FollowUp.done_at.is_null()).first()
    parts = detail_parts(prospect_detail(booked.prospect_id, now, Settings()), now)
    texts = [p if isinstance(p, str) else p[0] for p in parts]
    kind = next(i for i, text in enumerate(texts) if text.startswith("appointment"))
    assert texts[kind].endswith(" ") and not texts[kind + 1].startswith(" ")
