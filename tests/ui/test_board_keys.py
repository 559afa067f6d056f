"""What the board's own keys draw: a card moved (L/H) and the detail pane opened (enter) each
cost one frame, holding only what changed."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widget import Widget

from pipeline_tui.store.models import Prospect, Stage
from pipeline_tui.ui.widgets.footer import KeysFooter
from pipeline_tui.ui.widgets.stage_column import StageColumn
from tests.conftest import ENGINES
from tests.ui.helpers import board_of, cards_in, focused_card, screen_text

SIZE = (120, 40)


def stage_of(prospect_id: int) -> str:
    return Stage.get_by_id(Prospect.get_by_id(prospect_id).stage_id).name


@pytest.fixture
def frames(monkeypatch):
    """Each frame handed to the terminal, as the widgets drawn for it (a list per frame)."""
    drawn: list[Widget] = []

    class Frames(list):
        def clear(self) -> None:  # from now on: nothing drawn before counts
            super().clear()
            drawn.clear()

    shown = Frames()
    render_lines, display = Widget.render_lines, App._display

    def recording_render(self, crop):
        drawn.append(self)
        return render_lines(self, crop)

    def recording_display(self, screen, renderable):
        if renderable is not None:
            shown.append(list(drawn))
        drawn.clear()
        return display(self, screen, renderable)

    monkeypatch.setattr(Widget, "render_lines", recording_render)
    monkeypatch.setattr(App, "_display", recording_display)
    return shown


@pytest.mark.parametrize("key, stage", [("L", "Trial"), ("H", "Qualified")])
async def test_a_card_moved_and_what_the_footer_says_of_it_are_one_frame_of_two_columns(
    demo_db, make_app, frames, key, stage
):
    """The move, and the footer saying so, in one frame drawing the columns that changed and
    the footer: not a frame for each, nor every column drawn again for the footer line."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "l")  # Appointment: neither way asks a question
        await pilot.pause()
        board = board_of(app)
        card = focused_card(app)
        here = board.columns.index(app.focused)
        there = here + (1 if key == "L" else -1)
        frames.clear()
        await pilot.press(key)
        await pilot.pause()
        assert stage_of(card.id) == stage
        assert focused_card(app).id == card.id and card.id in [c.id for c in cards_in(app, stage)]
        footer = board.query_one(KeysFooter)
        assert footer.message == f"Moved to {stage}: {card.name}"
        assert footer.message in screen_text(app).splitlines()[-1]
        assert len(frames) == 1, [sorted({type(w).__name__ for w in frame}) for frame in frames]
        drawn = {w for w in frames[0] if isinstance(w, StageColumn)}
        assert {board.columns[here], board.columns[there]} <= drawn and footer in frames[0]
        # (a column on the other side may change too: keep_current scores cards anew)
        assert drawn.isdisjoint(board.columns[: min(here, there)]), "columns the move left alone"
        # what lies wholly behind the changed columns (their container, the screen) is not drawn
        assert board not in frames[0] and board.query_one("#board-main") not in frames[0]


async def test_the_pane_opened_again_on_a_card_reads_it_again_only_after_a_write(
    demo_db, make_app, now, monkeypatch
):
    """enter, esc, enter on one card reads the card once; a note written meanwhile (by this
    program or another: the database's write counter moves) shows when the pane opens again,
    and another card is read for itself."""
    from pipeline_tui.services.notes import add_note
    from pipeline_tui.ui.screens import board as board_module

    reads = []
    read = board_module.prospect_detail
    monkeypatch.setattr(board_module, "prospect_detail", lambda *a: reads.append(a[0]) or read(*a))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card = focused_card(app)
        await pilot.press("enter")
        await pilot.pause()
        first = screen_text(app)
        await pilot.press("escape", "enter")
        await pilot.pause()
        assert reads == [card.id] and screen_text(app) == first
        await pilot.press("escape")
        add_note(card.id, "Called back about the quarry", now)  # as another program would
        await pilot.press("enter")
        await pilot.pause()
        assert reads == [card.id, card.id]
        assert "Called back about the quarry" in board_of(app).detail.text()
        await pilot.press("escape", "j", "enter")
        await pilot.pause()
        other = focused_card(app)
        assert other.id != card.id and reads == [card.id, card.id, other.id]
        assert other.name in board_of(app).detail.text()


async def test_a_column_shown_its_very_rows_again_reads_none_of_them(demo_db, make_app):
    """After a move the columns it left alone are handed the same rows: they look at none
    (a look reads the cards in sight, from the database once a window has gone)."""

    class Counted(list):
        looked = 0

        def __getitem__(self, index):
            Counted.looked += 1
            return super().__getitem__(index)

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        column = board_of(app).columns[0]
        rows = Counted(column.items[:5])
        column.show(column.head, rows, app.now(), cursor=0)
        Counted.looked = 0
        column.show(column.head, rows, app.now())
        column.show(column.head, rows, app.now(), cursor=column.cursor)
        assert Counted.looked == 0
        column.show(column.head, Counted(rows), app.now())  # other rows, equal: looked at
        assert Counted.looked > 0


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_the_footer_drawn_in_parts_is_the_line_textual_draws_of_it_whole(demo_db, make_app, size):
    """The footer draws its keys once per set of them and the message apart; the line is the
    one Textual draws of the whole text: keys alone, keys and a message, the pane's keys, a
    message too long to share the line, in two themes."""
    from textual.visual import Visual

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        footer = board_of(app).query_one(KeysFooter)

        def assert_drawn_as_textual_would() -> None:
            whole = Visual.to_strips(footer, footer.visual, footer.size.width, 1, footer.visual_style)[0]
            assert list(footer.render_line(0)) == list(whole)
            assert footer.render_line(0).cell_length == whole.cell_length

        assert_drawn_as_textual_would()
        app.notify("Moved to Trial: Acme [b]x[/b] 日本語", markup=False)
        await pilot.pause()
        assert_drawn_as_textual_would()
        await pilot.press("enter")  # the pane's keys join the line
        await pilot.pause()
        assert_drawn_as_textual_would()
        app.notify("A message too long to share the line with the keys " * 3, markup=False)
        await pilot.pause()
        assert_drawn_as_textual_would()
        footer._forget_message()
        app.theme = "nord" if app.theme != "nord" else "gruvbox"
        await pilot.pause()
        assert_drawn_as_textual_would()


def stored_of(prospect_id: int) -> tuple:
    """What the board orders and the report reads, as stored: score, until when, advice."""
    from pipeline_tui.store import stored_advice

    row = Prospect.get_by_id(prospect_id)
    advice = sorted(piece for piece in stored_advice.every_piece() if piece[0] == prospect_id)
    return row.score, row.fresh_until, advice


@pytest.mark.parametrize("engine", ENGINES)  # the score is written by triggers and SQL of each engine
@pytest.mark.parametrize("key", ["L", "H"])
async def test_a_card_moved_is_one_write_with_the_score_keep_current_would_store(
    demo_db, make_app, monkeypatch, now, key
):
    """L/H writes the move and the card's new score, advice and text in one transaction: the
    board's read after it has nothing left to write, and what is stored is what working
    everything out afresh stores. Undo puts the card and its score back."""
    from pipeline_tui.services import scores
    from pipeline_tui.store import db as store_db
    from pipeline_tui.store import freshness

    writes: list[str] = []
    write = store_db._write
    monkeypatch.setattr(store_db, "_write", lambda *args: writes.append("w") or write(*args))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "l")  # Appointment: neither way asks a question
        await pilot.pause()
        card, before = focused_card(app), stored_of(focused_card(app).id)
        writes.clear()
        await pilot.press(key)
        await pilot.pause()
        assert len(writes) == 1 and not freshness.any_stale(app.now())
        moved = stored_of(card.id)
        assert moved[0] != before[0] and focused_card(app).score == moved[0]
        Prospect.update(fresh_until=None).where(Prospect.id == card.id).execute()
        scores.keep_current(app.now(), app.settings)  # worked out again as any other change is
        assert stored_of(card.id) == moved
        await pilot.press("u")
        await pilot.pause()
        assert stored_of(card.id) == before and focused_card(app).id == card.id
        assert focused_card(app).score == before[0] and stage_of(card.id) == "Appointment"


def in_board_order(stage: str) -> list[int]:
    rows = Prospect.select(Prospect.id, Prospect.score, Prospect.value_cents).where(
        Prospect.stage == Stage.get(Stage.name == stage).id,
        Prospect.archived == False,  # noqa: E712
    )
    return [pid for pid, _, _ in sorted(rows.tuples(), key=lambda r: (-r[1], -(r[2] or 0), r[0]))]


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_card_moved_from_deep_in_a_column_and_back_shows_each_column_in_order(
    demo_db, make_app, monkeypatch, engine
):
    """Windows of 4 cards, read from a card beside them past the first: the last card of Lead
    moved on (L) lands where the database places it, the cursor on it; undo brings it back."""
    from pipeline_tui.services import board as board_service

    monkeypatch.setattr(board_service, "WINDOW", 4)
    monkeypatch.setattr(board_service, "NEAR_FROM", 1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("G")
        await pilot.pause()
        card = focused_card(app)
        assert card.id == in_board_order("Lead")[-1]
        await pilot.press("L")
        await pilot.pause()
        assert stage_of(card.id) == "Qualified" and focused_card(app).id == card.id
        order = in_board_order("Qualified")
        assert [c.id for c in cards_in(app, "Qualified")] == order
        at = order.index(card.id)
        assert (f"{at + 1}/{len(order)}" if at else f"Qualified {len(order)}") in screen_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert stage_of(card.id) == "Lead" and focused_card(app).id == card.id
        assert [c.id for c in cards_in(app, "Lead")] == in_board_order("Lead")
        assert [c.id for c in cards_in(app, "Qualified")] == in_board_order("Qualified")
