"""Plain-text renderings for the shell: the report and the agenda, readable at 80 columns."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pipeline_tui.core.dates import describe_due
from pipeline_tui.core.money import format_money
from pipeline_tui.core.report import Report
from pipeline_tui.services.agenda import AgendaItem

if TYPE_CHECKING:  # the agenda's text must not load the views and their rules
    from pipeline_tui.services.views import Detail

WIDTH = 78


def bar(fraction: float, width: int = 24) -> str:
    fraction = max(0.0, min(1.0, fraction))
    full = int(fraction * width)
    return "█" * full + "░" * (width - full)


def report_text(report: Report) -> str:
    lines: list[str] = [f"Pipeline report, {report.now:%a %d %b %Y %H:%M}", ""]
    q = report.quota
    if q is None:
        lines += ["Quota: none set (pipeline-tui quota 50000 --period quarter)", ""]
    else:
        period = f"{q.period.start:%d %b} – {q.period.end:%d %b %Y}"
        lines += [
            f"Quota for this {q.period.kind} ({period}): {format_money(q.target)}",
            f"  {bar(q.progress)} {q.progress:.0%} won",
            f"  Won so far           {format_money(q.won):>14}",
            f"  Expected (weighted)  {format_money(q.expected):>14}",
            f"  Gap from scratch     {format_money(q.gap):>14}",
            f"  Win rate             {float(q.win_rate):>14.0%}"
            + ("  (too few closed: the lead stage's odds)" if q.win_rate_is_fallback else ""),
            f"  Average sale         {format_money(round(q.average_won_value)):>14}",
            "  New prospects needed "
            + f"{'—' if q.new_prospects_needed is None else q.new_prospects_needed:>14}",
            "",
        ]
    lines.append(f"{'Stage':<16}{'Count':>7}{'Value':>14}{'Weighted':>14}  ")
    top = max((s.value for s in report.stages), default=0) or 1
    pipelines = {s.pipeline for s in report.stages}
    for s in report.stages:
        name = s.stage.name if len(pipelines) == 1 else f"{s.pipeline}/{s.stage.name}"
        lines.append(
            f"{name[:15]:<16}{s.count:>7}{format_money(s.value):>14}{format_money(s.weighted_value):>14}  "
            f"{bar(s.value / top, 20)}"
        )
    lines += ["", "Conversion"]
    for c in report.conversion:
        rate = "—" if c.rate is None else f"{c.rate:.0%}"
        lines.append(f"  {c.from_stage:>12} → {c.to_stage:<12} {rate:>5}")
    rate = report.appointment_to_sale_rate
    lines.append(
        f"  Appointment to sale: {'—' if rate is None else f'{rate:.0%}'} "
        f"({report.appointment_closed} closed after an appointment)"
    )
    lines += ["", "Forecast (weighted value expected to close)"]
    for m in report.forecast:
        pace = "" if m.pace is None else f"  pace {format_money(m.pace)}"
        flag = "  ← famine" if m.famine else ""
        lines.append(
            f"  {m.month:%b %Y}  {m.count:>4} deals {format_money(m.weighted_value):>12}{pace}{flag}"
        )
    lines += ["", f"Advice ({len(report.advice)})"]
    shown = report.advice[:25]
    for a in shown:
        lines.append(f"  [{a.code}] {a.message}")
    if len(report.advice) > len(shown):
        lines.append(f"  … and {len(report.advice) - len(shown)} more (report --json lists all)")
    if not report.advice:
        lines.append("  Nothing to do: the pipeline looks healthy.")
    return "\n".join(line.rstrip() for line in lines)


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
        who = item.prospect
        lines.append(
            f"  #{item.id:<6} {describe_due(item.due, now):<16} {item.kind:<12} {who[:40]}"
            + (f" — {item.notes[:60]}" if item.notes else "")
        )
    return "\n".join(line.rstrip() for line in lines)


# C0 and C1 controls (ESC among them) would act on the terminal: shown as U+FFFD instead.
_CONTROLS = {code: "\ufffd" for code in (*range(0x20), *range(0x7F, 0xA0))}
_KEEP_LINES = {**_CONTROLS, 0x0A: None}


def shown(text: str, *, lines: bool = False) -> str:
    """User text as printed: controls shown as \ufffd, line breaks kept only where ``lines``."""
    if lines:
        return text.replace("\r\n", "\n").translate({**_CONTROLS, 0x0A: "\n"})
    return text.translate(_CONTROLS)


DECISION_WORDS = {"yes": "confirmed", "no": "cannot decide", "unknown": "not confirmed"}


def prospect_text(detail: Detail, now: datetime) -> str:
    """One prospect for ``pipeline-tui show``: its fields, next steps, advice, score, history."""
    p = detail.prospect
    head = f"#{p.id} {shown(p.name)}" + ("  (archived)" if p.archived else "")
    lines = [head, f"{detail.stage.name} · {detail.pipeline}"]
    who = " · ".join(x for x in (p.organization, ", ".join(y for y in (p.contact, p.title) if y)) if x)
    reach = " · ".join(x for x in (p.email, p.phone) if x)
    lines += [shown(text) for text in (who, reach) if text]
    probability = p.probability if p.probability is not None else detail.stage.probability
    value = "unknown" if p.value_cents is None else format_money(p.value_cents)
    lines += [
        "",
        f"Value           {value}  (weighted {format_money(detail.weighted_value)} at {probability:.0%})",
        f"Expected close  {p.expected_close:%d %b %Y}" if p.expected_close else "Expected close  unknown",
        f"Urgency         {p.urgency}",
        f"Decision maker  {p.decision_maker} ({DECISION_WORDS.get(p.decision_maker, '?')})",
    ]
    lines += [
        f"{label:<16}{shown(text)}" for label, text in (("Source", p.source), ("Owner", p.owner)) if text
    ]
    if p.lost_reason:
        lines.append(f"Lost because    {shown(p.lost_reason)}")
    if p.notes:
        lines += ["", "Notes", *("  " + line for line in shown(p.notes, lines=True).split("\n"))]
    lines += ["", "Next steps"]
    for f in detail.open_follow_ups:
        notes = f"  {shown(f.notes)}" if f.notes else ""
        lines.append(f"  #{f.id:<6} {f.kind:<12} {describe_due(f.due, now):<16}{notes}")
    if not detail.open_follow_ups:
        lines.append(f"  none: pipeline-tui follow-up {p.id} tomorrow")
    if detail.advice:
        lines += ["", "What to do", *(f"  - {shown(a.message)}" for a in detail.advice)]
    if detail.score is not None:
        lines += [
            "",
            f"Score {detail.score.total}",
            *(f"  {part.points:+4d} {part.reason}" for part in detail.score.parts),
        ]
    history = [entry for entry in detail.timeline if entry.done]
    if history:
        lines += ["", "History"]
        for entry in history:
            label = {"stage": "moved", "created": "added"}.get(entry.what, entry.what)
            lines.append(f"  {entry.when:%d %b %Y %H:%M}  {label:<12} {shown(entry.text)}")
    return "\n".join(line.rstrip() for line in lines)


def organization_text(view) -> str:
    """``org NAME``: who works there, every deal it has had, and what it has bought."""
    won = sum(1 for d in view.deals if d.kind == "won")
    lines = [
        f"{view.name}: {len(view.deals)} deal{'s' if len(view.deals) != 1 else ''}, "
        f"{won} won, lifetime won value {format_money(view.won_value)}",
        "",
        "People" if view.people else "People: nobody named yet",
    ]
    for c in view.people:
        reach = "  ".join(x for x in (c.title, c.email, c.phone) if x)
        lines.append(f"  {c.name}  [{c.role or 'role not known'}]  {reach}".rstrip())
    lines += ["", "Deals"]
    for d in view.deals:
        value = format_money(d.value) if d.value is not None else "no value"
        state = d.stage + (" (archived)" if d.archived else "")
        lines.append(f"  #{d.id:<6} {d.name}  {state}  {value}")
    return "\n".join(shown(line) for line in lines)
