"""No message shows a database password, whatever the shape of the URL that holds it: in the
user part, as ``?password=``, percent-encoded, holding a ``/`` or ``@`` that breaks the URL
apart, with no database name, under any scheme (a parser's own error quotes what it read)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import uuid
from urllib.parse import unquote

import pytest

from tests.conftest import PG_SERVER


def _closed_port() -> int:
    """A loopback port nothing listens on: a connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = _closed_port()
HOST = f"127.0.0.1:{PORT}"
# (URL, the password in it as typed)
SHAPES = {
    "user part": (f"postgresql://ana:Hx7Qp2Zk@{HOST}/pipeline", "Hx7Qp2Zk"),
    "?password=": (f"postgresql://ana@{HOST}/pipeline?password=Hx7Qp2Zk", "Hx7Qp2Zk"),
    "?sslpassword= after another": (
        f"postgresql://ana@{HOST}/pipeline?sslmode=disable&sslpassword=Hx7Qp2Zk",
        "Hx7Qp2Zk",
    ),
    "percent-encoded key": (f"postgresql://ana@{HOST}/pipeline?%70assword=Hx7Qp2Zk", "Hx7Qp2Zk"),
    "percent-encoded": (f"postgresql://ana:Hx7%2FQp2Zk@{HOST}/pipeline", "Hx7%2FQp2Zk"),
    "a / in it": (f"postgresql://ana:Hx7/Qp2Zk@{HOST}/pipeline", "Hx7/Qp2Zk"),
    "an @ in it": (f"postgresql://ana:Hx7@Qp2Zk@{HOST}/pipeline", "Hx7@Qp2Zk"),
    "a ? and # in it": (f"postgresql://ana:Hx7?Qp#2Zk@{HOST}/pipeline", "Hx7?Qp#2Zk"),
    "no database name": (f"postgresql://ana:Hx7Qp2Zk@{HOST}", "Hx7Qp2Zk"),
    "no database name, a slash": (f"postgresql://ana:Hx7Qp2Zk@{HOST}/", "Hx7Qp2Zk"),
    "no database name, ?password=": (f"postgresql://ana@{HOST}?password=Hx7Qp2Zk", "Hx7Qp2Zk"),
    "postgres://": (f"postgres://ana:Hx7Qp2Zk@{HOST}/pipeline", "Hx7Qp2Zk"),
    "postgresql+pool://": (f"postgresql+pool://ana:Hx7Qp2Zk@{HOST}/pipeline", "Hx7Qp2Zk"),
    "psycopg3://": (f"psycopg3://ana:Hx7Qp2Zk@{HOST}/pipeline", "Hx7Qp2Zk"),
    "upper-case scheme": (f"POSTGRESQL://ana:Hx7Qp2Zk@{HOST}/pipeline", "Hx7Qp2Zk"),
    "mysql://": (f"mysql://ana:Hx7Qp2Zk@{HOST}/pipeline", "Hx7Qp2Zk"),
    "an unknown scheme": ("oracle://ana:Hx7Qp2Zk@db.example/pipeline", "Hx7Qp2Zk"),
    "one slash (a file name)": (f"postgresql:/ana:Hx7Qp2Zk@{HOST}/pipeline", "Hx7Qp2Zk"),
    "a port out of range": ("postgresql://ana:Hx7Qp2Zk@127.0.0.1:99999/pipeline", "Hx7Qp2Zk"),
    "a broken IPv6 host": ("postgresql://ana:Hx7Qp2Zk@[::1/pipeline", "Hx7Qp2Zk"),
    "an option libpq does not know": (
        f"postgresql://ana@{HOST}/pipeline?bogus=1&password=Hx7Qp2Zk",
        "Hx7Qp2Zk",
    ),
}


def forbidden(password: str) -> set[str]:
    """The password, decoded, and each piece of it a parser may have split off and quoted."""
    whole = {password, unquote(password)}
    return whole | {piece for form in whole for piece in re.split(r"[/@?#&%]", form) if len(piece) >= 3}


def assert_hidden(text: str, password: str) -> None:
    shown = [secret for secret in forbidden(password) if secret in text]
    assert not shown, f"{shown} in {text!r}"


# -- the functions that build messages --------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_shown_masks_the_password_and_keeps_the_rest(shape):
    from pipeline_tui.store.locations import shown

    url, password = SHAPES[shape]
    text = shown(url)
    assert_hidden(text, password)
    assert "***" in text and text.split(":", 1)[1].lstrip("/").startswith("ana")  # who is still said


@pytest.mark.parametrize("shape", SHAPES)
def test_opening_says_why_not_without_the_password(shape, tmp_path, monkeypatch):
    from pipeline_tui.store.db import open_database

    monkeypatch.chdir(tmp_path)  # the one-slash shape is a file name: it lands here
    url, password = SHAPES[shape]
    with pytest.raises(Exception) as refused:
        open_database(url, create=False)
    assert_hidden(str(refused.value), password)


def test_a_parsers_error_quoting_a_piece_of_the_password_is_masked():
    from pipeline_tui.store.locations import redact

    url = "postgresql://ana:Hx7/Qp2Zk@db/pipeline"  # the parser reads "Hx7" as the port
    said = redact("Port could not be cast to integer value as 'Hx7'; database Qp2Zk@db", url)
    assert said == "Port could not be cast to integer value as '***'; database ***@db"


def test_a_short_password_is_masked_where_it_stands_not_inside_words():
    from pipeline_tui.store.locations import redact, shown

    url = "postgresql://ana:an@db/pipeline"
    assert shown(url) == "postgresql://ana:***@db/pipeline"
    assert redact("cannot reach ana: an error", url) == "cannot reach ana: *** error"


def test_a_file_name_is_shown_as_it_is():
    from pipeline_tui.store.locations import shown

    assert shown("/home/ana/sales: 2026@work.db") == "/home/ana/sales: 2026@work.db"


# -- the command line, as a user runs it --------------------------------------------------------


def run_cli(*args: str, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline_tui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


# Every shape, given in each of the three ways a user gives a database, through the command
# line's own entry point in one process: a process per case (60 of them) took 10 s of CPU.
EVERY_SHAPE_AND_SPELLING = """
import contextlib, io, json, os, sys
from pipeline_tui.cli import main
said = []
for url in json.loads(sys.argv[1]):
    for args, env in (
        (["--db", url, "agenda"], None),
        ([f"--db={url}", "add", "Acme"], None),
        (["report"], url),
    ):
        os.environ.pop("PIPELINE_TUI_DB", None)
        if env:
            os.environ["PIPELINE_TUI_DB"] = env
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(args)
        said.append([url, status, out.getvalue(), err.getvalue()])
print(json.dumps(said))
"""


def test_no_command_line_message_shows_a_password_whatever_the_url(tmp_path):
    import json

    passwords = dict(SHAPES.values())
    result = subprocess.run(
        [sys.executable, "-c", EVERY_SHAPE_AND_SPELLING, json.dumps(list(passwords))],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # the one-slash shape is a file name: it lands here
    )
    assert result.returncode == 0, result.stderr
    said = json.loads(result.stdout)
    assert len(said) == 3 * len(SHAPES)
    file_name = SHAPES["one slash (a file name)"][0]  # `add` makes that file: nothing to refuse
    for url, status, out, err in said:
        if status != 0 or url != file_name:
            assert err.startswith("pipeline-tui: ") and err.count("\n") == 1, (url, err)
            assert status == 2 or (url.startswith("mysql") and status != 0), (url, err)  # mysql: item 7
        assert_hidden(out + err, passwords[url])


@pytest.mark.parametrize("shape", ["?password=", "a / in it", "no database name"])
def test_the_command_line_run_as_a_user_runs_it_hides_the_password(shape, tmp_path):
    url, password = SHAPES[shape]
    result = run_cli("--db", url, "agenda", cwd=tmp_path)
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert_hidden(result.stderr, password)


@pytest.mark.skipif(not PG_SERVER, reason="needs a PostgreSQL server (PIPELINE_TUI_TEST_PG)")
def test_a_command_that_names_the_database_it_filled_hides_the_password():
    import psycopg

    name = f"pipeline_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = PG_SERVER.rpartition("/")[0]  # the test server trusts loopback: any password does
        url = base.replace("://postgres@", "://postgres:Hx7%2FQp2Zk@") + f"/{name}"
        filled = run_cli("--db", url, "demo", "--no-open", "--prospects", "5")
        assert filled.returncode == 0, filled.stderr
        assert "prospects in postgresql://postgres:***@" in filled.stderr
        again = run_cli("--db", url, "demo", "--no-open", "--prospects", "5")
        assert again.returncode == 2 and "already holds prospects" in again.stderr
        for result in (filled, again):
            assert_hidden(result.stdout + result.stderr, "Hx7%2FQp2Zk")
    finally:
        with psycopg.connect(PG_SERVER, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
