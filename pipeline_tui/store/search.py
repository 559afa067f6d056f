"""Finding prospects by a piece of their folded text (``Prospect.search_text``, see core.search).

Looking through every text on every key grows with the pipeline. So on SQLite the texts
are indexed by their trigrams (FTS5, schema 9): a piece of three characters or more that few
prospects hold is found through the index at once. A piece that many hold (or a shorter
one, or on a server) is looked for row by row in the board's order instead, where the first
screenful is found after a few rows; its columns then count their matches up to a limit.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import NamedTuple

import peewee

from pipeline_tui.store import models

FEW = 1000  # matches the index hands over as they are; more are looked for row by row

_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS prospect_search USING fts5("
    "search_text, content='prospect', content_rowid='id', tokenize='trigram')"
)
# The index follows the prospect table through triggers, and holds every row whose text is not
# empty, as it is: a row is taken out of it by its text as indexed. A new row's text is empty
# until it is worked out, so a bulk insert (which drops these triggers while it runs,
# store.bulk) leaves nothing out.
_UPDATE = """CREATE TRIGGER IF NOT EXISTS prospect_search_update AFTER UPDATE OF search_text ON prospect BEGIN
        INSERT INTO prospect_search (prospect_search, rowid, search_text)
        SELECT 'delete', OLD.id, OLD.search_text WHERE OLD.search_text <> '';
        INSERT INTO prospect_search (rowid, search_text)
        SELECT NEW.id, NEW.search_text WHERE NEW.search_text <> ''; END"""
_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS prospect_search_insert AFTER INSERT ON prospect
        WHEN NEW.search_text <> '' BEGIN
        INSERT INTO prospect_search (rowid, search_text) VALUES (NEW.id, NEW.search_text); END""",
    """CREATE TRIGGER IF NOT EXISTS prospect_search_delete AFTER DELETE ON prospect
        WHEN OLD.search_text <> '' BEGIN
        INSERT INTO prospect_search (prospect_search, rowid, search_text)
        VALUES ('delete', OLD.id, OLD.search_text); END""",
    _UPDATE,
)


class Match(NamedTuple):
    """How to pick a search's prospects: ``indexed``, those the index found (few: they wait in
    a table of this connection's, ``search_hit``, till the next search), or those whose text
    is LIKE the pattern ``text``, looked for row by row."""

    indexed: bool
    text: str

    def condition(self, value: peewee.Node | str) -> peewee.Node:
        """The WHERE term for a query, ``value`` standing for ``text`` (unused when indexed)."""
        if self.indexed:
            return models.Prospect.id.in_(peewee.SQL("(SELECT id FROM temp.search_hit)"))
        like = (models.Prospect.search_text, peewee.SQL("LIKE"), value, peewee.SQL("ESCAPE '\\'"))
        return peewee.NodeList(like)


def has_index(db: peewee.Database) -> bool:
    """Whether this database can hold the trigram index (SQLite built with FTS5)."""
    if not isinstance(db, peewee.SqliteDatabase):
        return False
    return bool(db.execute_sql("SELECT sqlite_compileoption_used('ENABLE_FTS5')").fetchone()[0])


def install(db: peewee.Database) -> None:
    """Create the index and its triggers, where the database can (in the caller's transaction):
    every text is empty then (schema 9 adds them so), and none is in the index."""
    if has_index(db):
        db.execute_sql(_FTS)
        for statement in _TRIGGERS:
            db.execute_sql(statement)


def rebuild(db: peewee.Database) -> None:
    """Index every prospect's text afresh: the ones not empty (an empty one is not worked out yet)."""
    if has_index(db):
        db.execute_sql("INSERT INTO prospect_search (prospect_search) VALUES ('delete-all')")
        # in id order: the board's index holds the texts too, and read through it (in board
        # order) FTS5 took 43 s for 100,000 texts instead of 0.9 s
        db.execute_sql(
            "INSERT INTO prospect_search (rowid, search_text)"
            " SELECT id, search_text FROM prospect WHERE search_text <> '' ORDER BY id"
        )
        for statement in _TRIGGERS:  # (those an out-of-date index went without)
            db.execute_sql(statement)
        db.execute_sql(f"DELETE FROM setting WHERE key = {db.param}", (_OUT_OF_DATE,))


_OUT_OF_DATE = "search_index_out_of_date"


def set_out_of_date(db: peewee.Database) -> None:
    """Leave the index to be made again later (in the caller's transaction): an import of
    100,000 rows spent 4 s of its time indexing them. Searches look row by row meanwhile."""
    if has_index(db):
        for name in ("prospect_search_insert", "prospect_search_delete", "prospect_search_update"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")  # nothing taken out of what is not in
        models.Setting.insert(key=_OUT_OF_DATE, value="yes").on_conflict_replace().execute()


def is_out_of_date() -> bool:
    # asked on every letter of a search: SQL as it is, rather than built by peewee each time
    db = models.database.obj
    found = db.execute_sql(f"SELECT 1 FROM setting WHERE key = {db.param} LIMIT 1", (_OUT_OF_DATE,))
    return found.fetchone() is not None


def catch_up() -> bool:
    """Make the index again if an import left it out of date (its own write transaction, a
    few seconds at 100,000 prospects: for a worker thread after the board is shown). Whether
    it did."""
    from pipeline_tui.store.db import run_write

    def made_again() -> bool:
        if not is_out_of_date():  # another program did it meanwhile
            return False
        rebuild(models.database.obj)
        return True

    return is_out_of_date() and run_write(made_again, counted=False)


@contextmanager
def unindexed(db: peewee.Database):
    """Texts written meanwhile (in the caller's transaction) are indexed all at once after:
    for many of them, quicker than one by one (docs/performance.md)."""
    if not has_index(db):
        yield
        return
    db.execute_sql("DROP TRIGGER IF EXISTS prospect_search_update")
    yield
    rebuild(db)


def find(folded: str) -> Match:
    """How to find the prospects whose text holds ``folded`` (already folded, not empty)."""
    db = models.database.obj
    pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if len(folded) < 3 or not has_index(db) or is_out_of_date():
        return Match(False, pattern)
    phrase = '"' + folded.replace('"', '""') + '"'  # the whole piece, as it is
    hits = db.execute_sql(
        "SELECT rowid FROM prospect_search WHERE prospect_search MATCH ? LIMIT ?", (phrase, FEW + 1)
    ).fetchall()
    if len(hits) > FEW:
        return Match(False, pattern)
    db.execute_sql("CREATE TEMP TABLE IF NOT EXISTS search_hit (id INTEGER PRIMARY KEY)")
    db.execute_sql("DELETE FROM temp.search_hit")
    db.connection().executemany("INSERT INTO temp.search_hit (id) VALUES (?)", hits)
    return Match(True, phrase)
