"""Schema versions: create a new database, upgrade an older one in place, refuse a newer one.

The version lives in ``PRAGMA user_version`` on SQLite and in a one-row table on servers.
Before an upgrade of a SQLite file, a backup is written next to it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import contextmanager

import peewee

from pipeline_tui.errors import UserError
from pipeline_tui.store import activity, board, currency, freshness, models, search, stored_advice, totals
from pipeline_tui.store.schema_version import SCHEMA_VERSION


def _to_2(db: peewee.Database) -> None:
    """Schema 2 (team mode): an owner per prospect and per quota, and a version per prospect
    so that two people editing one prospect are told instead of silently merged.

    Plain ``ADD COLUMN ... NOT NULL DEFAULT``, which both engines do in place; playhouse's
    migrator would rebuild the SQLite table to add NOT NULL, a copy we do not need.
    """
    for table, column, kind, default in (
        ("prospect", "owner", "VARCHAR(255)", "''"),
        ("prospect", "version", "INTEGER", "1"),
        ("quota", "owner", "VARCHAR(255)", "''"),
    ):
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind} NOT NULL DEFAULT {default}')
    # the open prospects' index now also holds the value (schema 2 ranks budgets with it)
    db.execute_sql('DROP INDEX IF EXISTS "prospect_archived_stage_id_pipeline_id_reached_stage_id_ever_won"')
    for index in models.Prospect._meta.fields_to_index():  # as a new database gets them
        # not those of later columns: SQLite would index a quoted name it does not know as text
        if not any(field is models.Prospect.org for field in index._expressions):
            db.execute(index)


def _to_3(db: peewee.Database) -> None:
    """Schema 3: a follow-up's index also holds its kind, so the board reads each prospect's
    activity from the index alone (62 -> 45 ms for 10,000 open prospects with 566,000
    follow-ups). Only an index changes: no row is touched."""
    db.execute_sql('DROP INDEX IF EXISTS "follow_up_prospect_id_done_at"')
    for index in models.FollowUp._meta.fields_to_index():  # as a new database gets them
        db.execute(index)


def _to_4(db: peewee.Database) -> None:
    """Schema 4: an index of the open follow-ups by prospect, which holds all the board reads
    of them (see :func:`pipeline_tui.store.models.extra_indexes`). Only an index is added."""
    for statement in models.extra_indexes(db):
        db.execute(statement)


def _to_5(db: peewee.Database) -> None:
    """Schema 5: each prospect's activity summary on its row, kept by triggers (see
    :mod:`pipeline_tui.store.activity`), summed up here once from the follow-ups."""
    sqlite = isinstance(db, peewee.SqliteDatabase)
    moment, flag = ("DATETIME", "INTEGER") if sqlite else ("TIMESTAMP", "BOOLEAN")
    for column in activity.COLUMNS[:-1]:  # the three times
        db.execute_sql(f'ALTER TABLE "prospect" ADD COLUMN "{column}" {moment}')
    db.execute_sql(f'ALTER TABLE "prospect" ADD COLUMN "demo_or_trial" {flag} NOT NULL DEFAULT FALSE')
    activity.install(db)
    activity.refresh_all(db)


def _to_6(db: peewee.Database) -> None:
    """Schema 6: people and organizations as records, and the stage names history keeps.

    Each prospect's contact becomes a contact record (the decision maker where its flag said
    yes, role "other" where it said no: someone who cannot decide), and its organization name
    a record shared with every prospect whose name differs from it only in case, accents or
    spacing. The prospect's own columns stay, as the summary one-row views read."""
    sqlite = isinstance(db, peewee.SqliteDatabase)
    key = "INTEGER NOT NULL PRIMARY KEY" if sqlite else "SERIAL NOT NULL PRIMARY KEY"
    text = "VARCHAR(255) NOT NULL"
    db.execute_sql(f'CREATE TABLE "organization" ("id" {key}, "name" {text}, "key" {text})')
    db.execute_sql('CREATE UNIQUE INDEX "organization_key" ON "organization" ("key")')
    db.execute_sql(
        f'CREATE TABLE "contact" ("id" {key}, "prospect_id" INTEGER NOT NULL, "name" {text},'
        f' "title" {text}, "email" {text}, "phone" {text}, "role" VARCHAR(255), "position" INTEGER NOT NULL,'
        ' FOREIGN KEY ("prospect_id") REFERENCES "prospect" ("id") ON DELETE CASCADE)'
    )
    db.execute_sql('CREATE INDEX "contact_prospect_id" ON "contact" ("prospect_id")')
    db.execute_sql(
        'ALTER TABLE "prospect" ADD COLUMN "organization_id" INTEGER'
        ' REFERENCES "organization" ("id") ON DELETE SET NULL'
    )
    db.execute_sql('CREATE INDEX "prospect_organization_id" ON "prospect" ("organization_id")')
    for column in ("from_name", "to_name"):
        db.execute_sql(f'ALTER TABLE "stage_change" ADD COLUMN "{column}" VARCHAR(255)')
    from pipeline_tui.store.people import records_from_rows

    records_from_rows()


def _to_7(db: peewee.Database) -> None:
    """Schema 7 (follow-ups that run themselves): cadences running on prospects; on each
    follow-up its cadence step, its repeat rule, and the due time a reminder was sent for.
    Nullable columns, added in place on both engines; no row is touched."""
    db.create_tables([models.CadenceRun])  # with its index, as a new database gets it
    moment = "DATETIME" if isinstance(db, peewee.SqliteDatabase) else "TIMESTAMP"
    for column, kind in (
        ("cadence_run_id", 'INTEGER REFERENCES "cadence_run" ("id") ON DELETE SET NULL'),
        ("cadence_step", "INTEGER"),
        ("repeat", "TEXT"),
        ("announced_due", moment),
    ):
        db.execute_sql(f'ALTER TABLE "follow_up" ADD COLUMN "{column}" {kind}')


def _to_8(db: peewee.Database) -> None:
    """Schema 8 (honest figures): a snooze with a reason on each prospect; on each stage change,
    how long the prospect had been in the stage it left (worked out here for the old ones, from
    the change before it); indexes for the report's time in stage and week of activity."""
    sqlite = isinstance(db, peewee.SqliteDatabase)
    db.execute_sql(
        f'ALTER TABLE "prospect" ADD COLUMN "snoozed_until" {"DATETIME" if sqlite else "TIMESTAMP"}'
    )
    db.execute_sql('ALTER TABLE "prospect" ADD COLUMN "snooze_reason" VARCHAR(255) NOT NULL DEFAULT \'\'')
    db.execute_sql(
        f'ALTER TABLE "stage_change" ADD COLUMN "seconds_in_stage" {"INTEGER" if sqlite else "BIGINT"}'
    )
    if sqlite:
        seconds = (
            "CAST(ROUND((julianday(changed_at) - julianday(LAG(changed_at) OVER w)) * 86400) AS INTEGER)"
        )
    else:
        seconds = "CAST(EXTRACT(EPOCH FROM changed_at - LAG(changed_at) OVER w) AS BIGINT)"
    db.execute_sql(
        f'UPDATE "stage_change" SET "seconds_in_stage" = stay.seconds FROM (SELECT id, {seconds} AS seconds'
        ' FROM "stage_change" WINDOW w AS (PARTITION BY prospect_id ORDER BY changed_at, id)) AS stay'
        ' WHERE "stage_change".id = stay.id AND "stage_change".from_stage_id IS NOT NULL'
    )
    for index in models.StageChange._meta.fields_to_index():  # as a new database gets them
        db.execute(index)
    for statement in models.extra_indexes(db):
        db.execute(statement)


def _to_9(db: peewee.Database) -> None:
    """Schema 9: the board reads a column a window at a time in the order it shows, through an
    index of the stored score (see :mod:`pipeline_tui.services.scores`); each stage's count
    and value are kept by triggers (:mod:`pipeline_tui.store.totals`); the text a prospect is
    found by is kept folded, and on SQLite indexed by trigrams (:mod:`pipeline_tui.store.search`).
    Every prospect's score and text are worked out by the first program that reads them."""
    moment = "DATETIME" if isinstance(db, peewee.SqliteDatabase) else "TIMESTAMP"
    db.execute_sql('ALTER TABLE "prospect" ADD COLUMN "score" INTEGER')
    db.execute_sql('ALTER TABLE "prospect" ADD COLUMN "search_text" TEXT NOT NULL DEFAULT \'\'')
    db.execute_sql(f'ALTER TABLE "prospect" ADD COLUMN "fresh_until" {moment}')
    db.create_tables([models.StageTotal])
    _install_board(db, advice=False)
    totals.rebuild(db)
    if isinstance(db, peewee.SqliteDatabase):
        db.execute_sql("ANALYZE")  # the planner's statistics, new index included


def _install_board(db: peewee.Database, *, advice: bool = True) -> None:
    """What the board reads through (schema 9), made afresh or added to an older database."""
    board.install(db)
    freshness.install(db, advice=advice)
    totals.install(db)
    search.install(db)


def _to_10(db: peewee.Database) -> None:
    """Schema 10: each prospect's currency (ISO 4217). Those that were there before have none
    named (""): the home currency, which is what their values were entered in."""
    db.execute_sql('ALTER TABLE "prospect" ADD COLUMN "currency" VARCHAR(3) NOT NULL DEFAULT \'\'')
    currency.install(db)


def _to_11(db: peewee.Database) -> None:
    """Schema 11: each open prospect's advice kept beside its score (see
    :mod:`pipeline_tui.store.stored_advice`), so the freshness triggers also watch what the
    advice reads. Nothing is worked out here: every row starts not fresh, and the next
    program that looks (the board) works them out."""
    stored_advice.install(db)
    freshness.install(db)
    db.execute_sql('UPDATE "prospect" SET "fresh_until" = NULL')


# version reached -> the step from the version before it; each runs in one transaction.
MIGRATIONS: dict[int, Callable[[peewee.Database], None]] = {
    2: _to_2,
    3: _to_3,
    4: _to_4,
    5: _to_5,
    6: _to_6,
    7: _to_7,
    8: _to_8,
    9: _to_9,
    10: _to_10,
    11: _to_11,
}


def get_version(db: peewee.Database) -> int:
    if isinstance(db, peewee.SqliteDatabase):
        return db.execute_sql("PRAGMA user_version").fetchone()[0]
    if "schema_version" not in db.get_tables():
        return 0
    row = db.execute_sql("SELECT version FROM schema_version").fetchone()
    return row[0] if row else 0


def set_version(db: peewee.Database, version: int) -> None:
    if isinstance(db, peewee.SqliteDatabase):
        db.execute_sql(f"PRAGMA user_version = {int(version)}")
        return
    db.execute_sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    db.execute_sql("DELETE FROM schema_version")
    db.execute_sql("INSERT INTO schema_version (version) VALUES (%s)", (version,))


def refuse_newer(version: int, shown: str) -> None:
    if version > SCHEMA_VERSION:
        raise UserError(
            f"{shown} was written by a newer pipeline-tui (schema {version}, this one knows "
            f"{SCHEMA_VERSION}): upgrade pipeline-tui"
        )


def ensure_schema(db: peewee.Database, shown: str) -> None:
    version = get_version(db)
    if version == SCHEMA_VERSION:
        return
    refuse_newer(version, shown)
    if version == 0:
        tables = set(db.get_tables())
        if tables:
            raise UserError(f"{shown} is a database of some other program, not pipeline-tui")
        create_schema(db)
        return
    with _upgrade_lock(db):
        version = get_version(db)  # another process may have upgraded it while we waited
        if version < SCHEMA_VERSION:
            upgrade(db, shown, version)


@contextmanager
def _upgrade_lock(db: peewee.Database):
    """One upgrade at a time: a lock file beside a SQLite database (servers lock for us), gone
    again afterwards. A process that waited on a file the holder removed locks the new one."""
    if not isinstance(db, peewee.SqliteDatabase):
        yield
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: upgrades are rare, go ahead
        yield
        return
    lock_path = f"{db.database}.upgrade-lock"
    while True:
        descriptor = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:  # the file we locked is still the lock: not one its holder removed as we waited
            if os.fstat(descriptor).st_ino == os.stat(lock_path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(descriptor)
    try:
        yield
    finally:
        try:
            os.unlink(lock_path)  # no file left beside the database; removed while still locked
        except OSError:
            pass
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


def create_schema(db: peewee.Database) -> None:
    """Tables, indexes, the default ``Sales`` pipeline and the counters, in one transaction."""
    with db.atomic():
        db.create_tables(models.ALL_MODELS)
        for statement in models.extra_indexes(db):
            db.execute(statement)
        activity.install(db)
        _install_board(db)
        currency.install(db)
        stored_advice.install(db)
        seed_defaults()
        set_version(db, SCHEMA_VERSION)


def seed_defaults() -> None:
    pipeline = models.Pipeline.create(name="Sales", position=0)
    from pipeline_tui.core.domain import DEFAULT_STAGES  # only a new database needs it

    create_stages(pipeline, DEFAULT_STAGES)
    models.Revision.create(counter=0)


def create_stages(pipeline: models.Pipeline, stages) -> None:
    models.Stage.insert_many(
        [
            {
                "pipeline": pipeline.id,
                "name": name,
                "position": position,
                "probability": probability,
                "kind": kind,
                "role": role,
            }
            for position, (name, probability, kind, role) in enumerate(stages)
        ]
    ).execute()


def upgrade(db: peewee.Database, shown: str, version: int) -> None:
    """Apply each migration after ``version`` in turn, with a backup of a SQLite file first."""
    if isinstance(db, peewee.SqliteDatabase):
        from pipeline_tui.store.backup import backup_before_upgrade

        backup_before_upgrade(db, version)
    sqlite = isinstance(db, peewee.SqliteDatabase)
    if sqlite:
        # A step that rebuilds a table (drop, re-create) must not cascade-delete the rows that
        # point at it; the keys are checked at the end of each step instead.
        db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        for target in range(version + 1, SCHEMA_VERSION + 1):
            step = MIGRATIONS.get(target)
            if step is None:
                raise UserError(f"{shown}: no upgrade known from schema {target - 1} to {target}")
            with db.atomic():
                step(db)
                if sqlite and db.execute_sql("PRAGMA foreign_key_check").fetchone() is not None:
                    raise UserError(f"{shown}: the upgrade to schema {target} broke a link between rows")
                set_version(db, target)
    finally:
        if sqlite:
            db.execute_sql("PRAGMA foreign_keys = ON")


def recompute_reach() -> int:
    """Derive each prospect's furthest open stage and ever-won flag from its stage changes;
    returns how many prospects changed.

    The services keep both up to date on every move; this rebuilds them after a bulk change
    made without the services (an upgrade, stages reordered, rows written by hand).
    """
    from pipeline_tui.store.models import Prospect

    changes = reach_changes()
    for pid, (reached, ever_won) in changes.items():
        Prospect.update(reached_stage=reached, ever_won=ever_won).where(Prospect.id == pid).execute()
    return len(changes)


def reach_changes() -> dict[int, tuple[int | None, bool]]:
    """The prospects whose furthest open stage or ever-won flag is not what their stage
    changes say: id -> (furthest open stage id, ever won)."""
    from collections import defaultdict

    from pipeline_tui.store.models import Prospect, Stage, StageChange

    stages = {s.id: (s.position, s.kind) for s in Stage.select()}
    furthest: dict[int, tuple[int, int]] = {}
    won: set[int] = set()
    entered = defaultdict(list)
    for pid, to_stage in StageChange.select(StageChange.prospect, StageChange.to_stage).tuples():
        entered[pid].append(to_stage)
    kept = {}
    for pid, current, reached, ever in Prospect.select(
        Prospect.id, Prospect.stage, Prospect.reached_stage, Prospect.ever_won
    ).tuples():
        entered[pid].append(current)
        kept[pid] = (reached, bool(ever))
    for pid, stage_ids in entered.items():
        for stage_id in stage_ids:
            position, kind = stages.get(stage_id, (None, None))
            if kind == "open" and (pid not in furthest or position > furthest[pid][0]):
                furthest[pid] = (position, stage_id)
            elif kind == "won":
                won.add(pid)
    changes = {}
    for pid in entered:
        wanted = (furthest.get(pid, (None, None))[1], pid in won)
        if kept.get(pid) != wanted:
            changes[pid] = wanted
    return changes
