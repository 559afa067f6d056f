"""The people on a deal (``a`` on the board): add, edit, set the role of, call, email or remove
each one. Every change is one action; the board redraws the card once this closes."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from pipeline_tui.services import contacts
from pipeline_tui.ui.format import printable
from pipeline_tui.ui.screens.list_dialog import ListDialog


class PeopleScreen(ListDialog):
    """A deal's contacts in a list; dismissed with whether anything changed."""

    LIST_ID = "people"

    BINDINGS = [
        Binding("a", "add", "Add", id="people.add"),
        Binding("e,enter", "edit", "Edit", id="people.edit"),
        Binding("r", "role", "Role", id="people.role"),
        Binding("c", "call", "Call", id="people.call"),
        Binding("m", "email", "Email", id="people.email"),
        Binding("d,delete", "remove", "Remove", id="people.remove"),
        Binding("escape,q", "close", "Close", id="people.close"),
        Binding("j", "cursor(1)", "Down", show=False, id="people.down"),  # as in every list here
        Binding("k", "cursor(-1)", "Up", show=False, id="people.up"),
    ]
    HINTS = [
        (("people.add",), "a", "add"),
        (("people.edit",), "e", "edit"),
        (("people.role",), "r", "role"),
        (("people.call",), "c", "call"),
        (("people.email",), "m", "email"),
        (("people.remove",), "d", "remove"),
        (("people.close",), "esc", "close"),
    ]

    def __init__(self, prospect_id: int, deal: str) -> None:
        super().__init__()
        self.prospect_id = prospect_id
        self.deal = deal
        self.people = contacts.list_contacts(prospect_id)

    def title_text(self) -> str:
        return f"People on {self.deal}"

    def on_mount(self) -> None:
        self._fill()

    def _fill(self, keep: int | None = None) -> None:
        listing = self.query_one(OptionList)
        listing.clear_options()
        if not self.people:
            listing.add_option(Option(Content("Nobody yet: press a to add the first person"), disabled=True))
            return
        listing.add_options([Option(_line(c), id=str(c.id)) for c in self.people])
        ids = [c.id for c in self.people]
        listing.highlighted = ids.index(keep) if keep in ids else 0
        listing.focus()

    def current(self):
        listing = self.query_one(OptionList)
        if not self.people or listing.highlighted is None:
            self.notify("Add someone first: a", severity="warning", markup=False)
            return None
        return self.people[listing.highlighted]

    def _after(self, result, keep: int | None = None) -> None:
        if not result:
            return
        self.changed = True
        self.app.changed()
        self.people = contacts.list_contacts(self.prospect_id)
        self._fill(keep if keep is not None else getattr(result, "id", None))

    def action_add(self) -> None:
        from pipeline_tui.ui import dialogs

        self.app.push_screen(dialogs.contact_form(self.app.now, self.prospect_id, self.deal), self._after)

    def action_edit(self) -> None:
        from pipeline_tui.ui import dialogs

        person = self.current()
        if person is not None:
            form = dialogs.contact_form(self.app.now, self.prospect_id, self.deal, person)
            self.app.push_screen(form, lambda result: self._after(result, person.id))

    def action_role(self) -> None:
        from pipeline_tui.ui import dialogs

        person = self.current()
        if person is not None:
            self.app.push_screen(
                dialogs.contact_role(self.app.now, person), lambda r: self._after(r, person.id)
            )

    def action_call(self) -> None:
        self._log("call")

    def action_email(self) -> None:
        person = self.current()
        if person is not None and person.email:
            self.app.copy_to_clipboard(person.email)  # to paste into the mail being written
            self.notify(printable(f"Copied {person.email}"), markup=False)
        self._log("email")

    def _log(self, kind: str) -> None:
        from pipeline_tui.ui import dialogs

        person = self.current()
        if person is not None:
            form = dialogs.log_with_contact(self.app.now, self.prospect_id, person, kind)
            self.app.push_screen(form, lambda result: self._after(result, person.id))

    def action_remove(self) -> None:
        from pipeline_tui.ui.widgets.forms import ConfirmScreen

        person = self.current()
        if person is None:
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.app.run_action_safely(
                    lambda: contacts.remove_contact(person.id, self.app.now()), lambda r: self._after(r)
                )

        self.app.push_screen(ConfirmScreen(f"Take {person.name} off {self.deal}?"), answer)


def _line(person) -> Content:
    """One person as plain text (never markup): name, role, title, email, phone."""
    role = person.role or "role not known"
    text = "  ·  ".join(x for x in (person.name, role, person.title, person.email, person.phone) if x)
    return Content(printable(text))
