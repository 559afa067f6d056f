"""`agenda` reads a current SQLite file with sqlite3 alone, as `due` does (README "The command
line"; pipeline_tui/store/quick.py): its output must be the full opening's, byte for byte, on
either engine's data, and every file the quick read cannot take goes to the full opening."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import timedelta

import pytest

from pipeline_tui.store.quick import current_file, reader
from pipeline_tui.store.schema_version import SCHEMA_VERSION


def _fill(now) -> None:
    """Every kind of row the agenda shows or leaves out: overdue, today, later, past its days,
    done, archived, another owner, another pipeline, a cadence, a repeat, a foreign currency,
    hostile and wide text."""
    from pipeline_tui.core.cadences import parse_cadence
    from pipeline_tui.services.base import set_user
    from pipeline_tui.services.cadences import start_cadence
    from pipeline_tui.services.follow_ups import complete, schedule
    from pipeline_tui.services.prospects import add_prospect, archive_prospect
    from pipeline_tui.services.setup import add_pipeline

    set_user("ana")
    acme = add_prospect(now, "Acme \x1b[2J[bold]", fields={"value": "12000", "contact": "Ana 東京"}).id
    schedule(acme, "call", now - timedelta(days=2), now, "ask for\nthe budget")
    schedule(acme, "email", now + timedelta(hours=2), now, repeat="FREQ=WEEKLY")
    complete(schedule(acme, "call", now - timedelta(hours=1), now).id, now, "reached")
    start_cadence(acme, parse_cadence("after-demo", ["call +2d", "email +3d"]), now)
    set_user("bob")
    yen = add_prospect(now, "Globex", fields={"value": "1500000", "currency": "JPY"}).id
    schedule(yen, "meeting", now + timedelta(days=3), now)
    schedule(yen, "call", now + timedelta(days=30), now)  # past the 7 days
    gone = add_prospect(now, "Gone").id
    schedule(gone, "call", now - timedelta(hours=3), now)
    archive_prospect(gone, now)
    add_pipeline("Renewals")
    renewal = add_prospect(now, "Initech renewal", pipeline="Renewals", fields={"value": "300"}).id
    schedule(renewal, "task", now, now)


def _json(now, read=None, **options) -> bytes:
    from pipeline_tui.io.shapes import agenda_json, dumps
    from pipeline_tui.services.agenda import agenda

    return dumps(agenda_json(agenda(now, read=read, **options), "EUR")).encode()


OPTIONS = [{}, {"days": None}, {"owner": "ana"}, {"days": 1, "owner": "bob"}]


def test_the_quick_read_gives_the_full_openings_output_on_either_engines_data(db, now, tmp_path):
    from pipeline_tui.store.db import open_database

    _fill(now)
    full = [_json(now, **options) for options in OPTIONS]  # the database the models are bound to
    assert b"Gone" not in full[0] and b"after-demo" in full[0] and b"JPY" in full[0]
    db.close()
    copy = tmp_path / "same.db"  # the same rows, written into a SQLite file
    open_database(str(copy)).close()
    open_database(str(copy))
    _fill(now)
    assert current_file(str(copy)) is not None
    with reader(str(copy)) as quick:
        assert [_json(now, quick, **options) for options in OPTIONS] == full


def test_agenda_json_loads_only_what_it_uses_and_prints_what_the_full_path_does(tmp_path, now):
    from pipeline_tui.store.db import close_database, open_database

    path = tmp_path / "pipeline.db"
    open_database(str(path))
    _fill(now)
    close_database()
    probe = (
        "import sys; from pipeline_tui.cli import main; status = main(sys.argv[1:]);"
        "loaded = [m for m in ('peewee', 'textual', 'pipeline_tui.store.models', 'platformdirs', 'pathlib',"
        " 'pipeline_tui.core.dates') if m in sys.modules];"
        "sys.stderr.write(repr(loaded)); sys.exit(status)"
    )
    args = ["--now", "2026-11-26 09:30", "agenda", "--json"]
    quick = subprocess.run(
        [sys.executable, "-c", probe, "--db", str(path), *args], capture_output=True, timeout=60
    )
    assert quick.returncode == 0 and quick.stderr == b"[]"
    # the same file named by a URL goes through the full opening (peewee and the models)
    url = f"sqlite:///{path}"
    full = subprocess.run([sys.executable, "-c", probe, "--db", url, *args], capture_output=True, timeout=60)
    assert full.returncode == 0 and b"peewee" in full.stderr
    assert quick.stdout == full.stdout and quick.stdout.count(b'"prospect_id"') == 5


def _version(path, version: int) -> None:
    import sqlite3

    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {version}")
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    "make, refusal",
    [
        (lambda path: None, "no database at"),
        (lambda path: path.write_bytes(b"not a database, a letter" * 100), "not a pipeline-tui database"),
        (
            lambda path: _version(shutil.copy("tests/fixtures/schema1.db", path), SCHEMA_VERSION + 1),
            "newer pipeline-tui",
        ),
    ],
    ids=["missing", "junk", "newer"],
)
def test_a_file_the_quick_read_cannot_take_is_refused_in_one_line(tmp_path, make, refusal, capsys):
    from pipeline_tui.cli import main

    path = tmp_path / "pipeline.db"
    make(path)
    assert current_file(str(path)) is None
    assert main(["--db", str(path), "agenda", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and refusal in captured.err and len(captured.err.splitlines()) == 1


def test_version_and_a_quick_command_build_only_the_parsers_they_need(capsys):
    from pipeline_tui.cli import build_parser

    for argv in (["--version"], ["--db", "x.db", "--mine", "--version"]):
        assert build_parser(argv)._subparsers is None  # argparse acts on --version as it reads it
    commands = build_parser(["--db", "x.db", "agenda", "--json"])._subparsers._group_actions[0].choices
    assert "--days" in commands["agenda"].format_usage()
    assert commands["done"] is commands["follow-up"] is commands["ics"]  # named, not built
    # the help texts a quick command leaves out are back for the next parser built
    commands = build_parser(["follow-up", "--help"])._subparsers._group_actions[0].choices
    assert "working hour" in commands["follow-up"].format_help()
