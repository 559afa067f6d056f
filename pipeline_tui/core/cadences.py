"""Cadences: named lists of follow-up steps that schedule themselves (README "Cadences").

A step is a kind and a gap, ``"email +3d"``: the gap counts from the moment the step before it
was done (the first step's from the start), read in the date grammar of typed dates, so that a
day gap lands at the working hour. A step never falls before the moment it counts from, nor on
a weekend: follow-ups are for working days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import NamedTuple

from pipeline_tui.core.dates import DEFAULT_RULES, DateError, DateRules, parse_when
from pipeline_tui.core.kinds import FOLLOW_UP_KINDS
from pipeline_tui.core.soon import soon_label
from pipeline_tui.errors import UserError

MAX_STEPS = 50


class CadenceStep(NamedTuple):
    """One step: what to do, and how long after the step before it."""

    kind: str
    gap: str  # as written: "+2d", "in 1 week", "+4h"

    def __str__(self) -> str:
        return f"{self.kind} {self.gap}"


class Cadence(NamedTuple):
    name: str
    steps: tuple[CadenceStep, ...]


DEFAULT_CADENCES: Mapping[str, tuple[str, ...]] = {
    # answer a new lead at once, then keep at it for a week (R4: follow up fast)
    "new-lead": ("call +0d", "email +1d", "call +3d", "email +7d"),
    # keep following up after the appointment (R4): a same-day thank-you, then calls
    "after-appointment": ("email +0d", "call +2d", "email +4d", "call +7d"),
    # a free trial (R5): check they started, help them use it, ask for the decision at its end
    "trial": ("call +1d", "email +3d", "call +5d", "call +4d"),
}

# Two moments a week apart, neither on a weekend: a gap reads the same way from both, a date
# does not (that is how a date typed where a gap belongs is told apart).
_PROBES = (datetime(2026, 1, 5, 11, 0), datetime(2026, 1, 12, 11, 0))


def parse_step(text: str, where: str = "step") -> CadenceStep:
    """``"call +2d"`` → a step; refused with words when the kind or the gap is not one."""
    if not isinstance(text, str):
        raise UserError(f'{where}: a step is text like "call +2d", not {text!r}')
    kind, _, gap = " ".join(text.split()).partition(" ")
    kind = kind.lower()
    if kind not in FOLLOW_UP_KINDS:
        raise UserError(f"{where} {text!r}: {kind!r} is not a kind ({', '.join(FOLLOW_UP_KINDS)})")
    if not gap:
        raise UserError(f'{where} {text!r}: give the gap after the kind, like "{kind} +2d"')
    try:
        after = [parse_when(gap, probe) for probe in _PROBES]
    except DateError as exc:
        raise UserError(f"{where} {text!r}: {exc}") from None
    if after[1] - after[0] != _PROBES[1] - _PROBES[0]:  # a gap moves with what it counts from
        raise UserError(f"{where} {text!r}: {gap!r} is a date, not a gap like +2d or in 1 week")
    if any(moment.date() < probe.date() for moment, probe in zip(after, _PROBES, strict=True)):
        raise UserError(f"{where} {text!r}: a step cannot come before the one it follows")
    return CadenceStep(kind, gap)


def parse_cadence(name: str, steps: object, where: str = "cadences") -> Cadence:
    """A cadence from the config file: a name and a list of step texts."""
    label = f"{where}.{name}"
    if not isinstance(steps, list | tuple) or not steps:
        raise UserError(f'{label} must be a list of steps, like ["call +2d", "email +3d"]')
    if len(steps) > MAX_STEPS:
        raise UserError(f"{label} has more than {MAX_STEPS} steps")
    return Cadence(name, tuple(parse_step(step, f"{label} step {n}") for n, step in enumerate(steps, 1)))


def available(configured: Mapping[str, Cadence]) -> dict[str, Cadence]:
    """The default cadences, with those of the config file added or put in their place."""
    found = {
        name: Cadence(name, tuple(CadenceStep(*step.split(" ", 1)) for step in steps))
        for name, steps in DEFAULT_CADENCES.items()
    }
    found.update(configured)
    return found


def find_cadence(cadences: Mapping[str, Cadence], name: str) -> Cadence:
    """A cadence by name, any case; the names known are listed when there is none."""
    wanted = name.strip().casefold()
    for known, cadence in cadences.items():
        if known.casefold() == wanted:
            return cadence
    raise UserError(f"no cadence named {name!r} (there is {', '.join(sorted(cadences))})")


def weekday_on_or_after(moment: datetime) -> datetime:
    """The same time on the first weekday from ``moment`` on."""
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def step_due(step: CadenceStep, since: datetime, rules: DateRules = DEFAULT_RULES) -> datetime:
    """When ``step`` falls due, counted from ``since`` (the step before done, or the start) by
    the user's date rules (a day gap lands at the working hour): never before ``since``, never
    on a weekend."""
    since = since.replace(second=0, microsecond=0)
    return weekday_on_or_after(max(parse_when(step.gap, since, rules), since))


def steps_text(steps: Iterable[CadenceStep]) -> list[str]:
    """The steps as the config file writes them (and as a running cadence keeps them)."""
    return [str(step) for step in steps]


class NextStep(NamedTuple):
    """What completing a follow-up schedules by itself: a cadence's next step, or the next
    occurrence of a repeating follow-up."""

    kind: str
    due: datetime
    step: int | None = None  # 1-based, in a cadence
    steps: int | None = None
    repeat: str | None = None  # the rule in words ("every week") for a repeat

    def describe(self, now: datetime) -> str:
        """``next: email Fri 09:00, step 2 of 3`` (the footer and the outcome dialog)."""
        return f"next: {self.label(now)}"

    def label(self, now: datetime) -> str:
        """``email Fri 09:00, step 2 of 3``, ``call Mon 14 Dec 09:00 (every week)``."""
        when = soon_label(self.due, now)
        if self.step is not None:
            return f"{self.kind} {when}, step {self.step} of {self.steps}"
        if self.repeat:
            return f"{self.kind} {when} ({self.repeat})"
        return f"{self.kind} {when}"
