"""The report, its open prospects read and advised in two halves at once where the machine
allows it.

At 100,000 open prospects nearly all of the report's time goes to reading each open prospect
and running the advice rules on it. On Linux, from a SQLite file, and while this process runs
no other thread (the command line, not the TUI), a forked child (:mod:`pipeline_tui.io.forked`)
takes the prospects whose id is odd while this process reads the others and the summaries;
their sums and advice merge into the report one process makes (a test holds them equal). Each
side reads the write counter in its read transaction: if another program wrote in between, or
the child failed, the whole report is read again here, in one transaction.
"""

from __future__ import annotations

import pickle
import sys
import threading
from datetime import datetime

import peewee

from pipeline_tui.core import open_deals
from pipeline_tui.core.advice import Advice
from pipeline_tui.core.domain import new_record
from pipeline_tui.core.report import Report, build_report, open_part_of, rotting_limits_of
from pipeline_tui.core.settings import Settings
from pipeline_tui.store import models
from pipeline_tui.store.db import read_snapshot, revision
from pipeline_tui.store.report import count_open, load_report_snapshot

SPLIT_FROM = 4_000  # open prospects: below this, forking costs more than the half saves
EVEN, ODD = (0, 2), (1, 2)


def report(
    now: datetime, settings: Settings, pipeline_id: int | None = None, owner: str | None = None
) -> Report:
    """Figures and advice for everyone (the team's quota) or one salesperson (their quota)."""
    if _can_split() and _big_enough(pipeline_id, owner):
        from pipeline_tui.io.forked import Forked

        models.database.obj.close()  # one SQLite connection must not serve two processes
        child = Forked.start(lambda: _half(now, settings, pipeline_id, owner, ODD))
        if child is not None:
            found = _with_child(child, now, settings, pipeline_id, owner)
            if found is not None:
                return found
    with read_snapshot():
        snapshot = load_report_snapshot(now, settings, pipeline_id, owner)
    return build_report(snapshot, settings)


def _can_split() -> bool:
    db = models.database.obj
    return (
        sys.platform.startswith("linux")
        and isinstance(db, peewee.SqliteDatabase)
        and db.database not in ("", ":memory:")
        and not str(db.database).startswith("file:")
        and threading.active_count() == 1  # forking beside other threads can copy a held lock
    )


def _big_enough(pipeline_id: int | None, owner: str | None) -> bool:
    with read_snapshot():
        return count_open(pipeline_id, owner) >= SPLIT_FROM


def _half(now: datetime, settings: Settings, pipeline_id: int | None, owner: str | None, part) -> bytes:
    """In the child: the sums and advice of one part of the open prospects, and the write
    counter they were read at, pickled (the advice as plain tuples: quicker to pickle)."""
    with read_snapshot():
        counter = revision()
        snapshot = load_report_snapshot(now, settings, pipeline_id, owner, part, history=False)
    sums, advice = open_part_of(snapshot, settings, rotting_limits_of(snapshot, settings))
    return pickle.dumps((counter, sums, [tuple(a) for a in advice]), protocol=pickle.HIGHEST_PROTOCOL)


def _with_child(child, now: datetime, settings: Settings, pipeline_id: int | None, owner: str | None):
    """Our half and the summaries, joined with the child's half; None if they do not make one
    report (a write landed between the reads, or the child failed)."""
    try:
        with read_snapshot():
            counter = revision()
            snapshot = load_report_snapshot(now, settings, pipeline_id, owner, EVEN)
        sums, advice = open_part_of(snapshot, settings, rotting_limits_of(snapshot, settings))
    except BaseException:
        child.discard()
        raise
    answer = child.result()
    if answer is None:
        return None
    theirs, their_sums, their_advice = pickle.loads(answer)
    if theirs != counter:
        return None
    advice += [new_record(Advice, a) for a in their_advice]
    return build_report(snapshot, settings, (open_deals.merged([sums, their_sums]), advice))
