"""Team mode: several salespeople, one database, writing at the same time."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import ConflictError
from pipeline_tui.services.base import set_user
from pipeline_tui.services.board import BoardReader
from pipeline_tui.services.prospects import add_prospect, edit_prospect
from pipeline_tui.services.setup import set_quota
from pipeline_tui.services.views import agenda, report
from tests.conftest import CLI


def test_owners_mine_and_everyone(db, now):
    set_user("ana")
    add_prospect(now, "Ana's deal", fields={"value": "10,000"}, follow_up=(now, "call"))
    set_user("bob")
    add_prospect(now, "Bob's deal", fields={"value": "5,000"}, follow_up=(now, "call"))
    set_quota(2_000_000, "quarter", now)  # the team's
    set_quota(1_500_000, "quarter", now, owner="ana")
    everyone = BoardReader(Settings()).read(now)
    assert sorted(c.name for _, cards in everyone.columns for c in cards) == ["Ana's deal", "Bob's deal"]
    ana = BoardReader(Settings(), owner="ana").read(now)
    assert [c.name for _, cards in ana.columns for c in cards] == ["Ana's deal"]
    assert [head.value for head, _ in ana.columns] == [1_000_000, 0, 0, 0, 0]
    assert [i.prospect for i in agenda(now, owner="bob")] == ["Bob's deal"]
    assert report(now, Settings()).quota.target == 2_000_000
    assert report(now, Settings(), owner="ana").quota.target == 1_500_000
    assert report(now, Settings(), owner="bob").quota is None


def test_two_edits_of_one_prospect_the_second_is_told(db, now):
    deal = add_prospect(now, "Shared deal")
    read_by_ana = deal.version
    read_by_bob = deal.version
    edit_prospect(deal.id, now, {"value": "1000"}, expected_version=read_by_ana)
    with pytest.raises(ConflictError, match="changed elsewhere"):
        edit_prospect(deal.id, now, {"value": "2000"}, expected_version=read_by_bob)


def _add_many(location: str, user: str, count: int) -> list[subprocess.CompletedProcess]:
    cli = CLI(location)
    return [cli("--user", user, "add", f"{user} deal {n}", "--value", str(100 + n)) for n in range(count)]


def test_three_processes_adding_at_once_lose_nothing(db, db_location, engine):
    writers = {"ana": 15, "bob": 15, "cai": 15}
    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = [pool.submit(_add_many, db_location, user, count) for user, count in writers.items()]
        results = [r for run in runs for r in run.result()]
    failed = [r.stderr for r in results if r.returncode != 0]
    assert failed == []
    assert not any("locked" in r.stderr.lower() for r in results)
    exported = json.loads(CLI(db_location)("export", "--format", "json", check=True).stdout)
    by_owner: dict[str, int] = {}
    for row in exported:
        by_owner[row["name"].split()[0]] = by_owner.get(row["name"].split()[0], 0) + 1
    assert by_owner == writers
    assert len({row["id"] for row in exported}) == sum(writers.values())


def test_report_json_is_the_same_on_both_engines(tmp_path, engine, db_location):
    """The same demo at the same time gives byte-for-byte the same report on any engine."""
    if engine != "postgres":
        pytest.skip("compares PostgreSQL with SQLite")
    sqlite = CLI(tmp_path / "same.db")
    server = CLI(db_location)
    for cli in (sqlite, server):
        cli("demo", "--no-open", "--prospects", "200", check=True)
    for command in (["report", "--json"], ["agenda", "--json"], ["export", "--format", "json"]):
        assert sqlite(*command, check=True).stdout == server(*command, check=True).stdout, command


def test_the_user_defaults_to_the_login_name(db_location):
    result = subprocess.run(
        [sys.executable, "-c", "import getpass; print(getpass.getuser())"], capture_output=True, text=True
    )
    login = result.stdout.strip()
    cli = CLI(db_location)
    cli("add", "Mine by default", check=True, env={"PIPELINE_TUI_USER": ""})
    [row] = json.loads(cli("export", "--format", "json", "--mine", check=True).stdout)
    assert (row["name"], row["owner"]) == ("Mine by default", login)
