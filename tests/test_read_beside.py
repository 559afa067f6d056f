"""Everyone's report groups the open deals on a second connection beside the advice it reads
(``store.read_beside``): the report is the one read on a single connection, on both engines,
and a write that lands between the two snapshots is not mixed into it."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from pipeline_tui.core.settings import Settings
from pipeline_tui.services import report as report_service
from pipeline_tui.services import scores
from pipeline_tui.services.prospects import add_prospect
from pipeline_tui.store import models, read_beside
from tests.test_board_reader import demo

SETTINGS = Settings()


def _serial(monkeypatch) -> None:
    monkeypatch.setattr(report_service, "read_beside", read_beside.ReadHere)


def _reports(now) -> list:
    return [
        report_service.report(now, SETTINGS, plain=True),
        report_service.report(now, SETTINGS, top=5),
        report_service.report(now, SETTINGS),
    ]


def test_the_report_read_beside_is_the_one_read_on_one_connection(db, engine, now, monkeypatch):
    demo(now)
    add_prospect(now, "Valued", stage="Proposal", fields={"value": "12,345", "expected_close": "2026-11-30"})
    scores.keep_current(now, SETTINGS)
    used = []
    monkeypatch.setattr(read_beside.ReadBeside, "__init__", _counted(read_beside.ReadBeside.__init__, used))
    beside = _reports(now)
    assert len(used) == (3 if engine == "sqlite" else 0)  # a server reads on the caller's connection
    _serial(monkeypatch)
    assert beside == _reports(now)
    assert beside[0].forecast == _reports(now)[0].forecast and beside[0].stages


def _counted(init, used: list):
    def counting(self, read):
        used.append(read)
        init(self, read)

    return counting


def test_a_write_between_the_two_snapshots_is_not_mixed_into_the_report(db, db_path, now, monkeypatch):
    """Another program writes after the report's own snapshot is taken and before the one
    beside is: the figures come from the report's snapshot, as the advice does."""
    demo(now)
    big = add_prospect(
        now, "Big", stage="Proposal", fields={"value": "900,000", "expected_close": "2026-11-30"}
    )
    scores.keep_current(now, SETTINGS)
    before = report_service.report(now, SETTINGS, plain=True)
    seen_beside = []
    real_revision = read_beside.revision

    def revision_after_a_write() -> int:
        if threading.current_thread() is not threading.main_thread() and not seen_beside:
            other = sqlite3.connect(db_path)  # another program: archives the deal, counted
            with other:
                other.execute("UPDATE prospect SET archived = 1 WHERE id = ?", (big.id,))
                other.execute(f"UPDATE {models.Revision._meta.table_name} SET counter = counter + 1")
            other.close()
            seen_beside.append(True)
        return real_revision()

    monkeypatch.setattr(read_beside, "revision", revision_after_a_write)
    read = report_service.report(now, SETTINGS, plain=True)
    assert seen_beside  # the write landed between the two snapshots
    assert read == before
    after = report_service.report(now, SETTINGS, plain=True)  # the next report sees the write
    assert after.forecast != before.forecast


def test_what_fails_beside_is_raised_in_the_caller(db, now):
    """A read that fails on the second connection fails the report, as it would have here."""
    from pipeline_tui.store.db import read_snapshot

    def failing() -> int:
        raise ZeroDivisionError("beside")

    with read_snapshot(), pytest.raises(ZeroDivisionError, match="beside"):
        read_beside.read_beside(failing).result()
