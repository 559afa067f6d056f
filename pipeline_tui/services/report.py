"""The report: every figure and all the advice, read in one transaction and worked out by the
pure core (``core.report``).

It once read half of a big pipeline's open prospects in a forked child; that cost more CPU
than it saved on a busy machine and went (docs/performance.md says what it measured).
"""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.core.report import Report, build_report
from pipeline_tui.core.settings import Settings
from pipeline_tui.store.db import read_snapshot
from pipeline_tui.store.report import load_report_snapshot


def report(
    now: datetime, settings: Settings, pipeline_id: int | None = None, owner: str | None = None
) -> Report:
    """Figures and advice for everyone (the team's quota) or one salesperson (their quota)."""
    with read_snapshot():
        snapshot = load_report_snapshot(now, settings, pipeline_id, owner)
    return build_report(snapshot, settings)
