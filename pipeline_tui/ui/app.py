"""The application shell: screens by number, global keys, the clock, undo, and noticing
changes that other processes (a cron job, a second window) write to the database."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from pipeline_tui.core.dates import DateRules
from pipeline_tui.core.printable import is_printable, printable, printable_lines
from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import ServerLost, UserError
from pipeline_tui.services import base, follow_ups, setup
from pipeline_tui.services.views import stage_names
from pipeline_tui.store import link
from pipeline_tui.store.db import poll_revision
from pipeline_tui.ui.commands import ProspectsProvider
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.textual_internals import KeysBeforeBindings, KeysInOrder, NewModeNotRestyled
from pipeline_tui.ui.widgets.footer import Message, footer_of
from pipeline_tui.ui.widgets.text_input import TextInput

POLL_SECONDS = 1.5
# what the footer says while the database server is gone (team mode), and when it is back
SERVER_GONE = "Server unreachable: retrying"
SERVER_REFUSED = "Server unreachable: nothing saved"
SERVER_BACK = "Connected to the server again"


class PipelineApp(NewModeNotRestyled, KeysInOrder, KeysBeforeBindings, App):
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
        Binding("b", "call_block", "Call block", show=False, id="app.call_block"),
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
        self._seen_revision = poll_revision() or 0
        self.server_lost = False  # what the footer says: the poll looks for the server meanwhile
        self.refused: UserError | None = None  # why the first board could not be read
        self._looking_for_server: threading.Thread | None = None  # asks if the server answers
        self._date_rules: DateRules | None = None
        if self.settings.keys:
            self.set_keymap(dict(self.settings.keys))  # [keys] in config.toml, checked as read

    @property
    def owner(self) -> str | None:
        """Whose prospects the screens show: the user's own (``m``), or everyone's (None)."""
        return base.current_user() if self.mine else None

    # -- clock and changes --------------------------------------------------------------------

    @property
    def date_rules(self) -> DateRules:
        """How dates typed in the forms read: the config's [locale], in the machine's zone unless
        the settings give one; worked out on the first date typed, not at start-up."""
        if self._date_rules is None:
            from pipeline_tui.config import date_rules

            self._date_rules = date_rules(self.settings)
        return self._date_rules

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
        try:
            setup.set_preference("theme", theme.name)
        except ServerLost as exc:
            self.lost_server(exc)
            return
        self.changed()

    def data_stamp(self) -> tuple:
        """What a screen's data depends on: if this is unchanged, a screen shown again need not
        read the database again (the report reads 100,000 prospects)."""
        current = poll_revision()  # None while the server is gone: what is shown stays
        return (self._seen_revision if current is None else current, self.now(), self.mine)

    def seen_revision(self, counter: int | None) -> None:
        """What is on screen was read at this write counter (None: the server is gone)."""
        if counter is not None:
            self._seen_revision = counter

    def changed(self) -> None:
        """We wrote something: remember the revision so the poll does not reload for it."""
        self.seen_revision(poll_revision())

    def check_for_changes(self) -> None:
        """Another process wrote: reload what is on screen. While the server is gone, look for
        it instead."""
        if link.is_down():
            self._look_for_server()
            return
        if self.server_lost:  # a write found it back before the poll did
            self._server_back()
            return
        current = poll_revision()
        if current is None:
            if link.is_down():
                self.lost_server()
            return
        if current != self._seen_revision:
            self._seen_revision = current
            self.refresh_screen()

    def refresh_screen(self) -> None:
        reload = getattr(self.screen, "reload", None)
        if reload is not None:
            self.keep_screen(reload)

    # -- a lost database server (team mode) ---------------------------------------------------

    def keep_screen(self, read: Callable[[], Any]) -> None:
        """Run ``read``; if the server is gone or the database refuses (a full disk), what the
        screen shows stays, and the footer says why."""
        try:
            read()
        except ServerLost as exc:
            self.lost_server(exc)
        except UserError as exc:
            self.notify(str(exc), severity="error", timeout=8, markup=False)

    def refuse_to_start(self, refused: UserError) -> None:
        """The first board could not be read: leave, and the command line says why in one line
        (exit 2) instead of a traceback."""
        self.refused = refused
        self.call_after_refresh(self.exit, return_code=2)  # (at once, Textual is still mounting the board)

    def lost_server(self, refused: ServerLost | None = None) -> None:
        """Say that the server is gone: in general, or as why an action was ``refused``. The
        poll looks for the server from now on."""
        self.server_lost = True
        if refused is None:
            self.notify(SERVER_GONE, severity="warning", markup=False)
        elif refused.maybe_saved:
            self.notify(str(refused), severity="error", timeout=12, markup=False)
        else:
            self.notify(SERVER_REFUSED, severity="error", markup=False)

    def _look_for_server(self) -> None:
        """Ask, in a thread (a server off the network keeps a new connection waiting for
        seconds), whether the server answers; keep saying that it is gone meanwhile."""
        self.server_lost = True
        footer = footer_of(self.screen) if self.screen_stack else None
        if footer is not None and footer.message in ("", SERVER_GONE):  # not over a refusal
            self.notify(SERVER_GONE, severity="warning", timeout=POLL_SECONDS * 2, markup=False)
        if self._looking_for_server is None or not self._looking_for_server.is_alive():
            # a thread of its own, not a worker: quitting must not wait for its answer
            self._looking_for_server = threading.Thread(
                target=self._ask_server, name="server-probe", daemon=True
            )
            self._looking_for_server.start()

    def _ask_server(self) -> None:
        if link.server_answers():
            try:
                self.call_from_thread(self._server_back)
            except RuntimeError:  # the app ended meanwhile
                pass

    def _server_back(self) -> None:
        if link.is_down() and not link.reconnect():
            return
        self.server_lost = False
        self.notify(SERVER_BACK, markup=False)
        self.seen_revision(poll_revision())  # before reading: a write after it is noticed next
        self.refresh_screen()

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
        if footer is None:  # the toast shows the message as it is: it may name a prospect
            message, title = printable(message), printable(title)
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
        except ServerLost as exc:
            self.lost_server(exc)
            return
        except UserError as exc:
            self.notify(str(exc), severity="error", timeout=6, markup=False)
            return
        then(result)

    def offer_reminders(self, appointment_id: int, name: str, after: Callable[[], None]) -> None:
        """R4: one key adds the day-before reminder call and email."""

        def answer(yes: bool | None) -> None:
            if yes:
                self.run_action_safely(
                    lambda: follow_ups.schedule_reminders(
                        appointment_id, self.now(), self.date_rules.working_hour
                    ),
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

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        """Every key's action, and the palette's: one that finds the database server gone is
        refused in the footer, and the screen stays as it was."""
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except ServerLost as exc:
            self.lost_server(exc)
            return True

    async def action_show(self, mode: str) -> None:
        if self.current_mode == mode:
            return
        if poll_revision() is None and link.is_down():  # the view could not be read: stay
            self.lost_server()
            return
        await self.switch_mode(mode)

    def board(self) -> BoardScreen | None:
        screen = self.screen
        return screen if isinstance(screen, BoardScreen) else None

    async def on_event(self, event: events.Event) -> None:
        """A paste into a field of Textual's own (the command palette's search) is drawn as it
        is: what would act on the terminal is taken out of it first. Our fields (TextInput)
        keep a paste exact and draw it safely."""
        if (
            isinstance(event, events.Paste)
            and not event.is_forwarded
            and not isinstance(self.focused, TextInput)
            and not is_printable(event.text.replace("\n", ""))
        ):
            event = events.Paste(printable_lines(event.text))
        await super().on_event(event)

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

        try:
            pipeline_row = find_pipeline(pipeline.name if pipeline else self.pipeline_name)
            pipeline_name, names = pipeline_row.name, stage_names(pipeline_row.id)
        except ServerLost:
            if pipeline is None or board is None or board.reader is None:
                raise
            # the form opens all the same: what is typed next is the name, not the board's keys
            pipeline_name, names = pipeline.name, board.reader.stage_names_read()

        def added(result) -> None:
            if result:
                self.changed()
                self.notify(f"Added {result.name}", markup=False)
                self.open_prospect(result.id, False)

        from pipeline_tui.ui import dialogs

        self.push_screen(
            dialogs.quick_add(
                self.now, names, pipeline_name, dates=self.date_rules, currencies=self.settings.currency
            ),
            added,
        )

    def action_call_block(self) -> None:
        """b: today's and overdue calls, one prospect at a time."""
        from pipeline_tui.services.call_block import calls_due
        from pipeline_tui.ui.screens.call_block import CallBlockScreen

        if isinstance(self.screen, CallBlockScreen):
            return
        calls = calls_due(self.now(), self.owner)
        if not calls:
            self.notify("No call due today or overdue.", markup=False)
            return
        self.push_screen(CallBlockScreen(calls))

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
        except ServerLost as exc:
            self.lost_server(exc)
            return
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
        from pipeline_tui.ui.screens.call_block import CallBlockScreen
        from pipeline_tui.ui.screens.help import HelpScreen, Line
        from pipeline_tui.ui.screens.prospect_pane import ProspectPaneScreen
        from pipeline_tui.ui.widgets.virtual_list import VirtualList

        lists = {binding.id: binding.key for binding in self.user_keys(VirtualList.BINDINGS)}

        def list_keys(usual: str, *ids: str) -> str:
            """The keys of a list's bindings on one line: the usual ones in the usual order."""
            if not any(binding_id in self.settings.keys for binding_id in ids):
                return usual
            return ",".join(lists[binding_id] for binding_id in ids)

        palette = ("Command palette", [Line("ctrl+p", "Any command, any prospect by name, Quota, themes")])
        everywhere = self.user_keys(self.BINDINGS)
        if isinstance(self.screen, CallBlockScreen):  # its keys where they are wanted (the rest fills 120x40)
            calls = self.user_keys(CallBlockScreen.BINDINGS)
            self.push_screen(HelpScreen([("Everywhere", everywhere), ("Call block", calls), palette]))
            return
        # b works everywhere; the help lists it with the agenda's keys, where the calls are
        # (and where there is room at 120x40)
        block = [binding for binding in everywhere if binding.id == "app.call_block"]
        board = self.user_keys(BoardScreen.BINDINGS)
        sections = [
            ("Everywhere", [binding for binding in everywhere if binding not in block]),
            (
                "Board",
                # a (people) is on the pane's key line and M (merge) in the pane when it applies,
                # both in the palette: two more lines here would make the wide help scroll
                [b for b in board if b.id not in ("board.people", "board.merge")]
                + [
                    Line(list_keys("up,down,j,k", "list.up", "list.down"), "Move in a column"),
                    Line(
                        list_keys("home,end,g,G", "list.first", "list.last"),
                        "First or last card of the column",
                    ),
                    Line(list_keys("pageup,pagedown", "list.page_up", "list.page_down"), "A page up or down"),
                ],
            ),
            ("Agenda", self.user_keys(_agenda().BINDINGS) + block),
            ("Report", self.user_keys(_report().BINDINGS)),
            (
                "A prospect's pane (enter on the agenda or the report)",
                _as_on_the_board(self.user_keys(ProspectPaneScreen.BINDINGS), board),
            ),
            palette,
        ]
        self.push_screen(HelpScreen(sections))

    def user_keys(self, bindings: list[Binding]) -> list[Binding]:
        """``bindings`` with the keys the user gave them in config.toml."""
        keymap = self.settings.keys
        return [
            binding.with_key(keymap[binding.id], key_display=None) if binding.id in keymap else binding
            for binding in bindings
        ]

    def open_prospect(
        self, prospect_id: int, detail: bool = True, *, follow_up_id: int | None = None
    ) -> None:
        """Show a prospect where you are: on the board its card, selected (its pane open with
        ``detail``); over the agenda or the report its pane, esc returning there (``follow_up_id``:
        the agenda row it was opened from). Without ``detail``, on the board."""
        from pipeline_tui.ui.screens.prospect_pane import ProspectPaneScreen

        if not detail or isinstance(self.screen, BoardScreen):
            self.show_on_board(prospect_id, detail)
        elif isinstance(self.screen, ProspectPaneScreen):
            self.screen.prospect_id, self.screen.answers = prospect_id, follow_up_id
            self.keep_screen(self.screen.reload)
        else:  # on the side away from the row it was opened from
            focused = self.screen.focused
            left = focused is not None and focused.region.center[0] > self.screen.size.width // 2
            self.push_screen(ProspectPaneScreen(prospect_id, follow_up_id, left=left))

    def show_on_board(self, prospect_id: int, detail: bool = True) -> None:
        """Jump to the board with the prospect selected (and its detail open)."""
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
            if not binding.id or binding.id.startswith("list.") or binding.description in seen:
                continue  # only pipeline-tui's own actions, not the cursor keys of a list or text box
            if not active.enabled:
                continue
            seen.add(binding.description)
            node = active.node

            def run(node=node, action=binding.action) -> None:
                self.call_later(node.run_action, action)

            shown = binding.key_display or key
            yield SystemCommand(binding.description, f"key: {shown}", run)
        yield SystemCommand("New pipeline", "Add a pipeline with the default stages", self._new_pipeline)
        yield SystemCommand("Quota", "Set the quota: a target for the month, quarter or year", self.set_quota)
        yield SystemCommand(
            "Stages", "Add, rename, reorder or remove this pipeline's stages", self.edit_stages
        )

    def edit_stages(self) -> None:
        """The stage editor for the pipeline on the board; the board redraws if it changed."""
        from pipeline_tui.ui.screens.stages import StagesScreen

        board = next((s for s in reversed(self.screen_stack) if isinstance(s, BoardScreen)), None)
        pipeline = board.data.strip.pipeline.name if board is not None and board.data is not None else None

        def done(changed: bool | None) -> None:
            if changed and board is not None and board.is_attached:
                board.reload()

        self.push_screen(StagesScreen(pipeline), done)

    def set_quota(self) -> None:
        """The quota, set in the app: the team's, or yours when only yours are shown (m)."""
        from pipeline_tui.ui import dialogs

        owner = base.current_user() if self.mine else ""

        def done(quota) -> None:
            if quota:
                self.changed()
                self.notify(f"Quota set: {dialogs.money(quota.target)} per {quota.period}", markup=False)
                self.refresh_screen()

        try:
            current = setup.current_quota(owner)
        except ServerLost as exc:
            self.lost_server(exc)
            return
        self.push_screen(dialogs.set_quota(self.now, current, owner), done)

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


def _as_on_the_board(bindings: list[Binding], board: list[Binding]) -> list:
    """The pane's keys for the help: those the board has too in one line, so that every key
    still fits at 120x40."""
    from pipeline_tui.ui.screens.help import Line

    on_board = {(binding.key, binding.description) for binding in board}
    same = [binding for binding in bindings if (binding.key, binding.description) in on_board]
    rest = [binding for binding in bindings if (binding.key, binding.description) not in on_board]
    shared = Line(",".join(binding.key for binding in same), "As on the board")
    return [*rest, shared] if same else rest


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
    if app.refused is not None:
        raise UserError(f"cannot open the board: {_why(app.refused, location)}")
    return 0 if app.return_code in (None, 0) else app.return_code


def _why(refused: UserError, location: str) -> str:
    if "readonly database" not in str(refused):
        return str(refused)
    kept = "the board keeps each card's score in it; report, show and agenda read it as it is"
    return f"{location} is read-only ({kept})"
