"""Team mode through a server outage: the server is stopped and started (or our connection cut)
under the store, the command line and the app, on a throwaway server of this module's own."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest

from pipeline_tui.errors import ServerLost
from tests.conftest import NOW
from tests.throwaway_server import own_server  # noqa: F401 - a fixture

psycopg = pytest.importorskip("psycopg")

SECRET = "Zq8/Wx7Pk"  # a password in the URL (the server trusts loopback): it must never show
ENCODED = SECRET.replace("/", "%2F")


@pytest.fixture
def server_db(own_server):  # noqa: F811
    """A new database on the throwaway server, opened; its URL carries a password."""
    from pipeline_tui.services.base import clear_undo, set_user
    from pipeline_tui.store import models
    from pipeline_tui.store.db import open_database

    name = f"lost_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(own_server.url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = own_server.url(name).replace("postgres@", f"postgres:{ENCODED}@")
    database = open_database(url)
    clear_undo()
    set_user("")
    yield url
    if not models.database.obj.is_closed():
        models.database.obj.close()
    database.close()


def cut_our_connection(url: str) -> None:
    """What a server restart does to a connection (the server ends it), without the restart."""
    from pipeline_tui.store import models

    ours = models.database.obj.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", (ours,))


def names() -> list[str]:
    from pipeline_tui.store.models import Prospect

    return sorted(p.name for p in Prospect.select(Prospect.name))


def rows(model) -> int:
    return model.select().count()


def test_a_stopped_server_is_said_reads_and_writes_are_refused_and_it_is_found_again(own_server, server_db):  # noqa: F811
    from pipeline_tui.services import base
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.services.views import agenda
    from pipeline_tui.store import link
    from pipeline_tui.store.db import poll_revision

    add_prospect(NOW, "Before the outage", follow_up=(NOW, "call"))
    counter = poll_revision()
    own_server.stop()
    try:
        assert poll_revision() is None and link.is_down()
        with pytest.raises(ServerLost, match="lost the database server"):
            agenda(NOW)  # at once: the store knows the server is gone
        with pytest.raises(ServerLost, match="nothing was saved") as refused:
            add_prospect(NOW, "During the outage")
        with pytest.raises(ServerLost, match="nothing was saved"):
            base.undo_last()
        assert base.can_undo()  # the undo that could not be written can be, later
        assert not link.server_answers() and not link.reconnect()
        message = str(refused.value)
        assert SECRET not in message and ENCODED not in message and "postgres:***@" in message
    finally:
        own_server.start()
    assert link.server_answers() and link.reconnect() and not link.is_down()
    assert poll_revision() == counter  # nothing of the refused action was written
    assert names() == ["Before the outage"]
    assert base.undo_last() == "added Before the outage"
    assert names() == []


def test_an_action_after_the_server_dropped_the_connection_is_written_on_a_new_one(server_db):
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.store import link

    add_prospect(NOW, "First")
    cut_our_connection(server_db)  # a restart the app has not noticed yet
    add_prospect(NOW, "Second", follow_up=(NOW, "call"))
    assert names() == ["First", "Second"] and not link.is_down()


@pytest.mark.parametrize("scheme", ["postgresql+pool", "psycopg3"])
def test_the_other_server_schemes_make_a_dropped_connection_again_too(server_db, scheme):
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.store import link
    from pipeline_tui.store.db import open_database

    pool = "?max_connections=2" if scheme.endswith("+pool") else ""
    open_database(server_db.replace("postgresql", scheme, 1) + pool)
    add_prospect(NOW, "First")
    cut_our_connection(server_db)
    assert all(link.server_answers() for _ in range(4))  # asking takes nothing from a pool of 2
    add_prospect(NOW, "Second")
    assert names() == ["First", "Second"] and not link.is_down()


@pytest.mark.parametrize("cuts", [1, 2], ids=["cut-once-written-once", "cut-twice-refused"])
def test_an_action_cut_halfway_is_written_whole_or_not_at_all(server_db, monkeypatch, cuts):
    """add_prospect writes a prospect, its stage change and its follow-up in one transaction:
    the connection is cut after the prospect's row, on the first try (or on both tries)."""
    from pipeline_tui.services import prospects
    from pipeline_tui.store.db import poll_revision
    from pipeline_tui.store.models import FollowUp, Prospect, StageChange

    create = prospects.create
    made = []

    def create_then_cut(model, **values):
        row = create(model, **values)
        if model is Prospect and len(made) < cuts:
            made.append(row.id)
            cut_our_connection(server_db)
        return row

    monkeypatch.setattr(prospects, "create", create_then_cut)
    counter = poll_revision()
    if cuts == 2:
        with pytest.raises(ServerLost, match="nothing was saved"):
            prospects.add_prospect(NOW, "Cut", follow_up=(NOW, "call"))
        from pipeline_tui.store import link

        assert link.reconnect()
        assert (rows(Prospect), rows(StageChange), rows(FollowUp), poll_revision()) == (0, 0, 0, counter)
    else:
        prospects.add_prospect(NOW, "Cut", follow_up=(NOW, "call"))
        assert (rows(Prospect), rows(StageChange), rows(FollowUp), poll_revision()) == (1, 1, 1, counter + 1)


def test_a_connection_lost_while_committing_says_the_change_may_or_may_not_be_kept(server_db, monkeypatch):
    from pipeline_tui.services import base
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.store import link, models

    db = models.database.obj
    commit = type(db).commit

    def cut_then_commit(self):
        cut_our_connection(server_db)
        return commit(self)

    monkeypatch.setattr(type(db), "commit", cut_then_commit)
    with pytest.raises(ServerLost, match="may or may not") as lost:
        add_prospect(NOW, "Unsure")
    assert lost.value.maybe_saved and not base.can_undo()
    monkeypatch.undo()
    assert link.reconnect() and names() == []  # (here it was not: the server never saw COMMIT)


CUT_WHILE_ADDING = """
import sys
import psycopg
from pipeline_tui.services import prospects
from pipeline_tui.store import models
create = prospects.create
def create_then_cut(model, **values):
    row = create(model, **values)
    ours = models.database.obj.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    with psycopg.connect(sys.argv[1], autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", (ours,))
    return row
prospects.create = create_then_cut
from pipeline_tui.cli import main
sys.exit(main(["--db", sys.argv[1], "add", "Cut short", "--follow-up", "tomorrow"]))
"""


def test_the_command_line_says_a_lost_server_in_one_line(server_db, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", CUT_WHILE_ADDING, server_db], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "lost the database server" in result.stderr and "nothing was saved" in result.stderr
    assert SECRET not in result.stderr and ENCODED not in result.stderr
    assert names() == []


def test_the_command_line_says_a_stopped_server_in_one_line(own_server, server_db):  # noqa: F811
    own_server.stop()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pipeline_tui", "--db", server_db, "agenda"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        own_server.start()
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("pipeline-tui: cannot connect to postgresql://postgres:***@127.0.0.1")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


async def until(pilot, condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        await pilot.pause(0.05)


async def test_the_app_lives_through_the_server_stopping_and_finds_it_again(
    own_server,  # noqa: F811
    server_db,
    monkeypatch,
):
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.store.models import Prospect
    from pipeline_tui.ui import app as app_module
    from pipeline_tui.ui.screens.agenda import AgendaScreen
    from pipeline_tui.ui.screens.board import BoardScreen
    from pipeline_tui.ui.widgets.footer import KeysFooter
    from tests.ui.helpers import cards_in, focused_card, screen_text

    add_prospect(NOW, "Acme", fields={"value": "1000"}, follow_up=(NOW, "call"))  # w: won, no amount asked
    monkeypatch.setattr(app_module, "POLL_SECONDS", 0.1)  # the app's poll, not 1.5 s apart
    app = app_module.PipelineApp(now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        card = focused_card(app)
        own_server.stop()
        try:
            await pilot.press("2")  # it ended the app with a traceback
            assert isinstance(app.screen, BoardScreen) and app.return_code is None
            assert footer.message.startswith("Server unreachable")
            await pilot.press("w")  # won: refused, not half-written
            assert footer.message == app_module.SERVER_REFUSED
            assert [c.name for c in cards_in(app, "Lead")] == ["Acme"]
            await pilot.pause(0.3)  # a few polls, each asking the server in vain
            assert app.server_lost and isinstance(app.screen, BoardScreen)
            assert footer.message == app_module.SERVER_REFUSED  # the polls did not talk over it
            footer._forget_message()  # as its timer does
            await pilot.pause(0.2)
            assert footer.message == app_module.SERVER_GONE  # said again, beside the keys
            assert "? Keys" in screen_text(app).splitlines()[-1]
        finally:
            own_server.start()
        await until(pilot, lambda: not app.server_lost)
        assert footer.message == app_module.SERVER_BACK
        other = subprocess.run(  # another salesperson, from another process
            [sys.executable, "-m", "pipeline_tui", "--db", server_db, "add", "From elsewhere"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert other.returncode == 0, other.stderr
        await until(pilot, lambda: "From elsewhere" in [c.name for c in cards_in(app, "Lead")])
        assert Prospect.get_by_id(card.id).closed_at is None  # the refused "won" never landed
        await pilot.press("w")
        assert Prospect.get_by_id(card.id).closed_at is not None
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, AgendaScreen)
    assert app.return_code in (None, 0)
