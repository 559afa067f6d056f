"""CSV import and export (README "The command line", "Importing from another CRM").

Import reads and checks every row before writing anything, and lists every problem it finds
(a file is imported whole or not at all, so the user fixes it in one go); the services then
insert all the rows in one transaction. Export defuses spreadsheet formulas by prefixing ``'``
to cells that start with ``= + - @``; import strips that prefix again, so an export imports
back to the same data.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple, Protocol

from pipeline_tui.core import fields as field_rules
from pipeline_tui.core.date_order import ColumnOrder, settle_date_order
from pipeline_tui.core.dates import DEFAULT_RULES, DateRules, parse_iso, read_file_date
from pipeline_tui.core.domain import OPEN
from pipeline_tui.core.money import CODE_RE, read_money
from pipeline_tui.core.printable import printable
from pipeline_tui.core.search import search_text
from pipeline_tui.errors import UserError
from pipeline_tui.io.csv_headers import (  # noqa: F401 (ALIASES, COLUMNS: their home for callers)
    ALIASES,
    CLOSE_DATE,
    CLOSE_TIME,
    COLUMNS,
    DATE_COLUMNS,
    LOST_TIME,
    NEXT_ACTIVITY,
    PERCENT,
    STATUS,
    WON_TIME,
    Header,
    read_header,
)
from pipeline_tui.io.forked import Forked

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_FIELD = 100_000
STATUSES = ("open", "won", "lost", "deleted")

# What a row holds for the prospect's own columns, in this order: one tuple per row, so that a
# 100,000-row import copies it whole into the row it writes instead of looking values up by name.
# The expected close date is ISO text (``2026-12-14``): the form it is stored in.
FIELDS = (
    "name",
    "organization",
    "contact",
    "title",
    "email",
    "phone",
    "decision_maker",
    "value_cents",
    "expected_close",
    "urgency",
    "source",
    "probability",
    "notes",
    "lost_reason",
    "currency",
)
CURRENCY = FIELDS.index("currency")
_SEARCHED = itemgetter(*(FIELDS.index(name) for name in ("name", "organization", "contact", "notes")))

# which time closed a deal, by what its status says (the first that the row has)
CLOSING_TIMES = {
    "won": (WON_TIME, CLOSE_TIME, "closed", CLOSE_DATE),
    "lost": (LOST_TIME, CLOSE_TIME, "closed", CLOSE_DATE),
    None: ("closed", CLOSE_TIME, WON_TIME, LOST_TIME, CLOSE_DATE),
}


class Problem(NamedTuple):
    """What is wrong with a file: at a row and column, or (row None) with a whole column."""

    row: int | None
    column: str  # as the file's header names it
    message: str  # its values quoted with repr(), which escapes what a terminal would act on

    def __str__(self) -> str:
        column = printable(self.column)
        where = f"row {self.row}, column {column}" if self.row is not None else f"column {column}"
        return f"{where}: {printable(self.message)}"


@dataclass(slots=True)
class ImportedProspect:
    row: int
    fields: tuple  # the values of FIELDS
    stage: str | None
    created: str | None  # times as the ISO text they are stored as (``2026-11-06 09:30:00``)
    closed: str | None  # when the file says it closed (which column: ``closed_by``), if it does
    follow_up: tuple[str, str] | None  # due, kind
    pipeline: str | None = None
    status: str | None = None  # open, won or lost (another CRM's status column)
    archived: bool = False
    owner: str | None = None
    closed_by: str | None = None  # the column ``closed`` came from
    bad: bool = False  # a problem was found in it: read only for its stage and currency
    text: str = ""  # what a search finds it by (``core.search``): folded here, in either half

    def plain(self) -> tuple:
        """Its fields in order, as a tuple of plain values: ``ImportedProspect(*plain)``."""
        return (
            self.row,
            self.fields,
            self.stage,
            self.created,
            self.closed,
            self.follow_up,
            self.pipeline,
            self.status,
            self.archived,
            self.owner,
            self.closed_by,
            self.bad,
            self.text,
        )


@dataclass
class Planner(Protocol):
    """Plans the good rows of a file in the half that read them (``services.importing``)."""

    def prepare(self) -> None:
        """Read what planning needs, in this process, before a half is read in a child."""

    def rows(self, items: list[ImportedProspect], parsed: ParsedFile) -> tuple | None:
        """The rows planned, as plain values; None if any of them has a problem."""


@dataclass
class ParsedFile:
    prospects: list[ImportedProspect]  # the good rows: an import writes them if no row is bad
    unknown_columns: list[str]
    columns: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    deleted: int = 0  # rows another CRM marks deleted: skipped
    rejected: list[ImportedProspect] = field(default_factory=list)  # rows with problems, as far as read
    written: dict[str, str] = field(default_factory=dict)  # column -> its header as the file writes it
    date_orders: dict[str, ColumnOrder] = field(default_factory=dict)  # of columns with numeric dates
    # what a ``planner`` made of the good rows, a part per half read, when no row of the file has a
    # problem and every part planned whole (``prospects`` is then empty): see :func:`parse_csv`
    planned: list | None = None

    def header_of(self, column: str) -> str:
        """How the file names a column (for messages): its header, else our name for it."""
        return self.written.get(column, column)


def _looks_defused(text: str) -> bool:
    """``'=x``, ``''=x``...: apostrophes, then what a spreadsheet would read as a formula."""
    rest = text.lstrip("'")
    return rest != text and rest.startswith(FORMULA_STARTS)


def _defuse(text: str) -> str:
    """Prefix ``'`` to a formula-like cell, and to one that already looks defused, so that
    :func:`_undefuse` on import gives back exactly the text exported."""
    return "'" + text if text.startswith(FORMULA_STARTS) or _looks_defused(text) else text


def _undefuse(text: str) -> str:
    return text[1:] if _looks_defused(text) else text


def read_text(path: Path) -> str:
    """The file as text: UTF-8, a byte-order mark allowed, or UTF-16 with its byte-order mark
    (Excel's "Unicode Text"); other encodings refused clearly."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        if raw.startswith(_UTF16_MARKS):
            return raw.decode("utf-16")
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if raw.startswith(_UTF16_MARKS):
            raise UserError(
                f"{path}: not UTF-16 text after its byte-order mark; save it as CSV UTF-8"
            ) from None
        raise UserError(
            f"{path}: not UTF-8 text (bad byte at offset {exc.start}); save it as CSV UTF-8"
        ) from None


_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
DELIMITERS = ",;\t"  # a comma; Excel's CSV where the decimal mark is a comma; its Unicode Text


def _mapped_header(text: str, path: Path) -> tuple[Header, str]:
    """The header, and the delimiter it is read with: a comma, unless only semicolons or tabs
    give it a name column (European Excel saves CSV with semicolons, its Unicode Text with
    tabs). A header none reads is refused as the comma reads it."""
    first_line = text[: text.find("\n")] if "\n" in text else text
    refused = None
    for delimiter in DELIMITERS:
        if delimiter != "," and delimiter not in first_line:
            continue
        try:
            header = _header(text, delimiter)
            if header is None:
                raise UserError(f"{path}: the file is empty")
            return read_header(header, str(path)), delimiter
        except (UserError, _BadCsv) as exc:
            refused = refused or exc  # the comma's: raised again if no other delimiter reads it
    raise refused


PARALLEL_FROM = 4 << 20  # characters (about 20,000 rows): a smaller file is read in one process


def parse_csv(
    path: Path,
    now: datetime,
    progress: Callable[[int], None] | None = None,
    rules: DateRules = DEFAULT_RULES,
    home: str = "",
    planner: Planner | None = None,
) -> ParsedFile:
    """Read and check every row, gathering every problem (a file that cannot be read as CSV
    at all raises a :class:`UserError` at once). Nothing is written here. ``rules``: the
    user's date order (else each date column's own, see :func:`settle_orders`) and working
    hour; ``home``: the home currency, which a sign several currencies share means.

    A big file is read in two halves at once: the second by a forked child (``io.forked``),
    cut at a line break outside any quoted cell. Rows are numbered as a spreadsheet numbers
    them (the header is row 1), whatever line breaks cells hold; whatever goes wrong in the
    child (a cut that was not at a row's end after all), this process reads the second half
    again itself, so that the rows and problems are the ones a reading in one go gives.

    With a ``planner``, each half's good rows are also planned where they were read, unless
    the file has a problem (then ``planned`` stays None and every row is in hand as usual).
    """
    text = read_text(path)
    if "\x00" in text:
        raise UserError(f"{path}: contains NUL bytes; this is not a CSV text file")
    csv.field_size_limit(MAX_FIELD * 4)
    try:
        mapped, delimiter = _mapped_header(text, path)
        orders = settle_orders(text, mapped, rules.order, delimiter)
        settings = _Settings(mapped, str(now), now, path, rules, home, orders, delimiter)
        read = _Reading(settings, progress)
        parsed = ParsedFile([], mapped.unknown, {n: i for i, n in enumerate(mapped.names) if n})
        parsed.written, parsed.date_orders = mapped.written, orders
        parsed.problems = [
            Problem(None, mapped.written[column], verdict.problem)
            for column, verdict in orders.items()
            if not verdict.settled
        ]
        if planner is not None and not parsed.problems:
            planner.prepare()
            read.plan = partial(planner.rows, parsed=parsed)
        cut = _halfway(text) if len(text) >= PARALLEL_FROM else None
        quiet = _Reading(settings, None)  # the child's: no progress of its own
        quiet.plan = read.plan
        other = None if cut is None else Forked.start(lambda: quiet.records(text[cut:], 1, 0, plain=True))
        if other is None:
            read.records(text, 2, 0, skip_header=True)
            parsed.planned = None if read.planned is None else [read.planned]
        else:
            parsed.planned = _read_in_halves(read, other, text, cut)
        parsed.prospects = [] if parsed.planned is not None else read.prospects
        parsed.rejected, parsed.deleted = read.rejected, read.deleted
        parsed.problems += read.problems
        if progress is not None and cut is not None:
            progress(len(read.prospects))
        return parsed
    except _BadCsv as exc:
        raise UserError(f"{path} line {exc.line}: not valid CSV ({exc.reason})") from None


def _read_in_halves(read: _Reading, other: Forked, text: str, cut: int) -> list | None:
    """The first half here while the child reads the second; their rows joined in order, or
    (when both halves planned theirs) their two planned parts."""
    try:
        read.records(text[:cut], 2, 0, skip_header=True)
    except _BadCsv:  # maybe cut inside a quoted cell after all: read it all in one go
        other.discard()
        read.restart()
        read.records(text, 2, 0, skip_header=True)
        return None if read.planned is None else [read.planned]
    except BaseException:
        other.discard()
        raise
    rest = other.result()
    if rest is not None and rest[0] == "planned":
        if read.planned is not None:
            read.deleted += rest[2]
            return [read.planned, rest[1]]
        rest = None  # this half has a problem: the child's rows are needed to list them all
    if rest is None:  # the child failed, or its half is no CSV: read it here
        read.plan = None
        read.records(text[cut:], read.next_row, read.lines)
        return None
    first = read.next_row - 1
    _, prospects, rejected, problems, deleted = rest
    for plain, items in ((prospects, read.prospects), (rejected, read.rejected)):
        theirs = [ImportedProspect(*values) for values in plain]
        for item in theirs:  # the child numbered them from its own first row
            item.row += first
        items += theirs
    read.problems += [Problem(None if row is None else row + first, *rest) for row, *rest in problems]
    read.deleted += deleted
    return None


# a numeric date that is not ISO (03/04/2026, 25.04.2026): only a file that has one needs its
# columns' orders settled, which reads the whole file once more
_NUMERIC_DATE_RE = re.compile(r"(?<![\d/.-])\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")
# where one may end: a separator and a year, looked for first (a file of ISO dates has none), one
# separator at a time: a pattern that starts with a plain character is searched for at C speed
_YEAR_AFTER_SEPARATOR = tuple(re.compile(re.escape(separator) + r"\d{4}") for separator in "/.-")


def has_numeric_date(text: str) -> bool:
    """Whether ``text`` holds a numeric date that is not ISO, such as 03/04/2026."""
    for year_after in _YEAR_AFTER_SEPARATOR:
        for found in year_after.finditer(text):
            if _NUMERIC_DATE_RE.search(text, max(0, found.start() - 6), found.end()):
                return True
    return False


def settle_orders(
    text: str, header: Header, configured: str | None, delimiter: str = ","
) -> dict[str, ColumnOrder]:
    """How each date column's numeric dates read: the config's order, else the one the
    column's values that read one way only agree on (``core.date_order``)."""
    columns = {index: name for index, name in enumerate(header.names) if name in DATE_COLUMNS}
    for name, positions in header.also.items():
        if name in DATE_COLUMNS:
            columns.update(dict.fromkeys(positions, name))
    if not columns or not has_numeric_date(text):
        return {}
    if configured is not None:
        return {name: settle_date_order((), configured) for name in dict.fromkeys(columns.values())}
    # each column's distinct values in the file's order (a dict, not a set: the value a summary
    # or a refusal quotes is the first in the file, the same on every run)
    values: dict[str, dict[str, None]] = {name: {} for name in columns.values()}
    reader = _reader(text, delimiter)
    next(reader, None)
    try:
        for line in reader:
            for index, name in columns.items():
                if index < len(line):
                    values[name][line[index]] = None
    except csv.Error as exc:
        raise _BadCsv(reader.line_num, exc) from None
    orders = {name: settle_date_order(found) for name, found in values.items()}
    return _as_the_others(orders, values)


def _as_the_others(
    orders: dict[str, ColumnOrder], values: dict[str, dict[str, None]]
) -> dict[str, ColumnOrder]:
    """A column that nothing of its own settles reads as the file's dates all together do
    (an export writes every date one way), unless they disagree."""
    everything = {text: None for found in values.values() for text in found}
    for name, verdict in orders.items():
        if not verdict.settled:
            whole = settle_date_order(everything)
            if whole.order:
                orders[name] = ColumnOrder(whole.order, f"as the file's other dates: {whole.reason}")
    return {name: verdict for name, verdict in orders.items() if verdict.order or not verdict.settled}


def _header(text: str, delimiter: str) -> list[str] | None:
    """The first record, read from the file's first lines alone (a reader over all of a big
    file's text costs 40 ms to set up for 20 MB): up to the first line break with an even
    number of ``"`` before it, or from all of the text if that does not do."""
    parts = [text]
    end = quotes = 0
    for _ in range(100):
        start, end = end, text.find("\n", end) + 1
        if not end:
            break
        quotes += text.count('"', start, end)
        if quotes % 2 == 0:
            parts.insert(0, text[:end])
            break
    for part in parts:
        reader = _reader(part, delimiter)
        try:
            return next(reader, None)
        except csv.Error as exc:
            if part is text:
                raise _BadCsv(reader.line_num, exc) from None
    return None  # not reached: the whole text's reader returns or raises


def _reader(text: str, delimiter: str):
    # strict: an unclosed quote is an error, not the rest of the file swallowed into one cell
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)


class _BadCsv(Exception):
    def __init__(self, line: int, reason: csv.Error) -> None:
        super().__init__(line, reason)
        self.line, self.reason = line, reason


def _halfway(text: str) -> int | None:
    """Where to cut a file in two: just after a line break near its middle that has an even
    number of ``"`` before it, so most likely outside any quoted cell (reading the first half
    to its end without an error proves it). None if no such line break comes soon. The first
    part is a little more than half: this process also loads and joins the child's answer."""
    start = len(text) * 54 // 100
    quotes = text.count('"', 0, start)
    for _ in range(1000):
        end = text.find("\n", start) + 1
        if end == 0:
            return None
        quotes += text.count('"', start, end)
        if quotes % 2 == 0:
            return end
        start = end
    return None


class _Settings(NamedTuple):
    """What reading each row needs to know of the file, the clock and the user."""

    header: Header
    now_text: str
    now: datetime
    path: Path
    rules: DateRules
    home: str
    orders: dict[str, ColumnOrder]
    delimiter: str = ","


class _Reading:
    """The rows of a file, or of a part of one, checked and read."""

    def __init__(self, settings: _Settings, progress) -> None:
        self.settings, self.progress = settings, progress
        self.plan: Callable[[list], tuple | None] | None = None  # plans the good rows if none is bad
        self.restart()

    def restart(self) -> None:
        self.planned: tuple | None = None  # what ``plan`` made of the rows, if they had no problem
        self.prospects: list = []
        self.rejected: list = []
        self.problems: list = []
        self.deleted = 0
        self.next_row = 2  # the number of the row after the last one read
        self.lines = 0

    def records(
        self, text: str, first_row: int, lines_before: int, *, skip_header: bool = False, plain: bool = False
    ):
        """Read the rows of ``text``, its first record numbered ``first_row`` (``plain``: the
        child's, returned as plain tuples: its part planned, or its prospects, problems and
        deleted rows)."""
        reader = _reader(text, self.settings.delimiter)
        row_reader = _Row(self.settings, self.problems)
        prospects, rejected, progress = self.prospects, self.rejected, self.progress
        row = first_row - 1
        try:
            if skip_header:
                next(reader, None)
            for row, line in enumerate(reader, start=first_row):  # noqa: B007 - row: the last one
                item = row_reader.read(line, row)
                if item is None:
                    continue
                if item is _DELETED:
                    self.deleted += 1
                    continue
                (rejected if item.bad else prospects).append(item)
                if progress is not None and len(prospects) % 5000 == 0:
                    progress(len(prospects))
        except csv.Error as exc:
            raise _BadCsv(lines_before + reader.line_num, exc) from None
        self.next_row = row + 1
        self.lines = lines_before + reader.line_num  # lines read, as csv counts them (a lone \r too)
        if self.plan is not None and not self.problems and not rejected:
            self.planned = self.plan(prospects)
        if plain and self.planned is not None:
            return "planned", self.planned, self.deleted
        if plain:
            rows = [[item.plain() for item in items] for items in (prospects, rejected)]
            return "read", *rows, [tuple(problem) for problem in self.problems], self.deleted
        return None


_TEXT_FIELDS = frozenset(field_rules.TEXT_FIELDS)
_FORMULA_FIRST = frozenset(FORMULA_STARTS)  # single characters: "" (a lone ') is not in it
_DELETED = object()  # a row another CRM says was deleted


def _undefused_cell(name: str, text: str) -> str:
    """A stripped cell that starts with ``'``, as a text field's rule would read it: the prefix
    taken off (then stripped again: ``'\tAcme`` is ``Acme``); one too long to be a cell is left
    whole, so that the length check refuses it as it stands in the file."""
    if text[1:2] in _FORMULA_FIRST and len(text) <= MAX_FIELD:  # one ' (an export's phone): quickly
        return text[1:].strip() if name in _TEXT_FIELDS else text[1:]
    if len(text) > MAX_FIELD:
        return text
    value = _undefuse(text)
    return value.strip() if name in _TEXT_FIELDS else value


def _plain_iso(text: str) -> str | None:
    """``2026-11-06``, ``2026-11-06 09:30`` or ``2026-11-06 09:30:05`` as the text it is stored as
    (what ``str(parse_iso(text))`` gives, without a datetime's formatting: most dates of a file
    are read once); None for any other form, or a date or time that does not exist."""
    size = len(text)
    if size == 16 and text[10] == " " and text[13] == ":":
        stored = text + ":00"
    elif size == 19 and text[10] == " " and text[13] == ":" and text[16] == ":":
        stored = text
    elif size == 10:
        stored = text + " 00:00:00"
    else:
        return None
    if text[4] != "-" or text[7] != "-" or (size > 10 and text[11:13] >= "24"):  # (24:00: the next day)
        return None
    try:
        datetime.fromisoformat(text)  # checks the digits and that the day and time exist
    except ValueError:
        return None
    return stored


MOMENTS_KEPT = 20_000  # dates remembered as read: enough for an export's repeats, a few MB at most


class _Row:
    """Reads one row at a time, every cell checked, each problem noted with its row and the
    column as the file names it. A big file runs this 100,000 times: each rule runs only on
    a cell that is not empty (a text cell only when it is too long, or an email that is not
    an address)."""

    def __init__(self, settings: _Settings, problems: list) -> None:
        self.s = settings
        self.problems = problems
        self.names = settings.header.names
        self.also = list(settings.header.also.items())
        self.unsettled = {name for name, verdict in settings.orders.items() if not verdict.settled}
        # column -> text -> as read, and -> what its rule read (a dict per column: no key made per cell)
        self.moments: defaultdict[str, dict[str, tuple[str, bool]]] = defaultdict(dict)
        self.ruled: defaultdict[str, dict[str, object]] = defaultdict(dict)
        self.remembered = 0  # texts in both, up to MOMENTS_KEPT
        has = {name for name in self.names if name is not None} | set(settings.header.also)
        self.closing_times = {
            status: tuple(c for c in times if c in has) for status, times in CLOSING_TIMES.items()
        }

    def bad(self, row: int, column: str, message: object) -> None:
        self.problems.append(Problem(row, self.s.header.written.get(column, column), str(message)))

    def cells(self, line: list[str]) -> dict[str, str]:
        """The known cells that hold something, stripped, an export's ' prefix taken off."""
        cells = {
            name: (text if text[0] != "'" else _undefused_cell(name, text))
            for name, raw in zip(self.names, line, strict=False)  # a row may be shorter or longer
            if raw and name is not None and (text := raw.strip())
        }
        for name, positions in self.also:  # another spelling of a column, when the first is empty
            if name not in cells:
                found = next((line[i].strip() for i in positions if i < len(line) and line[i].strip()), None)
                if found is not None:
                    cells[name] = found if found[0] != "'" else _undefused_cell(name, found)
        return cells

    def read(self, line: list[str], row: int):
        """The row's prospect, None for a blank row, ``_DELETED`` for a deleted one; problems
        are noted, and a row with any is marked ``bad``."""
        cells = self.cells(line)
        if not cells:
            return None if not any(cell.strip() for cell in line) else self.nameless(row)
        before = len(self.problems)
        status = cells.get(STATUS)
        if status is not None:
            status = status.lower()
            if status == "deleted":
                return _DELETED
            if status not in STATUSES:
                self.bad(row, STATUS, f"status {status!r} must be open, won, lost or deleted")
                status = None
        longest = max(map(len, cells.values()))
        if longest > MAX_FIELD:
            name = next(name for name, text in cells.items() if len(text) > MAX_FIELD)
            self.bad(row, name, f"longer than {MAX_FIELD:,} characters")
            return None  # not read further: such a cell is no deal's
        fields = self.fields(cells, row, longest)
        created = self.moment(cells, "created", row)
        if created is not None and created > self.s.now_text:
            self.bad(row, "created", f"{cells['created']!r} is in the future (it is {self.s.now_text[:16]})")
        closed, closed_by = self.closing(cells, status, row)
        follow_up = self.follow_up(cells, row)
        archived = self.flag(cells, "archived", row)
        return ImportedProspect(
            row,
            fields,
            cells.get("stage"),
            created,
            closed,
            follow_up,
            cells.get("pipeline"),
            status,
            archived,
            cells.get("owner"),
            closed_by,
            len(self.problems) > before,
            search_text(_SEARCHED(fields)),
        )

    def nameless(self, row: int) -> None:
        self.bad(row, "name", "name is required")

    def fields(self, cells: dict[str, str], row: int, longest: int) -> tuple | None:
        """The prospect's own columns (FIELDS), each checked by its rule."""
        cell = cells.get
        try:
            name = field_rules.parse_name(cell("name", ""))
        except UserError as exc:
            self.bad(row, "name", exc)
            name = None
        email = cell("email", "")
        if longest > field_rules.MAX_TEXT or (email and ("@" not in email or " " in email)):
            for column in field_rules.TEXT_FIELDS:  # the field's own rule, for its message
                try:
                    field_rules.parse_text(cell(column, ""), column.replace("_", " "))
                except UserError as exc:
                    self.bad(row, column, exc)
        value_cents, currency = self.money(cells, row)
        close = cell("expected_close") or cell(CLOSE_DATE)
        close_day = None
        if close:
            found = self.moment(cells, "expected_close" if cell("expected_close") else CLOSE_DATE, row)
            close_day = None if found is None else found[:10]
        return (
            name,
            cell("organization", ""),
            cell("contact", ""),
            cell("title", ""),
            email,
            cell("phone", ""),
            self.checked(cells, "decision_maker", field_rules.parse_decision_maker, row, "unknown"),
            value_cents,
            close_day,
            self.checked(cells, "urgency", field_rules.parse_urgency, row, "medium"),
            cell("source", ""),
            self.probability(cells, row),
            cell("notes", ""),
            cell("lost_reason", ""),
            currency,
        )

    def checked(self, cells: dict[str, str], column: str, rule, row: int, default):
        """The cell read by its ``rule``, or ``default`` (empty, or noted as a problem). A file
        repeats a handful of words (yes, high, call): each is read once."""
        text = cells.get(column)
        if text is None:
            return default
        ruled = self.ruled[column]
        value = ruled.get(text)
        if value is not None:
            return value
        try:
            value = rule(text)
        except UserError as exc:
            self.bad(row, column, exc)
            return default
        if self.remembered < MOMENTS_KEPT:
            ruled[text] = value
            self.remembered += 1
        return value

    def money(self, cells: dict[str, str], row: int) -> tuple[int | None, str]:
        """The value in cents and its currency: the currency column's, else the one the value's
        sign or code names, else "" (the home currency)."""
        code = cells.get("currency", "").upper()
        if code and not CODE_RE.match(code):
            self.bad(row, "currency", f"currency {cells['currency']!r} is not an ISO 4217 code like EUR")
            code = ""
        text = cells.get("value")
        if text is None:
            return None, code
        if text.isascii() and text.isdigit() and len(text) < 13:  # the usual case, quickly
            return int(text) * 100, code
        try:
            cents, named = read_money(text, "value", self.s.home or code)
        except UserError as exc:
            self.bad(row, "value", exc)
            return None, code
        if named and code and named != code:
            self.bad(row, "value", f"value {text!r} is in {named}, but its currency says {code}")
        return cents, code or named or ""

    def probability(self, cells: dict[str, str], row: int) -> float | None:
        """A probability as 0.6 or 60%, or Pipedrive's out of 100 (``60``)."""
        if "probability" in cells:
            return self.checked(cells, "probability", field_rules.parse_probability, row, None)
        text = cells.get(PERCENT)
        if text is None:
            return None
        try:
            number = float(text.rstrip("%"))
        except ValueError:
            number = -1.0
        if not 0 <= number <= 100:
            self.bad(row, PERCENT, f"probability {text!r} is not a number from 0 to 100")
            return None
        return number / 100

    def moment(self, cells: dict[str, str], column: str, row: int, *, with_time: bool = False):
        """The cell's date as stored ISO text (None if empty or bad; ``with_time``: also
        whether the file gave a time). Numeric dates in the column's settled order."""
        text = cells.get(column)
        if text is None:
            return None
        moments = self.moments[column]
        found = moments.get(text)  # an export repeats its dates: each read once
        if found is not None:
            return found if with_time else found[0]
        stored = _plain_iso(text)
        if stored is not None:
            found = (stored, len(text) > 10)
        else:
            try:
                found = self.other_date(text, column)
            except UserError as exc:
                if column not in self.unsettled or "could be" not in str(exc):  # the column's problem says it
                    self.bad(row, column, exc)
                return None
        if self.remembered < MOMENTS_KEPT:
            moments[text] = found
            self.remembered += 1
        return found if with_time else found[0]

    def other_date(self, text: str, column: str) -> tuple[str, bool]:
        """A date not in the plain ISO forms, as stored text and whether it has a time."""
        if len(text) in (10, 16, 19) and text[4] == "-" and text[:4].isdigit():  # ISO: its rule's message
            return str(parse_iso(text, column.replace("_", " "))), len(text) > 10
        verdict = self.s.orders.get(column)
        moment, has_time = read_file_date(text, verdict.order if verdict else None, self.s.now)
        return str(moment), has_time

    def closing(self, cells: dict[str, str], status: str | None, row: int) -> tuple[str | None, str | None]:
        """When the deal closed, by what its status says, and which column said it."""
        if status == "open":
            return None, None
        for column in self.closing_times[status]:  # those of CLOSING_TIMES the file has
            if column in cells:
                return self.moment(cells, column, row), column
        if status is not None:  # won or lost without a time: never dated today
            column = next((c for c in CLOSING_TIMES[status] if c in self.s.header.written), STATUS)
            self.bad(row, column, f"a {status} deal needs the time it was {status} (nothing dates it today)")
        return None, None

    def follow_up(self, cells: dict[str, str], row: int) -> tuple[str, str] | None:
        """The next follow-up: ours (its kind a column of its own, a call by default), or another
        CRM's next activity (a task); a day without a time at the working hour."""
        column = "next_follow_up" if "next_follow_up" in cells else NEXT_ACTIVITY
        found = self.moment(cells, column, row, with_time=True)
        if found is None:
            return None
        due, has_time = found
        if not has_time:
            due = str(datetime.combine(date.fromisoformat(due[:10]), self.s.rules.working_hour))
        kind = "task"
        if column == "next_follow_up":
            kind = self.checked(cells, "next_follow_up_kind", field_rules.parse_kind, row, "call")
        return due, kind

    def flag(self, cells: dict[str, str], column: str, row: int) -> bool:
        """A yes/no cell (``archived``): yes, true or 1 is yes; empty is no."""
        return self.checked(cells, column, field_rules.parse_decision_maker, row, "no") == "yes"


# -- export ----------------------------------------------------------------------------------


def _money_text(cents: int | None) -> str:
    if cents is None:
        return ""
    whole, rest = divmod(cents, 100)
    return f"{whole}.{rest:02d}" if rest else str(whole)


def _time_text(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return moment.strftime("%Y-%m-%d %H:%M:%S" if moment.second else "%Y-%m-%d %H:%M")
    return moment.isoformat()


def export_record(row, *, for_json: bool = False) -> dict[str, object]:
    """One prospect as the CSV columns (``for_json`` keeps numbers and ISO times for JSON)."""
    from pipeline_tui.core.money import cents_to_number
    from pipeline_tui.io.shapes import iso

    p = row.prospect
    follow_up = row.next_follow_up
    closed = p.closed_at if row.stage_kind != OPEN else None
    record: dict[str, object] = {
        "name": p.name,
        "organization": p.organization,
        "contact": p.contact,
        "title": p.title,
        "email": p.email,
        "phone": p.phone,
        "decision_maker": p.decision_maker,
        "value": cents_to_number(p.value_cents) if for_json else _money_text(p.value_cents),
        "currency": row.currency,
        "expected_close": (iso(p.expected_close) if for_json else _time_text(p.expected_close)),
        "urgency": p.urgency,
        "source": p.source,
        "stage": row.stage,
        "probability": p.probability if for_json else ("" if p.probability is None else repr(p.probability)),
        "notes": p.notes,
        "created": iso(p.created_at) if for_json else _time_text(p.created_at),
        "closed": iso(closed) if for_json else _time_text(closed),
        "lost_reason": p.lost_reason,
        "next_follow_up": (iso(follow_up.due) if for_json else _time_text(follow_up.due))
        if follow_up
        else (None if for_json else ""),
        "next_follow_up_kind": follow_up.kind if follow_up else (None if for_json else ""),
        "pipeline": row.pipeline,
        "archived": bool(p.archived) if for_json else ("yes" if p.archived else "no"),
        "owner": p.owner,
    }
    return record


def write_csv(rows, out) -> int:
    writer = csv.writer(out, lineterminator="\n")
    # Python 3.11 quotes a cell holding "\n" but not one holding a lone "\r", which every reader
    # takes for a line break (the row would come back cut in two): such rows are quoted whole
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for row in rows:
        record = export_record(row)
        cells = [_defuse(str(record[c])) for c in COLUMNS]
        (quoted if any("\r" in cell for cell in cells) else writer).writerow(cells)
    return len(rows)


def progress_printer(label: str) -> Callable[[int], None] | None:
    """A stderr progress counter when stderr is a terminal; None (quiet) otherwise."""
    if not sys.stderr.isatty():
        return None

    def show(count: int) -> None:
        sys.stderr.write(f"\r{label} {count:,}…")
        sys.stderr.flush()

    return show
