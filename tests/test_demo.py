"""Demo data: deterministic for a given now, believable, and rich enough that the figures and the
advice all have something to show."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta

from pipeline_tui.core.settings import Settings
from pipeline_tui.io.demo import build_demo
from pipeline_tui.services import views
from pipeline_tui.services.importing import write_demo
from pipeline_tui.store.models import FollowUp, Prospect, Quota, Stage, StageChange
from tests.conftest import activity_out_of_step


def test_build_demo_is_deterministic_for_a_given_now(now):
    first, second = build_demo(now), build_demo(now)
    assert first.prospects == second.prospects
    assert first.stage_changes == second.stage_changes
    assert first.follow_ups == second.follow_ups
    assert first.quota == second.quota
    other = build_demo(now + timedelta(days=1, hours=2))
    assert other.prospects != first.prospects
    assert [p[0] for p in other.prospects] != [p[0] for p in first.prospects]


def _digest(data) -> str:
    parts = (data.prospects, data.stage_changes, data.follow_ups, data.quota)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def test_build_demo_is_the_same_in_another_process(now):
    """No set or hash ordering leaks in: a fresh interpreter (another hash seed) agrees."""
    script = (
        "import hashlib\n"
        "from datetime import datetime\n"
        "from pipeline_tui.io.demo import build_demo\n"
        "data = build_demo(datetime(2026, 11, 26, 9, 30))\n"
        "parts = (data.prospects, data.stage_changes, data.follow_ups, data.quota)\n"
        "print(hashlib.sha256(repr(parts).encode()).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert digests == {_digest(build_demo(now))}


def test_written_demo_is_consistent_and_dated_around_now(db, now):
    assert write_demo(build_demo(now), now) == 60
    stages = {s.id: s for s in Stage.select()}
    prospects = list(Prospect.select())
    assert len(prospects) == 60
    assert len({p.name for p in prospects}) >= 55, "names mostly distinct"
    created = [p.created_at for p in prospects]
    assert max(created) <= now
    assert min(created) <= now - timedelta(days=90), "months of history"
    changes = {}
    lost_reasons = []
    for change in StageChange.select().order_by(StageChange.changed_at, StageChange.id):
        changes.setdefault(change.prospect_id, []).append(change)
    for p in prospects:
        kind = stages[p.stage_id].kind
        assert (p.closed_at is not None) == (kind != "open"), p.name
        assert p.closed_at is None or p.created_at <= p.closed_at <= now
        assert p.stage_entered_at <= now
        history = changes[p.id]
        assert history[0].from_stage_id is None
        assert history[-1].to_stage_id == p.stage_id, "the last recorded move is where it stands"
        assert all(c.changed_at <= now for c in history)
        if kind == "lost":
            lost_reasons.append(p.lost_reason)
    # a few lost without a word, as in life: the report's "(none given)" has something to count
    assert 0 < lost_reasons.count("") < len(lost_reasons) / 2
    done = FollowUp.select().where(FollowUp.done_at.is_null(False))
    assert all(f.done_at <= now for f in done)
    kinds = {s.kind for s in stages.values() if any(p.stage_id == s.id for p in prospects)}
    assert kinds == {"open", "won", "lost"}
    [quota] = Quota.select()
    assert quota.period == "quarter" and quota.target_cents > 0


def test_written_demo_shows_every_kind_of_figure(db, now):
    write_demo(build_demo(now), now)
    settings = Settings()
    report = views.report(now, settings)
    assert report.quota is not None and report.quota.gap > 0
    assert report.quota.won > 0
    assert all(s.count > 0 for s in report.stages), "every stage holds someone"
    assert all(c.rate is not None for c in report.conversion)
    assert report.appointment_to_sale_rate is not None
    assert sum(m.count for m in report.forecast) > 0
    statuses = {item.status for item in views.agenda(now)}
    assert statuses == {"overdue", "today", "upcoming"}


def test_demo_command_builds_a_rich_database(cli, db_path):
    built = cli("demo", "--no-open", check=True)
    assert "60 prospects" in built.stderr
    report = json.loads(cli("report", "--json", check=True).stdout)
    quota = report["quota"]
    assert (quota["period"], quota["start"], quota["end"]) == ("quarter", "2026-10-01", "2026-12-31")
    assert quota["target"] > 0
    assert sum(s["count"] for s in report["stages"]) == 60
    codes = {a["code"] for a in report["advice"]}
    assert len(codes) >= 10, sorted(codes)

    agenda = json.loads(cli("agenda", "--json", check=True).stdout)
    assert {item["status"] for item in agenda} == {"overdue", "today", "upcoming"}
    overdue = [item for item in agenda if item["status"] == "overdue"]
    assert all(datetime.fromisoformat(item["due"]) < datetime(2026, 11, 26, 9, 30) for item in overdue)
    today = [item for item in agenda if item["status"] == "today"]
    assert all(datetime.fromisoformat(item["due"]).date() == date(2026, 11, 26) for item in today)


def test_demo_with_many_prospects(cli, db_path):
    cli("demo", "--no-open", "--prospects", "2000", check=True)
    stages = json.loads(cli("report", "--json", check=True).stdout)["stages"]
    assert sum(s["count"] for s in stages) == 2000


def test_a_big_demo_sums_up_each_prospects_follow_ups_on_its_row(db, now):
    """Bulk inserts leave the follow-ups' triggers off (store.bulk): the demo sums up after."""
    from pipeline_tui.store import bulk

    data = build_demo(now, 4000)
    assert len(data.follow_ups) >= bulk.DEFER_INDEXES_FROM, "big enough to insert with triggers off"
    write_demo(data, now)
    assert activity_out_of_step() == {}
    assert Prospect.select().where(Prospect.last_contact_at.is_null(False)).count() > 1000


def test_demo_with_fewer_prospects_than_scenarios(db, now):
    assert write_demo(build_demo(now, 3), now) == 3
    assert Prospect.select().count() == 3


def test_no_demo_prospect_is_created_after_now():
    """A prospect walked from a moment snapped to office hours later today was created in the
    future: the CSV import refuses such a date, so the demo's own export would not import."""
    from pipeline_tui.io.demo import PROSPECT_FIELDS

    now = datetime(2026, 11, 26, 9, 30)  # a Thursday morning: 4 of 3,000 were created later that day
    created = PROSPECT_FIELDS.index("created_at")
    assert max(p[created] for p in build_demo(now, 3000).prospects) <= now
