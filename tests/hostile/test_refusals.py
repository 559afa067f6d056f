"""The hostile corpus's refusals, run through the real command line (see README.md here).

Every case of ``argv/*.toml`` must end in one line on stderr, exit 2, nothing on stdout, and
change nothing: the database passes ``PRAGMA integrity_check`` with the same rows as before,
and every file of the case's folder is byte for byte what it was (none added, none gone).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

HERE = Path(__file__).parent
NOW = "2026-11-26 09:30"


def load_refusals() -> list[dict]:
    """Every ``[[refusal]]`` of ``argv/*.toml`` (other tables there belong to other runners)."""
    cases = []
    for path in sorted((HERE / "argv").glob("*.toml")):
        with path.open("rb") as handle:
            cases += tomllib.load(handle).get("refusal", [])
    return cases


REFUSALS = load_refusals()


def run(argv: list[str], db: Path, stdout_to: str | None = None) -> subprocess.CompletedProcess:
    """``pipeline-tui`` as a user runs it, with ``--db`` first unless the case names its own."""
    command = [sys.executable, "-m", "pipeline_tui", "--now", NOW]
    if "--db" not in argv:
        command += ["--db", str(db)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_TUI_")}
    if stdout_to is None:
        return subprocess.run([*command, *argv], capture_output=True, env=env, timeout=120)
    with open(stdout_to, "wb") as out:
        result = subprocess.run([*command, *argv], stdout=out, stderr=subprocess.PIPE, env=env, timeout=120)
    result.stdout = b""
    return result


# -- the database and the folder, before and after ----------------------------------------------


def database_state(path: Path) -> tuple[str, dict[str, int]]:
    """``PRAGMA integrity_check`` and the number of rows of every table."""
    connection = sqlite3.connect(path)
    try:
        check = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = [
            name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        counts = {
            table: connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables
        }
    finally:
        connection.close()
    return check, counts


def folder_state(folder: Path) -> dict[str, str]:
    """Each entry under ``folder``: a link's target, else a file's SHA-256 and mode."""
    state = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            state[name] = "-> " + os.readlink(path)
        elif path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[name] = f"{digest} {oct(path.stat().st_mode)}"
        else:
            state[name] = "folder"
    return state


# -- what the cases work on ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A pipeline database with prospects, follow-ups, an archived one and a quota: one file."""
    from pipeline_tui.services.base import set_user
    from pipeline_tui.services.follow_ups import schedule
    from pipeline_tui.services.prospects import add_prospect, archive_prospect, move_prospect
    from pipeline_tui.services.setup import set_quota
    from pipeline_tui.store.db import close_database, open_database

    path = tmp_path_factory.mktemp("template") / "pipeline.db"
    now = datetime(2026, 11, 26, 9, 30)
    open_database(path)
    set_user("")
    acme = add_prospect(now, "Acme", fields={"value": "12000"})
    schedule(acme.id, "call", datetime(2026, 11, 27, 10, 0), now)
    globex = add_prospect(now, "Globex")
    move_prospect(globex.id, "Proposal", now)
    schedule(globex.id, "appointment", datetime(2026, 11, 30, 14, 0), now)
    archive_prospect(add_prospect(now, "Initech").id, now)
    set_quota(5_000_000, "quarter", now)
    close_database()
    return path


def damage(path: Path, *, header: bool) -> None:
    """Spoil the cells of the prospects' first index (``PRAGMA quick_check`` lists what it
    finds), or the header of the prospect table's first page (the check itself fails). The
    schema still reads: the file opens as a pipeline-tui database."""
    connection = sqlite3.connect(path)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    kind = "table" if header else "index"
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE type = ? AND tbl_name = 'prospect' ORDER BY name", (kind,)
    ).fetchone()
    connection.close()
    with open(path, "r+b") as handle:
        handle.seek((root - 1) * page_size if header else root * page_size - 64)
        handle.write(b"\x42" * 12 if header else b"\xff" * 64)


@pytest.fixture
def workplace(tmp_path, template) -> tuple[Path, Path]:
    """The case's folder: the corpus's files, the database, links to it, a damaged copy."""
    for path in (HERE / "files").iterdir():
        shutil.copy2(path, tmp_path / path.name)
    db = tmp_path / "pipeline.db"
    shutil.copy2(template, db)
    os.chmod(db, 0o600)
    (tmp_path / "db-symlink").symlink_to(db)
    # devices through links of our own: should a regression replace its target, it replaces these
    (tmp_path / "full-device").symlink_to("/dev/full")
    (tmp_path / "stdout-link").symlink_to("/dev/stdout")
    os.link(db, tmp_path / "db-hardlink")
    for name, header in (("damaged.db", False), ("broken.db", True)):
        shutil.copy2(template, tmp_path / name)
        damage(tmp_path / name, header=header)
    return tmp_path, db


def test_the_damaged_copies_really_are_damaged(workplace):
    folder, _ = workplace
    for name in ("damaged.db", "broken.db"):
        connection = sqlite3.connect(folder / name)
        try:
            assert connection.execute("PRAGMA user_version").fetchone()[0] > 0, "its schema still reads"
            if name == "damaged.db":
                assert (
                    connection.execute("PRAGMA quick_check").fetchone()[0].startswith("*** in database main")
                )
            else:
                with pytest.raises(sqlite3.DatabaseError, match="malformed"):
                    connection.execute("PRAGMA quick_check").fetchall()
        finally:
            connection.close()


def test_the_corpus_is_there_and_each_case_is_named_once():
    names = [case["name"] for case in REFUSALS]
    assert len(names) >= 50
    assert len(set(names)) == len(names)
    for case in REFUSALS:
        assert case["words"], case["name"]


@pytest.mark.parametrize("case", REFUSALS, ids=[case["name"] for case in REFUSALS])
def test_a_refusal_is_one_line_exit_2_and_changes_nothing(case, workplace):
    folder, db = workplace
    if "needs" in case and not os.path.exists(case["needs"]):
        pytest.skip(f"{case['needs']} does not exist on this machine")
    argv = [arg.replace("{db}", str(db)).replace("{tmp}", str(folder)) for arg in case["argv"]]
    database_before, files_before = database_state(db), folder_state(folder)

    result = run(argv, db, case.get("stdout"))

    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, (result.returncode, stderr)
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("pipeline-tui: "), lines[0]
    assert "internal error" not in lines[0] and "Traceback" not in stderr
    for word in case["words"]:
        assert word in lines[0], (word, lines[0])
    assert result.stdout == b"", "a refusal prints nothing on stdout"
    assert database_state(db) == database_before == ("ok", database_before[1])
    assert folder_state(folder) == files_before, "a refused command changed, made or removed a file"
