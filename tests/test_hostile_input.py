"""A CSV from a messy CRM export, junk on the command line: nothing may end in a traceback.

Hypothesis throws hostile input at every door: the CSV reader and importer (random bytes,
wrong encodings, NUL bytes, unbalanced quotes, huge fields, formula cells, ragged rows), the
parsers of typed values, and each CLI command. Only :class:`UserError` may come out, with a
one-line message; a refused file changes nothing; an accepted one keeps every view working.
Unicode in names and notes survives every trip exactly.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from datetime import datetime

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from pipeline_tui import cli as cli_module
from pipeline_tui.core.dates import EARLIEST, LATEST, parse_day, parse_iso, parse_when
from pipeline_tui.core.fields import TEXT_FIELDS, parse_fields, parse_kind, parse_probability
from pipeline_tui.core.money import MAX_CENTS, parse_money
from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import UserError
from pipeline_tui.io.csv_io import ALIASES, COLUMNS, parse_csv, write_csv
from pipeline_tui.services import views
from pipeline_tui.services.importing import import_parsed
from pipeline_tui.services.prospects import add_prospect
from pipeline_tui.store import models
from pipeline_tui.store.db import open_database
from pipeline_tui.store.models import FollowUp, Prospect, StageChange

NOW = datetime(2026, 11, 26, 9, 30)
TRIED: Counter = Counter()  # hostile inputs tried, by door (printed with -s at the end of the module)

# the database is meant to outlive single examples: each one compares counts before and after
EXAMPLES = int(os.environ.get("PIPELINE_TUI_FUZZ_EXAMPLES", "250"))  # per fuzz test; CLI ones run fewer
CLI_EXAMPLES = int(os.environ.get("PIPELINE_TUI_CLI_EXAMPLES", "15"))


def slow(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture(scope="module", autouse=True)
def _tally():
    yield
    if TRIED:
        print("\nhostile inputs tried: " + ", ".join(f"{n} {door}" for door, n in sorted(TRIED.items())))


# -- strategies -------------------------------------------------------------------------------

TRICKY = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "nan",
    "inf",
    "²",
    "٣",
    "１２",
    "9" * 30,
    "1" * 5000,
    "\x00",
    "\ufeff",
    "\u202e",
    "'",
    '"',
    '""',
    "=1+1",
    "+1",
    "-x",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
    "\t=1",
    "\r",
    "\n",
    "0000-00-00",
    "9999-12-31 23:59",
    "0001-01-01",
    "2026-02-30",
    "2026-12-01T10:00+14:00",
    "2026-W01-1",
    "tomorrow 99",
    "tomorrow ²",
    "+9999m",
    "-9999m",
    "next fri 25:61",
    "yes",
    "Won",
    "lost",
    "deleted",
    "Lead In",
    "$",
    "€1,000,000,000,000",
    "12,00",
]
tricky = st.sampled_from(TRICKY)
# text with the characters that break naive code: controls, quotes, separators, BOM, RTL, astral
nasty_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list(",;\"'\r\n\t\x00\x0b\x0c\x1c\x85\u2028\ufeff\u200d\u202e\u0301=+-@²٣𝟘")),
    ),
    max_size=40,
)
cell = st.one_of(tricky, nasty_text, st.integers(-(10**20), 10**20).map(str))
huge_cell = st.sampled_from([100_000, 100_001, 400_001]).flatmap(
    lambda n: st.sampled_from(["x", "é", "9", '"']).map(lambda ch: ch * n)
)
header_name = st.one_of(st.sampled_from(COLUMNS + ("status",)), st.sampled_from(sorted(ALIASES)), nasty_text)

# cells a CRM might really hold for each column, good and bad, so that rows get past the header
PLAUSIBLE = {
    "value": ["12000", "12,000.50", "$1,200", "€ 99", "12 000", "1.999", "-5", "12k", "0", "999999999999999"],
    "expected_close": [
        "2026-12-01",
        "2026-12-01 14:30",
        "0001-01-01",
        "9999-12-31",
        "31/12/2026",
        "tomorrow",
    ],
    "created": ["2026-01-01", "2026-11-26 09:30:00", "2026-11-26T09:30:00Z", "0001-01-01", "2026-02-29"],
    "closed": ["2026-06-30", "9999-12-31 23:59", "2026-13-01"],
    "next_follow_up": ["2026-12-02 10:00", "2026-12-02", "9999-12-31 23:59", "0001-01-01", "next week"],
    "next_follow_up_kind": ["call", "email", "Demo", "info request", "meeting", "fax"],
    "stage": ["Lead", "won", "LOST", "Trial", " proposal ", "Lead In", "Negotiations Started", "Nope"],
    "status": ["open", "won", "lost", "deleted", "maybe"],
    "decision_maker": ["yes", "No", "1", "0", "?", "true", "maybe"],
    "urgency": ["low", "HIGH", "medium", "urgent"],
    "probability": ["0.5", "60%", "1", "0", "1.5", "-0", "nan", "100%"],
    "pipeline": ["Sales", "sales", "Renewals"],
    "archived": ["yes", "no", "", "sometimes"],
    "email": ["jane@acme.com", "not an email", "a@b"],
    "name": ["Acme", "  Acme   Corp ", '=HYPERLINK("http://x")', "'=1+1", "x" * 301],
}


def _column(title: str) -> str:
    key = " ".join(title.strip().lower().split())
    return ALIASES.get(key, key.replace(" ", "_"))


@st.composite
def csv_bytes(draw) -> bytes:
    """A CSV-shaped file: a header of real, aliased and junk columns, ragged rows of plausible and
    hostile cells, sometimes a huge field, a broken quote, a NUL or a cut, in an encoding people's
    tools write (mostly UTF-8, so that most files get as far as their rows)."""
    header = draw(st.lists(header_name, max_size=8))
    if draw(st.integers(0, 4)):
        header = list({_column(h): h for h in header}.values())  # usually no column twice
        if "name" not in map(_column, header):
            header.insert(
                draw(st.integers(0, len(header))), draw(st.sampled_from(["name", "NAME", "Deal - Title"]))
            )
    width = len(header)
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        size = draw(st.integers(max(0, width - 2), width + 2)) if draw(st.integers(0, 5)) == 0 else width
        row = []
        for i in range(size):
            column = _column(header[i]) if i < width else ""
            good = PLAUSIBLE.get(column, ["", "Acme", "x"])
            row.append(
                draw(st.one_of(st.sampled_from(good), cell))
                if draw(st.integers(0, 3)) == 0
                else draw(st.sampled_from(good))
            )
        rows.append(row)
    if rows and rows[0] and draw(st.integers(0, 9)) == 0:
        rows[0][draw(st.integers(0, len(rows[0]) - 1))] = draw(huge_cell)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])))
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    damage = draw(st.sampled_from(["none"] * 5 + ["quote", "nul", "cut"]))
    if damage != "none" and text:
        at = draw(st.integers(0, len(text)))
        if damage == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        else:
            text = text[:at] + {"quote": '"', "nul": "\x00"}[damage] + text[at:]
    encoding = draw(
        st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-16-le"])
    )
    return text.encode(encoding, errors="replace")


any_file = st.one_of(
    csv_bytes(),
    csv_bytes(),
    csv_bytes(),
    st.binary(max_size=500),
    st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    st.text(max_size=100).map(lambda t: ("name\n" + t).encode("utf-16")),  # UTF-16 with a BOM
)


# -- (a) CSV import ---------------------------------------------------------------------------


def _counts() -> tuple[int, int, int]:
    return (Prospect.select().count(), StageChange.select().count(), FollowUp.select().count())


def _why(message: str) -> str:
    for words in ("not UTF-8", "NUL", "not valid CSV", "no 'name' column", "empty", "appears twice", "row"):
        if words in message:
            return words
    return "other"


def _views_still_work(new_ids: list[int]) -> None:
    """Whatever was accepted, every screen and command can still show it."""
    settings_ = Settings()
    views.agenda(NOW, 7)
    views.agenda(NOW, None)
    views.report(NOW, settings_)
    from pipeline_tui.services.board import BoardReader

    for _, cards in BoardReader(settings_).read(NOW, "a").columns + BoardReader(settings_).read(NOW).columns:
        list(cards)
    rows = views.export_rows(NOW, settings_)
    write_csv(rows, io.StringIO())
    for prospect_id in new_ids[:3]:
        views.prospect_detail(prospect_id, NOW, settings_)


@pytest.fixture
def hostile_db(tmp_path):
    database = open_database(tmp_path / "hostile.db")
    yield database
    database.close()


@slow(EXAMPLES)
@given(content=any_file)
def test_any_file_imports_whole_or_is_refused_in_one_line(hostile_db, tmp_path, content):
    TRIED["CSV files"] += 1
    path = tmp_path / "crm export.csv"
    path.write_bytes(content)
    before = _counts()
    last_id = Prospect.select(Prospect.id).order_by(Prospect.id.desc()).scalar() or 0
    try:
        parsed = parse_csv(path, NOW)
        count = import_parsed(parsed, str(path), NOW)
    except UserError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, message
        assert str(path) in message, message
        assert _counts() == before, "a refused file changed the database"
        TRIED["CSV files refused: " + _why(message)] += 1
        return
    TRIED["CSV files accepted"] += 1
    assert count == len(parsed.prospects)
    assert _counts()[0] == before[0] + count
    assert _counts()[1] == before[1] + count
    new_ids = [p.id for p in Prospect.select(Prospect.id).where(Prospect.id > last_id)]
    assert len(new_ids) == count
    _views_still_work(new_ids)


@pytest.mark.parametrize(
    "content, words",
    [
        ("name,notes\nAcme,café\n".encode("latin-1"), "not UTF-8"),
        (b"\xff\xfen\x00a\x00\x00\xd8", "not UTF-16"),  # its BOM, then a lone surrogate
        ("name,notes\nAcme,cafe\n".encode("utf-16-le"), "NUL"),  # without: ASCII becomes x\0
        (b"name\nA\x00cme\n", "NUL"),
        (b'name,notes\nAcme,"never closed\n', "not valid CSV"),
        (b'name,notes\nAcme,"x"y\n', "not valid CSV"),
        (b"name\n" + b"x" * 400_001 + b"\n", "not valid CSV"),
        (b"name\n" + b"x" * 100_001 + b"\n", "longer than 100,000"),
        (b"name,value\nAcme," + b"1" * 5000 + b"\n", "column value"),
        (b"organisation,amount\nAcme,1\n", "no 'name' column"),
        (b'"na\nme",x\nAcme,1\n', "no 'name' column"),
        (b"", "empty"),
    ],
)
def test_named_kinds_of_bad_file_are_refused_in_one_line(hostile_db, tmp_path, content, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(UserError) as caught:
        import_parsed(parse_csv(path, NOW), str(path), NOW)
    message = str(caught.value)
    assert words in message and str(path) in message
    assert "\n" not in message
    assert _counts() == (0, 0, 0)


def test_ragged_rows_and_extra_columns_import(hostile_db, tmp_path):
    """Missing cells are empty, cells beyond the header and unknown columns are ignored."""
    path = tmp_path / "ragged.csv"
    path.write_text("name,value,Mystery\nShort\nLong,100,m,extra,more\n,\n", encoding="utf-8")
    parsed = parse_csv(path, NOW)
    assert parsed.unknown_columns == ["Mystery"]
    assert import_parsed(parsed, str(path), NOW) == 2
    assert [(p.name, p.value_cents) for p in Prospect.select().order_by(Prospect.id)] == [
        ("Short", None),
        ("Long", 10000),
    ]


def test_an_accepted_file_with_far_dates_keeps_every_view_working(hostile_db, tmp_path):
    path = tmp_path / "far.csv"
    path.write_text(
        "name,created,closed,expected_close,next_follow_up,stage\n"
        "A,0001-01-01,,9999-12-31,9999-12-31 23:59,Lead\n"
        "B,9999-12-31 23:59,9999-12-31 23:59,0001-01-01,0001-01-01,Won\n"
        "C,2026-01-01,0001-01-01,,,Lost\n",
        encoding="utf-8",
    )
    try:
        import_parsed(parse_csv(path, NOW), str(path), NOW)
    except UserError as exc:  # refusing such dates is fine too, as long as it says so
        assert str(path) in str(exc)
        return
    _views_still_work([p.id for p in Prospect.select()])


# -- (b) parsers of typed values --------------------------------------------------------------

date_words = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "tomorrow",
                "today",
                "yesterday",
                "next",
                "in",
                "at",
                "fri",
                "monday",
                "+",
                "-",
                "d",
                "w",
                "m",
                "months",
                "h",
                "min",
                "am",
                "pm",
                ":",
                "/",
                ".",
                ",",
                "T",
                "Z",
                "jan",
                "december",
                "2026",
                "12",
                "31",
                "00",
                "²",
                "٣",
                "１",
                "9999",
                "0",
            ]
        ),
        st.integers(-(10**6), 10**12).map(str),
        nasty_text,
    ),
    max_size=6,
).map(" ".join)


@slow(EXAMPLES * 2)
@given(text=st.one_of(date_words, nasty_text, tricky, st.text(max_size=60)))
@example(text="tomorrow ²")  # isdigit() but not int(): a ValueError once
@example(text="0:0-0")  # dateutil's UTC offset: a TypeError once, comparing with naive limits
def test_dates_are_read_or_refused(text):
    TRIED["dates"] += 1
    for parse in (parse_when, parse_day):
        try:
            result = parse(text, NOW)
        except UserError as exc:
            assert "\n" not in str(exc)
            continue
        moment = result if isinstance(result, datetime) else datetime.combine(result, datetime.min.time())
        assert moment.tzinfo is None and EARLIEST <= moment < LATEST, (text, result)
    try:
        stamp = parse_iso(text)
    except UserError:
        pass
    else:
        assert stamp.tzinfo is None


money_words = st.lists(
    st.one_of(
        st.sampled_from(
            ["$", "€", "£", "¥", "₹", "EUR", "USD", ",", ".", " ", "\u00a0", "-", "e", "000", "k", "M", "m"]
        ),
        st.integers(0, 10**25).map(str),
        st.integers(0, 6000).map(lambda n: "9" * n),
        st.text(alphabet="0123456789,. ²٣", max_size=20),
    ),
    max_size=5,
).map("".join)


@slow(EXAMPLES * 2)
@given(text=st.one_of(money_words, nasty_text, tricky))
@example(text="1" * 5000)  # past int()'s 4,300 digits: a ValueError once
def test_money_and_probabilities_are_read_or_refused(text):
    TRIED["amounts"] += 1
    try:
        cents = parse_money(text)
    except UserError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(cents, int) and 0 <= cents < MAX_CENTS
    try:
        probability = parse_probability(text)
    except UserError:
        pass
    else:
        assert probability is None or 0 <= probability <= 1
    try:
        parse_kind(text)
    except UserError:
        pass


# currency: typed, or named by the value's sign ("$12k")
FIELD_NAMES = [
    "name",
    "decision_maker",
    "urgency",
    "value",
    "currency",
    "expected_close",
    "probability",
    *TEXT_FIELDS,
]


@slow(EXAMPLES)
@given(
    values=st.dictionaries(st.sampled_from([*FIELD_NAMES, "stage", "id", ""]), st.one_of(cell, money_words))
)
@example(values={"value": "0$"})  # the value's sign names its currency: a field of its own
def test_fields_are_read_or_refused_by_name(values):
    TRIED["prospect fields"] += 1
    try:
        parsed = parse_fields(values, NOW)
    except UserError:
        return
    assert set(parsed) <= {*FIELD_NAMES, "value_cents"} - {"value"}


# -- (c) the command line ---------------------------------------------------------------------

OPTIONS = {
    "add": [
        "--value",
        "--stage",
        "--contact",
        "--organization",
        "--title",
        "--email",
        "--phone",
        "--decision-maker",
        "--close",
        "--urgency",
        "--source",
        "--probability",
        "--notes",
        "--follow-up",
        "--kind",
    ],
    "move": ["--reason"],
    "follow-up": ["--kind", "--notes"],
    "done": ["--outcome"],
    "import": ["--dry-run"],
    "export": ["--format", "-o", "--output"],
    "agenda": ["--days", "--json"],
    "report": ["--json"],
    "ics": ["-o"],
    "quota": ["--period"],
    "backup": ["-o"],
    "archive": [],
    "restore": [],
    "archived": [],
    "demo": ["--prospects"],
}
GLOBAL = ["--pipeline", "--now", "--db", "--help", "--version", "--", "-"]


def _safe(token: str) -> str:
    """Junk, but never a path outside the test's folder, nor a huge demo."""
    if token.startswith(("/", "~")) or ".." in token:
        return "./" + token.replace("..", "__").lstrip("/~")
    return token


def junk_argv(command: str):
    token = st.one_of(
        st.sampled_from(OPTIONS[command] + GLOBAL),
        tricky,
        nasty_text.filter(lambda t: "\x00" not in t),
        st.sampled_from(
            [
                "Acme",
                "acme",
                "1",
                "#1",
                "2",
                "Won",
                "Qualified",
                "tomorrow 10:00",
                "json",
                "csv",
                "quarter",
                "out.csv",
                "-o",
                "month",
            ]
        ),
    )
    return st.lists(token, max_size=6).map(lambda tokens: [command, *map(_safe, tokens)])


def _call_main(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = cli_module.main(argv)
    except SystemExit as exc:  # --help and --version end through argparse, with status 0
        code = exc.code
    finally:
        if models.database.obj is not None:
            models.database.obj.close()
    out, err = capsys.readouterr()
    return code, out, err


def _assert_clean(code, err: str, argv) -> None:
    assert "Traceback" not in err, (argv, err)
    assert code in (0, 2), (argv, code, err)
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("pipeline-tui: "), (argv, err)


@pytest.fixture
def seeded_cli(tmp_path, monkeypatch, capsys):
    """A database with a couple of prospects and a follow-up; the working directory is scratch."""
    monkeypatch.chdir(tmp_path)
    db_file = tmp_path / "cli.db"
    base = ["--db", str(db_file), "--now", "2026-11-26 09:30"]
    for args in (["add", "Acme", "--follow-up", "tomorrow"], ["add", "Acme Two", "--value", "100"]):
        assert cli_module.main(base + args) == 0
    models.database.obj.close()
    capsys.readouterr()
    return base


@pytest.mark.parametrize("command", sorted(OPTIONS))
def test_every_command_with_junk_arguments_exits_0_or_2_in_one_line(command, seeded_cli, capsys):
    @slow(CLI_EXAMPLES)
    @given(argv=junk_argv(command))
    def check(argv):
        TRIED["command lines"] += 1
        if command == "demo":
            argv = [a for a in argv if a != "--prospects"] + [
                "--no-open",
                "--prospects",
                "3",
            ]  # never the TUI
        code, _, err = _call_main(seeded_cli + argv, capsys)
        _assert_clean(code, err, argv)

    check()


@pytest.mark.parametrize(
    "argv",
    [
        ["agenda", "\r"],  # argparse echoes what it did not understand, line breaks and all
        ["import", "crm\nexport.csv"],
        ["export", "--db", "a\u2028b"],
        ["move", "999999999999999999999999", "Won"],  # an id past SQLite's integers
        ["done", "99999999999999999999"],
        ["move", "²", "Won"],  # a digit to isdigit(), not to int()
        ["done", "²"],
        ["follow-up", "Acme", "tomorrow ²"],
        ["add", "Big", "--value", "1" * 5000],  # int() refuses over 4,300 digits
        ["quota", "9" * 5000],
        ["import", "\x00"],  # a NUL in a file name: Python refuses it with a ValueError
        ["export", "-o", "out\x00.csv"],
        ["report", "--db", "pipeline\x00.db"],
        ["archive", "--db", "1" * 300],  # a file name longer than the file system allows
        ["follow-up", "--", "--kind", "--"],  # argparse gives `when` as [] after a second --
    ],
    ids=lambda argv: " ".join(argv)[:40],
)
def test_inputs_that_once_crashed_or_broke_the_line(argv, seeded_cli, capsys):
    before = _call_main([*seeded_cli, "export", "--format", "json"], capsys)[1]
    code, _, err = _call_main(seeded_cli + argv, capsys)
    _assert_clean(code, err, argv)
    assert code == 2
    assert _call_main([*seeded_cli, "export", "--format", "json"], capsys)[1] == before


def test_text_that_is_not_utf8_is_refused_by_name_and_writes_nothing(cli, db_path):
    cli("add", "Acme", check=True)
    before = db_path.read_bytes()
    base = [sys.executable, "-m", "pipeline_tui", "--db", str(db_path), "--now", "2026-11-26 09:30"]
    for args in (
        [b"add", b"caf\xe9"],
        [b"add", b"Acme 2", b"--notes", b"\xff\xfe"],
        [b"move", b"Acme", b"Lost", b"--reason", b"trop ch\xe8re"],
    ):
        result = subprocess.run(base + args, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "is not UTF-8 text" in result.stderr
    assert db_path.read_bytes() == before
    # a file name may hold any bytes: that is the file system's business
    odd = db_path.parent / os.fsdecode(b"caf\xe9.csv")
    odd.write_text("name\nFrom a Latin-1 folder\n", encoding="utf-8")
    result = subprocess.run([*base, "import", str(odd)], capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr


argv_bytes = st.lists(
    st.one_of(
        st.binary(min_size=1, max_size=12).filter(
            lambda b: b"\x00" not in b and not b.startswith((b"/", b"~"))
        ),
        st.sampled_from([b"caf\xe9", b"\xff", b"\xc3\x28", b"--notes", b"--value", b"Acme", b"tomorrow"]),
    ),
    max_size=4,
)


@slow(CLI_EXAMPLES)
@given(
    command=st.sampled_from([b"add", b"move", b"follow-up", b"done", b"agenda", b"quota"]), args=argv_bytes
)
def test_bytes_that_are_not_utf8_on_a_real_command_line(cli, db_path, tmp_path, command, args):
    """A terminal in Latin-1 passes bytes Python cannot decode: one line, no traceback."""
    TRIED["command lines (subprocess)"] += 1
    if not db_path.exists():
        cli("add", "Acme", check=True)
    argv = [
        sys.executable.encode(),
        b"-m",
        b"pipeline_tui",
        b"--db",
        bytes(db_path),
        b"--now",
        b"2026-11-26 09:30",
        command,
        *[b"./" + a if b".." in a else a for a in args],
    ]
    result = subprocess.run(argv, capture_output=True, cwd=tmp_path, timeout=60)
    err = result.stderr.decode("utf-8", "replace")
    _assert_clean(result.returncode, err, argv)


# -- (d) Unicode, exactly ---------------------------------------------------------------------

UNICODE_PIECES = (
    # accents, precomposed and combining; case pairs that fold oddly
    ["é", "É", "ñ", "ß", "İ", "ı", "Å", "e\u0301", "n\u0303", "ﬁ", "Ω"]
    # CJK, Hangul, right-to-left scripts and the marks that steer them
    + ["中文", "価格", "한국어", "שלום", "مرحبا", "\u200f", "\u200e", "\u202b", "\u202c", "\u202e"]
    # emoji with joiners and flags; invisible joiners, a BOM, the last plane
    + [
        "😀",
        "👩\u200d💻",
        "👨\u200d👩\u200d👧",
        "🇫🇷",
        "\u200b",
        "\u200d",
        "\u2060",
        "\ufeff",
        "𝔘𝔫𝔦",
        "\U0010fffd",
    ]
    # what CSV and spreadsheets trip on: quotes, commas, formula starts, every kind of line break
    + ["'", '"', ",", "=", "+", "-", "@", "\r", "\n", "\r\n", "\t", "\u2028", "\x85"]
)
unicode_text = st.lists(
    st.one_of(st.sampled_from(UNICODE_PIECES), st.characters(codec="utf-8", exclude_characters="\x00")),
    min_size=1,
    max_size=12,
).map("".join)


def _normal_name(text: str) -> str:
    return " ".join(text.split())  # what the app promises for names: whitespace runs become one space


def _export(now: datetime) -> str:
    out = io.StringIO()
    write_csv(views.export_rows(now, Settings()), out)
    return out.getvalue()


@contextmanager
def _imported_into_a_new_database(folder, exported: str):
    """The export written to a file and imported into a fresh database, open inside the block;
    yields how many prospects the import added."""
    path = folder / "export.csv"
    path.write_text(exported, encoding="utf-8", newline="")
    second_db = open_database(folder / "second.db")
    try:
        yield import_parsed(parse_csv(path, NOW), str(path), NOW)
    finally:
        second_db.close()


@slow(40)
@given(name=unicode_text, notes=unicode_text, contact=unicode_text)
def test_unicode_names_and_notes_survive_export_and_import_exactly(tmp_path_factory, name, notes, contact):
    TRIED["unicode round trips"] += 1
    assume(_normal_name(name))
    folder = tmp_path_factory.mktemp("unicode")
    first_db = open_database(folder / "first.db")
    try:
        prospect = add_prospect(NOW, name, fields={"notes": notes, "contact": contact})
        stored = Prospect.get_by_id(prospect.id)
        assert (stored.name, stored.notes, stored.contact) == (
            _normal_name(name),
            notes.strip(),
            contact.strip(),
        )
        exported = _export(NOW)
    finally:
        first_db.close()
    with _imported_into_a_new_database(folder, exported):
        [again] = Prospect.select()
        assert (again.name, again.notes, again.contact) == (stored.name, stored.notes, stored.contact)
        assert _export(NOW) == exported


@slow(25)
@given(name=unicode_text, notes=unicode_text)
def test_unicode_through_cli_add_and_json_export(tmp_path_factory, capsys, name, notes):
    TRIED["unicode via the CLI"] += 1
    assume(_normal_name(name) and not _normal_name(name).startswith("-"))
    db_file = tmp_path_factory.mktemp("cli-unicode") / "u.db"
    base = ["--db", str(db_file), "--now", "2026-11-26 09:30"]
    code, _, err = _call_main([*base, "add", name, f"--notes={notes}"], capsys)
    assert (code, err) == (0, "")
    code, out, err = _call_main([*base, "export", "--format", "json"], capsys)
    assert (code, err) == (0, "")
    [record] = json.loads(out)
    assert (record["name"], record["notes"]) == (_normal_name(name), notes.strip())


UNICODE_NAMES = [
    "Société Générale d'Électricité",
    "株式会社テスト 🍣",
    "\u200fשלום עולם\u200f",
    "Zoë e\u0301 n\u0303 👩\u200d💻 🇫🇷",
    "مرحبا \u202eevil\u202c",
    '=HYPERLINK("x") ﬁ 𝔘𝔫𝔦 \u200b\u2060',
]


def test_unicode_through_real_cli_processes(cli):
    for i, name in enumerate(UNICODE_NAMES):
        result = cli("add", name, "--notes", f"{name}\nline two {i}", "--contact", name)
        assert (result.returncode, result.stderr) == (0, "")
    exported = json.loads(cli("export", "--format", "json", check=True).stdout)
    assert [(r["name"], r["notes"], r["contact"]) for r in exported] == [
        (name, f"{name}\nline two {i}", name) for i, name in enumerate(UNICODE_NAMES)
    ]
    moved = cli("move", "\u200fשלום עולם\u200f", "Won")  # found by its exact name
    assert (moved.returncode, moved.stderr) == (0, "")


def test_a_lone_carriage_return_in_a_cell_survives_the_csv_round_trip(tmp_path):
    """Old Mac text and some CRMs end lines with CR alone; Python 3.11's CSV writer leaves such a
    cell unquoted, and the export came back cut in two rows."""
    first_db = open_database(tmp_path / "first.db")
    try:
        add_prospect(NOW, "Acme", fields={"contact": "Jane\rDoe", "notes": "one\rtwo\r\nthree"})
        exported = _export(NOW)
    finally:
        first_db.close()
    with _imported_into_a_new_database(tmp_path, exported) as imported:
        assert imported == 1
        [again] = Prospect.select()
        assert (again.contact, again.notes) == ("Jane\rDoe", "one\rtwo\r\nthree")
        assert _export(NOW) == exported
