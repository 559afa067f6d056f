"""Shell completion: ``pipeline-tui completion bash|zsh|fish`` prints a script, and in a real
bash, driven through a terminal, tab completes commands, prospect names, stages and kinds from
the database, the way a user gets them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline_tui

CHECKOUT = Path(pipeline_tui.__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "shell, marker",
    [
        ("bash", "complete -o nospace -o default -o bashdefault -F _python_argcomplete pipeline-tui"),
        ("zsh", "#compdef pipeline-tui"),
        ("fish", "complete --command pipeline-tui"),
    ],
)
def test_the_script_is_printed_for_each_shell(cli, shell, marker, tmp_path):
    result = cli("completion", shell, db=False)
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout
    if shutil.which(shell):  # and the shell reads it without a syntax error
        script = tmp_path / f"completion.{shell}"
        script.write_text(result.stdout, encoding="utf-8")
        check = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr


def test_an_unknown_shell_is_refused(cli):
    result = cli("completion", "tcsh", db=False)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def _complete(line: str, db: str, tmp_path: Path) -> list[str]:
    """What the completion answers for ``line`` (the cursor at its end), as the script asks."""
    answer = tmp_path / "answer"
    env = {
        **os.environ,
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_IFS": "\n",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),  # (the script reads it from fd 8)
        "PIPELINE_TUI_DB": db,
    }
    subprocess.run([sys.executable, "-m", "pipeline_tui"], env=env, timeout=60, check=True)
    text = answer.read_text(encoding="utf-8")
    return text.split("\n") if text else []


@pytest.fixture
def prospects(db, db_location, now):
    """Ids 1 to 4; the last archived."""
    from pipeline_tui.services.prospects import add_prospect, archive_prospect

    for name in ("Globex East Coast", "Acme fleet renewal", "Acme pilot", "Hidden Ltd"):
        added = add_prospect(now, name)
    archive_prospect(added.id, now)
    return db_location


def test_the_answers_come_from_the_parser_and_the_database(prospects, tmp_path):
    def complete(line: str) -> list[str]:
        return _complete(line, prospects, tmp_path)

    assert complete("pipeline-tui mo") == ["move "]
    assert "serve" in complete("pipeline-tui ")
    assert complete("pipeline-tui move acme ")[:2] == ["Lead", "Qualified"]
    assert complete("pipeline-tui move acm") == ["Acme\\ fleet\\ renewal", "Acme\\ pilot"]
    assert complete("pipeline-tui move Hid") == [], "archived: not movable"
    assert complete("pipeline-tui restore Hid") == ["Hidden\\ Ltd "]
    assert complete("pipeline-tui follow-up 1 tomorrow --kind inf") == ["info-request "]
    assert complete("pipeline-tui report --pipeline ") == ["Sales "]
    assert "--dry-run" in complete("pipeline-tui import --")


@pytest.mark.parametrize("engine", ["sqlite"])  # (the names are read as above, on both)
def test_the_commands_of_people_and_stages_complete_their_own_words(db, db_location, now, tmp_path):
    """contact, org, stage and pipeline: a stage where a stage is meant (not the new one that
    stage add names), an organization for org, each command's own roles."""
    from pipeline_tui.services.prospects import add_prospect

    add_prospect(now, "Acme pilot", fields={"organization": "Acme Corporation"})

    def complete(line: str) -> list[str]:
        return _complete(line, db_location, tmp_path)

    assert sorted(complete("pipeline-tui stage re")) == ["remove", "rename"]
    assert complete("pipeline-tui stage move Pro") == ["Proposal "]
    assert complete("pipeline-tui stage remove Proposal --to Tr") == ["Trial "]
    assert complete("pipeline-tui stage add Le") == [], "a new stage's name is the user's to type"
    assert complete("pipeline-tui stage add X --after Qu") == ["Qualified "]
    assert complete("pipeline-tui stage add X --after Lead --role ") == [
        "lead",
        "qualified",
        "appointment",
        "trial",
        "proposal",
    ]
    assert complete("pipeline-tui contact add acm") == ["Acme\\ pilot "]
    assert complete("pipeline-tui contact add 1 Ann --role dec") == ["decision-maker "]
    assert complete("pipeline-tui org ac") == ["Acme\\ Corporation "]
    assert complete("pipeline-tui pipeline add Renewals --from ") == ["Sales "]


def test_a_name_with_markup_is_escaped_and_one_with_control_characters_left_out(
    db, db_location, now, tmp_path
):
    from pipeline_tui.services.prospects import add_prospect

    add_prospect(now, "[bold]Zeta[/] 株式会社")
    add_prospect(now, "Zeta\x1b]0;pwned\x07")
    db = db_location
    assert _complete("pipeline-tui move \\[bo", db, tmp_path) == ["\\[bold\\]Zeta\\[/\\]\\ 株式会社 "]
    assert _complete("pipeline-tui move Zet", db, tmp_path) == [], "a name that cannot be typed"


@pytest.mark.parametrize("engine", ["sqlite"])  # (the names are read as above, on both)
def test_a_name_with_a_joiner_or_a_direction_mark_completes(db, db_location, now, tmp_path):
    """They are typed as any letter (Persian writes the non-joiner inside words): they were left
    out with the control characters, which str.isprintable lumps them with."""
    from pipeline_tui.services.prospects import add_prospect

    for name in ("Negar\u200cpardaz", "Nina\U0001f469\u200d\U0001f4bb", "Nadav \u200fשלום\u200f"):
        add_prospect(now, name)
    assert sorted(_complete("pipeline-tui move N", db_location, tmp_path)) == sorted(
        ["Nadav\\ \u200fשלום\u200f", "Negar\u200cpardaz", "Nina\U0001f469\u200d\U0001f4bb"]
    )


def test_completing_a_name_imports_neither_peewee_nor_textual_nor_help_texts(prospects):
    env = {
        **os.environ,
        "COMP_LINE": "pipeline-tui move acm",
        "COMP_POINT": "21",
        "_ARGCOMPLETE": "1",
        "PIPELINE_TUI_DB": prospects,
    }
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pipeline_tui"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    modules = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    loaded = {module.split(".")[0] for module in modules}
    assert "argcomplete" in loaded and "pipeline_tui" in loaded  # (the watch works)
    assert not loaded & {"peewee", "playhouse", "textual", "psycopg"}
    # nor the commands' help texts, which import the core's vocabulary (dataclasses and all)
    assert not modules & {"pipeline_tui.core.domain", "pipeline_tui.core.dates", "dataclasses"}


@pytest.mark.parametrize("engine", ["sqlite"])  # (names from the server: the tests above)
def test_tab_completes_a_prospect_name_in_bash(prospects, tmp_path):
    """A real bash, through a terminal: the script installed as the README says, then tab."""
    pexpect = pytest.importorskip("pexpect", reason="pexpect drives bash through a terminal")
    if not shutil.which("bash"):
        pytest.skip("no bash")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "pipeline-tui"  # the console script pip installs, for this checkout
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m pipeline_tui "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(CHECKOUT),
        "PIPELINE_TUI_DB": prospects,
        "PIPELINE_TUI_NOW": "2026-11-26 09:30",
        "PS1": "$ ",
        "TERM": "dumb",
    }
    bash = pexpect.spawn(
        "bash", ["--norc", "--noprofile", "-i"], env=env, encoding="utf-8", timeout=30, dimensions=(24, 200)
    )
    try:
        bash.expect_exact("$ ")
        bash.sendline('eval "$(pipeline-tui completion bash)"')
        bash.expect_exact("$ ")
        bash.send("pipeline-tui arch\t")  # archive or archived: as far as they agree
        bash.expect_exact("pipeline-tui arch\x07ive")
        bash.send(" Glo\t")
        bash.expect_exact("Globex\\ East\\ Coast ")
        bash.sendline("")
        bash.expect_exact("Archived #1 Globex East Coast")
        bash.expect_exact("$ ")
        bash.send("pipeline-tui move Acme\\ p\t")
        bash.expect_exact("Acme\\ pilot ")
        bash.send("Prop\t")
        bash.expect_exact("Proposal ")
        bash.sendline("")
        bash.expect_exact("Moved #3 Acme pilot to Proposal")
        bash.sendline("exit")
        bash.expect(pexpect.EOF)
    finally:
        bash.close(force=True)


def test_names_are_read_from_any_url_peewee_takes(prospects):
    from pipeline_tui.store import names

    if "://" in prospects:  # the server, under peewee's other schemes
        locations = [
            prospects.replace("postgresql://", scheme, 1) for scheme in ("psycopg3://", "postgresql+pool://")
        ]
    else:
        locations = [f"sqlite:///{prospects}", prospects]
    for location in locations:
        assert names.prospect_names(location, "acme") == ["Acme fleet renewal", "Acme pilot"], location
        assert names.stage_names(location, "sales")[:2] == ["Lead", "Qualified"]
    assert names.prospect_names("/nonexistent/pipeline.db", "") == []
