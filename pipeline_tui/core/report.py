"""The report: every figure and all the advice for one snapshot, computed once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pipeline_tui.core import advice as advice_rules
from pipeline_tui.core import figures
from pipeline_tui.core.domain import Snapshot
from pipeline_tui.core.settings import Settings


@dataclass(frozen=True)
class Report:
    """Everything the report shows, worked out for one moment."""

    now: datetime
    quota: figures.QuotaFigures | None
    stages: list[figures.StageFigures]
    conversion: list[figures.Conversion]
    appointment_to_sale_rate: float | None
    appointment_closed: int
    forecast: list[figures.ForecastMonth]
    advice: list[advice_rules.Advice]


def build_report(snapshot: Snapshot, settings: Settings) -> Report:
    thresholds = settings.thresholds
    quota = figures.quota_figures(snapshot, thresholds)
    rate, closed = figures.appointment_to_sale(snapshot)
    found = advice_rules.pipeline_advice(snapshot, thresholds, quota, rate, closed)
    found += advice_rules.prospect_advice(snapshot, thresholds)
    return Report(
        now=snapshot.now,
        quota=quota,
        stages=figures.stage_figures(snapshot),
        conversion=figures.conversion(snapshot),
        appointment_to_sale_rate=rate,
        appointment_closed=closed,
        forecast=figures.forecast(snapshot, thresholds),
        advice=advice_rules.sort_advice(found),
    )
