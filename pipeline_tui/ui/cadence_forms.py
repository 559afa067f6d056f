"""The key C, wherever a prospect is at hand (board, agenda, pane, call block): put the
prospect on a cadence, or stop what runs by itself (its cadence, its repeats)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pipeline_tui.core.cadences import Cadence, available, find_cadence, soon_label
from pipeline_tui.core.dates import DateRules, describe_due, parse_when
from pipeline_tui.core.wording import plural
from pipeline_tui.errors import ServerLost
from pipeline_tui.services import cadences
from pipeline_tui.ui.widgets.forms import ConfirmScreen, Field, FormScreen

Clock = Callable[[], datetime]


def start_form(
    clock: Clock, prospect_id: int, name: str, known: dict[str, Cadence], suggested: str, dates: DateRules
) -> FormScreen:
    """Which cadence (the one for the deal's stage offered), and when it starts (now)."""

    def check_name(text: str) -> str | None:
        cadence = find_cadence(known, text)
        return " · ".join(str(step) for step in cadence.steps)

    def check_start(text: str) -> str | None:
        return None if not text.strip() else "→ " + soon_label(parse_when(text, clock(), dates), clock())

    def submit(values: dict[str, str]):
        cadence = find_cadence(known, values["cadence"])
        start = parse_when(values["start"], clock(), dates) if values["start"].strip() else None
        made = cadences.start_cadence(prospect_id, cadence, clock(), start, dates)
        first = f"{made.kind} {soon_label(made.due_at, clock())}, step 1 of {len(cadence.steps)}"
        return f"{cadence.name} for {name}: {first}"

    return FormScreen(
        f"Cadence for {name}",
        [
            Field("cadence", "Cadence", suggested, ", ".join(known), list(known), check=check_name),
            Field("start", "Start", "now", "now, or when the first step counts from", check=check_start),
        ],
        submit,
        note="Each step is scheduled once the one before is done; won, lost or archived ends it.",
    )


def cadence_key(app, prospect_id: int, name: str, after: Callable[[str], None]) -> None:
    """C: stop the prospect's cadence and repeats (asked first) when it has any, else offer to
    start a cadence. ``after`` gets what was done, for the footer."""
    try:
        now_running = cadences.running(prospect_id)
        suggested = cadences.suggested_cadence(prospect_id)
    except ServerLost as exc:
        app.lost_server(exc)
        return
    if now_running.cadence is None and not now_running.repeating:
        known = available(app.settings.cadences)
        fits = suggested if suggested in known else next(iter(known))
        form = start_form(app.now, prospect_id, name, known, fits, app.date_rules)
        app.push_screen(form, lambda result: result and after(f"Started {result}"))
        return
    question, detail = _stop_question(now_running, name, app.now())

    def answer(yes: bool | None) -> None:
        if yes:
            app.run_action_safely(
                lambda: cadences.stop_follow_ups(prospect_id, app.now()),
                lambda stopped: after(f"Stopped what ran by itself for {name}"),
            )

    app.push_screen(ConfirmScreen(question, detail), answer)


def _stop_question(now_running: cadences.Running, name: str, now: datetime) -> tuple[str, str]:
    said = []
    if now_running.cadence is not None:
        step = now_running.step
        at = f" (step {step.cadence_step})" if step is not None else ""
        said.append(f"the {now_running.cadence.name} cadence{at}")
    if now_running.repeating:
        said.append(plural(len(now_running.repeating), "repeating follow-up"))
    detail = []
    if now_running.step is not None:
        detail.append(
            f"Its {now_running.step.kind} due {describe_due(now_running.step.due_at, now)} is cancelled."
        )
    if now_running.repeating:
        detail.append("A repeating follow-up stays in the agenda, once.")
    return f"Stop {' and '.join(said)} of {name}?", " ".join(detail)
