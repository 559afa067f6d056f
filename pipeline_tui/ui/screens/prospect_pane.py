"""A prospect's detail pane over the view it was opened from (enter on the agenda or the report):
its keys act on that prospect, and esc returns to the row you were on."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen

from pipeline_tui.errors import ServerLost, UserError
from pipeline_tui.services.views import prospect_detail
from pipeline_tui.ui.widgets.footer import KeysFooter
from pipeline_tui.ui.widgets.prospect_detail import ProspectDetail

SCROLL = Binding.Group("Scroll", compact=True)


class ProspectPaneScreen(ModalScreen[None]):
    """One prospect's pane, docked right over the agenda or the report, which stay in sight."""

    DEFAULT_CSS = """
    ProspectPaneScreen { background: $background 30%; layout: horizontal; align-horizontal: right; }
    ProspectPaneScreen.-left { align-horizontal: left; }
    ProspectPaneScreen > ProspectDetail {
        layer: default;
        dock: none;  /* laid out above the footer, not docked under it */
        display: block;
        width: 42%;
        min-width: 36;
        max-width: 64;
    }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="pane.back"),
        Binding("J,j,down", "scroll(1)", "Scroll down", id="pane.down", group=SCROLL),
        Binding("K,k,up", "scroll(-1)", "Scroll up", id="pane.up", group=SCROLL),
        Binding("pagedown,space,ctrl+d", "page(1)", "Page down", show=False, id="pane.page_down"),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, id="pane.page_up"),
        # on the follow-up the pane was opened from (an agenda row): as on the agenda
        Binding("d", "done", "Done", id="pane.done"),
        Binding("s", "snooze", "+1 day", id="pane.snooze"),
        Binding("e", "edit", "Edit", id="pane.edit"),
        Binding("a", "people", "People", show=False, id="pane.people"),
        Binding("f", "follow_up", "Follow-up", id="pane.follow_up"),
        Binding("c", "log_call", "Log call", id="pane.log_call"),
        Binding("o", "note", "Note", id="pane.note"),
        Binding("t", "trial", "Trial/demo", show=False, id="pane.trial"),
        Binding("C", "cadence", "Cadence start/stop", show=False, id="pane.cadence"),
        Binding("1", "on_board", "On the board", id="pane.board"),
    ]

    def __init__(self, prospect_id: int, answers: int | None = None, *, left: bool = False) -> None:
        """``answers``: the follow-up the pane was opened from (an agenda row), which a call
        logged here completes if it is a call. ``left``: the pane lies on the left, clear of
        a list on the right (the report's advice) that it was opened from."""
        super().__init__(classes="-left" if left else None)
        self.prospect_id = prospect_id
        self.answers = answers
        self.detail = None

    def compose(self) -> ComposeResult:
        yield ProspectDetail()
        yield KeysFooter()

    @property
    def pane(self) -> ProspectDetail:
        return self.query_one(ProspectDetail)

    def on_mount(self) -> None:
        self.pane.set_class(self.has_class("-left"), "-left")  # its edge on the side of the view
        self.pane.open()
        self.app.keep_screen(self.reload)  # a server gone: the footer says so

    def reload(self) -> None:
        """Read the prospect again (after an action here, or a write from elsewhere)."""
        try:
            self.detail = prospect_detail(self.prospect_id, self.app.now(), self.app.settings)
        except ServerLost:
            raise  # said in the footer, the pane as it was (PipelineApp.keep_screen)
        except UserError as exc:  # gone meanwhile (archived and purged by another window)
            self.app.notify(str(exc), severity="error", markup=False)
            self.dismiss(None)
            return
        self.pane.show(self.detail, self.app.now())

    # -- moving about ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_scroll(self, lines: int) -> None:
        self.pane.scroll_text(lines)

    def action_page(self, pages: int) -> None:
        self.pane.scroll_pages(pages)

    def action_on_board(self) -> None:
        """Leave the pane for the board, with this prospect selected and its pane open there."""
        prospect_id = self.prospect_id
        self.dismiss(None)
        self.app.show_on_board(prospect_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """d and s act on the agenda row the pane was opened from: only when there is one."""
        if action in ("done", "snooze"):
            return self.answers is not None
        return True

    # -- the agenda's actions, on the follow-up it was opened from -------------------------------

    def action_done(self) -> None:
        """d: done, as on the agenda; then back to the agenda, where the next row is."""
        from pipeline_tui.services import follow_ups
        from pipeline_tui.ui import dialogs

        try:
            follow_up = follow_ups.open_follow_up(self.answers) if self.answers else None
        except ServerLost as exc:
            self.app.lost_server(exc)
            return
        if follow_up is None:
            self.notify("That follow-up is done already.", severity="warning", markup=False)
            return
        name = self.prospect_name
        form = dialogs.complete_follow_up(
            self.app.now, follow_up.id, follow_up.kind, self.prospect_id, name, dates=self.app.date_rules
        )

        def after(result) -> None:
            if result:
                self.app.changed()
                self.dismiss(None)
                message = f"Done: {follow_up.kind} with {name}"
                if isinstance(result, str):  # what came next (dialogs._said_after)
                    message += f"; {result}"
                self.app.notify(message, markup=False)

        self.app.push_screen(form, after)

    def action_snooze(self) -> None:
        from datetime import timedelta

        from pipeline_tui.services import follow_ups

        def snoozed(result) -> None:
            self.app.changed()
            self.dismiss(None)
            self.app.notify(f"Snoozed to {result.due_at:%a %d %b %H:%M}: {self.prospect_name}", markup=False)

        self.app.run_action_safely(
            lambda: follow_ups.snooze(self.answers, timedelta(days=1), self.app.now()), snoozed
        )

    # -- the board pane's actions, on this prospect ---------------------------------------------

    def _form(self, form, said: Callable[[object], str]) -> None:
        def after(result) -> None:
            if result:
                self.app.changed()
                self.notify(said(result), markup=False)
                self.app.keep_screen(self.reload)

        self.app.push_screen(form, after)

    @property
    def prospect_name(self) -> str:
        return self.detail.prospect.name if self.detail else ""

    def action_edit(self) -> None:
        from pipeline_tui.ui import dialogs

        self._form(
            dialogs.edit_prospect(self.app.now, self.detail, dates=self.app.date_rules),
            lambda _: f"Saved {self.prospect_name}",
        )

    def action_people(self) -> None:
        """a: the people on this deal, as on the board."""
        from pipeline_tui.ui.screens.people import PeopleScreen

        def after(changed) -> None:
            if changed:
                self.app.changed()
                self.app.keep_screen(self.reload)

        self.app.push_screen(PeopleScreen(self.prospect_id, self.prospect_name), after)

    def action_follow_up(self) -> None:
        from pipeline_tui.ui import dialogs

        name = self.prospect_name

        def after(result) -> None:
            if not result:
                return
            self.app.changed()
            self.notify(f"Scheduled {result.kind} with {name}", markup=False)
            self.app.keep_screen(self.reload)
            if result.kind == "appointment":
                self.app.offer_reminders(result.id, name, lambda: self.app.keep_screen(self.reload))

        self.app.push_screen(
            dialogs.schedule_follow_up(self.app.now, self.prospect_id, name, dates=self.app.date_rules), after
        )

    def action_log_call(self) -> None:
        from pipeline_tui.ui import dialogs

        def said(result) -> str:
            message = f"Logged a call with {self.prospect_name}"
            if isinstance(result, str):  # what came next (dialogs._said_after)
                message += f"; {result}"
            return message

        form = dialogs.log_call(
            self.app.now,
            self.prospect_id,
            self.prospect_name,
            answers=self.answers,
            dates=self.app.date_rules,
        )
        self._form(form, said)

    def action_note(self) -> None:
        from pipeline_tui.ui import dialogs

        self._form(
            dialogs.add_note(self.app.now, self.prospect_id, self.prospect_name), lambda _: "Note saved"
        )

    def action_trial(self) -> None:
        from pipeline_tui.ui import dialogs

        form = dialogs.start_trial(
            self.app.now, self.prospect_id, self.prospect_name, dates=self.app.date_rules
        )
        self._form(form, lambda _: f"Started for {self.prospect_name}")

    def action_cadence(self) -> None:
        from pipeline_tui.ui.cadence_forms import cadence_key

        def after(said: str) -> None:
            self.app.changed()
            self.notify(said, markup=False)
            self.app.keep_screen(self.reload)

        cadence_key(self.app, self.prospect_id, self.prospect_name, after)
