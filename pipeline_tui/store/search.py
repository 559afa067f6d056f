"""Finding prospects by a piece of their folded text (``Prospect.search_text``, see core.search).

Looking through every text on every key grows with the pipeline. So on SQLite the texts
are indexed by their trigrams (FTS5, schema 9): a piece of three characters or more is found
through the index at once. When few prospects hold it (KEEP), they are read, texts and all,
and kept: a letter typed after narrows them in memory. A piece that many hold (or a shorter
one) is looked for row by row in the board's order instead, where the first screenful is
found after a few rows; its columns then count their matches up to a limit. On a server,
one look through the texts stands for the index.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import NamedTuple

import peewee

from pipeline_tui.store import models

# a search's matches kept in memory, at most: reading them costs the letter that finds them
# about a frame's time at this many (docs/performance.md)
KEEP = 4000

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


class Hit(NamedTuple):
    """A prospect a search found, with what the board needs to place it and to narrow the
    search further without the database: its folded text."""

    id: int
    pipeline_id: int
    stage_id: int
    archived: bool
    owner: str
    score: int | None
    value: int  # value_cents, 0 if none: as the board orders its cards
    text: str


_HITS = (
    "SELECT id, pipeline_id, stage_id, archived, owner, score, COALESCE(value_cents, 0), search_text"
    " FROM prospect WHERE id IN ({})"
    # the board's order (store.board), no score last on either engine
    " ORDER BY score IS NULL, score DESC, COALESCE(value_cents, 0) DESC, id"
)


def uses_index() -> bool:
    """Whether searches go through the trigram index now (it is there and up to date)."""
    return has_index(models.database.obj) and not is_out_of_date()


def pattern(folded: str) -> str:
    """The LIKE pattern of the texts that hold ``folded``, its own % and _ taken as they are."""
    return "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def holds(value: peewee.Node | str) -> peewee.Node:
    """The WHERE term of the prospects whose text is LIKE the pattern ``value`` stands for."""
    return peewee.NodeList(
        (models.Prospect.search_text, peewee.SQL("LIKE"), value, peewee.SQL("ESCAPE '\\'"))
    )


def found_ids(folded: str) -> list[int] | None:
    """The ids of every prospect whose text holds ``folded`` (already folded, not empty), if
    at most KEEP do; None if more do, or the piece is too short to look for at once."""
    if len(folded) < 3:  # (the index's trigrams need three; and a short piece is in most texts)
        return None
    db = models.database.obj
    if uses_index():
        phrase = '"' + folded.replace('"', '""') + '"'  # the whole piece, as it is
        sql = "SELECT rowid FROM prospect_search WHERE prospect_search MATCH {0} LIMIT {0}"
        found = db.execute_sql(sql.format(db.param), (phrase, KEEP + 1))
    else:  # a server, or an index left out of date: one look through the texts
        sql = "SELECT id FROM prospect WHERE search_text LIKE {0} ESCAPE '\\' LIMIT {0}"
        found = db.execute_sql(sql.format(db.param), (pattern(folded), KEEP + 1))
    ids = [row[0] for row in found]
    return ids if len(ids) <= KEEP else None


def hits(folded: str) -> list[Hit] | None:
    """Every prospect whose text holds ``folded``, in the board's order, if at most KEEP do
    (see :func:`found_ids`)."""
    ids = found_ids(folded)
    if not ids:
        return None if ids is None else []
    db = models.database.obj
    return list(map(Hit._make, db.execute_sql(_HITS.format(", ".join([db.param] * len(ids))), ids)))


def narrowed(kept: list[Hit], folded: str) -> list[Hit]:
    """The hits of a search that holds the one ``kept`` found: a subset of them, in the same
    order, looked for in their texts as LIKE would (both sides folded), with no query."""
    return [hit for hit in kept if folded in hit.text]
