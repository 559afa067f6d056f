"""Plain-text renderings for the shell: the report and the agenda, readable at 80 columns.

Every name, note and stage name in them is passed through ``printable``: they are read on a
terminal, piped or not (``--json`` is there for programs).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

from pipeline_tui.core.aging import snooze_stands
from pipeline_tui.core.dates import describe_due
from pipeline_tui.core.money import format_amount, format_estimate, format_money
from pipeline_tui.core.printable import printable, printable_lines
from pipeline_tui.core.wording import plural, word_for

if TYPE_CHECKING:  # text at a shell prompt (`due`) must not load the report's rules or the views
    from pipeline_tui.core.report import Report
    from pipeline_tui.services.agenda import AgendaItem
    from pipeline_tui.services.views import Detail

WIDTH = 78
ADVICE_PER_CODE = 5  # the text lists the most valuable few of each code; report --json has all


def bar(fraction: float, width: int = 24) -> str:
    fraction = max(0.0, min(1.0, fraction))
    full = int(fraction * width)
    return "█" * full + "░" * (width - full)


def column(text: str, width: int, cut: int | None = None, *, right: bool = False) -> str:
    """``text`` shown safely, cut to ``cut`` terminal cells (if given) and padded to ``width``:
    a column of a table. A wide character (CJK) takes two cells, which ``str.ljust`` counts as
    one; one cut in half gives way to a space."""
    from rich.cells import cell_len, set_cell_size

    shown = printable(text)
    if cut is not None and cell_len(shown) > cut:
        shown = set_cell_size(shown, cut)
    room = " " * max(0, width - cell_len(shown))
    return room + shown if right else shown + room


def _percent(rate) -> str:
    return "—" if rate is None else f"{float(rate):.0%}"


def _quota_lines(report: Report) -> list[str]:
    q = report.quota
    if q is None:
        return ["Quota: none set (pipeline-tui quota 50000 --period quarter)", ""]
    period = f"{q.period.start:%d %b} – {q.period.end:%d %b %Y}"
    rate = report.lead_to_win
    needed = "—" if q.new_prospects_needed is None else str(q.new_prospects_needed)
    weekly = f"   about {q.new_prospects_per_week} a week" if q.new_prospects_per_week else ""
    day_word = "day" if q.days_left == 1 else "days"
    return [
        f"Quota for this {q.period.kind} ({period}): {format_money(q.target)}",
        f"  {bar(q.progress)} {q.progress:.0%} won, {q.days_left} {day_word} left",
        f"  Won so far           {format_money(q.won):>14}",
        f"  Expected (weighted)  {format_estimate(q.expected, math.floor):>14}",
        f"  Gap from scratch     {format_estimate(q.gap, math.ceil):>14}",
        f"  Still to win         {format_money(q.still_to_win):>14}   "
        f"{format_estimate(q.pace_per_week)} a week, {format_estimate(q.pace_per_month)} a month",
        f"  Lead-to-win rate     {_percent(rate.rate):>14}   "
        + (
            f"{rate.won} won of {rate.decided} decided ({rate.lost} lost, {rate.aged_out} aged out)"
            if rate.source == "history"
            else f"too few decided ({rate.decided}): the lead stage's odds"
        ),
        f"  Win rate             {_percent(q.win_rate):>14}   won ÷ closed"
        + (", too few closed: the lead stage's odds" if q.win_rate_is_fallback else ""),
        f"  Average sale         {format_estimate(q.average_won_value):>14}",
        f"  New prospects needed {needed:>14}{weekly}",
        "",
    ]


def _activity_lines(report: Report) -> list[str]:
    a = report.activity
    lines = [f"This week (since {a.week_start:%a %d %b})"]
    for label, pace in (
        ("Calls", a.calls),
        ("Emails", a.emails),
        ("Appointments", a.appointments),
        ("New prospects", a.new_prospects),
    ):
        goal = f"of {pace.goal:<5}" if pace.goal else " " * 8
        meter = bar(pace.done / pace.goal, 20) if pace.goal else ""
        lines.append(f"  {label:<15}{pace.done:>5} {goal} {meter}".rstrip())
    if a.needed_per_week:
        lines.append(f"  The quota needs {a.needed_per_week} new prospects a week")
    return [*lines, ""]


def _stage_lines(report: Report) -> list[str]:
    lines = [f"{'Stage':<16}{'Count':>7}{'Value':>14}{'Weighted':>14}  "]
    top = max((s.value for s in report.stages), default=0) or 1
    pipelines = {s.pipeline for s in report.stages}
    for s in report.stages:
        name = s.stage.name if len(pipelines) == 1 else f"{s.pipeline}/{s.stage.name}"
        lines.append(
            f"{column(name, 16, 15)}{s.count:>7}{format_money(s.value):>14}"
            f"{format_estimate(s.weighted_value):>14}  {bar(s.value / top, 20)}"
        )
    return [*lines, ""]


def _stage_days_lines(report: Report) -> list[str]:
    if not report.stage_days:
        return []
    lines = ["Time in stage (mean days of those that left it, last 365 days)   rots after"]
    top = max((d.avg_days or 0 for d in report.stage_days), default=0) or 1
    pipelines = {d.pipeline for d in report.stage_days}
    learned = {"history": "learned", "config": "set", "default": "default"}
    for d in report.stage_days:
        name = d.stage if len(pipelines) == 1 else f"{d.pipeline}/{d.stage}"
        days = "—" if d.avg_days is None else f"{d.avg_days:.1f}"
        limit = (
            f"{d.rotting.days:>4} {word_for(d.rotting.days, 'day'):<4} ({learned[d.rotting.source]})"
            if d.rotting
            else ""
        )
        lines.append(
            f"  {column(name, 14, 14)}{days:>6} {bar((d.avg_days or 0) / top, 20)}"
            f" {d.count:>6} left  {limit}".rstrip()
        )
    return [*lines, ""]


def _conversion_lines(report: Report) -> list[str]:
    lines = ["Conversion"]
    for c in report.conversion:
        lines.append(
            f"  {column(c.from_stage, 12, right=True)} → {column(c.to_stage, 12)} {_percent(c.rate):>5}"
        )
    lines.append(
        f"  Appointment to sale: {_percent(report.appointment_to_sale_rate)} "
        f"({report.appointment_closed} closed after an appointment)"
    )
    return [*lines, ""]


def _forecast_lines(report: Report) -> list[str]:
    lines = ["Forecast (weighted value expected to close; this month: what is left of it)"]
    for i, m in enumerate(report.forecast):
        pace = "" if m.pace is None else f"  pace {format_estimate(m.pace)}"
        won = f" + {format_money(m.won)} won" if i == 0 and m.won else ""
        flag = "  ← famine" if m.famine else ""
        lines.append(
            f"  {m.month:%b %Y}  {m.count:>4} {word_for(m.count, 'deal'):<5} "
            f"{format_estimate(m.weighted_value):>12}{won}{pace}{flag}"
        )
    s = report.slipped
    if s.count:
        lines.append(
            f"  Slipped: {plural(s.count, 'open deal')} worth {format_money(s.value)} "
            f"({format_estimate(s.weighted_value)} weighted) past their close date, counted this month"
        )
    return [*lines, ""]


def _lost_reason_lines(report: Report) -> list[str]:
    if not report.lost_reasons:
        return []
    lines = ["Why deals were lost (last 365 days)"]
    top = max(r.count for r in report.lost_reasons) or 1
    for r in report.lost_reasons[:10]:
        meter = bar(r.count / top, 20)
        lines.append(f"  {column(r.reason, 24, 24)}{r.count:>6} {format_money(r.value):>12}  {meter}")
    if len(report.lost_reasons) > 10:
        more = plural(len(report.lost_reasons) - 10, "more reason")
        lines.append(f"  … and {more} (report --json lists all)")
    return [*lines, ""]


def _source_lines(report: Report) -> list[str]:
    if not report.sources:
        return []
    lines = [
        "Win rate by source (prospects created in the last 365 days)",
        f"  {'Source':<20}{'won':>6}{'lost':>6}{'aged':>6}{'rate':>6}{'value won':>14}",
    ]
    for s in report.sources[:10]:
        lines.append(
            f"  {column(s.source, 20, 19)}{s.won:>6}{s.lost:>6}{s.aged_out:>6}{_percent(s.rate):>6}"
            f"{format_money(s.value):>14}"
        )
    return [*lines, ""]


def _advice_lines(report: Report) -> list[str]:
    lines = [f"Advice ({report.advice_count})"]
    if not report.advice:
        return [*lines, "  Nothing to do: the pipeline looks healthy."]
    by_code: dict[str, list] = {}
    for a in report.advice:
        by_code.setdefault(a.code, []).append(a)
    for group in report.advice_groups:
        found = by_code[group.code]
        if group.value is None:
            lines += [f"  [{a.code}] {a.message}" for a in found]
            continue
        worth = f", {format_estimate(group.value)} weighted" if group.value else ""
        most = f": the {ADVICE_PER_CODE} most valuable" if group.count > ADVICE_PER_CODE else ""
        lines.append(f"  {group.code} ({group.count}{worth}){most}")
        lines += [f"    {a.message}" for a in found[:ADVICE_PER_CODE]]
        if group.count > ADVICE_PER_CODE:
            lines.append(f"    … and {group.count - ADVICE_PER_CODE} more (report --json lists all)")
    return lines


def report_text(report: Report) -> str:
    lines: list[str] = [f"Pipeline report, {report.now:%a %d %b %Y %H:%M}", ""]
    for section in (
        _quota_lines,
        _activity_lines,
        _stage_lines,
        _stage_days_lines,
        _conversion_lines,
        _forecast_lines,
        _lost_reason_lines,
        _source_lines,
        _advice_lines,
    ):
        lines += section(report)
    # stage names, lost reasons, sources and advice name what users typed: one pass shows them all
    return "\n".join(printable(line).rstrip() for line in lines)


def agenda_text(items: list[AgendaItem], now: datetime) -> str:
    if not items:
        return "No open follow-ups. Schedule one with: pipeline-tui follow-up PROSPECT tomorrow"
    lines = []
    group = None
    for item in items:
        if item.group != group:
            group = item.group
            count = sum(1 for i in items if i.group == group)
            lines.append(f"{'' if not lines else chr(10)}{group} ({count})")
        who, notes = printable(item.prospect), printable(item.notes)
        lines.append(
            f"  #{item.id:<6} {describe_due(item.due, now):<16} {item.kind:<12} {who[:40]}"
            + (f" — {notes[:60]}" if notes else "")
        )
    return "\n".join(line.rstrip() for line in lines)


DECISION_WORDS = {"yes": "confirmed", "no": "cannot decide", "unknown": "not confirmed"}


def prospect_text(detail: Detail, now: datetime) -> str:
    """One prospect for ``pipeline-tui show``: its fields, next steps, advice, score, history."""
    lines = [
        *_prospect_heading_lines(detail),
        *_prospect_field_lines(detail, now),
        *_next_step_lines(detail, now),
        *_advice_and_score_lines(detail),
        *_history_lines(detail),
    ]
    return "\n".join(line.rstrip() for line in lines)


def _prospect_heading_lines(detail: Detail) -> list[str]:
    """Its number and name, its stage, and who to reach and how."""
    p = detail.prospect
    head = f"#{p.id} {printable(p.name)}" + ("  (archived)" if p.archived else "")
    lines = [head, printable(f"{detail.stage.name} · {detail.pipeline}")]
    who = " · ".join(x for x in (p.organization, ", ".join(y for y in (p.contact, p.title) if y)) if x)
    reach = " · ".join(x for x in (p.email, p.phone) if x)
    return lines + [printable(text) for text in (who, reach) if text]


def _prospect_field_lines(detail: Detail, now: datetime) -> list[str]:
    p = detail.prospect
    probability = p.probability if p.probability is not None else detail.stage.probability
    weighted = format_estimate(detail.weighted_value)
    lines = [
        "",
        f"Value           {detail.value_text}  (weighted {weighted} at {probability:.0%})",
        f"Expected close  {p.expected_close:%d %b %Y}" if p.expected_close else "Expected close  unknown",
        f"Urgency         {p.urgency}",
        f"Decision maker  {p.decision_maker} ({DECISION_WORDS.get(p.decision_maker, '?')})",
    ]
    lines += [
        f"{label:<16}{printable(text)}" for label, text in (("Source", p.source), ("Owner", p.owner)) if text
    ]
    if p.lost_reason:
        lines.append(f"Lost because    {printable(p.lost_reason)}")
    if snooze_stands(p.snoozed_until, p.snooze_reason, now):  # as the detail pane says it
        lines.append(f"Snoozed until   {p.snoozed_until:%d %b %Y} · {printable(p.snooze_reason)}")
    if p.notes:
        lines += ["", "Notes", *("  " + line for line in printable_lines(p.notes).split("\n"))]
    return lines


def _next_step_lines(detail: Detail, now: datetime) -> list[str]:
    lines = ["", "Next steps"]
    for f in detail.open_follow_ups:
        notes = f"  {printable(f.notes)}" if f.notes else ""
        lines.append(f"  #{f.id:<6} {f.kind:<12} {describe_due(f.due, now):<16}{notes}")
    if not detail.open_follow_ups:
        lines.append(f"  none: pipeline-tui follow-up {detail.prospect.id} tomorrow")
    return lines


def _advice_and_score_lines(detail: Detail) -> list[str]:
    lines = []
    if detail.advice:
        lines += ["", "What to do", *(f"  - {printable(a.message)}" for a in detail.advice)]
    if detail.score is not None:
        lines += [
            "",
            f"Score {detail.score.total}",
            *(f"  {part.points:+4d} {printable(part.reason)}" for part in detail.score.parts),
        ]
    return lines


def _history_lines(detail: Detail) -> list[str]:
    """What was done, newest first; the follow-ups still open are the next steps instead."""
    history = [entry for entry in detail.timeline if entry.done]
    if not history:
        return []
    lines = ["", "History"]
    for entry in history:
        label = {"stage": "moved", "created": "added"}.get(entry.what, entry.what)
        lines.append(f"  {entry.when:%d %b %Y %H:%M}  {label:<12} {printable(entry.text)}")
    return lines


def organization_text(view) -> str:
    """``org NAME``: who works there, every deal it has had, and what it has bought."""
    won = sum(1 for d in view.deals if d.kind == "won")
    lines = [
        f"{view.name}: {plural(len(view.deals), 'deal')}, "
        f"{won} won, lifetime won value {format_money(view.won_value)}",
        "",
        "People" if view.people else "People: nobody named yet",
    ]
    for c in view.people:
        reach = "  ".join(x for x in (c.title, c.email, c.phone) if x)
        lines.append(f"  {c.name}  [{c.role or 'role not known'}]  {reach}".rstrip())
    lines += ["", "Deals"]
    for d in view.deals:
        value = format_amount(d.value, d.currency, "") if d.value is not None else "no value"
        state = d.stage + (" (archived)" if d.archived else "")
        lines.append(f"  #{d.id:<6} {d.name}  {state}  {value}")
    return "\n".join(printable(line) for line in lines)
