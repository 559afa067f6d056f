"""Each prospect's activity summary, kept on its row by the database itself (schema 5).

The rules read four facts of a prospect's follow-ups: the last one done, the last contact
(call, email, reminder) done, the last appointment done, and whether it ever had a demo or a
trial. Summed up from the follow-ups at every read, they cost the board 55 ms of SQL at 10,000
open prospects, more than reading the prospects themselves; kept on the prospect, they come
with its row. Triggers keep them, so that no write path (a service, an undo, an import, a hand
edit in a database tool) can leave them stale; :func:`refresh_all` sums them up again for
every prospect (an upgrade).
"""

from __future__ import annotations

import peewee

from pipeline_tui.core.kinds import CONTACT_KINDS, DEMO_KINDS

COLUMNS = ("last_activity_at", "last_contact_at", "last_appointment_at", "demo_or_trial")


def _kinds(kinds) -> str:
    return ", ".join(f"'{kind}'" for kind in sorted(kinds))  # our own constant words, never input


def _summary(prospect: str, sqlite: bool) -> str:
    """The four facts of one prospect's follow-ups, as one row (``prospect``: an SQL expression
    for its id)."""
    ever = (
        f"COALESCE(MAX(kind IN ({_kinds(DEMO_KINDS)})), 0)"
        if sqlite
        else f"COALESCE(BOOL_OR(kind IN ({_kinds(DEMO_KINDS)})), FALSE)"
    )
    return (
        "SELECT MAX(done_at),"
        f" MAX(CASE WHEN kind IN ({_kinds(CONTACT_KINDS)}) THEN done_at END),"
        " MAX(CASE WHEN kind = 'appointment' THEN done_at END),"
        f" {ever}"
        f" FROM follow_up WHERE prospect_id = {prospect}"
    )


def _set(prospect: str, sqlite: bool, where: str = "") -> str:
    """An UPDATE of one prospect's summary (``where``: a condition more on it)."""
    summary = _summary(prospect, sqlite)
    return f"UPDATE prospect SET ({', '.join(COLUMNS)}) = ({summary}) WHERE id = {prospect}{where}"


# What can change the summary: a follow-up done or a demo or trial added, any follow-up's
# done time, kind or prospect changed, any follow-up deleted (snoozing one changes nothing).
_SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER IF NOT EXISTS follow_up_activity_insert AFTER INSERT ON follow_up
    WHEN NEW.done_at IS NOT NULL OR NEW.kind IN ({_kinds(DEMO_KINDS)})
    BEGIN {_set("NEW.prospect_id", True)}; END""",
    f"""CREATE TRIGGER IF NOT EXISTS follow_up_activity_update
    AFTER UPDATE OF done_at, kind, prospect_id ON follow_up
    BEGIN
        {_set("OLD.prospect_id", True)};
        {_set("NEW.prospect_id", True, " AND NEW.prospect_id <> OLD.prospect_id")};
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS follow_up_activity_delete AFTER DELETE ON follow_up
    BEGIN {_set("OLD.prospect_id", True)}; END""",
)

# PostgreSQL runs writers side by side: the prospect's row is locked first, and the summary
# read in a statement of its own after the lock, so that it sees a follow-up another writer
# committed meanwhile (under READ COMMITTED each statement of a function reads afresh). NO KEY
# UPDATE: the lock an UPDATE of the row takes, which goes with the KEY SHARE lock a new
# follow-up's foreign key check holds (FOR UPDATE made two writers deadlock).
_POSTGRES_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION prospect_activity(pid INTEGER) RETURNS VOID AS $$
    BEGIN
        PERFORM 1 FROM prospect WHERE id = pid FOR NO KEY UPDATE;
        {_set("pid", False)};
    END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION follow_up_activity() RETURNS TRIGGER AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN PERFORM prospect_activity(OLD.prospect_id); END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.prospect_id <> OLD.prospect_id) THEN
            PERFORM prospect_activity(NEW.prospect_id);
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS follow_up_activity_insert ON follow_up",
    f"""CREATE TRIGGER follow_up_activity_insert AFTER INSERT ON follow_up FOR EACH ROW
    WHEN (NEW.done_at IS NOT NULL OR NEW.kind IN ({_kinds(DEMO_KINDS)}))
    EXECUTE PROCEDURE follow_up_activity()""",
    "DROP TRIGGER IF EXISTS follow_up_activity_change ON follow_up",
    """CREATE TRIGGER follow_up_activity_change
    AFTER UPDATE OF done_at, kind, prospect_id OR DELETE ON follow_up FOR EACH ROW
    EXECUTE PROCEDURE follow_up_activity()""",
)


def install(db: peewee.Database) -> None:
    """Create the triggers that keep the summary (in the caller's transaction)."""
    for statement in _SQLITE_TRIGGERS if isinstance(db, peewee.SqliteDatabase) else _POSTGRES_TRIGGERS:
        db.execute_sql(statement)


def refresh_all(db: peewee.Database) -> None:
    """Sum up again the follow-ups of every prospect that has any, in one statement."""
    summary = _summary("prospect.id", isinstance(db, peewee.SqliteDatabase))
    db.execute_sql(
        f"UPDATE prospect SET ({', '.join(COLUMNS)}) = ({summary})"
        " WHERE id IN (SELECT prospect_id FROM follow_up)"
    )
