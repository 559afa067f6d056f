"""Keyboard forms in modal screens: every field a text input with a live check beside it.

A form is data (a list of :class:`Field`); Enter anywhere submits, Escape cancels. Submitting
calls the action given by the screen; a :class:`UserError` from it is shown inline and nothing
is saved, since each action is one transaction. Everything a form shows (its title, values,
hints, choices and errors name prospects) is shown as text: never read as markup, and with
nothing that would act on the terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList, Static

from pipeline_tui.core.printable import printable
from pipeline_tui.errors import ServerLost, UserError
from pipeline_tui.ui.widgets.text_input import TextInput

# a form that could not be saved stays open, with what was typed, to be saved again
SERVER_GONE = "Server unreachable: nothing was saved. Save again once it is back (the app keeps trying)."


class Caution(str):
    """A field's hint that warns (a date in the past): shown in the warning colour, not refused."""


@dataclass
class Field:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    choices: list[str] = field(default_factory=list)  # offered as you type
    check: Callable[[str], str | None] | None = None  # text -> a hint (e.g. the date read), or raises
    reads: tuple[str, ...] = ()  # the other fields its check reads: it is checked again as they change


class FormScreen(ModalScreen[object]):
    """A modal form; ``submit`` receives the values by field name and performs the action."""

    # The first field has the focus as the form appears (not the scrolling box around the
    # fields): keys typed right after the key that opened the form go into it (see
    # PipelineApp._on_key).
    AUTO_FOCUS = "Input"

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > VerticalScroll {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    FormScreen .form-title { text-style: bold; color: $accent; text-wrap: nowrap; text-overflow: ellipsis; }
    FormScreen Grid {
        grid-size: 2;
        grid-columns: 16 1fr;
        grid-rows: auto;
        height: auto;
        grid-gutter: 0 1;
        margin-bottom: 1;
    }
    FormScreen Grid Label { color: $text-muted; }
    FormScreen .input-cell { height: auto; }
    FormScreen Input {
        width: 1fr;
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    FormScreen Input:focus { border: none; background: $accent 25%; }
    FormScreen .hint { color: $text-muted; height: auto; padding: 0 0 0 1; }
    FormScreen .hint.-bad { color: $error; }
    FormScreen .hint.-caution { color: $warning; }
    FormScreen #form-error { color: $error; text-style: bold; height: auto; }
    FormScreen #form-keys { color: $text-muted; }
    FormScreen OptionList { height: auto; max-height: 8; margin-top: 1; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        # priority: an Input would otherwise keep up and down for itself
        Binding("down", "field(1)", "Next field", show=False, priority=True, id="form.next_field"),
        Binding("up", "field(-1)", "Previous field", show=False, priority=True, id="form.previous_field"),
    ]

    def __init__(
        self,
        title: str,
        fields: list[Field],
        submit: Callable[[dict[str, str]], object],
        *,
        note: str = "",
        extra_list: list[str] | None = None,
        extra_target: str | None = None,
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.submit = submit
        self.note = note
        self.extra_list = extra_list or []
        self.extra_target = extra_target

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(printable(self.form_title), classes="form-title", markup=False)
            if self.note:
                yield Static(printable(self.note), classes="hint", markup=False)
            with Grid():
                for item in self.fields:
                    yield Label(printable(item.label), markup=False)
                    with Vertical(classes="input-cell"):
                        suggester = (
                            SuggestFromList(item.choices, case_sensitive=False) if item.choices else None
                        )
                        yield TextInput(
                            value=item.value,
                            placeholder=item.placeholder,
                            id=f"field-{item.name}",
                            suggester=suggester,
                        )
                        yield Static("", id=f"hint-{item.name}", classes="hint", markup=False)
            if self.extra_list:
                yield OptionList(
                    *(Content(printable(choice)) for choice in self.extra_list), id="form-choices"
                )
            yield Static("", id="form-error", markup=False)
            yield Static("enter save · esc cancel · tab next field", id="form-keys", markup=False)

    def on_mount(self) -> None:
        for item in self.fields:
            self._check(item, item.value)
        self.query_one(f"#field-{self.fields[0].name}", Input).focus()

    def _check(self, item: Field, text: str) -> bool:
        hint = self.query_one(f"#hint-{item.name}", Static)
        if item.check is None:
            hint.display = False
            return True
        try:
            message = item.check(text)
        except UserError as exc:
            hint.update(printable(str(exc)))
            hint.set_class(True, "-bad")
            hint.set_class(False, "-caution")
            hint.display = True
            return False
        hint.update(printable(message or ""))
        hint.set_class(False, "-bad")
        hint.set_class(isinstance(message, Caution), "-caution")
        hint.display = bool(message)
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("field-")
        for item in self.fields:
            if item.name == name:
                self._check(item, event.value)
            elif name in item.reads:
                self._check(item, self.query_one(f"#field-{item.name}", Input).value)
        self.query_one("#form-error", Static).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self.extra_target:
            target = self.query_one(f"#field-{self.extra_target}", Input)
            target.value = self.extra_list[event.option_index]  # as given, not as shown
            self.action_save()

    def values(self) -> dict[str, str]:
        return {item.name: self.query_one(f"#field-{item.name}", Input).value for item in self.fields}

    def action_save(self) -> None:
        values = self.values()
        bad = [item for item in self.fields if not self._check(item, values[item.name])]
        if bad:
            self.query_one("#form-error", Static).update("Fix the field marked in red; nothing was saved.")
            self.query_one(f"#field-{bad[0].name}", Input).focus()  # typing goes where it is wrong
            return
        try:
            result = self.submit(values)
        except ServerLost as exc:  # what was typed stays, to save once the server is back
            self.query_one("#form-error", Static).update(
                printable(str(exc)) if exc.maybe_saved else SERVER_GONE
            )
            return
        except UserError as exc:
            self.query_one("#form-error", Static).update(printable(f"{exc} (nothing was saved)"))
            return
        self.dismiss(result if result is not None else True)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_field(self, step: int) -> None:
        """Up and down move between fields; in the list of choices they move the highlight."""
        focused = self.focused
        if isinstance(focused, OptionList):
            if step < 0 and focused.highlighted in (None, 0):
                self.focus_previous()
            else:
                focused.action_cursor_down() if step > 0 else focused.action_cursor_up()
        elif step > 0:
            self.focus_next()
        else:
            self.focus_previous()


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question answered in one key."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 64; max-width: 100%; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmScreen .question { text-style: bold; }
    ConfirmScreen .keys { color: $text-muted; margin-top: 1; }
    """

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(printable(self.question), classes="question", markup=False)
            if self.detail:
                yield Static(printable(self.detail), markup=False)
            yield Static("y / enter: yes · n / esc: no", classes="keys", markup=False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
