"""The detail pane beside the board: every field, the score explained, advice and timeline."""

from __future__ import annotations

from datetime import datetime

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from pipeline_tui.services.base import current_user
from pipeline_tui.services.views import Detail
from pipeline_tui.ui.format import DECISION_MARKS, DECISION_WORDS, KIND_LABELS, due_label, money

DM_STYLE = {"yes": "$success", "no": "$error", "unknown": "$warning"}


def _section(title: str) -> Content:
    return Content.assemble(("\n" + title + "\n", "bold $accent"))


def render_detail(detail: Detail, now: datetime) -> Content:
    """The pane's text: built from parts, so that no user text is read as markup."""
    p = detail.prospect
    parts: list = [(p.name, "bold"), "\n", (detail.stage.name, "bold $accent"), f" · {detail.pipeline}"]
    if p.archived:
        parts.append((" · archived", "$warning"))
    who = " · ".join(x for x in (p.organization, ", ".join(y for y in (p.contact, p.title) if y)) if x)
    if who:
        parts += ["\n", who]
    reach = " · ".join(x for x in (p.email, p.phone) if x)
    if reach:
        parts += ["\n", (reach, "dim")]
    value = money(p.value_cents) if p.value_cents is not None else "unknown"
    probability = p.probability if p.probability is not None else detail.stage.probability
    source = "own" if p.probability is not None else "stage"
    close = p.expected_close.strftime("%d %b %Y") if p.expected_close else "unknown"
    parts += [
        "\n\n",
        ("Value ", "dim"),
        (value, "bold"),
        (f"  weighted {money(detail.weighted_value)} at {probability:.0%} ({source})", "dim"),
        "\n",
        ("Close ", "dim"),
        close,
        ("   Urgency ", "dim"),
        p.urgency,
        "\n",
        ("Decision maker ", "dim"),
        (
            f"{DECISION_MARKS[p.decision_maker]} {DECISION_WORDS[p.decision_maker]}",
            DM_STYLE[p.decision_maker],
        ),
    ]
    if p.source:
        parts += [("   Source ", "dim"), p.source]
    if p.owner and p.owner != current_user():  # only worth saying in a team
        parts += [("   Owner ", "dim"), p.owner]
    if p.lost_reason:
        parts += ["\n", ("Lost: ", "$error"), p.lost_reason]

    if p.notes:
        parts += [_section("Notes"), p.notes, "\n"]
    parts += [_section("Next steps")]
    if detail.open_follow_ups:
        for f in detail.open_follow_ups:
            style = "$error" if f.due < now else ("$warning" if f.due.date() == now.date() else "$success")
            parts += [
                (f"{KIND_LABELS.get(f.kind, f.kind):<9}", "bold"),
                (f"{due_label(f.due, now):<16}", style),
                f.notes,
                "\n",
            ]
    else:
        parts += [("No next step scheduled: press f", "$error italic"), "\n"]
    if detail.advice:
        parts += [_section("What to do")]
        for advice in detail.advice:
            parts += [("▸ ", "$warning"), advice.message, "\n"]
    if detail.score is not None:
        parts += [_section(f"Score {detail.score.total}")]
        for part in detail.score.parts:
            style = "$success" if part.points > 0 else "$error"
            parts += [(f"{part.points:+4d} ", style), part.reason, "\n"]
    history = [e for e in detail.timeline if e.done]
    if history:
        parts += [_section("History")]
        for entry in history[:30]:
            label = {"stage": "moved", "created": "added"}.get(
                entry.what, KIND_LABELS.get(entry.what, entry.what)
            )
            parts += [(f"{entry.when:%d %b %y} ", "dim"), (f"{label:<9}", "bold"), entry.text, "\n"]
        if len(history) > 30:
            parts += [(f"… {len(history) - 30} older entries", "dim"), "\n"]
    return Content.assemble(*parts)


class ProspectDetail(VerticalScroll):
    """Shows one prospect; the board fills it as the cursor moves."""

    DEFAULT_CSS = """
    ProspectDetail {
        layer: overlay;
        dock: right;
        width: 42%;  /* the board narrows it to the room beside the focused column */
        height: 1fr;
        border-left: thick $accent;
        background: $surface;
        padding: 0 1;
        display: none;
    }
    ProspectDetail.-left { dock: left; border-left: none; border-right: thick $accent; }
    ProspectDetail.-open { display: block; }
    ProspectDetail > #detail-body { width: 100%; }
    ProspectDetail > #detail-keys { color: $text-muted; margin-top: 1; }
    """

    def __init__(self) -> None:
        super().__init__(id="detail", can_focus=False)
        self.prospect_id: int | None = None

    def compose(self):
        yield Static(id="detail-body", markup=False)
        yield Static(
            "e edit · f follow-up · c log call · o note · t trial/demo · esc close",
            id="detail-keys",
            markup=False,
        )

    def show(self, detail: Detail, now: datetime) -> None:
        self.prospect_id = detail.prospect.id
        # A pane not on screen yet (opening now) is laid out with the screen in this frame: a
        # layout of the body's own would only come a frame later and draw the board again.
        shown = bool(self.region)
        self.query_one("#detail-body", Static).update(render_detail(detail, now), layout=shown)
