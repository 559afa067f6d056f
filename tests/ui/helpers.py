"""Reading what the screen shows, for assertions."""

from __future__ import annotations

from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.textual_internals import screen_lines
from pipeline_tui.ui.widgets.stage_column import StageColumn


def board_of(app) -> BoardScreen:
    assert isinstance(app.screen, BoardScreen), app.screen
    return app.screen


def column_names(app) -> list[str]:
    return [column.stage.name for column in board_of(app).columns]


def cards_in(app, stage: str) -> list:
    for column in board_of(app).columns:
        if column.stage.name == stage:
            return list(column.items)
    raise AssertionError(f"no column {stage}")


def focused_card(app):
    focused = app.focused
    assert isinstance(focused, StageColumn), focused
    return focused.current


def screen_text(app) -> str:
    """All text rendered on the current screen (what a user would read)."""
    return "\n".join(strip.text for strip in screen_lines(app.screen))
