"""The report (key 3): where the quota stands, with days left and the pace it needs; this
week's activity against its goals; the stages, time in stage, conversion, the forecast from
this month on, why deals were lost and win rate by source; and the advice, enter opening the
prospect named. Each figure is explained in README.md ("The report's figures")."""

from __future__ import annotations

import math
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
from pipeline_tui.core.wording import plural
from pipeline_tui.services.views import report
from pipeline_tui.ui.format import estimate, money, printable
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
        *_activity_parts(result, width),
        *_stage_parts(result, width),
        *_stage_days_parts(result, width),
        *_conversion_parts(result, width),
        *_forecast_parts(result, width),
        *_lost_reason_parts(result, width),
        *_source_parts(result),
    ]
    q = result.quota
    if q is not None and (q.win_rate_is_fallback or q.lead_to_win.source == "stage"):
        parts.append(("\n* under 5 decided this year: the lead stage's odds\n", "dim"))
    return Content.assemble(*parts)


def _quota_parts(result: Report) -> list:
    q = result.quota
    parts: list = [("Quota\n", "bold $accent")]
    if q is None:
        return parts + [("None set: ctrl+p Quota sets one\n", "dim")]
    lead = q.lead_to_win
    star = "*" if lead.source == "stage" else ""
    return parts + [
        (f"{q.period.kind.capitalize()} {q.period.start:%d %b}–{q.period.end:%d %b}  ", "dim"),
        (f"target {money(q.target)}\n", "bold"),
        (bar(q.progress, 20), "$success"),
        (f" {q.progress:.0%} won\n", "bold"),
        *_money_line("Won so far", money(q.won), "bold $success"),
        *_money_line("Expected", estimate(q.expected, math.floor), "bold"),
        *_money_line("Gap, to find", estimate(q.gap, math.ceil), "bold $error" if q.gap else "bold $success"),
        *_money_line("Still to win", money(max(0, q.target - q.won)), "bold"),
        *_money_line("Days left", str(q.days_left), "bold $warning" if q.days_left <= 14 else "bold"),
        (f"  {money(round(q.pace_per_week), short=True)} a week, ", "dim"),
        (f"{money(round(q.pace_per_month), short=True)} a month\n", "dim"),
        *_money_line(
            "New prospects",
            "—" if q.new_prospects_needed is None else f"{q.new_prospects_needed:,}",
            "bold $warning",
        ),
        (f"  at {float(lead.rate):.0%}{star} lead-to-win: {lead.won:,} won of\n", "dim"),
        (f"  {lead.decided:,} decided, {lead.aged_out:,} aged out\n", "dim"),
        *_money_line(
            "Win rate (won÷closed)", f"{float(q.win_rate):.0%}{'*' if q.win_rate_is_fallback else ''}", "bold"
        ),
        *_money_line("Average sale", money(round(q.average_won_value), short=True), "bold"),
    ]


def _money_line(label: str, shown: str, style: str) -> list:
    """A label and its figure, the figure's right edge at column 28."""
    return [(label, "dim"), (f"{shown:>{max(1, 28 - len(label))}}\n", style)]


def _activity_parts(result: Report, width: int) -> list:
    """This week's work against the goals of the config file ([goals])."""
    act = result.activity
    room = max(3, min(14, width - 26))  # name 14, done 5, goal 6 and the bar
    parts: list = [(f"\nThis week (since {act.week_start:%a %d %b})\n", "bold $accent")]
    for name, pace in (
        ("Calls", act.calls),
        ("Emails", act.emails),
        ("Appointments", act.appointments),
        ("New prospects", act.new_prospects),
    ):
        goal = f"of {pace.goal}" if pace.goal else ""
        parts += [(f"{name:<14}", ""), (f"{pace.done:>4,} ", "bold"), (f"{goal:<6}", "dim")]
        if pace.goal:
            style = "$success" if pace.done >= pace.goal else "$warning"
            parts.append((bar(pace.done / pace.goal, room), style))
        parts.append("\n")
    if act.needed_per_week is not None:
        parts.append((f"The quota needs {act.needed_per_week:,} new a week\n", "dim"))
    return parts


def _stage_days_parts(result: Report, width: int) -> list:
    """Mean days in each stage of those that left it, and the days after which a deal rots."""
    room = max(3, min(14, width - 28))  # name 12, days 5, the bar, "rots 99"
    parts: list = [("\nTime in stage, mean days · rots at\n", "bold $accent")]
    top = max((d.avg_days or 0 for d in result.stage_days), default=0) or 1
    for d in result.stage_days:
        days = "—" if d.avg_days is None else f"{d.avg_days:.1f}"
        rots = f"{d.rotting.days}{'*' if d.rotting.source == 'config' else ''}" if d.rotting else "—"
        parts += [
            (f"{printable(d.stage)[:12]:<12}", "bold"),
            (f"{days:>5} ", ""),
            (bar((d.avg_days or 0) / top, room), "$accent"),
            (f" {rots:>4}\n", "dim"),
        ]
    if any(d.rotting and d.rotting.source == "config" for d in result.stage_days):
        parts.append(("* set in [rotting]\n", "dim"))
    return parts


def _lost_reason_parts(result: Report, width: int) -> list:
    """Why deals were lost in the look-back window, most frequent first."""
    if not result.lost_reasons:
        return []
    room = max(3, min(14, width - 30))  # reason 16, count 5, the bar, value 7
    parts: list = [("\nWhy deals were lost\n", "bold $accent")]
    top = max(r.count for r in result.lost_reasons) or 1
    for r in result.lost_reasons[:8]:
        parts += [
            (fit(r.reason, 15) + " " * (16 - cell_len(fit(r.reason, 15))), ""),
            (f"{r.count:>5,} ", "bold"),
            (bar(r.count / top, room), "$error"),
            (f" {money(r.value, short=True):>6}\n", "dim"),
        ]
    if len(result.lost_reasons) > 8:
        parts.append((f"… and {plural(len(result.lost_reasons) - 8, 'more reason')}\n", "dim"))
    return parts


def _source_parts(result: Report) -> list:
    """Win rate by lead source: won ÷ (won + lost + aged out), as the lead-to-win rate."""
    if not result.sources:
        return []
    parts: list = [(f"\n{'Win rate by source':<18}{'won':>5}{'lost':>6}{'rate':>5}\n", "bold $accent")]
    for s in result.sources[:8]:
        rate = "—" if s.rate is None else f"{float(s.rate):.0%}"
        name = fit(s.source, 17)
        parts += [
            (name + " " * (18 - cell_len(name)), ""),
            (f"{s.won:>5,}{s.lost + s.aged_out:>6,}", ""),
            (f"{rate:>5}\n", "bold"),
        ]
    return parts


def _stage_parts(result: Report, width: int) -> list:
    room = max(3, min(12, width - 33))  # name 12, count 6, value 6, weighted 6 and spaces
    parts: list = [(f"\n{'Stages':<12}{'count':>6} {'':{room}} {'value':>6} {'wtd.':>6}\n", "bold $accent")]
    open_values = [s.value for s in result.stages if s.stage.kind == "open"] or [0]
    top = max(open_values) or 1
    for s in result.stages:
        name = printable(s.stage.name)[:12]
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
            (f"{printable(c.from_stage)[:11]:>11} → {printable(c.to_stage)[:11]:<11}", ""),
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
    slipped = result.slipped
    if slipped.count:
        parts.append(
            (
                f"{slipped.count:,} slipped ({money(slipped.value, short=True)}): counted this month\n",
                "$warning",
            )
        )
    return parts


def fit(text: str, room: int) -> str:
    """A user's words (a lost reason, a source) made safe to print and cut to ``room`` cells."""
    text = printable(text)
    return text if cell_len(text) <= room else shorten(text, room)


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
            content = figures_content(self._result, width)
            body = self.query_one("#report-body", Static)
            body.update(content)
            # no line is wider than the pane, but Textual measures the height a scrollbar's
            # width narrower, wrapping lines that never wrap: J then scrolled past the end
            body.styles.height = len(content.plain.splitlines())

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
