"""The detail pane beside the board: every field, the score explained, advice and timeline.

It draws its own lines, like the columns: the text is wrapped once to the pane's width and
only the lines in sight are drawn. (A text widget inside a scrolling container, as it once
was, wrapped and drew the whole text on every key and added three layers under each line.)
"""

from __future__ import annotations

import re
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.strip import Strip

from pipeline_tui.core import aging
from pipeline_tui.core.money import format_amount
from pipeline_tui.core.printable import printable
from pipeline_tui.core.wording import plural, word_for
from pipeline_tui.services.base import current_user
from pipeline_tui.services.views import Detail
from pipeline_tui.ui.format import DECISION_MARKS, DECISION_WORDS, KIND_LABELS, due_label, estimate, money
from pipeline_tui.ui.key_hints import key_line, key_of
from pipeline_tui.ui.textual_internals import SizedInLayout
from pipeline_tui.ui.widgets.virtual_list import GLUE, LineView, make_strip, wrap_parts
from pipeline_tui.ui.widgets.wide import clear_of_cuts, cut_room, cuts_across, has_wide

# each key glued to what it does (GLUE): a line may break between keys, never inside one; by
# the place the pane is in (on the board, or over the agenda or the report)
KEY_HINTS = {
    "board": [
        (("board.edit",), "e", "edit"),
        (("board.people",), "a", "people"),
        (("board.follow_up",), "f", "follow-up"),
        (("board.log_call",), "c", "log call"),
        (("board.note",), "o", "note"),
        (("board.trial",), "t", "trial/demo"),
        (("board.cadence",), "C", "cadence"),
        (("board.detail_down", "board.detail_up"), "J/K", "scroll"),
        (("board.close",), "esc", "close"),
    ],
    "pane": [
        (("pane.edit",), "e", "edit"),
        (("pane.people",), "a", "people"),
        (("pane.follow_up",), "f", "follow-up"),
        (("pane.log_call",), "c", "log call"),
        (("pane.note",), "o", "note"),
        (("pane.trial",), "t", "trial/demo"),
        (("pane.cadence",), "C", "cadence"),
        (("pane.down", "pane.up"), "J/K", "scroll"),
        (("pane.back",), "esc", "close"),
    ],
}
KEYS = key_line(KEY_HINTS["board"], {}, GLUE)  # as long as no key is rebound
FOLLOW_UP_IDS = {"board": ("board.follow_up",), "pane": ("pane.follow_up",)}
SCROLL_IDS = {"board": ("board.detail_down", "board.detail_up"), "pane": ("pane.down", "pane.up")}
ROLE_STYLE = {"decision-maker": "good", None: "warn"}  # the others: known not to decide
DM_STYLE = {"yes": "good", "no": "bad", "unknown": "warn"}
BOLD, ITALIC, DIM = Style(bold=True), Style(italic=True), Style(dim=True)
# role → (component class, Rich style on top)
ROLES: dict[str, tuple[str | None, Style | None]] = {
    "strong": (None, BOLD),
    "heading": ("detail--accent", BOLD),
    "muted": (None, DIM),
    "keys": (None, DIM),
    "good": ("detail--good", None),
    "warn": ("detail--warn", None),
    "bad": ("detail--bad", None),
    "bad-italic": ("detail--bad", ITALIC),
    "address": (None, DIM),  # an email address: broken before its @ or a dot when too long
    # " · " between fields: a line may end there, but never shows it
    "separator": (None, None),
    "separator-muted": (None, DIM),
    "separator-warn": ("detail--warn", None),
}
SEPARATORS = ("separator", "separator-muted", "separator-warn")


def _separated(parts: list, role: str = "separator") -> list:
    """``parts`` with a separator between each two."""
    joined: list = []
    for part in parts:
        joined += [(" · ", role), part] if joined else [part]
    return joined


def _section(title: str) -> tuple[str, str]:
    return ("\n" + title + "\n", "heading")


def detail_parts(
    detail: Detail, now: datetime, keys: str = KEYS, follow_up_key: str = "f"
) -> list[tuple[str, str | None]]:
    """The pane's text as parts, each with the role that colours it (``ROLES``): no user text
    is ever read as markup. Who is on the deal and the company's other deals come after what
    to do next, which the pane must show first on a small screen. ``keys`` and
    ``follow_up_key``: the user's keys, as the pane's key line names them."""
    parts: list = [
        *_who(detail, now),
        *_figures(detail, now),
        "\n",  # a blank line between the fields and the first section
        *_notes(detail),
        *_next_steps(detail, now, follow_up_key),
        *_advice(detail),
        *_score(detail),
        *_people(detail),
        *_organization(detail),
        *_history(detail),
        "\n\n",
        (keys, "keys"),  # the last part: wrapped_at_separators packs it a hint at a time
    ]
    return [(part, None) if isinstance(part, str) else part for part in parts]


def _who(detail: Detail, now: datetime) -> list:
    """The deal's name, stage and pipeline, and who it is with."""
    p = detail.prospect
    parts: list = [
        (p.name, "strong"),
        "\n",
        (detail.stage.name, "heading"),
        (" · ", "separator"),
        detail.pipeline,
    ]
    if p.archived:
        parts += [(" · ", "separator-warn"), ("archived", "warn")]
    if detail.stage.kind == "open" and not p.archived:  # how long it has sat in it (README: Time in stage)
        days = aging.days_since(p.stage_entered_at, now)
        parts += [
            (" · ", "separator-muted"),
            (f"{days}{GLUE}{word_for(days, 'day')}{GLUE}in{GLUE}stage", "muted"),
        ]
    who = [(x, None) for x in (p.organization, ", ".join(y for y in (p.contact, p.title) if y)) if x]
    if who:
        parts += ["\n", *_separated(who)]
    reach = _reach(p.email, p.phone)
    if reach:
        parts += ["\n", *reach]
    return parts


def _reach(email: str, phone: str, indent: str = "") -> list:
    """An email address and a phone number (kept whole), separated, after ``indent``."""
    reach = [(email, "address")] * bool(email) + [(phone.replace(" ", GLUE), "muted")] * bool(phone)
    return [(indent, None)] * bool(indent and reach) + _separated(reach, "separator-muted")


def _figures(detail: Detail, now: datetime) -> list:
    """Value and its odds, close date (slipped or not), urgency, decision maker, source, owner,
    lost reason, a snooze that stands."""
    p = detail.prospect
    is_open = detail.stage.kind == "open" and not p.archived
    value = detail.value_text.replace(" ", GLUE)  # its currency stays by its amount
    probability = p.probability if p.probability is not None else detail.stage.probability
    source = "own" if p.probability is not None else "stage"
    close = p.expected_close.strftime(f"%d{GLUE}%b{GLUE}%Y") if p.expected_close else "unknown"
    decision = f"{DECISION_MARKS[p.decision_maker]} {DECISION_WORDS[p.decision_maker]}"
    # each label glued (GLUE) to its value: a line may break between fields, not inside one
    parts: list = [
        "\n\n",
        ("Value" + GLUE, "muted"),
        (value, "strong"),
        (f"  weighted {estimate(detail.weighted_value)} at {probability:.0%} ({source})", "muted"),
        "\n",
        ("Close" + GLUE, "muted"),
        close,
        (f"{GLUE}slipped" if is_open and aging.close_slipped(p.expected_close, now) else "", "bad"),
        ("   Urgency" + GLUE, "muted"),
        p.urgency,
        "\n",
        (f"Decision{GLUE}maker{GLUE}", "muted"),
        (decision, DM_STYLE[p.decision_maker]),
    ]
    # on a line of their own: a source wrapped under the fields ("cold" / "call") read as a next step
    if p.source:
        parts += ["\n", ("Source ", "muted"), p.source]
    if p.owner and p.owner != current_user():  # only worth saying in a team
        parts += ["\n" if not p.source else "   ", ("Owner ", "muted"), p.owner]
    if p.lost_reason:
        parts += ["\n", ("Lost: ", "bad"), p.lost_reason]
    if aging.snooze_stands(p.snoozed_until, p.snooze_reason, now):
        until = p.snoozed_until.strftime(f"%d{GLUE}%b{GLUE}%Y")
        parts += ["\n", (f"Snoozed{GLUE}until{GLUE}", "muted"), until, "  ", p.snooze_reason]
    return parts


def _notes(detail: Detail) -> list:
    notes = detail.prospect.notes
    return [_section("Notes"), notes, "\n"] if notes else []


def _next_steps(detail: Detail, now: datetime, follow_up_key: str) -> list:
    """The running cadence, then the open follow-ups, soonest first, coloured overdue, today or
    later, each with the cadence step or the repeat that made it."""
    parts: list = [_section("Next steps")]
    if detail.cadence:
        cadence = (detail.cadence.replace(" ", GLUE), "strong")
        parts += [("Cadence" + GLUE, "muted"), cadence, ("  C stops it", "muted"), "\n"]
    if not detail.open_follow_ups:
        return [*parts, (f"No next step scheduled: press {follow_up_key}", "bad-italic"), "\n"]
    for f in detail.open_follow_ups:
        style = "bad" if f.due < now else ("warn" if f.due.date() == now.date() else "good")
        runs = detail.runs_itself.get(f.id)
        parts += [
            (f"{KIND_LABELS.get(f.kind, f.kind):<8} ", "strong"),  # (a space after "appointment" too)
            (f"{due_label(f.due, now):<16}", style),
            *([(f"↻{GLUE}{runs.replace(' ', GLUE)} ", "muted")] if runs else []),
            f.notes,
            "\n",
        ]
    return parts


def _advice(detail: Detail) -> list:
    if not detail.advice:
        return []
    parts: list = [_section("What to do")]
    for advice in detail.advice:
        parts += [("▸ ", "warn"), advice.message, "\n"]
    return parts


def _score(detail: Detail) -> list:
    """The score, rule by rule (open deals only)."""
    if detail.score is None:
        return []
    parts: list = [_section(f"Score {detail.score.total}")]
    for part in detail.score.parts:
        parts += [(f"{part.points:+4d} ", "good" if part.points > 0 else "bad"), part.reason, "\n"]
    return parts


def _people(detail: Detail) -> list:
    """Everyone on the deal, with the role each plays in its decision."""
    if not detail.contacts:
        return []
    parts: list = [_section("People")]
    for contact in detail.contacts:
        role = contact.role or "role not known"
        parts += [(contact.name, "strong"), "  ", (role, ROLE_STYLE.get(contact.role, "muted"))]
        if contact.title:
            parts += [("  " + contact.title, "muted")]
        # each on an indented line of its own: wrapped after the email, the phone began the
        # next line at the margin, under the contact's name rather than its address
        for reach in (_reach(contact.email, "", "  "), _reach("", contact.phone, "  ")):
            parts += ["\n", *reach] if reach else []
        parts.append("\n")
    return parts


def _organization(detail: Detail) -> list:
    """The organization's other deals and what it has bought; names that look like its own."""
    org = detail.organization
    if org is None:
        return []
    others = org.other_deals
    parts: list = []
    if others or org.won_value:
        parts += [_section(f"{org.name}: {plural(others, 'other deal')}")]
        parts += [("Won, lifetime ", "muted"), (money(org.won_value), "strong"), "\n"]
        for deal in org.newest:
            style = {"won": "good", "lost": "bad"}.get(deal.kind)
            value = format_amount(deal.value, deal.currency, "") if deal.value is not None else "no value"
            parts += [(f"{deal.stage:<11} ", style or "muted"), deal.name, (f"  {value}", "muted"), "\n"]
        if others > len(org.newest):
            parts += [(f"… {others - len(org.newest)} more (pipeline-tui org)", "muted"), "\n"]
    for _, name in detail.look_alikes[:1]:
        parts += ["\n", ("Same company as ", "warn"), (name, "strong"), ("? M merges them", "warn"), "\n"]
    return parts


def _history(detail: Detail) -> list:
    """What happened, newest first: the last 30 entries, and how many older ones there are."""
    history = [e for e in detail.timeline if e.done]
    if not history:
        return []
    parts: list = [_section("History")]
    for entry in history[:30]:
        label = {"stage": "moved", "created": "added"}.get(
            entry.what, KIND_LABELS.get(entry.what, entry.what)
        )
        parts += [(f"{entry.when:%d %b %y} ", "muted"), (f"{label:<9}", "strong"), entry.text, "\n"]
    if len(history) > 30:
        parts += [(f"… {plural(len(history) - 30, 'older entry', 'older entries')}", "muted"), "\n"]
    return parts


def wrapped_at_separators(parts: list, width: int) -> list[list[tuple[str, str | None]]]:
    """The pane's text wrapped to ``width``: an email address too long for a line is broken
    before its @ or a dot, and a line neither ends nor starts with a separator."""
    fitted = list(parts)
    for index, (text, role) in enumerate(parts):
        if role == "address":
            fitted[index] = (_broken_address(text, width, _column(parts, index)), role)
    keys = fitted.pop()[0] if fitted and fitted[-1][1] == "keys" else None
    lines = wrap_parts(fitted, width)
    if keys is not None:
        lines[-1:] = _key_lines(keys, width)
    if not any(line and (line[0][1] in SEPARATORS or line[-1][1] in SEPARATORS) for line in lines):
        return lines  # most panes: every separator sits inside a line
    lines = [_without_separators_at_ends(line) for line in lines]
    return [line for line in lines if line is not None]


def _key_lines(keys: str, width: int) -> list[list[tuple[str, str | None]]]:
    """The key line's hints (each glued whole) packed into lines of ``width``, " · " between
    two on one line: as the separators elsewhere, but without a part each for wrap_parts."""
    lines = [""]
    for hint in printable(keys).split(" · "):
        hint = set_cell_size(hint, width).rstrip() if cell_len(hint) > width else hint
        if not lines[-1]:
            lines[-1] = hint
        elif cell_len(lines[-1]) + 3 + cell_len(hint) <= width:
            lines[-1] += " · " + hint
        else:
            lines.append(hint)
    return [[(line.replace(GLUE, " "), "keys")] for line in lines]


def _column(parts: list, index: int) -> int:
    """The cells before ``parts[index]`` since the last line break."""
    cells = 0
    for text, _ in reversed(parts[:index]):
        if "\n" in text:
            return cells + cell_len(text.rsplit("\n", 1)[1])
        cells += cell_len(text)
    return cells


def _broken_address(address: str, width: int, column: int) -> str:
    """An email address starting at ``column`` on lines of ``width``, broken before its @ or a
    dot as printers break them (a name longer than a line is still cut)."""
    if column + cell_len(address) <= width:
        return address
    indent = " " * column  # the address begins its line: what follows keeps its margin
    name, at, domain = address.rpartition("@")
    if at and column + cell_len(name) <= width and column + cell_len(at + domain) <= width:
        return f"{name}\n{indent}@{domain}"  # the clearest break, where it will do
    lines = [indent]
    for piece in re.split(r"(?=[@.])", address):
        if lines[-1].strip() and cell_len(lines[-1] + piece) > width:
            lines.append(indent + piece)
        else:
            lines[-1] += piece
    return "\n".join(lines)[column:]


def _without_separators_at_ends(line: list) -> list | None:
    """The line without separators at its ends; None when it held nothing else."""
    start, end = 0, len(line)
    while start < end and line[start][1] in SEPARATORS:
        start += 1
    while end > start and line[end - 1][1] in SEPARATORS:
        end -= 1
    return line[start:end] if start < end or not line else None


class ProspectDetail(SizedInLayout, LineView, can_focus=False):
    """Shows one prospect; the board fills it as the cursor moves."""

    COMPONENT_CLASSES = {"detail--edge", "detail--accent", "detail--good", "detail--warn", "detail--bad"}
    # The thick edge on the board's side and a cell of room each side of the text are drawn
    # here, not by CSS: Textual would add a border and padding to every line at every repaint.
    EDGE = "█"
    AROUND = 3  # cells: the edge, and a space each side of the text

    DEFAULT_CSS = """
    ProspectDetail {
        layer: overlay;
        dock: right;
        width: 42%;  /* the board narrows it to the room beside the focused column */
        height: 1fr;
        display: none;
        /* No scrollbar: Textual lays it out and redraws it in a frame of its own each time the
           text changes. J/K and the wheel scroll, and the last line says how much more there is. */
        overflow-y: hidden;
    }
    ProspectDetail.-left { dock: left; }
    ProspectDetail > .detail--edge { color: $accent; }
    ProspectDetail > .detail--accent { color: $accent; }
    ProspectDetail > .detail--good { color: $success; }
    ProspectDetail > .detail--warn { color: $warning; }
    ProspectDetail > .detail--bad { color: $error; }
    """

    def __init__(self) -> None:
        super().__init__(id="detail")
        self.prospect_id: int | None = None
        self._parts: list[tuple[str, str | None]] = []
        self.text_lines: list[list[tuple[str, str | None]]] = []  # wrapped to wrapped_width
        self.wrapped_width = 0
        self.scroll_keys = "J/K"  # as the user has them (show)

    @property
    def is_open(self) -> bool:
        return self.display

    def open(self) -> None:
        """Show the pane. Its display is set directly rather than by a class: a class changed
        makes Textual match every CSS rule against the pane again (~1 ms a key)."""
        if not self.display:
            self.display = True
            self.screen.refresh_bindings()  # its scrolling keys come into the footer

    def close(self) -> None:
        if self.display:
            self.display = False
            self.screen.refresh_bindings()

    def show(self, detail: Detail, now: datetime) -> None:
        """Show a prospect, from the top if it is another one."""
        another = detail.prospect.id != self.prospect_id
        self.prospect_id = detail.prospect.id
        place = "board" if "board.edit" in {b.id for b in self.screen.BINDINGS} else "pane"
        keymap = self.app.settings.keys
        self.scroll_keys = key_of(SCROLL_IDS[place], "J/K", keymap)
        keys = key_line(KEY_HINTS[place], keymap, GLUE)
        parts = detail_parts(detail, now, keys, key_of(FOLLOW_UP_IDS[place], "f", keymap))
        width = self._text_width() or self.wrapped_width
        if parts != self._parts or width != self.wrapped_width:  # else its lines are as wrapped
            self._parts = parts
            self._wrap(width)
        if another and self.scroll_offset.y:
            self.scroll_to(y=0, animate=False, immediate=True)

    def scroll_text(self, lines: int) -> None:
        """Scroll the text by ``lines`` (down when positive): the keys J and K."""
        self.scroll_to(y=self.scroll_offset.y + lines, animate=False, immediate=True)

    def scroll_pages(self, pages: int) -> None:
        """Scroll by whole pages less a line, so that the line read last stays in sight."""
        self.scroll_text(pages * max(1, self.scrollable_content_region.height - 1))

    def text(self) -> str:
        """The text as shown, a line per line (for tests and screen readers of the future)."""
        return "\n".join("".join(text for text, _ in line) for line in self.text_lines)

    def _text_width(self) -> int:
        return max(0, self.container_size.width - self.scrollbar_size_vertical - self.AROUND)

    def _wrap(self, width: int) -> None:
        self.wrapped_width = width
        room = cut_room(width) if has_wide(self._parts) else 0  # see ui.widgets.wide
        self.text_lines = wrapped_at_separators(self._parts, max(1, width - room)) if width else []
        self.set_scroll_range(Size(width, len(self.text_lines)))
        self.refresh()

    def on_laid_out(self) -> None:
        """Wrap to a new width as the screen is laid out, so that the pane opening at a width
        of its own shows its text in that same frame."""
        if self._text_width() != self.wrapped_width and self._parts:
            self._wrap(self._text_width())

    async def on_click(self, event: events.Click) -> None:
        event.stop()  # a click in the pane is not a click on the board behind it

    _cuts: frozenset[int] = frozenset()  # where the screen is cut across the text (ui.widgets.wide)

    def render_lines(self, crop) -> list[Strip]:
        on_left = self.has_class("-left")
        region = self.region
        self._cuts = cuts_across(self, region.x + (1 if on_left else 2), region.width - self.AROUND)
        # what every line's drawing depends on, worked out once rather than by each line
        self._drawing = (self.scrollable_content_region, int(self.scroll_offset.y), on_left)
        try:
            return super().render_lines(crop)
        finally:
            self._drawing = None

    _drawing: tuple | None = None

    def render_line(self, y: int) -> Strip:
        region, scrolled, on_left = self._drawing or (
            self.scrollable_content_region,
            int(self.scroll_offset.y),
            self.has_class("-left"),  # the pane on the left has its edge on the right
        )
        index = y + scrolled
        below = len(self.text_lines) - index - 1 if y == region.height - 1 else 0
        if below > 0:
            # (fits the narrowest pane)
            line: tuple = ((f"↓ {plural(below + 1, 'more line')} · {self.scroll_keys} scroll", "keys"),)
        else:
            line = tuple(self.text_lines[index]) if index < len(self.text_lines) else ()
        base = self.list_style
        # Each line drawn once, by what it shows: the pane opened again on a card, or on
        # another, finds the lines it showed before (headings, keys, blank lines) drawn.
        key = (line, region.width, base, on_left, self._cuts)
        strip = self._lines.get(key)
        if strip is None:
            parts = [(text, self._style(role)) for text, role in clear_of_cuts(list(line), self._cuts)]
            text = make_strip(parts, max(0, region.width - self.AROUND), base)
            # the spaces take the edge's style: with the text's, a line's first words would join
            # them in one run, which some SVG renderers (the screenshots) then draw a cell askew
            edged = base + self.style_of("detail--edge")
            if on_left:
                segments = [Segment(" ", edged), *text, Segment(" " + self.EDGE, edged)]
            else:
                segments = [Segment(self.EDGE + " ", edged), *text, Segment(" ", edged)]
            strip = Strip(segments, region.width)
            self._lines[key] = strip
        return strip

    def _style(self, role: str | None) -> Style | None:
        if role is None:
            return None
        component, extra = ROLES[role]
        style = self.style_of(component) if component else None
        if extra is not None:
            style = style + extra if style is not None else extra
        return style
