"""Living through a database server's outage (team mode).

A server can stop, restart or drop off the network while the app is open. peewee keeps the
dead connection, and every later statement fails with "the connection is closed", for good.
Here a statement that finds the connection gone raises :class:`ServerLost` (a message for
the user), and the database is marked down: every statement after fails at once, instead of
waiting on the network, until :func:`reconnect` opens a new connection. Whether the server
answers again can be asked from any thread (:func:`server_answers`), so that a screen keeps
answering keys while it waits.
"""

from __future__ import annotations

from contextlib import contextmanager

import peewee

from pipeline_tui.errors import ServerLost
from pipeline_tui.store import models
from pipeline_tui.store.locations import first_line, shown

# libpq settings, unless the URL gives its own: a server that does not answer (a laptop whose
# network went) is given up on after seconds, not the minutes TCP waits by default
PATIENCE = {"connect_timeout": 5}
PATIENCE_LIBPQ_12 = {"tcp_user_timeout": 15_000}  # ms a sent query may go unacknowledged


class ServerLink:
    """Mixed into peewee's server database classes (see :func:`surviving`)."""

    lost: str | None = None  # while the server is gone, what was said when it went
    location = ""  # the URL it was opened with: its passwords are masked in every message

    def execute_sql(self, sql, params=None, **options):
        with self._watching():
            return super().execute_sql(sql, params, **options)

    def begin(self, *args, **kwargs):
        with self._watching():
            return super().begin(*args, **kwargs)

    def commit(self):
        with self._watching():
            return super().commit()

    def rollback(self):
        with self._watching():
            return super().rollback()

    @contextmanager
    def _watching(self):
        if self.lost is not None:
            raise ServerLost(self.lost)
        try:
            yield
        except ServerLost:
            raise
        except Exception as exc:
            if not self.connection_gone():
                raise
            reason = first_line(exc, self.location)
            self.lost = f"lost the database server at {shown(self.location)} ({reason})"
            raise ServerLost(self.lost) from exc

    def connection_gone(self) -> bool:
        """This thread's connection is dead, or could not be made."""
        conn = self._state.conn
        return conn is None or bool(getattr(conn, "broken", False)) or bool(conn.closed)

    def reconnect(self) -> bool:
        """Drop this thread's dead connection and open a new one; True when the server took it."""
        if self.in_transaction():
            return False
        try:
            self.close()
        except peewee.DatabaseError:  # closing what the server already dropped
            self._state.reset()
        try:
            self.connect()
        except peewee.DatabaseError:
            return False
        self.lost = None
        return True

    def server_answers(self) -> bool:
        """Whether the server takes a new connection now. Safe from any thread: the test
        connection is its own, closed again at once."""
        from playhouse.pool import PooledDatabase

        try:
            if isinstance(self, PooledDatabase):  # past the pool, which would count it in use
                connection = super(PooledDatabase, self)._connect()
            else:
                connection = self._connect()
        except Exception:  # noqa: BLE001 - refused, timed out, unknown host: not yet
            return False
        connection.close()
        return True


_classes: dict[type, type] = {}


def surviving(database_class: type[peewee.Database]) -> type[peewee.Database]:
    """The class to open a server with: ``database_class`` that survives an outage."""
    if not issubclass(database_class, peewee.PostgresqlDatabase):
        return database_class
    if database_class not in _classes:
        name = f"Surviving{database_class.__name__}"
        _classes[database_class] = type(name, (ServerLink, database_class), {})
    return _classes[database_class]


def patience() -> dict[str, int]:
    """How long to wait for a server that does not answer (libpq's settings)."""
    try:
        from psycopg import pq
    except ImportError:
        return dict(PATIENCE)
    return PATIENCE | PATIENCE_LIBPQ_12 if pq.version() >= 120000 else dict(PATIENCE)


def _link() -> ServerLink | None:
    db = models.database.obj
    return db if isinstance(db, ServerLink) else None


def is_down() -> bool:
    """The server was lost and no new connection has been made since."""
    link = _link()
    return link is not None and link.lost is not None


def server_answers() -> bool:
    link = _link()
    return link is None or link.server_answers()


def reconnect() -> bool:
    """A new connection for this thread, if the server takes it (True for a database file)."""
    link = _link()
    return link is None or link.reconnect()
