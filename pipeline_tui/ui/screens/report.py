"""The report (key 3): where the quota stands (R1), the stages (R6, R7), conversion (R8), the
six-month forecast against the quota's pace, and the advice; enter opens the prospect named."""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len
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
from pipeline_tui.ui.format import money
from pipeline_tui.ui.screens.base import ViewScreen
from pipeline_tui.ui.widgets.footer import KeysFooter
from pipeline_tui.ui.widgets.view_tabs import strip
from pipeline_tui.ui.widgets.virtual_list import VirtualList, make_strip, shorten, wrap_parts

BAR = 22
SCROLL = Binding.Group("Scroll figures", compact=True)


def bar(fraction: float, width: int = BAR) -> str:
    fraction = max(0.0, min(1.0, fraction))
    eighths = round(fraction * width * 8)
    full, rest = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[rest] if rest else ""
    return ("█" * full + partial).ljust(width, "·")


FIGURES_WIDTH = 37  # the narrowest the figures are drawn to: an 80-column terminal's share
WIDE = 50  # from this width on, the bars are drawn at their full length


def figures_content(result: Report, width: int = WIDE) -> Content:
    """The left half of the report as styled text, no line wider than ``width`` cells (at
    least FIGURES_WIDTH): the bars take what room there is."""
    width = max(FIGURES_WIDTH, width)
    parts = [
        *_quota_parts(result),
        *_stage_parts(result, width),
        *_conversion_parts(result, width),
        *_forecast_parts(result, width),
    ]
    q = result.quota
    if q is not None and q.win_rate_is_fallback:
        parts.append(("\n* under 5 closed this year: the lead stage's odds\n", "dim"))
    return Content.assemble(*parts)


def _quota_parts(result: Report) -> list:
    q = result.quota
    parts: list = [("Quota\n", "bold $accent")]
    if q is None:
        return parts + [("None set: ctrl+p Quota sets one\n", "dim")]
    rate = f"{float(q.win_rate):.0%} win{'*' if q.win_rate_is_fallback else ''}"
    return parts + [
        (f"{q.period.kind.capitalize()} {q.period.start:%d %b}–{q.period.end:%d %b}  ", "dim"),
        (f"target {money(q.target)}\n", "bold"),
        (bar(q.progress, 28), "$success"),
        (f" {q.progress:.0%} won\n", "bold"),
        ("Won so far      ", "dim"),
        (f"{money(q.won):>12}\n", "bold $success"),
        ("Expected        ", "dim"),
        (f"{money(q.expected):>12}\n", "bold"),
        ("Gap, to find    ", "dim"),
        (f"{money(q.gap):>12}\n", "bold $error" if q.gap else "bold $success"),
        ("New prospects   ", "dim"),
        (f"{'—' if q.new_prospects_needed is None else q.new_prospects_needed:>12}\n", "bold $warning"),
        (f"  at {rate} · {money(round(q.average_won_value), short=True)} average sale\n", "dim"),
    ]


def _stage_parts(result: Report, width: int) -> list:
    room = max(3, min(12, width - 33))  # name 12, count 6, value 6, weighted 6 and spaces
    parts: list = [(f"\n{'Stages':<12}{'count':>6} {'':{room}} {'value':>6} {'wtd.':>6}\n", "bold $accent")]
    open_values = [s.value for s in result.stages if s.stage.kind == "open"] or [0]
    top = max(open_values) or 1
    for s in result.stages:
        name = s.stage.name[:12]
        if s.stage.kind == "open":
            parts += [
                (f"{name:<12}", "bold"),
                (f"{s.count:>6,} ", ""),
                (bar(s.value / top, room), "$accent"),
                (f" {money(s.value, short=True):>6}", ""),
                (f" {money(s.weighted_value, short=True):>6}\n", "dim"),
            ]
        else:
            style = "$success" if s.stage.kind == "won" else "$error"
            parts += [
                (f"{name:<12}", f"bold {style}"),
                (f"{s.count:>6,} ", ""),
                (f"{'all time':<{room}} {money(s.value, short=True):>6}\n", "dim"),
            ]
    return parts


def _conversion_parts(result: Report, width: int) -> list:
    room = max(3, min(12, width - 31))  # the two stages 25, the rate 5 and a space
    parts: list = [("\nConversion\n", "bold $accent")]
    for c in result.conversion:
        rate = "—" if c.rate is None else f"{c.rate:.0%}"
        parts += [
            (f"{c.from_stage[:11]:>11} → {c.to_stage[:11]:<11}", ""),
            (f"{rate:>5} ", "bold"),
            (bar(c.rate or 0, room), "$accent"),
            "\n",
        ]
    rate = result.appointment_to_sale_rate
    return parts + [
        ("Appointment to sale ", "dim"),
        (
            "—" if rate is None else f"{rate:.0%} ",  # the space in the bold part: see README screenshots
            "bold $error" if rate is not None and rate < 0.25 else "bold",
        ),
        (f"of {result.appointment_closed:,} closed\n", "dim"),
    ]


def _forecast_parts(result: Report, width: int) -> list:
    room = max(3, min(14, width - 26))  # month 7, count 4, value 7 and "  famine"
    pace = next((m.pace for m in result.forecast if m.pace is not None), None)
    title = "\nForecast, weighted" + (f" · pace {money(pace, short=True)}/month" if pace else "")
    parts: list = [(title + "\n", "bold $accent")]
    top = max([m.weighted_value for m in result.forecast] + [m.pace or 0 for m in result.forecast]) or 1
    for m in result.forecast:
        style = "$error" if m.famine else "$success"
        parts += [
            (f"{m.month:%b %y} ", "bold"),
            (f"{m.count:>3} ", "dim"),
            (bar(m.weighted_value / top, room), style),
            (f" {money(m.weighted_value, short=True):>6}", ""),
            ("  famine" if m.famine else "", style),
            "\n",
        ]
    return parts


@lru_cache(maxsize=512)
def wrapped(message: str, width: int) -> tuple[str, ...]:
    """A message's lines at ``width`` cells, wide characters counted as two."""
    return tuple("".join(text for text, _ in line).rstrip() for line in wrap_parts([(message, None)], width))


class AdviceList(VirtualList[Advice]):
    """Advice, each its message wrapped whole (every row as tall as the longest needs, up to
    MOST_LINES), then whom it is about."""

    COMPONENT_CLASSES = {"advice--code", "advice--cursor", "advice--pipeline"}
    DEFAULT_CSS = """
    AdviceList { height: 1fr; }
    AdviceList > .advice--code { color: $text-muted; }
    AdviceList > .advice--cursor { background: $block-cursor-blurred-background; }
    AdviceList > .advice--pipeline { color: $warning; text-style: bold; }
    """
    row_height = 4
    MOST_LINES = 8

    def set_items(self, items: list[Advice], *, cursor: int | None = None) -> None:
        self.items = items  # measured before they are laid out
        self._fit_rows()
        super().set_items(items, cursor=cursor)

    def on_resize(self, event) -> None:
        self._fit_rows()
        super().on_resize(event)

    def _text_width(self) -> int:
        return max(1, self.scrollable_content_region.width - 2)

    def _fit_rows(self) -> None:
        """Rows as tall as the longest message needs at this width, and a line for whom."""
        width = self._text_width()
        most = max((len(wrapped(a.message, width)) for a in self.items), default=1)
        height = min(most, self.MOST_LINES) + 1
        if height != self.row_height:
            self.row_height = height
            self._lines.clear()
            self.refresh()

    def render_row(self, item: Advice, line: int, width: int, is_cursor: bool, base: Style) -> Strip:
        if is_cursor and self.looks_focused:
            base = base + self.style_of("advice--cursor")
        text_width = max(1, width - 2)
        lines = wrapped(item.message, text_width)
        shown = min(len(lines), self.row_height - 1)  # the message, then whom, then blank lines
        if line < shown:
            text = lines[line]
            if line == shown - 1 and len(lines) > shown:
                text = shorten(text + " " + lines[shown], text_width)  # more than MOST_LINES
            marker = "▸ " if line == 0 else "  "
            style = self.style_of("advice--pipeline") if item.prospect_id is None else None
            return make_strip([(marker, style), (text, None)], width, base)
        if line > shown:
            return make_strip([], width, base)
        if item.prospect_id is None:
            tag = "the whole pipeline"
        else:  # the name first: the hint goes where there is no room for both
            hint = " · enter opens"
            name = item.prospect or ""
            tag = name + hint if cell_len(name + hint) <= text_width else name
        return make_strip([("  " + tag, self.style_of("advice--code"))], width, base)


class ReportScreen(ViewScreen):
    BINDINGS = [
        Binding("enter", "open", "Open prospect", id="report.open"),
        # j and k move in the advice: the figures beside it scroll with J and K, as a pane does
        Binding("J", "scroll_figures(1)", "Scroll the figures down", id="report.figures_down", group=SCROLL),
        Binding("K", "scroll_figures(-1)", "Scroll the figures up", id="report.figures_up", group=SCROLL),
    ]

    DEFAULT_CSS = """
    ReportScreen #report-figures {
        width: 1fr; min-width: 40; max-width: 56; padding: 0 1; scrollbar-size-vertical: 1;
    }
    ReportScreen #report-advice-pane { width: 1fr; min-width: 30; border-left: vkey $panel-lighten-1; }
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
        self.app.keep_screen(self.reload)  # a server gone: the footer says so

    _stamp: tuple | None = None

    def on_screen_resume(self) -> None:
        if self.app.data_stamp() != self._stamp:
            self.app.keep_screen(self.reload)

    _result: Report | None = None
    _drawn_width = 0  # the width the figures were drawn to

    def reload(self) -> None:
        self._stamp = self.app.data_stamp()
        result = self._result = report(self.app.now(), self.app.settings, owner=self.app.owner)
        self._draw_figures()
        advice = self.query_one(AdviceList)
        advice.set_items(result.advice)
        advice.focus()
        self.query_one("#advice-title", Static).update(f"What to do ({len(result.advice)})")
        self.query_one("#report-head", Static).update(
            strip("Report", (f"{result.now:%a %d %b %Y %H:%M}", "dim"))
        )

    def _draw_figures(self) -> None:
        figures = self.query_one("#report-figures", VerticalScroll)
        width = figures.scrollable_content_region.width or WIDE
        if self._result is not None:
            self._drawn_width = width
            self.query_one("#report-body", Static).update(figures_content(self._result, width))

    def on_resize(self) -> None:
        self.call_after_refresh(self._redraw_if_resized)

    def _redraw_if_resized(self) -> None:
        figures = self.query_one("#report-figures", VerticalScroll)
        if figures.scrollable_content_region.width not in (0, self._drawn_width):
            self._draw_figures()

    def action_scroll_figures(self, lines: int) -> None:
        self.query_one("#report-figures", VerticalScroll).scroll_relative(y=lines * 3, animate=False)

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
