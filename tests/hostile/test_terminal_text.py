"""No text a user or a file gave reaches a terminal raw: not through the command line, not
through the app.

The corpus, ``text/strings.json``, holds escape sequences of every family (CSI, OSC with its
OSC 8 links and clipboard, DCS, APC, 7- and 8-bit), every C0 and C1 character one by one, bidi
overrides and isolates, Textual markup, and text from the world's scripts that must come out
whole. Each string goes in as a prospect's name, organization, contact and notes, a follow-up's
notes and outcome, a lost reason, a file name and a typed argument; then every command that
prints, and every screen, dialog and palette search of the app, is read back as the terminal
would receive it. Nothing that would act on a terminal may be in it (``ACTING`` below); the
database, the CSV written to a file or a pipe and the JSON keep the text exactly.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pipeline_tui import cli as cli_module

CORPUS = json.loads((Path(__file__).parent / "text" / "strings.json").read_text(encoding="utf-8"))
NOW = datetime(2026, 11, 26, 9, 30)
NOW_ARG = ["--now", "2026-11-26 09:30"]
TRIED: Counter = Counter()  # hostile cases, by door; printed at the end (pytest -s)

# Written out here, not taken from the code under test: every C0 but the line feed, DEL, every
# C1, and the bidi embeddings, overrides and isolates with their pops.
ACTING = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SINGLE = re.compile(r"(c0|c1|del)-[0-9a-f]{2}")  # the entries of one control character each


def _composite() -> dict:
    """Every C0, DEL, C1 and bidi control in one string: what the app's screens are shown (the
    single ones go through the command line, where a case costs milliseconds, not a screen)."""
    controls = "".join(e["text"][2] for e in CORPUS if SINGLE.fullmatch(e["id"]))
    bidi = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    return {"id": "every-control", "text": f"All{controls}in{bidi} one", "why": "", "as_given": False}


CRAFTED = [e for e in CORPUS if not SINGLE.fullmatch(e["id"])]
ON_SCREEN = [*CRAFTED, _composite()]
# A dialog costs a fifth of a second to open and close: each opens with these, which hold every
# control character and each kind of text that a dialog once mishandled (a sequence, a link,
# markup, wide and joined characters). The board, pane, agenda and palette show every entry.
SAMPLE = [
    e
    for e in ON_SCREEN
    if e["id"]
    in {"every-control", "osc-8-link", "markup-click-quit", "markup-lone-close", "cjk", "emoji-joined"}
]


def name_of(entry: dict) -> str:
    """The name as the app stores it (runs of white space become one space)."""
    return " ".join(entry["text"].split())


def visible_runs(text: str) -> list[str]:
    """The pieces of ``text`` between characters that act: what must still be seen of it."""
    return [run.strip() for run in ACTING.split(" ".join(text.split())) if len(run.strip()) >= 3]


def acting(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in ACTING.findall(text)})


@pytest.fixture(scope="module", autouse=True)
def _tally():
    yield
    if TRIED:
        print("\nhostile text cases: " + ", ".join(f"{n} {door}" for door, n in sorted(TRIED.items())))


@pytest.fixture
def engine() -> str:
    """What reaches the terminal is the same on every engine: SQLite only (which takes a NUL)."""
    return "sqlite"


# -- the command line ---------------------------------------------------------------------------


@dataclass
class Said:
    entry: str
    argv: list[str]
    code: int
    out: str
    err: str


class Shell:
    """Runs the command line in this process (a case costs ~30 ms, a process ~400 ms) and keeps
    what each command said, as bytes decoded the way a UTF-8 terminal would."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.base = ["--db", str(folder / "hostile.db"), *NOW_ARG]
        self.said: list[Said] = []

    def __call__(self, entry: str, *argv: str, expect: int | None = 0) -> Said:
        out, err = io.BytesIO(), io.BytesIO()
        stdout = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        stderr = io.TextIOWrapper(err, encoding="utf-8", newline="", write_through=True)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = cli_module.main([*self.base, *argv])
            stdout.flush()
            stderr.flush()
        said = Said(entry, list(argv), code, out.getvalue().decode(), err.getvalue().decode())
        if expect is not None:
            assert code == expect, (entry, argv, said.err)
        self.said.append(said)
        TRIED["command-line cases"] += 1
        return said


def _file_name(text: str) -> str:
    return text.replace("/", "∕").replace("\x00", "0")[:80] or "blank"


def _one_prospect(shell: Shell, entry: dict) -> int:
    """Add a prospect holding the entry everywhere, schedule, complete: ids back."""
    e, text = entry["id"], entry["text"]
    added = shell(
        e, "add", text, "--org", text, "--contact", text, "--notes", text, "--follow-up", "tomorrow"
    )
    prospect = re.search(r"Added #(\d+)", added.out).group(1)
    shell(e, "move", prospect, text, expect=2)  # no such stage: the error names it
    if SINGLE.fullmatch(e):  # one character: what is printed goes through the same say()
        return int(prospect)
    _people(shell, entry, prospect)
    shell(e, "snooze", prospect, "--until", "2026-12-01", "--reason", text)
    shell(e, "snooze", prospect, "--clear")
    scheduled = shell(e, "follow-up", prospect, "tomorrow 08:00", "--notes", text)
    shell(e, "done", re.search(r"#(\d+)", scheduled.out).group(1), "--outcome", text)
    shell(e, "follow-up", prospect, "tomorrow 10:00", "--kind", "appointment", "--notes", text)
    shell(e, "follow-up", prospect, text, expect=2)  # not a date
    shell(e, "follow-up", f"nobody {text}", "tomorrow", expect=2)  # no such prospect
    shell(e, "add", "Another", "--value", text, expect=2)
    shell(e, "agenda", "--pipeline", text, expect=2)  # no such pipeline
    shell(e, "done", text, expect=2)  # not an id
    shell(e, "report", "--now", text, expect=2)
    shell(e, "quota", "--mine", "--user", text)
    folder = shell.folder / _file_name(e)
    folder.mkdir()
    path = folder / f"{_file_name(text)}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["name", text], [f"From a file {e}", "x"]])
    # an unknown column named by the entry, from a file named by it (a NUL is not CSV: refused)
    shell(e, "import", str(path), expect=2 if "\x00" in text else 0)
    shell(e, "export", "-o", str(folder / f"{_file_name(text)} out.csv"))
    shell(e, "import", str(folder / f"missing {_file_name(text)}.csv"), expect=2)
    return int(prospect)


def _people(shell: Shell, entry: dict, prospect: str) -> None:
    """A contact named by the entry, the deal's people and its organization, as the command
    line shows them (the organization's name is found by its first words when a control
    character in it makes the name as typed look like another's)."""
    e, text = entry["id"], entry["text"]
    added = shell(e, "contact", "add", prospect, text, "--title", text, "--phone", text)
    contact = re.search(r"Added contact #(\d+)", added.out).group(1)
    shell(e, "contact", "edit", contact, "--title", f"{text} 2")
    shell(e, "contact", "list", prospect)
    shell(e, "org", text, expect=None)
    shell(e, "contact", "edit", f"#{text}", expect=2)  # not an id: the error names it


def _stages(shell: Shell) -> None:
    """Every crafted entry as a pipeline's name and as a stage's, added, listed, renamed,
    moved and removed in a database of their own (the report of the first stays one pipeline's)."""
    for entry in CRAFTED:
        e, text = entry["id"], entry["text"]
        shell(e, "pipeline", "add", f"P {text}")
        shell(e, "stage", "add", f"S {text}", "--first", "--pipeline", "Hostile")
        shell(e, "stage", "rename", f"nothing {text}", "x", "--pipeline", "Hostile", expect=2)
    shell("stages", "stage", "list", "--pipeline", "Hostile")
    last = f"S {CRAFTED[-1]['text']}"
    shell("stages", "stage", "rename", last, f"{last} again", "--pipeline", "Hostile")
    shell("stages", "stage", "move", f"{last} again", "--after", "Lead", "--pipeline", "Hostile")
    shell("stages", "stage", "remove", f"{last} again", "--pipeline", "Hostile")


HOSTILE_STAGE = "Trial\x1b]0;PWNED stage\x07\u202e\u009b2J"
HOSTILE_PIPELINE = "Renewals\x1b]8;;https://evil.example/\x1b\\ \u2067[b]x"


def _rename_a_stage(path: Path) -> None:
    """No command renames a stage yet: a stage named by a hostile hand, straight in the file."""
    from pipeline_tui.store.db import open_database
    from pipeline_tui.store.models import Stage

    database = open_database(path)
    Stage.update(name=HOSTILE_STAGE).where(Stage.name == "Trial").execute()
    database.close()


@dataclass
class Scenario:
    shell: Shell
    prospects: dict[str, int]
    csv_export: str
    json_export: list
    ics: str


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Scenario:
    """Every entry through every command that prints, in one database."""
    folder = tmp_path_factory.mktemp("hostile-cli")
    shell = Shell(folder)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XDG_CONFIG_HOME", str(folder / "config"))
        env.setenv("XDG_DATA_HOME", str(folder / "data"))
        prospects = {entry["id"]: _one_prospect(shell, entry) for entry in CORPUS}
        _rename_a_stage(shell.folder / "hostile.db")
        (folder / "stages").mkdir()
        staging = Shell(folder / "stages")
        staging.said = shell.said
        staging("stages", "pipeline", "add", "Hostile")
        _stages(staging)
        for command in (["agenda"], ["agenda", "--json"], ["report"], ["report", "--json"]):
            shell("*", *command)
        ics = shell("*", "ics").out
        for entry in CORPUS:
            shell(entry["id"], "move", str(prospects[entry["id"]]), "Lost", "--reason", entry["text"])
        for entry in CRAFTED:
            shell(entry["id"], "archive", str(prospects[entry["id"]]))
        shell("*", "archived")
        for entry in CRAFTED:
            shell(entry["id"], "restore", str(prospects[entry["id"]]))
        shell("*", "report")
        csv_export = shell("*", "export").out  # stdout here is not a terminal: exact data
        shell.said.pop()
        json_export = json.loads(shell("*", "export", "--format", "json").out)
    return Scenario(shell, prospects, csv_export, json_export, ics)


@pytest.mark.parametrize("entry", CORPUS, ids=[e["id"] for e in CORPUS])
def test_no_command_prints_what_would_act_on_the_terminal(scenario, entry):
    said = [s for s in scenario.shell.said if s.entry == entry["id"]]
    assert len(said) >= 3
    for s in said:
        assert acting(s.out) == [] and acting(s.err) == [], (s.argv, s.out, s.err)
        if s.code == 2:
            assert s.out == "" and s.err.count("\n") == 1, (s.argv, s.err)
    added = said[0].out
    if entry["as_given"]:
        assert name_of(entry) in added  # markup and the world's scripts come out as typed
    for run in visible_runs(entry["text"]):
        assert run in added, (run, added)


def test_every_listing_shows_all_and_acts_on_nothing(scenario):
    listings = [s for s in scenario.shell.said if s.entry == "*"]
    assert [s.argv for s in listings] == [
        ["agenda"],
        ["agenda", "--json"],
        ["report"],
        ["report", "--json"],
        ["ics"],
        ["archived"],
        ["report"],
        ["export", "--format", "json"],
    ]
    for s in listings:
        shown = s.out.replace("\r\n", "\n") if s.argv == ["ics"] else s.out
        assert acting(shown) == [] and s.err == "", s.argv
    assert "Trial\ufffd]0;PWNED stage\ufffd" in listings[2].out  # the stage, in the report
    archived = listings[5].out
    assert archived.count("\n") == len(CRAFTED)
    for entry in CRAFTED:
        assert all(run[:30] in archived for run in visible_runs(entry["text"])), entry["id"]


def test_stages_and_pipelines_show_their_names_as_text(scenario):
    said = [s for s in scenario.shell.said if s.entry == "stages" or s.argv[:1] in (["stage"], ["pipeline"])]
    assert len(said) >= 3 * len(CRAFTED) + 5
    for s in said:
        assert acting(s.out) == [] and acting(s.err) == [], (s.argv, s.out, s.err)
    listed = next(s.out for s in said if s.argv[:2] == ["stage", "list"])
    for entry in CRAFTED:
        assert all(run[:20] in listed for run in visible_runs(entry["text"])), entry["id"]
        if entry["as_given"]:
            assert f"S {name_of(entry)}"[:20] in listed, entry["id"]


def test_people_and_organizations_show_their_names_as_text(scenario):
    for entry in CRAFTED:
        said = {
            s.argv[0] + " " + s.argv[1]: s
            for s in scenario.shell.said
            if s.entry == entry["id"] and s.argv[0] in ("contact", "org")
        }
        listed = said["contact list"].out
        runs = visible_runs(entry["text"])
        assert all(run in listed for run in runs), (entry["id"], listed)
        org = said["org " + entry["text"]]
        assert org.code in (0, 2), (entry["id"], org.err)  # found, or refused in one line
        if org.code == 0:
            assert all(run in org.out for run in runs), (entry["id"], org.out)
        if entry["as_given"]:
            assert name_of(entry) in listed, entry["id"]


def test_the_json_keeps_every_text_exactly(scenario):
    by_id = {record["id"]: record for record in scenario.json_export}
    for entry in CORPUS:
        record = by_id[scenario.prospects[entry["id"]]]
        text = entry["text"].strip()
        assert (record["name"], record["organization"], record["notes"]) == (name_of(entry), text, text)
        assert record["lost_reason"] == text
    agenda = json.loads(next(s.out for s in scenario.shell.said if s.argv == ["agenda", "--json"]))
    notes = {item["notes"] for item in agenda}
    assert {entry["text"].strip() for entry in CRAFTED} <= notes  # their appointments


def test_the_csv_to_a_file_or_a_pipe_is_exact_and_imports_back(tmp_path):
    from pipeline_tui.services.prospects import add_prospect, mark_lost
    from pipeline_tui.store.db import open_database

    database = open_database(tmp_path / "first.db")
    for entry in CORPUS:
        text = entry["text"]
        if "\x00" in text:  # the CSV reader refuses a NUL (a file holding one is not text)
            continue
        fields = {"organization": text, "contact": text, "notes": text, "source": text}
        mark_lost(add_prospect(NOW, text, fields=fields).id, text, NOW)
    database.close()
    exported = io.StringIO()
    with contextlib.redirect_stdout(exported):  # not a terminal: exact data
        assert cli_module.main(["--db", str(tmp_path / "first.db"), *NOW_ARG, "export"]) == 0
    exported = exported.getvalue()
    assert "\x1b]0;PWNED" in exported and "\u202e" in exported and "\x9b" in exported
    to_file = ["export", "-o", str(tmp_path / "e.csv")]
    assert cli_module.main(["--db", str(tmp_path / "first.db"), *NOW_ARG, *to_file]) == 0
    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8", newline="")
    assert path.read_bytes() == (tmp_path / "e.csv").read_bytes()
    again = ["--db", str(tmp_path / "again.db"), *NOW_ARG]
    assert cli_module.main([*again, "import", str(path)]) == 0
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_module.main([*again, "export"]) == 0
    assert out.getvalue() == exported


def test_the_calendar_has_no_control_character_in_its_text(scenario):
    from icalendar import Calendar

    calendar = Calendar.from_ical(scenario.ics)
    events = calendar.walk("VEVENT")
    assert len(events) >= len(CRAFTED)
    for event in events:
        for key in ("SUMMARY", "DESCRIPTION"):
            value = str(event.get(key, ""))
            assert acting(value.replace("\n", "")) == [], (key, value)
        assert acting(str(event.walk("VALARM")[0]["DESCRIPTION"])) == []
    summaries = " ".join(str(event["SUMMARY"]) for event in events)
    for entry in CRAFTED:
        for run in visible_runs(entry["text"]):
            assert run in summaries, (entry["id"], run)


# -- a real terminal ----------------------------------------------------------------------------


def _run_on_a_terminal(argv: list[str], timeout: float = 60) -> bytes:
    """Run the command line with its stdout on a pseudo-terminal; what the terminal received."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline_tui", *argv], stdout=follower, stderr=subprocess.PIPE
    )
    os.close(follower)
    received = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if select.select([leader], [], [], 0.2)[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the process is gone and the terminal drained
                break
            if not chunk:
                break
            received += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    assert process.wait(timeout=timeout) == 0, process.stderr.read()
    return received


def test_export_to_a_terminal_shows_the_text_and_to_a_pipe_gives_it_exact(scenario):
    db = ["--db", str(scenario.shell.folder / "hostile.db"), *NOW_ARG]
    on_terminal = _run_on_a_terminal([*db, "export"]).decode()
    TRIED["terminal cases"] += 1
    assert acting(on_terminal.replace("\r\n", "\n")) == []
    assert "Evil\ufffd]0;PWNED title\ufffd Co" in on_terminal
    piped = subprocess.run([sys.executable, "-m", "pipeline_tui", *db, "export"], capture_output=True)
    assert piped.stdout.decode() == scenario.csv_export
    for command in (["export", "--format", "json"], ["agenda"], ["report"], ["archived"]):
        TRIED["terminal cases"] += 1
        assert acting(_run_on_a_terminal([*db, *command]).decode().replace("\r\n", "\n")) == [], command


def test_a_terminal_is_told_from_a_file_a_pipe_and_the_null_device(tmp_path):
    from pipeline_tui.cli.common import goes_to_a_terminal

    leader, follower = pty.openpty()
    try:
        assert goes_to_a_terminal(os.ttyname(follower))
    finally:
        os.close(leader), os.close(follower)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "file.csv").write_text("")
    for path in (str(fifo), str(tmp_path / "file.csv"), str(tmp_path / "new.csv"), os.devnull):
        assert not goes_to_a_terminal(path), path
    assert not goes_to_a_terminal(None)  # pytest's stdout is not a terminal


# -- the app ------------------------------------------------------------------------------------

SIZE = (120, 40)
TEXTUAL_OWN = re.compile(r"\x1b\[[0-9;]*[mH]")  # what Textual writes to draw: styles and cursor moves


def frame(app) -> tuple[str, str]:
    """What the app would write to the terminal to draw its whole screen now (a dialog over the
    screen below it): the text of every segment, and the output with Textual's escape codes."""
    from rich.console import Console

    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console = Console(
        width=SIZE[0],
        height=SIZE[1],
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
        safe_box=False,
    )
    text = "".join(segment.text for line in update.strips for strip in line for segment in strip)
    return text, update.render_segments(console)


def assert_drawn_safely(app, entry: dict, where: str, *, visible: bool = True) -> str:
    """Nothing in the frame acts on the terminal; when ``visible``, the entry can be read in it."""
    text, output = frame(app)
    TRIED["app cases"] += 1
    assert acting(text) == [], (where, entry["id"])
    assert acting(TEXTUAL_OWN.sub("", output).replace("\n", "")) == [], (where, entry["id"])
    if visible:
        runs = visible_runs(entry["text"])[:1]
        assert all(run[:25] in text for run in runs), (where, entry["id"], runs)
        if entry["as_given"]:
            assert name_of(entry)[:25] in text, (where, entry["id"])
    return text


@pytest.fixture
def hostile_app(db):
    """A database where each entry is a prospect's name, organization, contact and notes, its
    follow-ups' notes and outcome; prospects in Qualified, not confirmed as decision makers."""
    from pipeline_tui.services.follow_ups import log_activity, schedule
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.services.setup import add_pipeline
    from pipeline_tui.store.models import Stage
    from pipeline_tui.ui.app import PipelineApp

    prospects = {}
    for entry in ON_SCREEN:
        text = entry["text"]
        fields = {"organization": text, "contact": text, "notes": text, "source": text}
        prospect = add_prospect(NOW, name_of(entry) or "blank", stage="Qualified", fields=fields)
        schedule(prospect.id, "appointment", NOW + timedelta(days=1), NOW, text)
        log_activity(prospect.id, "call", NOW - timedelta(hours=1), text, text)
        prospects[entry["id"]] = prospect.id
    lost = add_prospect(NOW, "Lost one")  # its lost reason: the one the dialog offers
    add_pipeline(HOSTILE_PIPELINE)
    Stage.update(name=HOSTILE_STAGE).where(Stage.name == "Trial").execute()
    return PipelineApp(now=NOW, poll=False), prospects, lost.id


async def _on_board(app, pilot, prospect_id: int, *, detail: bool = False) -> None:
    from pipeline_tui.ui.screens.board import BoardScreen

    if not isinstance(app.screen, BoardScreen):
        await pilot.press("1")
        await pilot.pause()
    app.screen.select_prospect(prospect_id, open_detail=detail)
    await pilot.pause()


async def test_board_cards_and_detail_pane(hostile_app):
    app, prospects, _ = hostile_app
    async with app.run_test(size=SIZE) as pilot:
        for entry in ON_SCREEN:
            await _on_board(app, pilot, prospects[entry["id"]], detail=True)
            assert_drawn_safely(app, entry, "board and pane")
        await pilot.press("escape")  # the pane closed, every column shows
        await pilot.pause()
        stage = {"id": "stage", "text": HOSTILE_STAGE, "as_given": False}
        assert_drawn_safely(app, stage, "a column's header")
        await pilot.press("p")  # the other pipeline: its name atop the board and in the message
        await pilot.pause()
        assert_drawn_safely(app, {"id": "pipeline", "text": HOSTILE_PIPELINE, "as_given": False}, "pipeline")


@pytest.mark.parametrize(
    ("key", "dialog"),
    [
        ("e", "edit"),
        ("f", "follow-up"),
        ("c", "log a call"),
        ("o", "note"),
        ("t", "trial"),
        ("L", "move into Appointment: is this the decision maker?"),
    ],
)
async def test_board_dialogs(hostile_app, key, dialog):
    from pipeline_tui.ui.screens.board import BoardScreen

    app, prospects, _ = hostile_app
    async with app.run_test(size=SIZE) as pilot:
        for entry in SAMPLE:
            await _on_board(app, pilot, prospects[entry["id"]])
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, BoardScreen), dialog
            assert_drawn_safely(app, entry, dialog)
            await pilot.press("escape")
            await pilot.pause()


async def test_the_lost_dialog_lists_reasons_as_text_and_keeps_the_one_picked(hostile_app):
    """``x``: the reasons given before are offered as typed-ahead suggestions and as a list;
    picking one saves it exactly as it was given."""
    from pipeline_tui.store.models import Prospect

    app, prospects, lost_id = hostile_app
    async with app.run_test(size=SIZE) as pilot:
        for entry in SAMPLE:
            Prospect.update(lost_reason=entry["text"]).where(Prospect.id == lost_id).execute()
            await _on_board(app, pilot, prospects[entry["id"]])
            await pilot.press("x")
            await pilot.pause()
            assert_drawn_safely(app, entry, "lost dialog")
            first = entry["text"][:1]
            if first.isascii() and first.isalpha():  # typed, the rest is suggested in the field
                await pilot.press(first)
                await pilot.pause()
                assert_drawn_safely(app, entry, "lost dialog, suggestion")
            await pilot.press("escape")
            await pilot.pause()
        entry = next(e for e in ON_SCREEN if e["id"] == "osc-title-bel")
        Prospect.update(lost_reason=entry["text"]).where(Prospect.id == lost_id).execute()
        await _on_board(app, pilot, prospects[entry["id"]])
        await pilot.press("x", "down", "enter")  # to the list of reasons, pick the first
        await pilot.pause()
        assert Prospect.get_by_id(prospects[entry["id"]]).lost_reason == entry["text"]


async def test_editing_saves_back_exactly_what_was_there(hostile_app):
    from pipeline_tui.store.models import Prospect

    app, prospects, _ = hostile_app
    async with app.run_test(size=SIZE) as pilot:
        for entry in SAMPLE:
            prospect_id = prospects[entry["id"]]
            before = Prospect.get_by_id(prospect_id)
            await _on_board(app, pilot, prospect_id)
            await pilot.press("e")
            await pilot.pause()
            app.screen.query_one("#field-value").value = "1200"
            await pilot.press("enter")
            await pilot.pause()
            after = Prospect.get_by_id(prospect_id)
            assert after.value_cents == 120_000
            assert (after.name, after.organization, after.notes) == (
                before.name,
                before.organization,
                before.notes,
            ), entry["id"]


async def test_agenda_and_its_dialogs(hostile_app):
    from pipeline_tui.store.models import FollowUp

    app, prospects, _ = hostile_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        agenda = app.screen
        for entry in ON_SCREEN:
            follow_up = FollowUp.get(FollowUp.prospect == prospects[entry["id"]], FollowUp.done_at.is_null())
            agenda.reload(select=follow_up.id)
            await pilot.pause()
            assert_drawn_safely(app, entry, "agenda")
            for key, dialog in (("d", "done"), ("r", "reschedule")) if entry in SAMPLE else ():
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is not agenda, dialog
                assert_drawn_safely(app, entry, dialog)
                await pilot.press("escape")
                await pilot.pause()


async def test_report(hostile_app):
    app, _, _ = hostile_app
    nothing = {"id": "report", "text": "", "as_given": False}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        assert_drawn_safely(app, {"id": "stage", "text": HOSTILE_STAGE, "as_given": False}, "report")
        advice = app.screen.query_one("#advice")
        assert len(advice.items) >= len(ON_SCREEN)  # each names a hostile prospect
        for step in range(0, len(advice.items), 8):  # a screenful of advice at a time
            advice.cursor = step
            await pilot.pause()
            text = assert_drawn_safely(app, nothing, "report", visible=False)
            assert "▸" in text  # advice is on the screen


# the entries whose contacts' dialogs are opened: every control character, and markup
PEOPLE = [e for e in SAMPLE if e["id"] in {"every-control", "markup-click-quit"}]


async def test_people_on_a_deal_and_their_dialogs(hostile_app):
    """``a``: the people list, titled by the deal; each person's edit, role, call, email (its
    copied message) and remove dialogs name the person and the deal."""
    from pipeline_tui.services.contacts import edit_contact, list_contacts
    from pipeline_tui.ui.screens.people import PeopleScreen

    app, prospects, _ = hostile_app
    for entry in PEOPLE:
        person = list_contacts(prospects[entry["id"]])[0]
        edit_contact(
            person.id, NOW, {"title": entry["text"], "email": "".join(entry["text"].split()) + "@x.io"}
        )
    async with app.run_test(size=SIZE) as pilot:
        for entry in SAMPLE:
            await _on_board(app, pilot, prospects[entry["id"]])
            await pilot.press("a")
            await pilot.pause()
            assert isinstance(app.screen, PeopleScreen)
            assert_drawn_safely(app, entry, "people")
            for key in ("e", "r", "c", "m", "d") if entry in PEOPLE else ():
                await pilot.press(key)
                await pilot.pause()
                assert not isinstance(app.screen, PeopleScreen), key
                assert_drawn_safely(app, entry, f"people, {key}")
                await pilot.press("escape")
                await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()


async def test_merging_a_look_alike_organization_asks_by_name(hostile_app):
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.ui.widgets.forms import ConfirmScreen

    app, prospects, _ = hostile_app
    for entry in PEOPLE:
        add_prospect(NOW, f"Twin {entry['id']}", fields={"organization": f"{entry['text']} Inc"})
    async with app.run_test(size=SIZE) as pilot:
        for entry in PEOPLE:
            await _on_board(app, pilot, prospects[entry["id"]], detail=True)
            assert_drawn_safely(app, entry, "pane, same company?")
            await pilot.press("M")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            assert_drawn_safely(app, entry, "merge")
            await pilot.press("n")
            await pilot.pause()


async def test_the_stage_editor_and_its_dialogs(hostile_app):
    """Palette, Stages: the list of stages; renaming and removing one name it."""
    from textual.widgets import OptionList

    from pipeline_tui.services.stages import add_stage
    from pipeline_tui.ui.screens.stages import StagesScreen

    app, _, _ = hostile_app
    marked = {"id": "stage-markup", "text": "[@click=app.quit]Deal[/] [b]", "as_given": True}
    add_stage(marked["text"], "Lead")
    async with app.run_test(size=SIZE) as pilot:
        app.edit_stages()
        await pilot.pause()
        assert isinstance(app.screen, StagesScreen)
        for stage in (marked, {"id": "stage", "text": HOSTILE_STAGE, "as_given": False}):
            assert_drawn_safely(app, stage, "stage editor")
            app.screen.query_one(OptionList).highlighted = [r.name for r in app.screen.rows].index(
                stage["text"]
            )
            for key in ("r", "d"):
                await pilot.press(key)
                await pilot.pause()
                assert not isinstance(app.screen, StagesScreen), key
                assert_drawn_safely(app, stage, f"stage editor, {key}")
                await pilot.press("escape")
                await pilot.pause()


async def test_the_call_block_shows_each_card_as_text(hostile_app):
    """``b``: a call due for each sampled prospect, one card at a time."""
    from pipeline_tui.services.follow_ups import schedule
    from pipeline_tui.ui.screens.call_block import CallBlockScreen

    app, prospects, _ = hostile_app
    for number, entry in enumerate(SAMPLE):  # due in this order, so the cards come in it
        schedule(prospects[entry["id"]], "call", NOW - timedelta(minutes=60 - number), NOW, entry["text"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, CallBlockScreen)
        for entry in SAMPLE:
            assert_drawn_safely(app, entry, "call block")
            await pilot.press("j")
            await pilot.pause()


def _query(entry: dict) -> str:
    """What one would type to find the entry: its first run of text (SQLite's LIKE stops at a
    NUL, so what follows one cannot be found)."""
    return (visible_runs(entry["text"]) or [entry["text"]])[0][:20]


async def test_palette_search_shows_names_as_text(hostile_app):
    from textual import events
    from textual.command import CommandInput, CommandPalette

    app, _, _ = hostile_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        search = app.screen.query_one(CommandInput)
        for entry in ON_SCREEN:
            search.value = ""
            app.post_message(events.Paste(_query(entry)))  # as a user would paste the name
            await pilot.pause()
            assert search.value
            await app.screen.workers.wait_for_complete()
            await pilot.pause()  # the hits are shown as the search ends
            assert_drawn_safely(app, entry, "palette")


def where_drawn(app, widget, text: str) -> tuple[int, int]:
    """The screen cell where a line of ``widget`` shows ``text`` and nothing else."""
    from textual.strip import Strip

    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    region = widget.region
    for y in range(region.y, region.bottom):
        drawn = Strip.join(update.strips[y]).crop(region.x, region.right).text
        if drawn.strip(" ▊▎▌▍▋▏") == text:
            return region.x + drawn.index(text), y
    raise AssertionError(f"{text!r} is not on a line of its own")


async def test_a_name_with_a_click_action_opens_the_prospect_and_never_quits(hostile_app):
    """A prospect named ``[@click=app.quit]x[/]`` once quit the app when its palette entry was
    clicked; ``[/]`` alone was refused by the markup parser and never listed; ``[bold red]``
    styled the name it was part of."""
    from textual.command import CommandList, CommandPalette

    app, prospects, _ = hostile_app
    async with app.run_test(size=SIZE) as pilot:
        for name in ("[@click=app.quit]x[/]", "[/]", "[bold red]Acme[/] Fleet"):
            entry = next(e for e in ON_SCREEN if e["text"] == name)
            await pilot.press("ctrl+p", *name[:4])
            await app.screen.workers.wait_for_complete()
            await pilot.pause(0.3)
            hits = app.screen.query_one(CommandList)
            prompts = [
                str(hits.get_option_at_index(i).prompt).split("\n")[0] for i in range(hits.option_count)
            ]
            assert name in prompts, (name, prompts)
            x, y = where_drawn(app, hits, name)
            await pilot.click(offset=(x + 1, y))  # on the name itself, where a click action would be
            await pilot.pause(0.3)
            assert app.is_running and app.return_code is None, name
            assert not isinstance(app.screen, CommandPalette), name
            assert app.screen.detail.prospect_id == prospects[entry["id"]], name


# -- the real app, in a real (pseudo) terminal ----------------------------------------------------

# Textual's own output: CSI sequences ending in m (styles), H (cursor), h/l (modes), $p (mode
# query), u (keyboard protocol); and OSC 22 (the mouse pointer's shape), ended by BEL.
TEXTUAL_SEQUENCE = re.compile(r"\x1b\[[0-9;?<>=]*(\$p|[mHhlu])|\x1b\]22;[a-z-]*\x07")


def _read(fd: int, until: str | None, seen: bytearray, timeout: float = 90) -> None:
    """Read what the app writes into ``seen`` until ``until`` has come (after what was there),
    and a second more (the frame is whole; a text field's cursor blinks on meanwhile)."""
    start, wanted = len(seen), (until or "").encode()
    deadline, settled = time.monotonic() + timeout, None
    while settled is None or time.monotonic() < settled:
        assert time.monotonic() < deadline, f"never showed {until!r}: {bytes(seen[-3000:])!r}"
        if select.select([fd], [], [], 0.1)[0]:
            try:
                seen += os.read(fd, 1 << 16)
            except OSError:  # the app ended
                return
        if settled is None and wanted in seen[start:]:
            settled = time.monotonic() + 1


def test_the_real_app_in_a_terminal_sends_nothing_from_the_text(tmp_path):
    """The app as a user runs it, at 120x40: the board, a card's edit and lost dialogs, the
    question before a move into Appointment, the agenda and its done dialog, the report and a
    palette search, on prospects that hold every entry. Every escape sequence the terminal
    receives is one of Textual's own; none of an entry's reaches it."""
    import fcntl
    import termios

    from pipeline_tui.services.follow_ups import schedule
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.store.db import open_database

    path = tmp_path / "hostile.db"
    database = open_database(path)
    for entry in ON_SCREEN:
        text = entry["text"]
        prospect = add_prospect(NOW, name_of(entry), stage="Qualified", fields={"organization": text})
        schedule(prospect.id, "appointment", NOW + timedelta(days=1), NOW, text)
    database.close()
    pid, fd = pty.fork()
    if pid == 0:  # the terminal's side: the app, as a user starts it
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, [sys.executable, "-m", "pipeline_tui", "--db", str(path), *NOW_ARG])
    seen = bytearray()
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        _read(fd, "DM?", seen)  # the cards are drawn
        time.sleep(1)  # and the first card selected
        for keys, shows in [  # what each key shows: words of the dialog, not of the footer
            (b"l", None),  # to the Qualified column
            (b"e", "Job title"),
            (b"\x1b", None),
            (b"x", "Reason"),
            (b"\x1b", None),
            (b"L", "y / enter: yes"),  # is the contact the decision maker?
            (b"n", None),
            (b"2", "Overdue"),
            (b"d", "Outcome"),
            (b"\x1b", None),
            (b"3", "What to do"),
            (b"\x10", "Search"),
            (b"Evil", "PWNED"),
            (b"\x1b", None),
        ]:
            os.write(fd, keys)
            _read(fd, shows, seen)
        os.write(fd, b"q")
        _read(fd, "\x1b[?1049l", seen)  # the app leaves the alternate screen
    finally:
        os.close(fd)
        os.waitpid(pid, 0)
    received = bytes(seen).decode("utf-8", "replace")
    TRIED["real terminal sessions"] += 1
    assert "\ufffd]0;PWNED title\ufffd" in received  # hostile names were drawn, shown as text
    leftover = TEXTUAL_SEQUENCE.sub("", received)
    assert acting(leftover.replace("\r", "").replace("\n", "")) == []
    for entry in ON_SCREEN:  # not even a sequence like Textual's own: none with the text before it
        raw = re.search("[^\x00-\x20]{2}[\x1b\x80-\x9f\u202a-\u202e\u2066-\u2069].{0,5}", entry["text"], re.S)
        if raw:
            assert raw.group() not in received, entry["id"]


# -- the same mistake in a new place ---------------------------------------------------------------

PACKAGE = Path(cli_module.__file__).parent.parent


def _calls(folder: str, name: str):
    """Every call of ``name`` (a function or a method) in the package's ``folder``."""
    import ast

    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                called = (
                    node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                )
                if called == name:
                    yield path.relative_to(PACKAGE), node


def test_the_command_line_prints_only_through_say():
    """A print added to a command would show a name raw: lines for a person go through ``say``
    (``common.py``), errors through ``_one_line`` in ``__init__.py``'s handlers."""
    import ast

    for path, node in _calls("cli", "print"):
        through_say = str(path) == "cli/common.py" and "printable(" in ast.unparse(node)
        through_one_line = str(path) == "cli/__init__.py" and "_one_line(" in ast.unparse(node)
        assert through_say or through_one_line, f"{path}:{node.lineno}: {ast.unparse(node)}"
    for name in ("write",):  # sys.stdout.write / sys.stderr.write with text of ours only
        for path, node in _calls("cli", name):
            assert ast.unparse(node) in ('sys.stderr.write("\\r")', "sys.stderr.write('\\r')"), (
                f"{path}:{node.lineno}: {ast.unparse(node)}"
            )


def test_every_message_and_text_widget_of_the_app_reads_no_markup():
    """``notify`` and ``Static``/``Label`` read a string as markup unless told not to."""
    import ast

    for name in ("notify", "Static", "Label"):
        for path, node in _calls("ui", name):
            markup = next((k.value for k in node.keywords if k.arg == "markup"), None)
            if isinstance(markup, ast.Name) and markup.id == "markup":
                continue  # PipelineApp.notify passing its caller's choice on
            assert isinstance(markup, ast.Constant) and markup.value is False, (
                f"{path}:{node.lineno}: {name}(...) without markup=False"
            )


@pytest.mark.parametrize(
    "name", ["Red\x1b[31mALERT\x1b[0m deal", "BiDi \u202egnp.exe\u202c deal", "C1 \x9b31m csi"]
)
def test_rows_and_cards_are_laid_out_by_the_width_a_name_is_drawn_in(name):
    """An ESC measures no cell and the � drawn for it one: measured raw, an agenda row's columns
    stood a cell askew for each, and a card's name was cut a second time, losing its end."""
    from rich.cells import cell_len

    from pipeline_tui.core.printable import printable
    from pipeline_tui.ui.screens.agenda import fit
    from pipeline_tui.ui.widgets.virtual_list import shorten, shorten_middle

    for room in (8, 12, 22, 32):
        assert cell_len(printable(fit(name, room))) == room
        assert cell_len(printable(shorten(name, room))) <= room
    shown = printable(shorten_middle(name, 12))
    assert cell_len(shown) <= 12 and shown.endswith(name[-3:])
