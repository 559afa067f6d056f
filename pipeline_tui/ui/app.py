"""The application shell: screens by number, global keys, the clock, undo, and noticing
changes that other processes (a cron job, a second window) write to the database."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import UserError
from pipeline_tui.services import base, follow_ups, setup
from pipeline_tui.services.views import stage_names
from pipeline_tui.store.db import poll_revision, revision
from pipeline_tui.ui.commands import ProspectsProvider
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.textual_internals import KeysBeforeBindings
from pipeline_tui.ui.widgets.footer import Message, footer_of

POLL_SECONDS = 1.5


class PipelineApp(KeysBeforeBindings, App):
    """pipeline-tui: board (1), agenda (2), report (3)."""

    TITLE = "pipeline-tui"
    COMMANDS = App.COMMANDS | {ProspectsProvider}
    # The board opens first; the other screens and the forms are imported when first shown,
    # which keeps them out of the start-up time.
    MODES = {"board": BoardScreen, "agenda": lambda: _agenda()(), "report": lambda: _report()()}
    DEFAULT_MODE = "board"

    BINDINGS = [
        # the views are named at the top of every screen, so the footer leaves them out
        Binding("1", "show('board')", "Board", id="app.board", show=False),
        Binding("2", "show('agenda')", "Agenda", id="app.agenda", show=False),
        Binding("3", "show('report')", "Report", id="app.report", show=False),
        Binding("slash", "search", "Search", key_display="/", id="app.search"),
        Binding("n", "new_prospect", "New", id="app.new"),
        Binding("u", "undo", "Undo", show=False, id="app.undo"),
        Binding("m", "toggle_mine", "Mine/everyone", show=False, id="app.mine"),
        Binding("question_mark", "keys", "Keys", key_display="?", id="app.keys"),
        Binding("q", "quit", "Quit", show=False, id="app.quit"),  # as everywhere; listed under ?
    ]

    def __init__(
        self,
        *,
        now: datetime | None = None,
        settings: Settings | None = None,
        pipeline: str | None = None,
        poll: bool = True,
        mine: bool = False,
    ) -> None:
        super().__init__()
        self.last_message = None  # what the footer says, until its time is up
        self.pinned_now = now
        self.settings = settings or Settings()
        self.pipeline_name = pipeline or setup.get_preference("pipeline")
        self.poll = poll
        self.mine = mine
        self._seen_revision = revision()

    @property
    def owner(self) -> str | None:
        """Whose prospects the screens show: the user's own (``m``), or everyone's (None)."""
        return base.current_user() if self.mine else None

    # -- clock and changes --------------------------------------------------------------------

    def now(self) -> datetime:
        """The pinned time (``--now``), else the clock, to the minute."""
        if self.pinned_now is not None:
            return self.pinned_now
        return datetime.now().replace(second=0, microsecond=0)

    def on_load(self) -> None:
        # Start-up makes hundreds of thousands of objects that all live on (Textual's, and the
        # board's cards): collecting garbage meanwhile only walks them again and again (~0.1 s
        # at 10,000 cards). Collection resumes, with those objects frozen, after the first frame.
        gc.disable()

    def on_mount(self) -> None:
        theme = setup.get_preference("theme") or self.settings.theme
        if theme and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.poll:
            self.set_interval(POLL_SECONDS, self.check_for_changes)
        self.call_after_refresh(_freeze_startup_objects)

    def _remember_theme(self, theme) -> None:
        setup.set_preference("theme", theme.name)
        self.changed()

    def data_stamp(self) -> tuple:
        """What a screen's data depends on: if this is unchanged, a screen shown again need not
        read the database again (the report reads 100,000 prospects)."""
        return (revision(), self.now(), self.mine)

    def changed(self) -> None:
        """We wrote something: remember the revision so the poll does not reload for it."""
        self._seen_revision = revision()

    def check_for_changes(self) -> None:
        """Another process wrote: reload what is on screen."""
        current = poll_revision()
        if current is not None and current != self._seen_revision:
            self._seen_revision = current
            self.refresh_screen()

    def refresh_screen(self) -> None:
        screen = self.screen
        reload = getattr(screen, "reload", None)
        if reload is not None:
            reload()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: str = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Say what happened in the footer of the screen on top; a dialog without one gets
        Textual's toast. (A toast costs a whole-screen layout when it comes and when it goes.)
        The app keeps the message, so that the view shown next still says it."""
        footer = footer_of(self.screen) if self.screen_stack else None
        if footer is None:
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
            return
        text = f"{title}: {message}" if title else message
        self.last_message = Message.make(text, severity, timeout, markup=markup)
        footer.say(self.last_message)

    # -- running actions ----------------------------------------------------------------------

    def run_action_safely(self, action: Callable[[], Any], then: Callable[[Any], None]) -> None:
        """Run a service action; a refusal is shown, not raised."""
        try:
            result = action()
        except UserError as exc:
            self.notify(str(exc), severity="error", timeout=6, markup=False)
            return
        then(result)

    def offer_reminders(self, appointment_id: int, name: str, after: Callable[[], None]) -> None:
        """R4: one key adds the day-before reminder call and email."""

        def answer(yes: bool | None) -> None:
            if yes:
                self.run_action_safely(
                    lambda: follow_ups.schedule_reminders(appointment_id, self.now()),
                    lambda made: (
                        self.changed(),
                        self.notify("Reminder call and email scheduled", markup=False),
                        after(),
                    ),
                )

        from pipeline_tui.ui.widgets.forms import ConfirmScreen

        self.push_screen(
            ConfirmScreen(
                f"Schedule the reminder call and email for {name}, the day before?",
                "A quick reminder lets a hopeless prospect cancel instead of wasting your hour.",
            ),
            answer,
        )

    # -- global actions -----------------------------------------------------------------------

    async def action_show(self, mode: str) -> None:
        if self.current_mode != mode:
            await self.switch_mode(mode)

    def board(self) -> BoardScreen | None:
        screen = self.screen
        return screen if isinstance(screen, BoardScreen) else None

    def before_bindings(self, event: events.Key) -> None:
        """A printable key that reaches the app while a text field has the focus was typed
        before the field took it: quick typing or a paste after / or n, which the terminal
        hands over together, and Textual sends each key on to the widget focused at that
        moment (a board column). It belongs in the field, not on the board's or the app's
        keys (n, m, q...). The field itself takes every printable key it is sent: none of
        those comes here. Runs before Textual's own handler, which looks up the bindings."""
        field = self.focused
        if isinstance(field, Input) and event.is_printable:
            field.insert_text_at_cursor(event.character)
            event.prevent_default()

    async def action_search(self) -> None:
        await self.action_show("board")
        board = self.board()
        if board:
            await board.start_search()

    def action_new_prospect(self) -> None:
        board = self.board()
        pipeline = board.data.strip.pipeline if board and board.data else None
        from pipeline_tui.services.base import find_pipeline

        pipeline_row = find_pipeline(pipeline.name if pipeline else self.pipeline_name)
        names = [n for n in stage_names(pipeline_row.id)]

        def added(result) -> None:
            if result:
                self.changed()
                self.notify(f"Added {result.name}", markup=False)
                self.open_prospect(result.id, False)

        from pipeline_tui.ui import dialogs

        self.push_screen(dialogs.quick_add(self.now, names, pipeline_row.name), added)

    def action_toggle_mine(self) -> None:
        """Team mode: only my prospects (and my quota), or everyone's (and the team's)."""
        self.mine = not self.mine
        who = base.current_user() or "you"
        self.notify(
            f"Showing {who}'s prospects" if self.mine else "Showing everyone's prospects", markup=False
        )
        self.refresh_screen()

    def action_undo(self) -> None:
        try:
            change = base.undo_last_change()
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if change is None:
            self.notify("Nothing to undo.", severity="warning", markup=False)
            return
        self.changed()
        self.notify(f"Undone: {change.label}", markup=False)
        if isinstance(self.screen, BoardScreen):  # the card brought back is the one selected
            self.screen.reload(select=change.prospect_id())
        else:
            self.refresh_screen()

    def action_keys(self) -> None:
        sections = [
            ("Everywhere", self.BINDINGS),
            (
                "Board",
                BoardScreen.BINDINGS
                + [
                    Binding("up,down,j,k", "", "Move in a column"),
                    Binding("home,end,g,G", "", "First or last card of the column"),
                    Binding("pageup,pagedown", "", "A page up or down"),
                ],
            ),
            ("Agenda", _agenda().BINDINGS),
            ("Report", _report().BINDINGS),
            ("Command palette", [Binding("ctrl+p", "", "Find any command, change the theme")]),
        ]
        from pipeline_tui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen(sections))

    def open_prospect(self, prospect_id: int, detail: bool = True) -> None:
        """Jump to the board with the prospect selected and its detail open."""
        self.call_later(self._open_prospect, prospect_id, detail)

    async def _open_prospect(self, prospect_id: int, detail: bool) -> None:
        await self.action_show("board")
        board = self.board()
        if board is not None:
            board.select_prospect(prospect_id, open_detail=detail)

    # -- command palette: every key's action, by its description ------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.id or binding.description in seen or not active.enabled:
                continue  # only pipeline-tui's own actions, not a text box's cursor keys
            seen.add(binding.description)
            node = active.node

            def run(node=node, action=binding.action) -> None:
                self.call_later(node.run_action, action)

            shown = binding.key_display or key
            yield SystemCommand(binding.description, f"key: {shown}", run)
        yield SystemCommand("New pipeline", "Add a pipeline with the default stages", self._new_pipeline)

    def _new_pipeline(self) -> None:
        from pipeline_tui.ui.widgets.forms import Field, FormScreen

        def submit(values: dict[str, str]):
            return setup.add_pipeline(values["name"])

        def done(result) -> None:
            if result:
                self.changed()
                self.notify(f"Pipeline {result.name} added: p switches on the board", markup=False)

        self.push_screen(
            FormScreen("New pipeline", [Field("name", "Name", "", "e.g. Renewals")], submit), done
        )


def _agenda() -> type[Screen]:
    from pipeline_tui.ui.screens.agenda import AgendaScreen

    return AgendaScreen


def _report() -> type[Screen]:
    from pipeline_tui.ui.screens.report import ReportScreen

    return ReportScreen


def _freeze_startup_objects() -> None:
    """Everything loaded to start (Textual, the board's 10,000 cards) lives as long as the app:
    keep it out of the garbage collector's full passes, which otherwise walk it all and add
    ~80 ms to an ordinary key press every few presses. A key press allocates a few thousand
    objects that die young: at the default threshold (700) the youngest generation was
    collected four times per card move (~0.4 ms each); at 10,000 about once in three moves
    (4-5 ms then): about the same work in all, but most keys now pay none of it."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    gc.enable()


def run_app(
    location: str,
    now: datetime | None,
    pipeline: str | None = None,
    mine: bool = False,
    settings: Settings | None = None,
) -> int:
    """Open the TUI on an already opened database (the CLI opens it and reports errors)."""
    if settings is None:
        from pipeline_tui.config import load_settings

        settings = load_settings()
    app = PipelineApp(now=now, settings=settings, pipeline=pipeline, mine=mine)
    app.run()
    return 0 if app.return_code in (None, 0) else app.return_code
