"""CJK, emoji and combining accents in every widget: no character may vanish where a line is
wrapped or cut (issue 18: "山田商事株式会社 · 山  太郎" lost 田 in the detail pane).

A text may be shortened with "…" where there is no room; what is shown of it must then be
its beginning, every character of it in place."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rich.cells import set_cell_size

from pipeline_tui.services.follow_ups import schedule
from pipeline_tui.store.models import Prospect, Stage
from pipeline_tui.ui.screens.agenda import AgendaList
from pipeline_tui.ui.screens.report import AdviceList, wrapped
from pipeline_tui.ui.textual_internals import screen_lines
from pipeline_tui.ui.widgets.stage_column import StageColumn
from tests.ui.helpers import board_of, screen_text

ORGANIZATION = "山田商事株式会社"
CONTACT = "山田 太郎"
NAME = "山田商事株式会社 新規導入 🚀 Cafe\u0301 au lait 👍🏽"  # é as e and a combining accent
NOTES = f"{ORGANIZATION} · {CONTACT} 🚀 wants the café menu (Cafe\u0301) " * 4
STAGE = "見込み客"


def no_blanks(text: str) -> str:
    return "".join(text.split())


def shown_as_beginning(shown: str, whole: str) -> bool:
    """Whether ``shown`` is ``whole``, or its beginning cut with …, no character left out."""
    shown = shown.strip()
    if shown.endswith("…"):
        return no_blanks(whole).startswith(no_blanks(shown[:-1]))
    return no_blanks(shown) == no_blanks(whole)


def shown_cut_in_the_middle(shown: str, whole: str) -> bool:
    """Whether ``shown`` is ``whole``, or its beginning and its end with … between them (a
    card's name: the end tells two deals of one company apart), no character broken."""
    head, cut, tail = shown.strip().partition("…")
    if not cut:
        return no_blanks(head) == no_blanks(whole)
    return (
        bool(tail)
        and no_blanks(whole).startswith(no_blanks(head))
        and no_blanks(whole).endswith(no_blanks(tail))
    )


@pytest.fixture
def wide(demo_db, now):
    """The first Lead prospect renamed in CJK with emoji and a combining accent, in a stage
    of a CJK name, with a follow-up overdue (first on the agenda) and advice (stale)."""
    lead = Stage.get(Stage.name == "Lead")
    Stage.update(name=STAGE).where(Stage.id == lead.id).execute()
    prospect = Prospect.select().where(Prospect.stage == lead.id).order_by(Prospect.id).first()
    Prospect.update(
        name=NAME, organization=ORGANIZATION, contact=CONTACT, notes=NOTES, source="コールドコール"
    ).where(Prospect.id == prospect.id).execute()
    schedule(prospect.id, "call", now - timedelta(days=40), now - timedelta(days=41), f"電話 {CONTACT} 🚀")
    return prospect.id


def pane_lines_lost(app, pane) -> list[tuple[str, str]]:
    """The pane's lines as drawn on the screen that lack a character of the line it wrapped."""
    region = pane.region
    strips = screen_lines(app.screen)
    width = region.width - pane.AROUND
    left = region.x + (1 if pane.has_class("-left") else 2)
    top = int(pane.scroll_offset.y)
    lost = []
    for row in range(min(region.height - 1, len(pane.text_lines) - top)):
        wanted = set_cell_size("".join(text for text, _ in pane.text_lines[top + row]), width)
        drawn = strips[region.y + row].crop(left, left + width).text
        if no_blanks(wanted) != no_blanks(drawn):
            lost.append((wanted, drawn))
    return lost


@pytest.mark.parametrize("size", [(120, 40), (100, 30), (80, 24)])
async def test_the_pane_over_the_columns_loses_no_wide_character(wide, make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        board = board_of(app)
        for column in range(len(board.columns)):  # the pane lies over other columns each time
            board.select_prospect(wide, open_detail=True)
            await pilot.pause()
            for _ in range(column):
                await pilot.press("l")
            board._refresh_detail(wide)
            await pilot.pause()
            for _ in range(3):  # and further down its text
                assert pane_lines_lost(app, board.detail) == [], (size, column)
                await pilot.press("J", "J", "J", "J", "J", "J")
                await pilot.pause()
        assert CONTACT in board.detail.text() and "Cafe\u0301" in board.detail.text()


async def test_cards_and_column_headers_show_wide_text_whole_or_cut_in_the_middle(wide, make_app):
    for size in ((120, 40), (80, 24)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            column = app.screen.query(StageColumn).first()
            assert column.stage.name == STAGE
            assert STAGE in column.header_text().splitlines()[0]
            index = [card.id for card in column.items].index(wide)
            column.cursor = index
            await pilot.pause()
            top = column.header_height + index * column.row_height - int(column.scroll_offset.y)
            name_line = column.render_line(top).text.strip(" ▌▕")
            assert shown_cut_in_the_middle(name_line, NAME), (size, name_line)


async def test_agenda_rows_advice_and_messages_keep_every_wide_character(wide, make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        agenda = app.screen.query_one(AgendaList)
        assert agenda.current.prospect_id == wide  # 40 days late: the first row
        row = agenda.render_line(agenda.cursor - int(agenda.scroll_offset.y)).text
        assert CONTACT in row
        name = row[row.index("call") + len("call") :].split(CONTACT)[0]
        assert shown_as_beginning(name, NAME), row
        await pilot.press("c")  # a form's title
        await pilot.pause()
        assert f"Log a call with {NAME}" in screen_text(app)
        await pilot.press("escape", "s")  # snoozed: the message names the prospect
        await pilot.pause()
        assert f"Snoozed to Fri 27 Nov 09:30: {NAME}" in screen_text(app)
        await pilot.press("3")
        await pilot.pause()
        advice = app.screen.query_one(AdviceList)
        mine = [index for index, item in enumerate(advice.items) if item.prospect_id == wide]
        assert mine, "the prospect has advice"
        advice.cursor = mine[0]
        await pilot.pause()
        top = mine[0] * advice.row_height - int(advice.scroll_offset.y)
        # the message's own lines: a row is as tall as the longest message, whom it is about under
        shown = len(wrapped(advice.items[mine[0]].message, advice._text_width()))
        lines = [advice.render_line(top + line).text for line in range(shown)]
        assert no_blanks("".join(lines)).lstrip("▸") == no_blanks(advice.items[mine[0]].message)
