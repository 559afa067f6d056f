"""The report: every figure and all the advice for one snapshot, computed once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pipeline_tui.core import advice as advice_rules
from pipeline_tui.core import aging, figures, insight
from pipeline_tui.core.domain import Snapshot
from pipeline_tui.core.open_deals import OpenSums, open_sums
from pipeline_tui.core.settings import Settings


@dataclass(frozen=True)
class Report:
    """Everything the report shows, worked out for one moment."""

    now: datetime
    quota: figures.QuotaFigures | None
    lead_to_win: figures.LeadToWin
    stages: list[figures.StageFigures]
    conversion: list[figures.Conversion]
    appointment_to_sale_rate: float | None
    appointment_closed: int
    forecast: list[figures.ForecastMonth]
    slipped: figures.Slipped
    lost_reasons: list[insight.LostReason]
    stage_days: list[insight.StageDays]
    rotting: dict[int, aging.RottingLimit]  # open stage id -> its rotting limit
    sources: list[insight.SourceFigures]
    activity: insight.Activity
    advice: list[advice_rules.Advice]  # all of it, or the first few of each code (``advice_count``)
    advice_groups: list[advice_rules.AdviceGroup]  # every piece counted, however many are listed
    advice_count: int
    # the prospect advice after ``advice``, in order, as plain values (code, message, prospect
    # id, its name): how a report asked for plain pieces lists them (``report --json``)
    listed: tuple[advice_rules.Listed, ...] = ()


def build_report(
    snapshot: Snapshot,
    settings: Settings,
    sums: OpenSums | None = None,
    prospect_advice: list[advice_rules.Advice] | None = None,
    prospect_groups: list[advice_rules.AdviceGroup] | None = None,
    listed: list[advice_rules.Listed] | None = None,
) -> Report:
    """The report of a snapshot; a snapshot without its open prospects comes with what they
    add up to (``sums``) and what the rules say of them (``prospect_advice``), or only the
    first few of each code with every piece counted by code (``prospect_groups``), or as
    plain values already in order (``listed``) beside those counts."""
    thresholds = settings.thresholds
    limits = rotting_limits_of(snapshot, settings)
    if sums is None:
        sums = open_sums(snapshot, thresholds)
    if prospect_advice is None:
        prospect_advice = advice_rules.prospect_advice(snapshot, thresholds, None, limits)
    tallies = figures.cohort(snapshot, thresholds, sums)
    lead_to_win = figures.lead_to_win(snapshot, thresholds, tallies)
    quota = figures.quota_figures(snapshot, thresholds, lead_to_win, sums)
    rate, closed = figures.appointment_to_sale(snapshot)
    found = advice_rules.pipeline_advice(snapshot, thresholds, quota, rate, closed, sums)
    advice = advice_rules.sort_advice(found + prospect_advice)
    groups = advice_rules.advice_groups(advice if prospect_groups is None else found)
    if prospect_groups is not None:
        groups += prospect_groups
    return Report(
        now=snapshot.now,
        quota=quota,
        lead_to_win=lead_to_win,
        stages=figures.stage_figures(snapshot, sums),
        conversion=figures.conversion(snapshot),
        appointment_to_sale_rate=rate,
        appointment_closed=closed,
        forecast=figures.forecast(snapshot, thresholds, sums),
        slipped=figures.slipped(snapshot, sums),
        lost_reasons=insight.lost_reasons(snapshot, thresholds),
        stage_days=insight.stage_days(snapshot, limits),
        rotting=limits,
        sources=insight.sources(tallies),
        activity=insight.activity(snapshot, settings.goals, quota, sums),
        advice=advice,
        advice_groups=groups,
        advice_count=sum(group.count for group in groups),
        listed=tuple(listed or ()),
    )


def rotting_limits_of(snapshot: Snapshot, settings: Settings) -> dict[int, aging.RottingLimit]:
    """Each open stage's rotting limit, from the config file or the snapshot's time in stage."""
    return aging.rotting_limits(snapshot.stages, snapshot.stage_time, settings.rotting, settings.thresholds)
