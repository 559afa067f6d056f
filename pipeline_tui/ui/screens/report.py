"""The report (key 3): where the quota stands (R1), the stages (R6, R7), conversion (R8), the
six-month forecast against the quota's pace, and the advice; enter opens the prospect named."""

from __future__ import annotations

import textwrap

from rich.style import Style
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Static

from pipeline_tui.core.advice import Advice
from pipeline_tui.core.report import Report
from pipeline_tui.services.views import report
from pipeline_tui.ui.format import money, printable
from pipeline_tui.ui.screens.base import ViewScreen
from pipeline_tui.ui.widgets.footer import KeysFooter
from pipeline_tui.ui.widgets.view_tabs import strip
from pipeline_tui.ui.widgets.virtual_list import VirtualList, make_strip

BAR = 22


def bar(fraction: float, width: int = BAR) -> str:
    fraction = max(0.0, min(1.0, fraction))
    eighths = round(fraction * width * 8)
    full, rest = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[rest] if rest else ""
    return ("█" * full + partial).ljust(width, "·")


def figures_content(result: Report) -> Content:
    """The left half of the report as styled text, at most 46 cells wide."""
    parts: list = []
    q = result.quota
    parts.append(("Quota\n", "bold $accent"))
    if q is None:
        parts.append(("None set: pipeline-tui quota 50000 --period quarter\n", "dim"))
    else:
        parts += [
            (f"{q.period.kind.capitalize()} {q.period.start:%d %b}–{q.period.end:%d %b}  ", "dim"),
            (f"target {money(q.target)}\n", "bold"),
            (bar(q.progress, 30), "$success"),
            (f" {q.progress:.0%} won\n", "bold"),
            ("Won so far      ", "dim"),
            (f"{money(q.won):>12}\n", "bold $success"),
            ("Expected        ", "dim"),
            (f"{money(q.expected):>12}\n", "bold"),
            ("Gap, to find    ", "dim"),
            (f"{money(q.gap):>12}\n", "bold $error" if q.gap else "bold $success"),
            ("New prospects   ", "dim"),
            (f"{'—' if q.new_prospects_needed is None else q.new_prospects_needed:>8}", "bold $warning"),
            (f"  {float(q.win_rate):.0%} win{'*' if q.win_rate_is_fallback else ''}", "dim"),
            (f" · {money(round(q.average_won_value), short=True)} avg\n", "dim"),
        ]
    parts.append((f"\n{'Stages':<12}{'count':>6} {'':12} {'value':>6} {'wtd.':>6}\n", "bold $accent"))
    open_values = [s.value for s in result.stages if s.stage.kind == "open"] or [0]
    top = max(open_values) or 1
    for s in result.stages:
        name = printable(s.stage.name)[:12]
        if s.stage.kind == "open":
            parts += [
                (f"{name:<12}", "bold"),
                (f"{s.count:>6,} ", ""),
                (bar(s.value / top, 12), "$accent"),
                (f" {money(s.value, short=True):>6}", ""),
                (f" {money(s.weighted_value, short=True):>6}\n", "dim"),
            ]
        else:
            style = "$success" if s.stage.kind == "won" else "$error"
            parts += [
                (f"{name:<12}", f"bold {style}"),
                (f"{s.count:>6,} ", ""),
                (f"{'all time':<12} {money(s.value, short=True):>6}\n", "dim"),
            ]
    parts.append(("\nConversion\n", "bold $accent"))
    for c in result.conversion:
        rate = "—" if c.rate is None else f"{c.rate:.0%}"
        parts += [
            (f"{printable(c.from_stage)[:11]:>11} → {printable(c.to_stage)[:11]:<11}", ""),
            (f"{rate:>5} ", "bold"),
            (bar(c.rate or 0, 12), "$accent"),
            "\n",
        ]
    rate = result.appointment_to_sale_rate
    parts += [
        ("Appointment to sale ", "dim"),
        (
            "—" if rate is None else f"{rate:.0%}",
            "bold $error" if rate is not None and rate < 0.25 else "bold",
        ),
        (f" of {result.appointment_closed:,} closed\n", "dim"),
    ]
    pace = next((m.pace for m in result.forecast if m.pace is not None), None)
    title = "\nForecast, weighted"
    parts.append(
        (title + (f" (quota pace {money(pace, short=True)}/month)\n" if pace else "\n"), "bold $accent")
    )
    top = max([m.weighted_value for m in result.forecast] + [m.pace or 0 for m in result.forecast]) or 1
    for m in result.forecast:
        style = "$error" if m.famine else "$success"
        parts += [
            (f"{m.month:%b %y} ", "bold"),
            (f"{m.count:>3} ", "dim"),
            (bar(m.weighted_value / top, 14), style),
            (f" {money(m.weighted_value, short=True):>6}", ""),
            ("  famine" if m.famine else "", style),
            "\n",
        ]
    if q is not None and q.win_rate_is_fallback:
        parts.append(("\n* under 5 closed this year: the lead stage's odds\n", "dim"))
    return Content.assemble(*parts)


class AdviceList(VirtualList[Advice]):
    """Advice, four lines each: the message wrapped on up to three, then its code."""

    COMPONENT_CLASSES = {"advice--code", "advice--cursor", "advice--pipeline"}
    DEFAULT_CSS = """
    AdviceList { height: 1fr; }
    AdviceList > .advice--code { color: $text-muted; }
    AdviceList > .advice--cursor { background: $block-cursor-blurred-background; }
    AdviceList > .advice--pipeline { color: $warning; text-style: bold; }
    """
    row_height = 4

    def render_row(self, item: Advice, line: int, width: int, is_cursor: bool, base: Style) -> Strip:
        if is_cursor and self.looks_focused:
            base = base + self.style_of("advice--cursor")
        text_width = max(1, width - 2)
        lines = textwrap.wrap(item.message, text_width) or [""]
        if line < 3:
            text = lines[line] if line < len(lines) else ""
            if line == 2 and len(lines) > 3:
                text = text[: max(0, text_width - 1)].rstrip() + "…"
            marker = "▸ " if line == 0 else "  "
            style = self.style_of("advice--pipeline") if item.prospect_id is None else None
            return make_strip([(marker, style), (text.rstrip(), None)], width, base)
        tag = "the whole pipeline" if item.prospect_id is None else f"{item.prospect} · enter opens"
        return make_strip([("  " + tag, self.style_of("advice--code"))], width, base)


class ReportScreen(ViewScreen):
    BINDINGS = [Binding("enter", "open", "Open prospect", id="report.open")]

    DEFAULT_CSS = """
    ReportScreen #report-figures { width: 3fr; min-width: 48; padding: 0 1; }
    ReportScreen #report-advice-pane { width: 2fr; min-width: 28; border-left: vkey $panel-lighten-1; }
    ReportScreen #advice-title { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    ReportScreen #report-head { height: 1; background: $panel; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="report-head", markup=False)
        with Horizontal():
            with VerticalScroll(id="report-figures"):
                yield Static(id="report-body", markup=False)
            with VerticalScroll(id="report-advice-pane", can_focus=False):
                yield Static("What to do", id="advice-title", markup=False)
                yield AdviceList(id="advice")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.reload()

    _stamp: tuple | None = None

    def on_screen_resume(self) -> None:
        if self.app.data_stamp() != self._stamp:
            self.reload()

    def reload(self) -> None:
        self._stamp = self.app.data_stamp()
        result = report(self.app.now(), self.app.settings, owner=self.app.owner)
        self.query_one("#report-body", Static).update(figures_content(result))
        advice = self.query_one(AdviceList)
        advice.set_items(result.advice)
        advice.focus()
        self.query_one("#advice-title", Static).update(f"What to do ({len(result.advice)})")
        self.query_one("#report-head", Static).update(
            strip("Report", (f"{result.now:%a %d %b %Y %H:%M}", "dim"))
        )

    def action_open(self) -> None:
        item = self.query_one(AdviceList).current
        if item is None:
            return
        if item.prospect_id is None:
            self.notify("This advice is about the whole pipeline.", severity="information", markup=False)
            return
        self.app.open_prospect(item.prospect_id)

    def on_virtual_list_chosen(self, event: VirtualList.Chosen) -> None:
        self.action_open()
