"""The call block (key b, or the palette): today's and overdue calls one prospect at a time.

c dials (the phone program set for ``tel:`` links, else the number is copied) and asks the
outcome, with the next step the cadence or the advice suggests; enter saves it and the next
prospect comes up. d is the outcome without dialling, s snoozes a day, e writes an email from
a template, j/k move on or back, esc leaves.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from pipeline_tui.core.wording import plural
from pipeline_tui.errors import UserError
from pipeline_tui.io import desktop
from pipeline_tui.services import call_block, follow_ups
from pipeline_tui.services.agenda import AgendaItem
from pipeline_tui.ui import dialogs
from pipeline_tui.ui.format import DECISION_WORDS, due_label, printable
from pipeline_tui.ui.widgets.footer import KeysFooter
from pipeline_tui.ui.widgets.forms import Field, FormScreen


def tel_link(phone: str) -> str | None:
    """A ``tel:`` link (RFC 3966) of the digits of a number as typed, ``+`` kept in front;
    None when it holds no digit."""
    digits = re.sub(r"[^0-9]", "", phone)
    if not digits:
        return None
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"


class CallBlockScreen(Screen):
    BINDINGS = [
        Binding("c", "dial", "Call", id="calls.dial"),
        Binding("d", "done", "Done", id="calls.done"),
        Binding("e", "email", "Email", id="calls.email"),
        Binding("s", "snooze", "+1 day", id="calls.snooze"),
        Binding("j,down", "move(1)", "Next", id="calls.next"),
        Binding("k,up", "move(-1)", "Previous", show=False, id="calls.previous"),
        Binding("C", "cadence", "Cadence start/stop", show=False, id="calls.cadence"),
        Binding("o", "note", "Note", show=False, id="calls.note"),
        Binding("escape", "back", "Back", id="calls.back"),
    ]

    DEFAULT_CSS = """
    CallBlockScreen #calls-summary { height: 1; background: $panel; padding: 0 1; }
    CallBlockScreen VerticalScroll { padding: 1 2; }
    """

    def __init__(self, calls: list[AgendaItem]) -> None:
        super().__init__()
        self.calls = calls
        self.index = 0
        self.card: call_block.CallCard | None = None
        self.made = 0  # calls done here
        self.snoozed = 0

    def compose(self) -> ComposeResult:
        yield Static(id="calls-summary", markup=False)
        with VerticalScroll():
            yield Static(id="call-card", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.app.keep_screen(self.show_call)

    # -- what is shown ---------------------------------------------------------------------

    def show_call(self) -> None:
        """Show the call at ``index``, skipping those done meanwhile; leave when none is left."""
        while self.index < len(self.calls) and not call_block.is_open(self.calls[self.index].id):
            del self.calls[self.index]
        if not self.calls or self.index >= len(self.calls):
            self._finish()
            return
        now = self.app.now()
        self.card = call_block.call_card(self.calls[self.index], now, self.app.settings, self.app.date_rules)
        summary = f"Call block · {len(self.calls)} to go · {self.made} made · {self.snoozed} snoozed"
        self.query_one("#calls-summary", Static).update(summary)
        self.query_one("#call-card", Static).update(card_content(self.card, now))

    def reload(self) -> None:
        """Another program wrote: show the call again as it now is."""
        self.show_call()

    def _finish(self) -> None:
        said = f"Call block done: {plural(self.made, 'call')} made"
        if self.snoozed:
            said += f", {self.snoozed} snoozed"
        self.dismiss(None)
        self.app.notify(said, markup=False)

    def _next(self, message: str) -> None:
        """After an action on the call shown: say it, and on to the next."""
        self.app.changed()
        self.notify(message, markup=False)
        del self.calls[self.index]
        self.app.keep_screen(self.show_call)

    # -- the keys -----------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self.calls:
            self.index = (self.index + step) % len(self.calls)
            self.app.keep_screen(self.show_call)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_dial(self) -> None:
        """Hand the number to the phone program, or copy it; then ask how the call went."""
        card = self.card
        if card is None:
            return
        phone = card.detail.prospect.phone
        link = tel_link(phone)
        if link is None:
            self.notify(
                f"No phone number for {card.item.prospect}: d records the call",
                severity="warning",
                markup=False,
            )
            return
        if desktop.open_link(link):
            self.notify(f"Calling {phone}", markup=False)
        else:
            self.app.copy_to_clipboard(phone)
            self.notify(f"No phone program for tel: links: {phone} copied to the clipboard", markup=False)
        self.action_done()

    def action_done(self) -> None:
        """The outcome, and the next step (the cadence's, else the advice's); then the next call."""
        card = self.card
        if card is None:
            return
        item = card.item
        form = dialogs.complete_follow_up(
            self.app.now,
            item.id,
            item.kind,
            item.prospect_id,
            item.prospect,
            dates=self.app.date_rules,
            suggest=card.suggestion,
        )

        def saved(result) -> None:
            if result:
                self.made += 1
                self._next(
                    f"Done: call with {item.prospect}" + (f"; {result}" if isinstance(result, str) else "")
                )

        self.app.push_screen(form, saved)

    def action_snooze(self) -> None:
        card = self.card
        if card is None:
            return

        def snoozed(result) -> None:
            self.snoozed += 1
            self._next(f"Snoozed to {result.due_at:%a %d %b %H:%M}: {card.item.prospect}")

        self.app.run_action_safely(
            lambda: follow_ups.snooze(card.item.id, timedelta(days=1), self.app.now()), snoozed
        )

    def action_email(self) -> None:
        card = self.card
        if card is None:
            return
        if not card.detail.prospect.email.strip():
            self.notify(f"No email address for {card.item.prospect}", severity="warning", markup=False)
            return
        form = email_form(self.app, card.detail)
        self.app.push_screen(form, lambda said: said and self._stay(said))

    def _stay(self, message: str) -> None:
        """After an action that leaves the call to make (an email, a note): said, shown again."""
        self.app.changed()
        self.notify(message, markup=False)
        self.app.keep_screen(self.show_call)

    def action_cadence(self) -> None:
        from pipeline_tui.ui.cadence_forms import cadence_key

        if self.card is not None:
            cadence_key(self.app, self.card.item.prospect_id, self.card.item.prospect, self._stay)

    def action_note(self) -> None:
        if self.card is not None:
            item = self.card.item
            form = dialogs.add_note(self.app.now, item.prospect_id, item.prospect)
            self.app.push_screen(form, lambda result: result and self._stay("Note saved"))


def card_content(card: call_block.CallCard, now: datetime) -> Content:
    """The call as the block shows it: who, the number, what is at stake, what came of the
    last contact, what to do. User text goes in as text, never as markup."""
    p, detail, item = card.detail.prospect, card.detail, card.item
    late = "bold red" if item.due < now else "bold"
    parts: list = [(printable(p.name), "bold"), "\n"]
    who = ", ".join(x for x in (p.contact, p.title) if x)
    if p.organization and p.organization not in p.name:
        who = f"{who} · {p.organization}" if who else p.organization
    parts += [printable(who or "no contact name"), "\n\n"]
    parts += [("Phone  ", "dim"), (printable(p.phone) or "—", "bold"), "\n"]
    if p.email:
        parts += [("Email  ", "dim"), printable(p.email), "\n"]
    parts += [("Value  ", "dim"), detail.value_text, ("   Stage ", "dim"), printable(detail.stage.name)]
    parts += [("   Decision maker ", "dim"), DECISION_WORDS[p.decision_maker], "\n\n"]
    parts += [("Call   ", "dim"), (due_label(item.due, now), late)]
    if item.runs_itself:
        parts += [("  ↻ " + item.runs_itself, "dim")]
    if item.notes:
        parts += ["  ", printable(item.notes)]
    parts.append("\n")
    if detail.cadence:
        parts += [("Cadence ", "dim"), printable(detail.cadence), "\n"]
    if card.last_outcome is not None:
        last = card.last_outcome
        parts += [("Last   ", "dim"), f"{last.when:%d %b} {last.kind}: ", printable(last.outcome), "\n"]
    if detail.advice:
        parts += ["\n", ("What to do", "bold"), "\n"]
        for advice in detail.advice:
            parts += [("▸ ", "yellow"), printable(advice.message), "\n"]
    if card.following is not None:
        parts += ["\n", ("Once done, by itself: ", "dim"), card.following.label(now)]
    else:
        suggestion = card.suggestion
        parts += ["\n", ("Next step offered: ", "dim"), f"{suggestion.kind} {suggestion.due:%a %d %b %H:%M}"]
        if suggestion.why:
            parts += [(f" ({suggestion.why})", "dim")]
    return Content.assemble(*parts)


def template_values(detail, me: str, home: str = "") -> dict[str, str]:
    """The prospect's fields a template may name (README "Call block"); ``home``: the home
    currency's code."""
    from pipeline_tui.core.templates import value_for_email

    p = detail.prospect
    return {
        "name": p.name,
        "organization": p.organization,
        "contact": p.contact,
        "first_name": p.contact.split()[0] if p.contact.split() else "",
        "title": p.title,
        "email": p.email,
        "phone": p.phone,
        "value": value_for_email(p.value_cents, p.currency, home),
        "stage": detail.stage.name,
        "me": me,
    }


def email_form(app, detail) -> FormScreen:
    """e: which template; enter opens the email in the mail program (mailto:) and logs it on
    the prospect. With no mail program, the address is copied and nothing is logged."""
    from pipeline_tui.core.templates import available, fill, mailto
    from pipeline_tui.services.base import current_user

    known = available(app.settings.templates)
    values = template_values(detail, current_user(), app.settings.currency.home)
    p = detail.prospect

    def template(text: str):
        found = known.get(text.strip())
        if found is None:
            raise UserError(f"no template {text.strip()!r} (there is {', '.join(known)})")
        return found

    def submit(form_values: dict[str, str]):
        chosen = template(form_values["template"])
        subject = fill(chosen.subject, values)
        if not desktop.open_link(mailto(p.email, chosen, values)):
            app.copy_to_clipboard(p.email)
            return f"No mail program for mailto: links: {p.email} copied; nothing logged"
        follow_ups.log_activity(p.id, "email", app.now(), notes=subject, rules=app.date_rules)
        return f"Email to {p.email} opened and logged: {subject}"

    def check(text: str) -> str | None:
        return "→ " + fill(template(text).subject, values)

    first = detail.cadence.split(",")[0] if detail.cadence else ""
    return FormScreen(
        f"Email {p.contact or p.name}",
        [
            Field(
                "template",
                "Template",
                first if first in known else next(iter(known)),
                ", ".join(known),
                list(known),
                check=check,
            )
        ],
        submit,
        note="[templates] in config.toml: a subject and a body with {first_name}, {name}, {me}...",
    )
