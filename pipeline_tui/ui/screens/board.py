"""The board (key 1): one column per open stage, cards by score, the detail pane beside them."""

from __future__ import annotations

import asyncio

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from pipeline_tui.errors import ServerLost, UserError
from pipeline_tui.services import prospects, setup
from pipeline_tui.services.board import (
    Board,
    BoardReader,
    Card,
    make_search_index,
    search_index_out_of_date,
)
from pipeline_tui.services.views import Detail, prospect_detail
from pipeline_tui.ui.format import money
from pipeline_tui.ui.screens.base import ViewScreen
from pipeline_tui.ui.widgets.footer import KeysFooter
from pipeline_tui.ui.widgets.prospect_detail import ProspectDetail
from pipeline_tui.ui.widgets.quiet import update_if_changed
from pipeline_tui.ui.widgets.stage_column import StageColumn
from pipeline_tui.ui.widgets.view_tabs import strip
from pipeline_tui.ui.widgets.virtual_list import VirtualList

WELCOME = (
    "Your pipeline is empty.\n\n"
    "Press n to add your first prospect: a name and Enter is enough.\n"
    "Or quit (q) and run  pipeline-tui demo  to explore with sample data.\n\n"
    "? lists every key · ctrl+p finds any command"
)


MOVE = Binding.Group("Move", compact=True)
CLOCK_SECONDS = 30  # how often the board looks whether the clock has moved a card on
SCROLL = Binding.Group("Scroll detail", compact=True)


class BoardScreen(ViewScreen):
    """Kanban columns of the current pipeline, a search bar, and the detail pane."""

    # Default CSS rather than a CSS file: a screen's file is read, and the whole stylesheet
    # parsed again, as the app starts (~15 ms before the first frame).
    DEFAULT_CSS = """
    BoardScreen {
        layout: vertical;
    }
    #board-strip {
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    #search {
        display: none;
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    #search:focus { border: none; background: $accent 25%; }
    #board-main {
        height: 1fr;
        layers: base overlay;  /* the detail pane lies over the columns: opening it moves no card */
    }
    #welcome {
        display: none;
        width: 1fr;
        height: 1fr;
        content-align: center middle;
        text-align: center;
        color: $text-muted;
    }
    """
    AUTO_FOCUS = None  # the hidden search box must not take the keys; _show focuses a column

    BINDINGS = [
        Binding("left,h", "column(-1)", "Prev column", show=False, id="board.move_left"),
        Binding("right,l", "column(1)", "Next column", show=False, id="board.move_right"),
        Binding("shift+left,H", "move(-1)", "Move back", key_display="H", id="board.move_back", group=MOVE),
        Binding("shift+right,L", "move(1)", "Move on", key_display="L", id="board.move_on", group=MOVE),
        Binding("enter", "detail", "Detail", id="board.detail"),
        Binding("f", "follow_up", "Follow-up", id="board.follow_up"),
        Binding("w", "won", "Won", id="board.won"),
        Binding("x", "lost", "Lost", id="board.lost"),
        Binding("e", "edit", "Edit", id="board.edit"),
        Binding("a", "people", "People", show=False, id="board.people"),
        Binding("M", "merge_organization", "Merge look-alike organization", show=False, id="board.merge"),
        Binding("delete", "archive", "Archive", key_display="del", show=False, id="board.archive"),
        Binding("c", "log_call", "Log call", show=False, id="board.log_call"),
        Binding("o", "note", "Note", show=False, id="board.note"),
        Binding("t", "trial", "Trial/demo", show=False, id="board.trial"),
        Binding("C", "cadence", "Cadence start/stop", show=False, id="board.cadence"),
        Binding("p", "next_pipeline", "Pipeline", show=False, id="board.pipeline"),
        Binding("escape", "close", "Close", show=False, id="board.close"),
        # while the detail pane is open (check_action): its text scrolls by line or half a pane
        Binding("J", "scroll_detail(1)", "Scroll the detail down", id="board.detail_down", group=SCROLL),
        Binding("K", "scroll_detail(-1)", "Scroll the detail up", id="board.detail_up", group=SCROLL),
        Binding(
            "ctrl+d",
            "scroll_detail_half(1)",
            "Detail half a page down",
            show=False,
            id="board.detail_half_down",
        ),
        Binding(
            "ctrl+u", "scroll_detail_half(-1)", "Detail half a page up", show=False, id="board.detail_half_up"
        ),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The pane's scrolling keys work, and show, only while it is open."""
        if action.startswith("scroll_detail"):
            return self._detail.is_mounted and self._detail.is_open
        return True

    def action_scroll_detail(self, lines: int) -> None:
        self.detail.scroll_text(lines)

    def action_scroll_detail_half(self, direction: int) -> None:
        self.detail.scroll_text(direction * max(1, self.detail.scrollable_content_region.height // 2))

    def __init__(self) -> None:
        super().__init__()
        self.reader: BoardReader | None = None
        self.data: Board | None = None
        self.filter = ""
        self.columns: list[StageColumn] = []
        self._stamp: tuple | None = None  # what the board shows was read at (app.data_stamp)
        self._read_as: tuple | None = None  # that, with the pipeline, owner and settings read
        self._columns_mounted: asyncio.Future | None = None  # the columns of another pipeline, mounting
        self.search: Input | None = None  # the search line, once / was pressed
        # the pane, kept at hand: Textual asks check_action on every key, and a query each time
        # cost a tenth of moving a card
        self._detail = ProspectDetail()
        self._detail_read: tuple | None = None  # (prospect, data stamp, settings), and the Detail read

    @property
    def pipeline_name(self) -> str | None:
        return self.reader.pipeline_name if self.reader else self.app.pipeline_name

    def compose(self) -> ComposeResult:
        # The columns are composed from the stages alone; their cards come in on mount.
        self.reader = BoardReader(self.app.settings, self.app.pipeline_name, self.app.owner)
        self.columns = [StageColumn(stage) for stage in self.reader.stages()]
        yield Static(id="board-strip", markup=False)
        # (the search line comes with the first /: see start_search)
        with Horizontal(id="board-main"):
            # The pane first: Textual numbers each widget's drawing order by its place among its
            # siblings, counted from the last. Placed after the columns, the pane showing or
            # hiding renumbered every column, which redrew the whole board on enter and esc.
            # The columns sit here directly: a container of their own is one more layer Textual
            # draws under every line of them.
            yield self._detail
            yield from self.columns
            yield Static(WELCOME, id="welcome", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        try:
            self.reload()
        except UserError as exc:  # a database it cannot write (read-only, a full disk): no traceback
            self.app.refuse_to_start(exc)
            return
        self.set_interval(CLOCK_SECONDS, self._check_clock)
        self.call_after_refresh(self._index_searches)

    def _index_searches(self) -> None:
        """After a big import the index of texts is made once the board is shown, in a thread:
        the first look waits for none of it (searches look row by row meanwhile)."""
        if search_index_out_of_date():
            self.run_worker(make_search_index, thread=True, exit_on_error=False, group="search-index")

    def _check_clock(self) -> None:
        """The clock has moved a card on (a follow-up fell overdue, a day began): read again."""
        if self.data is not None and self.app.now() >= self.data.holds_until and self.is_current:
            self.app.keep_screen(self.reload)

    def on_screen_resume(self) -> None:
        """Back on the board (keys 1 2 3): what another view changed shows at once."""
        if self._stamp is not None and self.app.data_stamp() != self._stamp:
            self.app.keep_screen(self.reload)

    # -- data ---------------------------------------------------------------------------------

    def reload(self, *, select: int | None = None, touched: list[int] | None = None) -> None:
        """Read the board again and redraw, keeping the selected card (or selecting ``select``).
        Only the windows of cards in sight are read: this costs the same whatever the size of
        the pipeline, so every change reads the board again (after an action on ``touched``
        prospects alone, only the columns they left and entered)."""
        keep = select if select is not None else self.selected_id()
        reader = self.reader
        reader.owner = self.app.owner
        read_as = (self.app.data_stamp(), reader.pipeline_name, reader.owner, self.app.settings)
        if touched is None and read_as == self._read_as:
            touched = []  # nothing written, same minute and board: only the search changed
        self._stamp, self._read_as = read_as[0], read_as
        self.data = reader.read(self.app.now(), self.filter, self.data, touched)
        self._build_columns()
        self._show(keep)
        self._update_strip()
        if self.detail.is_open:
            self._refresh_detail()

    def _build_columns(self) -> None:
        """A column per stage the board now shows: those shown before stay as they are (a
        search adds the won, lost and archived prospects it found, each a column)."""
        stages = [head.stage for head, _ in self.data.columns]
        if [c.stage for c in self.columns] == stages:
            return
        kept = {column.stage: column for column in self.columns if column.stage in stages}
        board = self.query_one("#board-main", Horizontal)
        removed = board.remove_children([column for column in self.columns if column.stage not in stages])
        self.columns, mounting = [], []
        for stage in stages:
            column = kept.get(stage)
            if column is None:
                column = StageColumn(stage)
                mounting.append((column, self.columns[-1] if self.columns else None))
            self.columns.append(column)

        async def mount_once_removed() -> None:
            # a stage edited (renamed) has a new column of the same id: the old one must be
            # gone before it comes
            await removed
            for column, after in mounting:
                await (board.mount(column, after=after) if after else board.mount(column, before=1))

        self._columns_mounted = asyncio.ensure_future(mount_once_removed())

    def _show(self, keep: int | None) -> None:
        """Fill each column, with the cursor on card ``keep`` where it is, and focus a column."""
        now = self.app.now()
        place = self._place_of(keep) if keep is not None else None
        focus_column = None
        for index, (column, (head, cards)) in enumerate(zip(self.columns, self.data.columns, strict=True)):
            cursor = None
            if place is not None and place[0] == index:
                cursor, focus_column = place[1], index
            column.show(head, cards, now, cursor=cursor)
        self._show_welcome()
        # (the screen's focus, not the line's has_focus: that is set a message later, and a
        # letter typed right after / reads the board before it)
        searching = self.search is not None and self.focused is self.search
        if focus_column is not None and not searching:
            self._focus(self.columns[focus_column])
        elif self.columns and not self._focused_list() and not searching:
            self._focus(next((c for c in self.columns if c.items), self.columns[0]))

    def _place_of(self, prospect_id: int) -> tuple[int, int] | None:
        """(column, row) of a card on the board now: among the cards read (a search's), else
        where the database places it."""
        for index, (_, cards) in enumerate(self.data.columns):
            row = cards.index_of(prospect_id)
            if row is not None:
                return index, row
        found = self.reader.place(prospect_id)
        if found is None:
            return None
        stage_id, row = found
        for index, (head, _) in enumerate(self.data.columns):
            if head.stage is not None and head.stage.id == stage_id:
                return index, row
        return None

    def _show_welcome(self) -> None:
        """No prospect at all: how to start, instead of the columns."""
        heads = [head for head, _ in self.data.columns]
        empty = not any(head.count for head in heads) and not self.filter and _database_is_empty()
        welcome = self.query_one("#welcome")
        if welcome.display != empty:
            welcome.display = empty
            for column in self.columns:
                column.display = not empty
            self._fit_columns()

    def _focus(self, column: StageColumn) -> None:
        """Focus a column's list now: ``Widget.focus`` waits a turn (keys typed fast would go to
        the column before) and repaints the whole list."""
        if column.is_mounted:
            before = self.focused
            self.set_focus(column, scroll_visible=False)
            for other in self.columns:  # their new look in this key's frame, not the next
                if other is before or other is column:
                    other.show_focus(other is self.focused)
        else:  # a column mounted just now (another pipeline): focus it once it is there

            async def once_mounted() -> None:
                # awaited, not polled: asking again after each refresh kept the screen busy
                # and the new columns' own tasks never ran to mount them (the app hung on p)
                if self._columns_mounted is not None:
                    await self._columns_mounted
                if column.is_mounted:
                    self._focus(column)

            self.call_next(once_mounted)

    def _update_strip(self) -> None:
        data = self.data.strip
        won_count, won_value = data.won
        lost_count, lost_value = data.lost
        period = data.period
        names = " · ".join(p.name for p in data.pipelines) if len(data.pipelines) > 1 else data.pipeline.name
        target = f" of {money(data.quota_target, short=True)}" if data.quota_target else ""
        parts = [
            (data.pipeline.name, "bold"),
            "  ",
            ("Won ", "$success"),
            (f"{won_count} · {money(won_value, short=True)}{target}", "bold $success"),
            "  ",
            ("Lost ", "$error"),
            (f"{lost_count} · {money(lost_value, short=True)}", "bold $error"),
            "  ",
            (f"{period.start:%b}–{period.end:%b}", "dim"),
        ]
        if len(data.pipelines) > 1:
            parts += ["  ", (f"p: {names}", "dim")]
        if self.app.mine:
            parts += ["  ", (f"mine ({self.app.owner or 'you'})", "bold $accent")]
        if self.filter:
            parts += ["  ", (f"filter: {self.filter}", "bold $warning")]
        # one line, always: no need to lay the screen out again for it
        update_if_changed(self.query_one("#board-strip", Static), strip("Board", *parts))

    # -- selection ----------------------------------------------------------------------------

    @property
    def detail(self) -> ProspectDetail:
        return self._detail

    def _focused_list(self) -> StageColumn | None:
        focused = self.focused
        return focused if isinstance(focused, StageColumn) and focused in self.columns else None

    def current_card(self) -> Card | None:
        column = self._focused_list()
        return column.current if column is not None else None

    def selected_id(self) -> int | None:
        card = self.current_card()
        return card.id if card else None

    def select_prospect(self, prospect_id: int, *, open_detail: bool = False) -> None:
        """Put the cursor on a prospect (from the agenda or the report); open its detail."""
        self.filter = ""
        self._hide_search()
        self.app.keep_screen(lambda: self.reload(select=prospect_id))
        if open_detail:
            self.detail.open()
            self._fit_columns()
            self._refresh_detail(prospect_id)

    def _column_index(self) -> int:
        focused = self._focused_list()
        for index, column in enumerate(self.columns):
            if column is focused:
                return index
        return 0

    def action_column(self, step: int) -> None:
        if not self.columns:
            return
        here = self._column_index()
        row = self.columns[here].cursor
        target = self.columns[max(0, min(len(self.columns) - 1, here + step))]
        target.cursor = min(row, max(0, len(target.items) - 1))
        self._focus(target)

    # -- fitting the columns ------------------------------------------------------------------

    COLUMN_MIN_WIDTH = 16

    def _fit_columns(self) -> None:
        """Show as many columns as fit at a readable width, in a window around the focused one."""
        if not self.columns or self.query_one("#welcome").display:
            return
        fits = max(1, self.size.width // self.COLUMN_MIN_WIDTH)
        here = self._column_index()
        start = max(0, min(here - fits // 2, len(self.columns) - fits))
        moved = False
        for index, column in enumerate(self.columns):
            shown = start <= index < start + fits
            if column.display != shown:  # setting it, even unchanged, lays the screen out again
                column.display = shown
                moved = True
        if moved:  # the columns' places are known after the next layout
            self.call_after_refresh(self._place_detail)
        else:
            self._place_detail()

    DETAIL_MIN_WIDTH, DETAIL_MAX_WIDTH = 36, 64

    def _place_detail(self) -> None:
        """The detail pane lies over the columns rather than squeezing them, so opening it
        redraws no card (squeezing redrew every card: ~170 ms a key at 10,000 cards). It takes
        the side with more room beside the focused column, and no more than that room, so that
        the card it shows stays in sight."""
        if not self.detail.is_open or not self.columns:
            return
        total = self.size.width
        wanted = max(self.DETAIL_MIN_WIDTH, min(self.DETAIL_MAX_WIDTH, total * 42 // 100))
        column = self.columns[self._column_index()].region
        room_right, room_left = total - column.right, column.x
        left = room_right < wanted and room_left > room_right
        room = room_left if left else room_right
        self.detail.set_class(left, "-left")
        self.detail.styles.width = max(self.DETAIL_MIN_WIDTH, min(wanted, room))

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_columns)

    def on_descendant_focus(self) -> None:
        self._fit_columns()

    @on(VirtualList.Chosen)
    def _clicked(self, event: VirtualList.Chosen) -> None:
        self.action_detail()

    @on(VirtualList.Highlighted)
    def _follow_cursor(self, event: VirtualList.Highlighted) -> None:
        if self.detail.is_open and event.list.has_focus:
            self._refresh_detail()

    def _refresh_detail(self, prospect_id: int | None = None) -> None:
        prospect_id = prospect_id or self.selected_id() or self.detail.prospect_id
        if prospect_id is None:
            return
        try:
            self.detail.show(self._detail_of(prospect_id), self.app.now())
        except UserError:
            self.detail.close()

    def _detail_of(self, prospect_id: int) -> Detail:
        """What the pane shows of a prospect: read again unless it is the one read last and
        nothing was written since (same data stamp and settings), so enter, esc, enter on one
        card reads it once."""
        read_as = (prospect_id, self.app.data_stamp(), self.app.settings)
        if self._detail_read is None or self._detail_read[0] != read_as:
            self._detail_read = (read_as, prospect_detail(prospect_id, self.app.now(), self.app.settings))
        return self._detail_read[1]

    # -- actions ------------------------------------------------------------------------------

    def _card_or_say(self) -> Card | None:
        card = self.current_card()
        if card is None:
            self.notify("Select a prospect first (arrows or h j k l).", severity="warning", markup=False)
        return card

    def _done(self, message: str | None, select: int | None = None, changed: int | None = None) -> None:
        """After an action: say what happened, and show the board as it is now (``select``:
        the card to keep the cursor on; else the one under it)."""
        self.app.changed()
        if message:
            self.notify(message, markup=False)
        touched = None if changed is None else [changed]
        self.app.keep_screen(lambda: self.reload(select=select, touched=touched))

    def action_detail(self) -> None:
        if self.detail.is_open and self.current_card() and self.detail.prospect_id == self.selected_id():
            self.detail.close()
            self._fit_columns()
            return
        if self._card_or_say():
            self.detail.open()
            self._fit_columns()  # before the layout, so that it is laid out once
            self._refresh_detail()

    def action_close(self) -> None:
        if (self.search is not None and self.search.display) or self.filter:
            self._clear_search()
        elif self.detail.is_open:
            self.detail.close()
            self._fit_columns()

    def action_move(self, step: int) -> None:
        from pipeline_tui.ui.widgets.forms import ConfirmScreen

        card = self._card_or_say()
        if card is None:
            return
        here = self._column_index()
        target = here + step
        if not 0 <= target < len(self.columns):
            self.notify(
                "Already in the last open stage: w marks it won."
                if step > 0
                else "Already in the first stage.",
                severity="warning",
                markup=False,
            )
            return
        stage = self.columns[target].stage

        def move(confirmed: bool = False) -> None:
            self.app.run_action_safely(
                lambda: prospects.step_prospect(
                    card.id,
                    step,
                    self.app.now(),
                    decision_maker_confirmed=confirmed,
                    settings=self.app.settings,  # its score in the same write: the board reads it
                ),
                lambda _: self._done(f"Moved to {stage.name}: {card.name}", select=card.id, changed=card.id),
            )

        if step > 0 and stage.role == "appointment" and card.decision_maker != "yes":
            # R2, one question: y confirms the decision maker and moves; n leaves it where it is
            who = card.contact or "your contact"
            self.app.push_screen(
                ConfirmScreen(
                    f"Is {who} at {card.organization or card.name} the decision maker?",
                    f"Yes notes it and moves the deal to {stage.name}; no leaves it where it is.",
                ),
                lambda yes: (
                    move(confirmed=True)
                    if yes
                    else self.notify(
                        "Not moved: confirm who can buy before you book an appointment", markup=False
                    )
                ),
            )
        else:
            move()

    def action_won(self) -> None:
        card = self._card_or_say()
        if card and card.value is None:  # won for how much? the quota counts it
            from pipeline_tui.ui import dialogs

            self.app.push_screen(
                dialogs.won_for(self.app.now, card.id, card.name),
                lambda result: result and self._done(f"Won: {card.name}", changed=card.id),
            )
        elif card:
            self.app.run_action_safely(
                lambda: prospects.mark_won(card.id, self.app.now()),
                lambda _: self._done(f"Won: {card.name} ({money(card.value)})", changed=card.id),
            )

    def action_lost(self) -> None:
        from pipeline_tui.store.queries import lost_reasons
        from pipeline_tui.ui import dialogs

        card = self._card_or_say()
        if card:
            try:
                reasons = lost_reasons()
            except ServerLost:  # only suggestions: the form opens without them, its save is kept
                reasons = []
            form = dialogs.mark_lost(self.app.now, card.id, card.name, reasons)
            self.app.push_screen(
                form, lambda result: result and self._done(f"Lost: {card.name}", changed=card.id)
            )

    def action_follow_up(self) -> None:
        from pipeline_tui.ui import dialogs

        card = self._card_or_say()
        if card:
            self.app.push_screen(
                dialogs.schedule_follow_up(self.app.now, card.id, card.name, dates=self.app.date_rules),
                self._after_schedule(card),
            )

    def _after_schedule(self, card: Card):
        def after(result) -> None:
            if not result:
                return
            self._done(f"Scheduled {result.kind} with {card.name}", select=card.id, changed=card.id)
            if getattr(result, "kind", None) == "appointment":
                self.app.offer_reminders(
                    result.id, card.name, lambda: self._done(None, select=card.id, changed=card.id)
                )

        return after

    def action_edit(self) -> None:
        from pipeline_tui.ui import dialogs

        card = self._card_or_say()
        if card is None:
            return
        rules, currencies = self.app.date_rules, self.app.settings.currency
        try:
            detail = prospect_detail(card.id, self.app.now(), self.app.settings)
        except ServerLost:  # the form opens all the same: what is typed next is not the board's keys
            detail = (
                self._detail_read[1] if self._detail_read and self._detail_read[0][0] == card.id else None
            )
        if detail is None:  # (its save reads the prospect, once the server is back)
            form = dialogs.edit_as_shown(
                self.app.now, card, dates=rules, currencies=currencies, settings=self.app.settings
            )
        else:
            form = dialogs.edit_prospect(self.app.now, detail, dates=rules, currencies=currencies)
        self.app.push_screen(
            form, lambda result: result and self._done(f"Saved {card.name}", select=card.id, changed=card.id)
        )

    def action_people(self) -> None:
        from pipeline_tui.ui.screens.people import PeopleScreen

        card = self._card_or_say()
        if card:
            self.app.push_screen(
                PeopleScreen(card.id, card.name),
                lambda changed: changed and self._done(None, select=card.id, changed=card.id),
            )

    def action_merge_organization(self) -> None:
        """M: the organization of the selected deal and one whose name looks like it become one,
        once the user says yes (never silently)."""
        from pipeline_tui.services import organizations
        from pipeline_tui.ui.widgets.forms import ConfirmScreen

        card = self._card_or_say()
        if card is None:
            return
        detail = prospect_detail(card.id, self.app.now(), self.app.settings)
        if detail.organization is None or not detail.look_alikes:
            self.notify("No other organization looks like this one.", severity="information", markup=False)
            return
        keep = detail.organization
        other_id, other = detail.look_alikes[0]

        def answer(yes: bool | None) -> None:
            if yes:
                self.app.run_action_safely(
                    lambda: organizations.merge(keep.id, other_id, self.app.now()),
                    lambda _: self._done(f"Merged {other} into {keep.name}", select=card.id),
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Merge {other} into {keep.name}?",
                f"Their deals and people become {keep.name}'s, under that name. u undoes it.",
            ),
            answer,
        )

    def action_archive(self) -> None:
        card = self._card_or_say()
        if card:
            self.app.run_action_safely(
                lambda: prospects.archive_prospect(card.id, self.app.now()),
                lambda _: self._done(f"Archived {card.name} · u to undo", changed=card.id),
            )

    def action_log_call(self) -> None:
        from pipeline_tui.ui import dialogs

        card = self._card_or_say()
        if card:
            form = dialogs.log_call(self.app.now, card.id, card.name, dates=self.app.date_rules)
            self.app.push_screen(
                form,
                lambda result: (
                    result
                    and self._done(
                        f"Logged on {card.name}" + (f"; {result}" if isinstance(result, str) else ""),
                        select=card.id,
                        changed=card.id,
                    )
                ),
            )

    def action_cadence(self) -> None:
        from pipeline_tui.ui.cadence_forms import cadence_key

        card = self._card_or_say()
        if card:
            cadence_key(
                self.app, card.id, card.name, lambda said: self._done(said, select=card.id, changed=card.id)
            )

    def action_note(self) -> None:
        from pipeline_tui.ui import dialogs

        card = self._card_or_say()
        if card:
            form = dialogs.add_note(self.app.now, card.id, card.name)
            self.app.push_screen(
                form, lambda result: result and self._done("Note saved", select=card.id, changed=card.id)
            )

    def action_trial(self) -> None:
        from pipeline_tui.ui import dialogs

        card = self._card_or_say()
        if card:
            form = dialogs.start_trial(self.app.now, card.id, card.name, dates=self.app.date_rules)
            self.app.push_screen(
                form,
                lambda result: (
                    result and self._done(f"Started for {card.name}", select=card.id, changed=card.id)
                ),
            )

    def action_next_pipeline(self) -> None:
        pipelines = self.data.strip.pipelines if self.data else ()
        if len(pipelines) < 2:
            self.notify(
                "Only one pipeline. Add one with the command palette: New pipeline.",
                severity="information",
                markup=False,
            )
            return
        names = [p.name for p in pipelines]
        shown = self.data.strip.pipeline.name
        index = names.index(shown) if shown in names else -1
        self.reader.pipeline_name = names[(index + 1) % len(names)]
        setup.set_preference("pipeline", self.pipeline_name)
        self.app.keep_screen(self.reload)
        self.notify(f"Pipeline: {self.pipeline_name}", markup=False)

    # -- search -------------------------------------------------------------------------------

    async def start_search(self) -> None:
        """Show the search line and type into it. It is mounted the first time: hidden until
        then, it cost every start-up its composing, styling and mounting (~3 ms).

        Focused at once, once it is there (awaited): keys typed right after the / (a terminal
        hands over quick typing or a paste together) wait for this, and must land in it, not
        on the board's own keys; ``Widget.focus`` would wait a turn, after them."""
        search = self.search
        if search is None:
            from pipeline_tui.ui.widgets.text_input import TextInput  # shows a pasted ESC as �

            search = self.search = TextInput(
                placeholder="search names, contacts, notes, calls, closed deals · enter keep · esc clear",
                id="search",
                # its focus event comes after letters typed with the /: selecting them then
                # would let the next backspace take them all
                select_on_focus=False,
            )
            await self.mount(search, after=self.query_one("#board-strip"))
            self.watch(search, "value", self._search_typed, init=False)
        search.disabled = False
        search.display = True
        self.set_focus(search)

    def _hide_search(self) -> None:
        """Empty the search line, hide it and keep it from focus (until / is pressed again)."""
        if self.search is not None:
            self.search.display = False
            self.search.disabled = True
            self.search.value = ""

    def _search_typed(self, value: str) -> None:
        """Each letter typed reads the board again at once, so that the letter and the cards
        it finds show in one frame (``Input.Changed`` comes after the letter's own frame)."""
        if self.search is None or not self.search.display:
            return  # emptied as it closes: whoever closes it reads the board
        self.filter = value.strip()
        self.app.keep_screen(self.reload)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        for column in self.columns:
            if column.items:
                column.cursor = 0  # the first card shown, not where the cursor was before
                self._focus(column)
                return
        self.notify("Nothing matches.", severity="warning", markup=False)

    def _clear_search(self) -> None:
        self._hide_search()
        self.filter = ""
        self.app.keep_screen(self.reload)  # a server gone: the footer says so

    def on_key(self, event) -> None:
        if event.key == "escape" and self.search is not None and self.search.has_focus:
            event.stop()
            self._clear_search()
            if self.columns:
                self._focus(self.columns[0])


def _database_is_empty() -> bool:
    from pipeline_tui.services.importing import database_is_empty  # its CSV code: not at start-up

    return database_is_empty()
