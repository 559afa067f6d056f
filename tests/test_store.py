"""The store: a new database's defaults, its pragmas and file mode, its indexes, refusing files that
are not ours, and the snapshot the core reads (right history, bounded number of queries)."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import date, datetime, timedelta

import pytest

from pipeline_tui.core.domain import History
from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import UserError
from pipeline_tui.store import built as built_sql
from pipeline_tui.store import models, queries, schema
from pipeline_tui.store.db import open_database
from pipeline_tui.store.models import FollowUp, Pipeline, Prospect, Stage, StageChange
from tests.conftest import activity_out_of_step


def test_new_database_has_the_sales_pipeline_with_the_default_stages(db):
    pipelines = list(Pipeline.select())
    assert [p.name for p in pipelines] == ["Sales"]
    stages = [
        (s.name, s.probability, s.kind, s.role)
        for s in Stage.select().where(Stage.pipeline == pipelines[0]).order_by(Stage.position)
    ]
    assert stages == [
        ("Lead", 0.10, "open", "lead"),
        ("Qualified", 0.25, "open", "qualified"),
        ("Appointment", 0.40, "open", "appointment"),
        ("Trial", 0.60, "open", "trial"),
        ("Proposal", 0.75, "open", "proposal"),
        ("Won", 1.0, "won", "won"),
        ("Lost", 0.0, "lost", "lost"),
    ]
    positions = [s.position for s in Stage.select().order_by(Stage.position)]
    assert positions == sorted(set(positions)), "positions are distinct and ordered"
    assert Prospect.select().count() == 0


def test_pragmas_and_schema_version(db, db_path):  # db_path: SQLite only
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert db.execute_sql("PRAGMA cache_size").fetchone()[0] == -512, "a small page cache: see SQLITE_PRAGMAS"
    assert db.execute_sql("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert schema.SCHEMA_VERSION >= 1


def test_database_file_is_private(db, db_path):
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    # SQLite gives the WAL and shared-memory files the database file's permissions.
    Prospect.select().count()
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            assert stat.S_IMODE(os.stat(side).st_mode) == 0o600


def test_file_is_private_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        path = tmp_path / "open.db"
        database = open_database(path)
        database.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_reopening_keeps_the_data_and_does_not_seed_twice(db, db_path, now):
    from pipeline_tui.services.prospects import add_prospect

    add_prospect(now, "Acme")
    db.close()
    again = open_database(db_path, create=False)
    try:
        assert Pipeline.select().count() == 1
        assert Stage.select().count() == 7
        assert [p.name for p in Prospect.select()] == ["Acme"]
    finally:
        again.close()


def _agenda_sql(db, until: datetime) -> tuple[str, list]:
    """The SQL that the agenda query runs, caught on its way to the database."""
    from pipeline_tui.store import agenda
    from pipeline_tui.store.quick import database_read

    captured = []
    read = database_read(db)

    def capture(sql, params):
        captured.append((sql, [str(p) if isinstance(p, datetime) else p for p in params]))
        return read(sql, params)

    agenda.agenda_rows(capture, until)
    assert len(captured) == 1
    return captured[0]


def test_agenda_query_uses_an_index_not_a_scan_of_follow_up(db, db_path, now, monkeypatch):  # SQLite only
    from pipeline_tui.services.follow_ups import complete, schedule
    from pipeline_tui.services.prospects import add_prospect

    names = {row[0] for row in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "follow_up_open_due" in names
    partial = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'follow_up_open_due'").fetchone()[0]
    assert "WHERE done_at IS NULL" in partial

    for i in range(30):
        prospect = add_prospect(now, f"Prospect {i}")
        follow_up = schedule(prospect.id, "call", now + timedelta(days=i - 10), now)
        if i % 3 == 0:
            complete(follow_up.id, now)
    db.execute_sql("ANALYZE")

    sql, params = _agenda_sql(db, now + timedelta(days=7))
    plan = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
    follow_up_steps = [step for step in plan if "follow_up" in step or " t1" in step]
    assert follow_up_steps, plan
    for step in follow_up_steps:
        assert step.startswith("SEARCH") and "INDEX" in step, plan
    assert not any(step.startswith("SCAN") and ("follow_up" in step or " t1" in step) for step in plan)


def test_each_prospects_activity_summary_follows_every_change_of_its_follow_ups(db, now):
    """Schema 5: triggers keep the summary on the prospect's row whatever writes the follow-ups
    (services, an undo, SQL by hand), on SQLite and on PostgreSQL alike."""
    from pipeline_tui.services.base import undo_last
    from pipeline_tui.services.follow_ups import complete, log_activity, schedule, snooze
    from pipeline_tui.services.prospects import add_prospect

    first, second = add_prospect(now, "First"), add_prospect(now, "Second")
    hour = timedelta(hours=1)
    steps = [
        ("nothing yet", lambda: None),
        ("an open call", lambda: schedule(first.id, "call", now + timedelta(days=1), now)),
        ("an open demo", lambda: schedule(first.id, "demo", now + 2 * hour, now)),
        ("a call logged", lambda: log_activity(first.id, "call", now - hour)),
        ("the open call done", lambda: complete(_open(first.id, "call"), now)),
        ("an appointment logged", lambda: log_activity(first.id, "appointment", now - 2 * hour)),
        ("the demo snoozed", lambda: snooze(_open(first.id, "demo"), timedelta(days=1), now)),
        ("that undone", undo_last),
        ("the appointment undone", undo_last),
        (
            "a kind changed by hand",
            lambda: FollowUp.update(kind="email").where(FollowUp.kind == "demo").execute(),
        ),
        ("one moved to another prospect", lambda: _move_last_done(first.id, second.id)),
        ("one deleted", lambda: FollowUp.delete().where(FollowUp.id == _last_done(first.id)).execute()),
        ("all deleted", lambda: FollowUp.delete().where(FollowUp.prospect == first.id).execute()),
    ]
    for what, step in steps:
        step()
        assert activity_out_of_step() == {}, what
    first, second = Prospect.get_by_id(first.id), Prospect.get_by_id(second.id)
    assert (first.last_activity_at, first.last_contact_at, first.demo_or_trial) == (None, None, False)
    assert second.last_activity_at is not None, "the moved follow-up counts for its new prospect"


def test_undoing_an_edit_leaves_the_activity_summary_as_the_follow_ups_say(db, now):
    """The summary is the database's to keep: an undo does not put back the one it saw before
    the action (another program may have added a follow-up meanwhile)."""
    from pipeline_tui.services.base import undo_last
    from pipeline_tui.services.prospects import add_prospect, edit_prospect

    prospect = add_prospect(now, "Acme")
    edit_prospect(prospect.id, now, {"contact": "Jane"})
    FollowUp.insert(  # another program, meanwhile: no action of ours
        prospect=prospect.id, kind="call", due_at=now, done_at=now, created_at=now, outcome="", notes=""
    ).execute()
    undo_last()
    assert Prospect.get_by_id(prospect.id).contact == ""
    assert activity_out_of_step() == {}
    assert Prospect.get_by_id(prospect.id).last_contact_at == now


def _open(prospect_id: int, kind: str) -> int:
    return FollowUp.get(
        FollowUp.prospect == prospect_id, FollowUp.kind == kind, FollowUp.done_at.is_null()
    ).id


def _last_done(prospect_id: int) -> int:
    query = FollowUp.select().where(FollowUp.prospect == prospect_id, FollowUp.done_at.is_null(False))
    return query.order_by(FollowUp.done_at.desc()).first().id


def _move_last_done(source: int, target: int) -> None:
    FollowUp.update(prospect=target).where(FollowUp.id == _last_done(source)).execute()


def test_a_prospects_activity_summary_is_summed_up_from_the_follow_up_index_alone(db, db_path):  # SQLite
    """The triggers' sum reads each follow-up's done time and kind from the index that holds
    them (schema 3), not from the follow-up rows."""
    from pipeline_tui.store import activity

    sql = activity._summary("1", sqlite=True)
    plan = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql)]
    assert plan and all("COVERING INDEX follow_up_prospect_id_done_at_kind" in step for step in plan), plan


def test_a_windows_next_steps_are_read_from_the_open_index_alone_in_its_order(db, db_path, now):
    """Schema 4: the soonest open follow-up of each card of a window comes from the partial
    index of open follow-ups by prospect, with all it holds: no follow-up row is read and
    nothing is sorted."""
    from pipeline_tui.services.follow_ups import complete, schedule
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.store import board
    from pipeline_tui.store.built import built_sql as sql_of

    first, second, third = add_prospect(now, "First"), add_prospect(now, "Second"), add_prospect(now, "Third")
    schedule(first.id, "call", now + timedelta(days=9), now, "late one")
    soon = schedule(first.id, "email", now + timedelta(days=2), now, "soon one")
    demo = schedule(second.id, "demo", now + timedelta(days=1), now)
    complete(schedule(first.id, "call", now + timedelta(days=1), now).id, now)  # done: not open
    found = board.next_steps([first.id, second.id, third.id])
    assert {pid: row[1:3] for pid, row in found.items()} == {
        first.id: (soon.id, "email"),
        second.id: (demo.id, "demo"),
    }
    sql, params = sql_of(board._next_steps, (3,), [first.id, second.id, third.id])
    plan = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
    assert all("COVERING INDEX follow_up_open_prospect" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan


@pytest.mark.parametrize(
    "content",
    [
        os.urandom(8192),
        b"name,value\nAcme,12000\n" * 40,
        b"SQLite format 3\x00" + b"\x07" * 4000,
        b"just some text, not a database\n",
    ],
    ids=["random-bytes", "csv-text", "sqlite-header-then-garbage", "short-text"],
)
def test_a_file_that_is_not_a_database_is_refused_with_user_error(tmp_path, content):
    path = tmp_path / "not-a-db.db"
    path.write_bytes(content)
    with pytest.raises(UserError) as caught:
        open_database(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == content, "the file is left as it was"


def test_another_programs_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "firefox.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, url TEXT)")
    connection.execute("INSERT INTO bookmarks (url) VALUES ('https://example.com')")
    connection.commit()
    connection.close()
    with pytest.raises(UserError, match="other program"):
        open_database(path)
    connection = sqlite3.connect(path)
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    connection.close()
    assert tables == ["bookmarks"], "nothing was added to it"


def test_a_newer_schema_is_refused_with_advice_to_upgrade(db, db_path):
    db.execute_sql(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(UserError, match="upgrade") as caught:
        open_database(db_path)
    assert "newer" in str(caught.value)


def test_missing_file_without_create_is_a_user_error(tmp_path):
    path = tmp_path / "nowhere" / "pipeline.db"
    with pytest.raises(UserError, match="no database"):
        open_database(path, create=False)
    assert not path.exists()
    assert not path.parent.exists()


def test_a_directory_or_a_path_under_a_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="directory"):
        open_database(tmp_path)
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    with pytest.raises(UserError):
        open_database(blocker / "pipeline.db")


def test_an_empty_file_becomes_a_new_database(tmp_path):
    path = tmp_path / "touched.db"
    path.touch()
    database = open_database(path)
    try:
        assert Stage.select().count() == 7
    finally:
        database.close()


# -- the snapshot -------------------------------------------------------------------------------


def _stage(name: str) -> Stage:
    return Stage.get(Stage.name == name)


def _prospect(name: str, stage: str, created: datetime, **values) -> Prospect:
    return Prospect.create(
        pipeline=Pipeline.get().id,
        stage=_stage(stage).id,
        name=name,
        created_at=created,
        updated_at=created,
        stage_entered_at=created,
        **values,
    )


def _change(prospect: Prospect, before: str | None, after: str, when: datetime) -> None:
    StageChange.create(
        prospect=prospect.id,
        from_stage=_stage(before).id if before else None,
        to_stage=_stage(after).id,
        changed_at=when,
    )


def _activity(prospect: Prospect, kind: str, due: datetime, done: datetime | None = None) -> None:
    FollowUp.create(prospect=prospect.id, kind=kind, due_at=due, done_at=done, created_at=due - timedelta(1))


def test_load_snapshot_condenses_a_prospects_history(db, now):
    start = now - timedelta(days=60)
    acme = _prospect("Acme", "Qualified", start, value_cents=1_200_000, expected_close=date(2026, 12, 20))
    # Lead -> Appointment -> Trial -> back to Qualified: furthest open position is Trial's (3).
    _change(acme, None, "Lead", start)
    _change(acme, "Lead", "Appointment", start + timedelta(days=5))
    _change(acme, "Appointment", "Trial", start + timedelta(days=10))
    _change(acme, "Trial", "Qualified", start + timedelta(days=20))
    _activity(acme, "appointment", start + timedelta(days=6), start + timedelta(days=6))
    _activity(acme, "email", start + timedelta(days=8), start + timedelta(days=8))
    _activity(acme, "task", start + timedelta(days=30), start + timedelta(days=30))  # latest, not a contact
    _activity(acme, "demo", now + timedelta(days=2))  # open: counts as demo or trial
    _activity(acme, "call", now + timedelta(days=3))  # open: not a contact yet

    _prospect("Blank", "Lead", start)  # no stage change, no activity at all

    back = _prospect("Came back", "Lead", start, value_cents=500_000)
    _change(back, None, "Qualified", start)
    _change(back, "Qualified", "Won", start + timedelta(days=3))
    _change(back, "Won", "Lead", start + timedelta(days=4))
    _activity(back, "reminder", start + timedelta(days=1), start + timedelta(days=1))
    # rows written by hand, not through the services: derive what the services keep up to date
    schema.recompute_reach()

    snapshot = queries.load_snapshot(now, Settings())
    by_name = {p.name: p for p in snapshot.prospects}
    assert set(by_name) == {"Acme", "Blank", "Came back"}

    assert by_name["Acme"].history == History(
        last_activity=start + timedelta(days=30),
        last_contact=start + timedelta(days=8),
        last_appointment_done=start + timedelta(days=6),
        demo_or_trial=True,
        furthest_position=_stage("Trial").position,
        ever_won=False,
    )
    # no stage change recorded, but it sits in Lead: it has reached Lead
    assert by_name["Blank"].history == History(furthest_position=_stage("Lead").position)
    assert by_name["Came back"].history == History(
        last_activity=start + timedelta(days=1),
        last_contact=start + timedelta(days=1),
        last_appointment_done=None,
        demo_or_trial=False,
        furthest_position=_stage("Qualified").position,
        ever_won=True,
    )

    acme_facts = by_name["Acme"]
    assert acme_facts.value == 1_200_000
    assert acme_facts.expected_close == date(2026, 12, 20)
    assert acme_facts.stage_id == _stage("Qualified").id
    assert [f.kind for f in acme_facts.open_follow_ups] == ["demo", "call"], "open ones, soonest first"
    assert snapshot.quota is None
    assert [s.name for s in snapshot.stages][:2] == ["Lead", "Qualified"]


def test_load_snapshot_leaves_out_archived_prospects(db, now):
    _prospect("Live", "Lead", now)
    _prospect("Hidden", "Lead", now, archived=True)
    snapshot = queries.load_snapshot(now, Settings())
    assert [p.name for p in snapshot.prospects] == ["Live"]


def test_config_probability_overrides_the_stored_one(db, now):
    stages = queries.load_stages(Settings(probabilities={"proposal": 0.9}))
    assert {s.name: s.probability for s in stages}["Proposal"] == 0.9
    assert {s.name: s.probability for s in stages}["Trial"] == 0.6


def _make_prospects(count: int, now: datetime) -> None:
    for i in range(count):
        stage = ("Lead", "Qualified", "Appointment", "Won", "Lost")[i % 5]
        closed = now - timedelta(days=1) if stage in ("Won", "Lost") else None
        prospect = _prospect(f"P{i}", stage, now, closed_at=closed)
        _change(prospect, None, "Lead", now - timedelta(days=30))
        _change(prospect, "Lead", "Qualified", now - timedelta(days=20))
        _activity(prospect, "call", now - timedelta(days=3), now - timedelta(days=3))
        _activity(prospect, "appointment", now + timedelta(days=i % 9))


def _count_statements(db, monkeypatch, action) -> int:
    executed = []
    original = db.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        executed.append(sql)
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(db, "execute_sql", counting)
    try:
        action()
    finally:
        monkeypatch.setattr(db, "execute_sql", original)
    return len(executed)


@pytest.mark.parametrize("open_only", [False, True])
def test_load_snapshot_runs_a_bounded_number_of_queries(db, now, monkeypatch, open_only):
    settings = Settings()

    def load():
        snapshot = queries.load_snapshot(now, settings, open_only=open_only)
        assert snapshot.prospects

    _make_prospects(5, now)
    with_five = _count_statements(db, monkeypatch, load)
    _make_prospects(45, now)
    with_fifty = _count_statements(db, monkeypatch, load)
    assert len(queries.load_snapshot(now, settings).open_prospects) == 30  # 3 of 5 stages are open
    assert with_five == with_fifty
    assert with_fifty <= 12


def test_views_run_a_bounded_number_of_queries(db, now, monkeypatch):
    from pipeline_tui.services import views

    settings = Settings()

    def everything():
        from pipeline_tui.services.board import BoardReader

        for _, cards in BoardReader(settings).read(now).columns:
            list(cards[:9])  # a screenful: one window of each column
        views.report(now, settings)
        views.agenda(now)
        views.export_rows(now, settings)

    everything()  # the first look of all works out what every stored score is based on
    _make_prospects(5, now)
    with_five = _count_statements(db, monkeypatch, everything)
    _make_prospects(45, now)
    with_fifty = _count_statements(db, monkeypatch, everything)
    assert with_five == with_fifty


def test_models_are_bound_to_the_opened_database(db):
    assert models.database.obj is db


def test_a_server_database_keeps_its_schema_version_in_a_table(db, engine):
    if engine != "postgres":
        pytest.skip("PostgreSQL keeps the version in a table; SQLite in PRAGMA user_version")
    assert schema.get_version(db) == schema.SCHEMA_VERSION
    assert db.execute_sql("SELECT version FROM schema_version").fetchall() == [(schema.SCHEMA_VERSION,)]


class _Builds:
    """The queries whose SQL was built since this was made (store.built keeps each it builds)."""

    def __init__(self) -> None:
        self._before = dict(built_sql._built)

    def _new(self) -> list:
        return [key for key, entry in built_sql._built.items() if self._before.get(key) is not entry]

    def __eq__(self, other) -> bool:  # compared with [] as the list of builds it stands for
        return self._new() == other

    def __bool__(self) -> bool:
        return bool(self._new())

    def __len__(self) -> int:
        return len(self._new())


def _counting_sql_builds(db, monkeypatch) -> _Builds:
    return _Builds()


def test_reads_by_id_reuse_their_sql_and_still_read_the_ids_asked_for(db, now, monkeypatch):
    """A card's reads after an action build their SQL once per shape and then only swap the
    ids in: the rows must be those of the ids asked for, whichever were asked before."""
    _make_prospects(12, now)
    Prospect.update(notes="met at the fair").where(Prospect.name.in_(["P3", "P5"])).execute()
    ids = [p.id for p in Prospect.select(Prospect.id).order_by(Prospect.id)]
    expected = {p.id: p for p in queries.load_snapshot(now, Settings(), ids=ids).prospects}
    assert len(expected) == 12
    for chosen in ([ids[0]], [ids[5]], [ids[3], ids[9]], [ids[9], ids[3]], [ids[-1]]):
        snapshot = queries.load_snapshot(now, Settings(), ids=chosen)
        assert sorted(p.id for p in snapshot.prospects) == sorted(chosen)
        for prospect in snapshot.prospects:
            assert prospect == expected[prospect.id]
    built = _counting_sql_builds(db, monkeypatch)
    queries.load_snapshot(now, Settings(), ids=[ids[7]])
    assert built == []  # one id again: every query's SQL was built before
    built_sql.forget_built()
    queries.load_snapshot(now, Settings(), ids=[ids[7]])
    assert built  # the count does see a build


def test_one_prospects_fields_follow_ups_and_stage_changes_read_as_models(db, now, monkeypatch):
    """The detail pane and every card action read one prospect as peewee models, through SQL
    built once: each value converted by its field (dates as dates), whichever id comes."""
    _make_prospects(3, now)
    first, second = [p.id for p in Prospect.select(Prospect.id).order_by(Prospect.id)][:2]
    FollowUp.create(prospect=second, kind="email", due_at=now, created_at=now, notes="only the second's")
    for prospect_id in (first, second):
        prospect = queries.prospect_by_id(prospect_id)
        stored = Prospect.get_by_id(prospect_id)
        assert prospect.__data__ == stored.__data__ and isinstance(prospect.created_at, datetime)
        assert not prospect.is_dirty()  # saving it writes only what an action changes
        follow_ups = queries.follow_ups_of(prospect_id)
        assert [f.id for f in follow_ups] == [f.id for f in stored.follow_ups.order_by(FollowUp.id)]
        assert all(f.prospect_id == prospect_id and isinstance(f.due_at, datetime) for f in follow_ups)
        changes = queries.stage_changes_of(prospect_id)
        assert [c.to_stage_id for c in changes] == [Stage.get(name="Lead").id, Stage.get(name="Qualified").id]
    assert [f.notes for f in queries.follow_ups_of(second)][-1] == "only the second's"
    assert queries.prospect_by_id(10**9) is None
    built = _counting_sql_builds(db, monkeypatch)
    queries.prospect_by_id(first), queries.follow_ups_of(first), queries.stage_changes_of(first)
    assert built == []


def test_a_row_is_inserted_and_updated_through_sql_built_once(db, now, monkeypatch):
    """Each move of a card inserts a stage change and updates the prospect: the SQL is built
    once per shape, and each run writes its own values, converted as peewee converts them."""
    from pipeline_tui.store import writes

    first = _prospect("First", "Lead", now)
    second = _prospect("Second", "Lead", now)
    qualified = _stage("Qualified").id
    made = []
    for prospect, when in ((first, now), (second, now + timedelta(hours=5))):
        change = StageChange(prospect=prospect.id, from_stage=None, to_stage=qualified, changed_at=when)
        change.id = writes.insert_row(change)
        made.append(change.id)
        prospect.stage, prospect.stage_entered_at, prospect.notes = qualified, when, f"moved {prospect.name}"
        writes.update_row(prospect, ["stage", "stage_entered_at", "notes"])
    assert len(set(made)) == 2
    for change_id, prospect, when in zip(made, (first, second), (now, now + timedelta(hours=5)), strict=True):
        stored = StageChange.get_by_id(change_id)
        assert (stored.prospect_id, stored.from_stage_id, stored.to_stage_id) == (
            prospect.id,
            None,
            qualified,
        )
        assert stored.changed_at == when
        again = Prospect.get_by_id(prospect.id)
        assert (again.stage_id, again.stage_entered_at, again.notes) == (
            qualified,
            when,
            f"moved {prospect.name}",
        )
        assert again.name == prospect.name and again.created_at == now  # fields not named are kept
    third = StageChange(prospect=first.id, from_stage=qualified, to_stage=_stage("Lead").id, changed_at=now)
    built = _counting_sql_builds(db, monkeypatch)
    writes.insert_row(third)
    writes.update_row(first, ["stage", "stage_entered_at", "notes"])
    assert built == []
    writes.update_row(first, ["notes"])  # another shape: built, once
    assert len(built) == 1


def test_an_inserted_row_takes_the_defaults_its_model_gives(db, now):
    from pipeline_tui.store import writes

    prospect = Prospect(pipeline=Pipeline.get().id, stage=_stage("Lead").id, name="Defaults", created_at=now)
    prospect.updated_at = prospect.stage_entered_at = now
    prospect.id = writes.insert_row(prospect)
    stored = Prospect.get_by_id(prospect.id)
    assert (stored.urgency, stored.decision_maker, stored.version, stored.archived) == (
        "medium",
        "unknown",
        1,
        False,
    )


def test_a_snapshot_prospect_and_its_card_hold_each_stored_field_in_its_place(db, now):
    """The board's hot path builds its records field by field in order (domain.new_record):
    every field must land where its name says."""
    from pipeline_tui.services import views
    from pipeline_tui.services.prospects import add_prospect

    stored = add_prospect(
        now - timedelta(days=3),
        "Zed deal",
        fields={
            "value": "1234",
            "organization": "Org Ltd",
            "contact": "Con Tact",
            "decision_maker": "no",
            "urgency": "high",
            "probability": "40%",
            "expected_close": "2027-01-02",
            "notes": "a note to search",
            "source": "Referral",
        },
        follow_up=(now + timedelta(days=2), "meeting"),
    )
    Prospect.update(snoozed_until=now + timedelta(days=9), snooze_reason="on leave").where(
        Prospect.id == stored.id
    ).execute()
    row = Prospect.get_by_id(stored.id)
    prospect = next(
        p for p in queries.load_snapshot(now, Settings(), open_only=True).prospects if p.id == row.id
    )
    assert prospect._asdict() | {"history": None, "open_follow_ups": None} == {
        "id": row.id,
        "name": "Zed deal",
        "pipeline_id": row.pipeline_id,
        "stage_id": row.stage_id,
        "created": row.created_at,
        "stage_entered": row.stage_entered_at,
        "organization": "Org Ltd",
        "contact": "Con Tact",
        "value": 123_400,
        "expected_close": date(2027, 1, 2),
        "urgency": "high",
        "decision_maker": "no",
        "probability": 0.4,
        "closed_at": None,
        "owner": row.owner,
        "open_follow_ups": None,
        "history": None,
        "updated": now - timedelta(days=3),
        "source": "Referral",
        "lost_reason": "",
        "snoozed_until": now + timedelta(days=9),
        "snooze_reason": "on leave",
        "currency": "",  # the home one
        "amount": 123_400,  # in its own currency: here the home one's value
    }
    (follow_up,) = prospect.open_follow_ups
    assert (follow_up.prospect_id, follow_up.kind, follow_up.due) == (
        row.id,
        "meeting",
        now + timedelta(days=2),
    )
    from pipeline_tui.services.board import BoardReader

    board = BoardReader(Settings()).read(now)
    card = next(card for _, cards in board.columns for card in cards if card.id == row.id)
    assert card._asdict() == {
        "id": row.id,
        "name": "Zed deal",
        "organization": "Org Ltd",
        "contact": "Con Tact",
        "value": 123_400,
        "weighted_value": 123_400 * 0.4,
        "score": card.score,
        "decision_maker": "no",
        "stage_id": row.stage_id,
        "next_follow_up": follow_up._replace(notes=""),  # a card shows none
        "follow_up_status": "upcoming",
        "closed": "",
        "days_in_stage": 3,  # added three days ago
        "slipped": False,  # expected 2 Jan 2027
        "idle_days": 3,  # nothing happened since it was added
        "rotting": False,  # a next step is scheduled
        "currency": "",
        "amount": 123_400,
    }
    assert "a note to search" in row.__class__.get_by_id(row.id).search_text
    assert card.score == views.prospect_detail(row.id, now, Settings()).score.total
