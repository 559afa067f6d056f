"""Every tunable number in one place: advice thresholds and score weights, with defaults.

The config file (``config.toml`` in the user config directory) may override any of them; see
:mod:`pipeline_tui.config` for reading it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from pipeline_tui.core.cadences import Cadence
    from pipeline_tui.core.templates import EmailTemplate

from pipeline_tui.core.date_rules import DateRules
from pipeline_tui.core.money import Currencies


class ScoreWeights(NamedTuple):
    """Points each score rule gives; the sum is clamped to 0–100."""

    base: int = 10
    stage: int = 25  # points at the last open stage, scaled down for earlier ones
    decision_maker_yes: int = 20
    decision_maker_no: int = -10
    budget_known: int = 5
    budget_size: int = 15  # at the top of the open prospects' values, scaled by rank
    close_within_30_days: int = 10
    close_within_90_days: int = 5
    close_date_passed: int = -5
    urgency_high: int = 10
    urgency_medium: int = 5
    demo_or_trial: int = 5
    contact_within_7_days: int = 10
    contact_within_30_days: int = 5
    overdue_follow_up: int = -5  # per overdue follow-up
    overdue_counted_at_most: int = 3
    stale: int = -10


class Thresholds(NamedTuple):
    """When advice fires and how figures are taken."""

    info_request_hours: float = 4
    reminder_window_hours: float = 36
    offer_trial_after_days: int = 14
    stale_after_days: int = 21
    appointment_horizon_days: int = 7
    research_min_appointments: int = 3
    research_max_late_stage: int = 1
    improve_closing_min_closed: int = 5
    improve_closing_below_rate: float = 0.25
    win_rate_min_closed: int = 5
    lookback_days: int = 365
    forecast_months: int = 6  # the current month and the ones after it
    agenda_days: int = 7
    rotting_min_left: int = 5  # prospects that left a stage before its mean time there is its limit


class Goals(NamedTuple):
    """What a salesperson means to do each week; 0 is no goal."""

    calls_per_week: int = 20
    emails_per_week: int = 10
    appointments_per_week: int = 3
    new_prospects_per_week: int = 0  # 0: what the quota needs is the only measure


class Settings(NamedTuple):
    """What the config file can change: thresholds, score weights, probabilities, rotting limits,
    weekly goals, theme, how typed dates read (``[locale]``: date order and working hour; the
    zone is the machine's, filled in by the entry point), the home currency with the rates of
    the others, keys, and the cadences and email templates it adds to (or puts in place of) the
    default ones."""

    thresholds: Thresholds = Thresholds()
    score: ScoreWeights = ScoreWeights()
    # stage name -> probability; read-only, as the default is shared by every Settings()
    probabilities: Mapping[str, float] = MappingProxyType({})
    theme: str | None = None
    # stage name -> days a deal may sit idle in it before it rots (else learned from history)
    rotting: Mapping[str, int] = MappingProxyType({})
    goals: Goals = Goals()
    dates: DateRules = DateRules()
    currency: Currencies = Currencies()
    # binding id -> the user's keys for it, as Textual names them (see pipeline_tui.keymap)
    keys: Mapping[str, str] = MappingProxyType({})
    # by name, as the config file gives them (checked); see cadences.available, templates.available
    cadences: Mapping[str, Cadence] = MappingProxyType({})
    templates: Mapping[str, EmailTemplate] = MappingProxyType({})


def field_names(cls: type[NamedTuple]) -> list[str]:
    return list(cls._fields)


DEFAULT_SETTINGS = Settings()
