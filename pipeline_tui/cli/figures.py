"""The figures: the report and the quota it is measured against."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.cli.common import (
    AddCommand,
    open_db,
    owner_scope,
    resolve_user,
    say,
    user_settings,
    without_gc,
    write_output,
)
from pipeline_tui.errors import UserError


def register(command: AddCommand) -> None:
    import argparse

    from pipeline_tui.core.glossary import figures_help

    report = command(
        "report", "quota figures, pace, rates, forecast, why deals are lost, advice", without_gc(cmd_report)
    )
    report.add_argument("--json", action="store_true", help="as JSON, every figure and all the advice")
    report.formatter_class = argparse.RawDescriptionHelpFormatter
    report.epilog = "The figures:\n" + figures_help()

    quota = command("quota", "show the quota, or set it", cmd_quota)
    quota.add_argument(
        "amount", nargs="?", metavar="AMOUNT", help="the target to set, e.g. 50000 (none: show the quota)"
    )
    quota.add_argument(
        "--period",
        choices=("month", "quarter", "year"),
        default=None,
        help="the period it covers, from its first day (default: quarter)",
    )


def cmd_report(args, now: datetime) -> int:
    # services.report itself, not services.views: the views' other imports (the agenda,
    # cadences) were a start-up cost the report does not need
    from pipeline_tui.services.base import find_pipeline
    from pipeline_tui.services.report import report

    settings = user_settings()
    open_db(args, read_only=True)
    pipeline_id = find_pipeline(args.pipeline).id if args.pipeline else None
    if args.json:
        from pipeline_tui.io.shapes import report_json_parts

        result = report(now, settings, pipeline_id, owner_scope(args), plain=True)
        write_output(None, report_json_parts(result))
    else:
        from pipeline_tui.io.text import ADVICE_PER_CODE, report_text

        result = report(now, settings, pipeline_id, owner_scope(args), top=ADVICE_PER_CODE)
        write_output(None, report_text(result))
    return 0


def cmd_quota(args, now: datetime) -> int:
    from pipeline_tui.core.money import format_money, parse_money
    from pipeline_tui.services import setup

    if args.amount is None:
        if args.period:
            raise UserError("give an amount to set the quota, e.g. quota 50000 --period quarter")
        open_db(args, read_only=True)
        quota = setup.current_quota(owner_scope(args) or "")
        whose = f"{resolve_user(args)}'s" if args.mine else "Team"
        if quota is None:
            say(f"No {whose.lower()} quota set. Set one with: pipeline-tui quota 50000 --period quarter")
        else:
            say(f"{whose} quota: {format_money(quota.target)} per {quota.period}")
        return 0
    target = parse_money(args.amount, "amount")
    open_db(args, create=True)
    quota = setup.set_quota(target, args.period or "quarter", now, owner=owner_scope(args) or "")
    whose = f"{resolve_user(args)}'s" if args.mine else "Team"
    say(f"{whose} quota set: {format_money(quota.target)} per {quota.period}")
    return 0
