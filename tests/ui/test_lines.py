"""The lists hand Textual their lines as drawn (``virtual_list._PlainLines``): the same lines
Textual's own styling would make, and a line drawn before as the very same strip."""

from __future__ import annotations

from textual.geometry import Region

from pipeline_tui.ui.widgets.stage_column import StageColumn
from pipeline_tui.ui.widgets.virtual_list import LineView
from tests.ui.helpers import board_of

SIZE = (120, 40)


def styled_by_textual(widget: LineView) -> list:
    """Every line of ``widget`` as Textual's own styling pass makes it."""
    cache = widget._styles_cache
    cache.clear()
    cache.plain = False
    lines = cache.render_widget(widget, Region(0, 0, *widget.outer_size))
    cache.clear()
    return lines


def handed_over(widget: LineView) -> list:
    widget._styles_cache.clear()
    return widget.render_lines(Region(0, 0, *widget.outer_size))


async def test_board_and_agenda_lines_are_those_textual_would_style(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j", "l")  # a cursor row, in a column with focus
        lists = [w for w in board_of(app).query(LineView) if w.outer_size.area]
        await pilot.press("2")  # the agenda: a list with a scrollbar beside its lines
        await pilot.pause()
        lists += [w for w in app.screen.query(LineView) if w.outer_size.area]
        assert any(isinstance(w, StageColumn) for w in lists) and len(lists) >= 6
        for widget in lists:
            ours, textual = handed_over(widget), styled_by_textual(widget)
            assert widget._styled_plainly()
            assert [list(line) for line in ours] == [list(line) for line in textual], widget
            assert [line.cell_length for line in ours] == [widget.outer_size.width] * len(ours)


async def test_a_line_drawn_before_is_handed_over_as_the_same_strip(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        column = board_of(app).columns[1]
        first = handed_over(column)
        again = handed_over(column)  # every line drawn again (the cache of lines by place emptied)
        assert all(a is b for a, b in zip(first[2:], again[2:], strict=True))  # cards; headers redraw


async def test_a_styled_list_goes_through_textuals_styling(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        column = board_of(app).columns[0]
        column.styles.padding = (0, 1)
        await pilot.pause()
        assert not column._styled_plainly()
        lines = handed_over(column)
        assert all(line.text.startswith(" ") and line.text.endswith(" ") for line in lines)
        assert [list(line) for line in lines] == [list(line) for line in styled_by_textual(column)]
