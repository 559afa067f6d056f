"""Every use of Textual's private names (``pipeline_tui.ui.textual_internals``), checked
against the Textual installed: run this file first after upgrading Textual. Each name is there
with the shape we rely on, and does for us what it is there for."""

from __future__ import annotations

import inspect

import pytest
from textual._compositor import ChopsUpdate, Compositor
from textual._styles_cache import StylesCache
from textual.app import App
from textual.geometry import Region
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.widget import Widget

from pipeline_tui.ui import textual_internals
from pipeline_tui.ui.widgets.stage_column import StageColumn
from pipeline_tui.ui.widgets.virtual_list import LineView
from tests.ui.helpers import board_of, screen_text

SIZE = (120, 40)


@pytest.mark.parametrize(
    "owner, name, parameters",
    [
        (Screen, "_compositor_refresh", ["self"]),
        (Screen, "_on_screen_resume", ["self", "event"]),
        (App, "_on_key", ["self", "event"]),
        (App, "_check_bindings", ["self", "key", "priority"]),
        (App, "_display", ["self", "screen", "renderable"]),
        (App, "_load_screen_css", ["self", "screen"]),
        (ScrollView, "_scroll_update", ["self", "virtual_size"]),
        (Widget, "_size_updated", ["self", "size", "virtual_size", "container_size", "layout"]),
        (Widget, "_check_disabled", ["self"]),
        (StylesCache, "render_line", None),
        (StylesCache, "get_inner_outer", ["cls", "base_background", "background"]),
        (Compositor, "render_partial_update", ["self"]),
        (Compositor, "_get_renders", ["self", "crop"]),
        (Compositor, "_render_chops", ["self", "crop", "is_rendered_line"]),
        (Compositor, "_regions_to_spans", ["regions"]),
        (ChopsUpdate, "__init__", ["self", "chops", "spans", "chop_ends"]),
        (ChopsUpdate, "render_segments", ["self", "console"]),
    ],
)
def test_each_private_method_overridden_or_called_is_there_with_its_parameters(owner, name, parameters):
    method = getattr(owner, name)
    if parameters is not None:
        assert list(inspect.signature(method).parameters)[: len(parameters)] == parameters


def test_each_private_attribute_read_or_set_is_there():
    assert hasattr(App(), "_batch_count")
    assert {"_repaint_required", "_compositor"} <= set(vars(Screen()))
    widget = Widget()
    assert {"_border_title", "_border_subtitle", "_styles_cache", "_dirty_regions"} <= set(vars(widget))
    assert isinstance(widget._styles_cache, StylesCache)
    assert hasattr(Compositor, "render_strips") and "_full_map" in vars(Compositor())
    assert {"_dirty_regions"} <= set(vars(Compositor()))
    assert isinstance(Compositor.cuts, property) and isinstance(Compositor.visible_widgets, property)
    assert Screen.focused.__class__.__name__ == "Reactive"
    assert App()._css_update_count == 0 and Screen()._css_update_count == -1
    from textual.widgets import Input

    assert "backspace" in Input()._bindings.key_to_bindings


async def test_a_key_reaches_the_app_before_its_bindings(demo_db, make_app):
    """Letters typed right after / land in the search line, not on the board's keys (n, p)."""
    from textual import events

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key, character in [("slash", "/"), *((c, c) for c in "np")]:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#search").value == "np"


async def _keys_read_together(app, pilot, *keys: tuple[str, str | None]) -> None:
    """Keys as the driver hands over one read of the terminal (fast typing, a slow link)."""
    from textual import events

    for key, character in keys:
        app.post_message(events.Key(key, character))
    for _ in range(4):
        await pilot.pause()


async def test_keys_read_together_act_in_the_order_typed(demo_db, make_app):
    """Backspace then x, read together, left the text as it was: x went straight into the
    field and the backspace, a binding, acted after it (Textual 8.2.8, trial8). Left then y
    put y at the end. Tab then text filled the field the Tab was leaving."""
    from pipeline_tui.ui.widgets.forms import FormScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await _keys_read_together(app, pilot, *((c, c) for c in "abc"), ("backspace", None), ("x", "x"))
        assert app.screen.values()["name"] == "abx"
        await _keys_read_together(app, pilot, ("left", None), ("y", "y"))
        assert app.screen.values()["name"] == "abyx"
        await _keys_read_together(app, pilot, ("tab", None), *((c, c) for c in "Org"))
        assert app.screen.values()["name"] == "abyx"
        assert "Org" in app.screen.values().values()


async def test_the_board_is_drawn_once_as_the_start_up_batch_ends(demo_db, make_app, monkeypatch):
    """Textual lays the first screen out inside a batch of updates. The board must not be
    drawn inside it (the drawing is thrown away: ~10 ms at 10,000 cards), and the first frame
    must come as the batch ends, not wait for anything after it (the app's ready event, or the
    screen's next refresh tick)."""
    from textual._compositor import Compositor

    app = make_app()
    events = []
    app_class = type(app)
    display, end_batch, render = app_class._display, app_class._end_batch, Compositor.render_update

    def recording_render(self, *args, **kwargs):
        events.append("drawn while batched" if app._batch_count else "drawn")
        return render(self, *args, **kwargs)

    def recording_display(self, screen, renderable):
        if renderable is not None and not self._batch_count:
            events.append("frame")
        return display(self, screen, renderable)

    def recording_end_batch(self):
        end_batch(self)
        events.append("batch over" if not self._batch_count else "batch")

    monkeypatch.setattr(Compositor, "render_update", recording_render)
    monkeypatch.setattr(app_class, "_display", recording_display)
    monkeypatch.setattr(app_class, "_end_batch", recording_end_batch)
    monkeypatch.setattr(app_class, "on_ready", lambda self: events.append("ready"), raising=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "drawn while batched" not in events
        assert events[events.index("batch over") :][:4] == ["batch over", "drawn", "frame", "ready"]
        assert "Lead" in screen_text(app)


@pytest.mark.parametrize("column", [0, 4])  # the pane opens on the right, and on the left
async def test_opening_the_detail_pane_leaves_every_column_where_and_as_it_was(demo_db, make_app, column):
    """The pane lies over the columns: opening and closing it changes no column's place or
    drawing order (Textual redraws every widget whose geometry changed; when the pane came
    after the columns it renumbered them all, and enter redrew the whole board)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*["l"] * column)
        board = board_of(app)
        before = dict(board._compositor._full_map)
        await pilot.press("enter")
        await pilot.pause()
        assert board.detail.region.width > 0
        after = board._compositor._full_map

        def in_pane(widget) -> bool:  # the pane, or its scrollbar
            return board.detail in (widget, widget.parent)

        changed = [w for w, geometry in after.items() if not in_pane(w) and before.get(w) != geometry]
        assert changed == []
        await pilot.press("escape")
        await pilot.pause()
        assert dict(board._compositor._full_map) == before


async def test_a_focus_move_repaints_only_the_two_columns(demo_db, make_app, monkeypatch):
    """Moving to the next column restyles and redraws those two columns, not the screen."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        board = board_of(app)
        for column in board.columns:
            textual_internals.dirty_regions(column).clear()
        repaints = []
        refresh = type(board).refresh
        monkeypatch.setattr(
            type(board), "refresh", lambda self, *a, **k: repaints.append(a) or refresh(self, *a, **k)
        )
        await pilot.press("l")
        assert repaints == []
        drawn = [column for column in board.columns if textual_internals.dirty_regions(column)]
        assert drawn == board.columns[:2]


async def test_a_focus_move_works_the_keys_out_once_and_they_follow_the_pane(demo_db, make_app, monkeypatch):
    """A focus move says the keys once (Textual says them again after the move's frame): the
    footer looks at every key's state once per l, h or card moved. The keys still change
    with what can be pressed: the pane's scrolling keys come and go with it."""
    from textual.screen import Screen as TextualScreen

    from pipeline_tui.ui.widgets.footer import KeysFooter

    looked = []
    active = TextualScreen.active_bindings
    monkeypatch.setattr(
        TextualScreen, "active_bindings", property(lambda self: looked.append(self) or active.fget(self))
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = board_of(app).query_one(KeysFooter)
        for key in ("l", "l", "L", "h"):
            looked.clear()
            await pilot.press(key)
            await pilot.pause()
            assert len(looked) == 1, key
        footer._forget_message()  # the message would hide the keys
        for key, shown in (("enter", True), ("escape", False)):
            await pilot.press(key)
            await pilot.pause()
            assert ("Scroll detail" in footer.render_line(0).text) is shown, key


async def test_a_view_shown_again_is_not_restyled_unless_the_theme_changed(demo_db, make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2", "1")
        await pilot.pause()
        restyled = []
        original = type(app).update_styles
        monkeypatch.setattr(
            type(app), "update_styles", lambda self, node=None: restyled.append(node) or original(self, node)
        )
        await pilot.press("2", "1")
        await pilot.pause()
        assert restyled == []


async def test_the_first_board_is_styled_without_parsing_the_stylesheet_again(demo_db, make_app, monkeypatch):
    """Showing the board's mode at start-up reparsed every stylesheet and restyled the app for
    a new screen, with nothing changed since the stylesheet was made (~8 ms of the first paint)."""
    from textual.css.stylesheet import Stylesheet

    reparsed = []
    original = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda self: reparsed.append(self) or original(self))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert reparsed == []
        assert "Lead" in screen_text(app)


async def test_a_view_first_shown_after_a_theme_change_is_styled_in_the_new_theme(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        light = app.get_theme("textual-light").background
        assert app.screen.styles.background.hex.lower() == light.lower()


# -- the lists hand Textual their lines as drawn (PlainLines) ----------------------------------


def styled_by_textual(widget: LineView) -> list:
    """Every line of ``widget`` as Textual's own styling pass makes it."""
    cache = widget._plain_lines
    cache.clear()
    cache.plain = False
    lines = cache.render_widget(widget, Region(0, 0, *widget.outer_size))
    cache.clear()
    return lines


def handed_over(widget: LineView) -> list:
    widget._plain_lines.clear()
    return widget.render_lines(Region(0, 0, *widget.outer_size))


async def test_board_and_agenda_lines_are_those_textual_would_style(demo_db, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j", "l")  # a cursor row, in a column with focus
        lists = [w for w in board_of(app).query(LineView) if w.outer_size.area]
        app.notify("Moved to Trial: Acme [b]x[/b] 日本語", markup=False)  # the footer: keys and a message
        lists.append(board_of(app).query_one("KeysFooter"))
        await pilot.press("2")  # the agenda: a list with a scrollbar beside its lines
        await pilot.pause()
        lists += [w for w in app.screen.query(LineView) if w.outer_size.area]
        lists.append(app.screen.query_one("KeysFooter"))  # its keys alone
        assert any(isinstance(w, StageColumn) for w in lists) and len(lists) >= 8
        for widget in lists:
            ours, textual = handed_over(widget), styled_by_textual(widget)
            assert textual_internals.styled_plainly(widget)
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
        assert not textual_internals.styled_plainly(column)
        lines = handed_over(column)
        assert all(line.text.startswith(" ") and line.text.endswith(" ") for line in lines)
        assert [list(line) for line in lines] == [list(line) for line in styled_by_textual(column)]


async def test_typing_a_search_lays_nothing_out_and_shows_the_end_of_a_long_text(
    demo_db, make_app, monkeypatch
):
    """Textual's Input asks for a layout of the whole screen on every letter (its content
    width is a layout reactive); the search line keeps its size, so none is needed. Text
    longer than the line still scrolls so that the last letters typed are in sight."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", "z")
        await pilot.pause()
        search = board_of(app).search
        laid_out = []
        refresh = Widget.refresh
        monkeypatch.setattr(
            Widget,
            "refresh",
            lambda self, *a, layout=False, **k: (
                (layout and laid_out.append(self)) or refresh(self, *a, layout=layout, **k)
            ),
        )
        await pilot.press(*"qzqzq")
        await pilot.pause()
        assert search not in laid_out and search.value == "zqzqzq"
        monkeypatch.setattr(Widget, "refresh", refresh)
        typed = "x" * 130 + "tail"
        await pilot.press(*typed)
        await pilot.pause()
        assert search.value == "zqzqzq" + typed
        assert "xxtail" in screen_text(app).splitlines()[1]


@pytest.mark.parametrize("keys", [(), ("l", "enter"), ("l", "l", "l", "l", "enter")])
async def test_a_frame_writes_what_textuals_compositor_writes_drawing_fewer_widgets(
    demo_db, make_app, keys, monkeypatch
):
    """The compositor that draws only the widgets in a changed region writes, for any set of
    changed regions, the bytes Textual's own compositor writes (pane open on either side, or
    closed), and draws no widget outside them."""
    from itertools import combinations

    from textual.widget import Widget

    drawn: list[Widget] = []
    render_lines = Widget.render_lines
    monkeypatch.setattr(
        Widget, "render_lines", lambda self, crop: drawn.append(self) or render_lines(self, crop)
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        board = board_of(app)
        ours = board._compositor
        assert isinstance(ours, textual_internals.ChangedWidgetsCompositor)
        columns, footer = board.columns, board.query_one("KeysFooter")
        parts = [footer.region, *(c.region for c in columns), board.detail.region, Region(30, 5, 9, 3)]
        for changed in [*combinations([p for p in parts if p.area], 2), tuple(p for p in parts if p.area)]:
            written = []
            for compositor_class in (Compositor, textual_internals.ChangedWidgetsCompositor):
                ours.__class__ = compositor_class
                drawn.clear()
                ours._dirty_regions.update(changed)
                written.append(_what_is_written(ours.render_update().render_segments(app.console)))
            assert written[0] == written[1], changed
            for widget in drawn:  # the last pass: ours
                shown = widget.region.intersection(ours.visible_widgets[widget][1])
                assert any(shown.overlaps(region) for region in changed), (widget, changed)


def _what_is_written(sequence: str) -> str:
    """Terminal output without the cursor moves that write nothing (a move followed by another
    move, a line's end or the end): the same text at the same places."""
    import re

    return re.sub(r"\x1b\[\d+;\d+H(?=\x1b\[\d+;\d+H|\n|$)", "", sequence)
