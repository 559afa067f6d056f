"""CSV import and export (SPEC section 6).

Import reads and checks every row before writing anything, then inserts all of them in one
transaction: a file is imported whole or not at all. Export defuses spreadsheet formulas by
prefixing ``'`` to cells that start with ``= + - @``; import strips that prefix again, so an
export imports back to the same data.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from pipeline_tui.core import fields as field_rules
from pipeline_tui.core.dates import parse_iso
from pipeline_tui.core.domain import OPEN
from pipeline_tui.core.money import parse_money
from pipeline_tui.errors import UserError
from pipeline_tui.io.forked import Forked

COLUMNS = (
    "name",
    "organization",
    "contact",
    "title",
    "email",
    "phone",
    "decision_maker",
    "value",
    "expected_close",
    "urgency",
    "source",
    "stage",
    "probability",
    "notes",
    "created",
    "closed",
    "lost_reason",
    "next_follow_up",
    "next_follow_up_kind",
    # beyond SPEC 6, so that an export imports back whole: several pipelines, archived ones
    "pipeline",
    "archived",
    "owner",
)
IMPORT_ONLY = ("status",)  # Pipedrive's open / won / lost

# Pipedrive's deal export, and a few other spellings people use.
ALIASES = {
    "deal - title": "name",
    "title of deal": "name",
    "deal title": "name",
    "deal": "name",
    "deal - value": "value",
    "deal - stage": "stage",
    "deal - status": "status",
    "deal - pipeline": "pipeline",
    "deal - owner": "owner",
    "deal - expected close date": "expected_close",
    "expected close date": "expected_close",
    "person - name": "contact",
    "contact person": "contact",
    "contact name": "contact",
    "organization - name": "organization",
    "organisation": "organization",
    "organisation - name": "organization",
    "company": "organization",
    "person - email": "email",
    "person - phone": "phone",
    "person - job title": "title",
    "job title": "title",
    "deal - source": "source",
    "deal - lost reason": "lost_reason",
    "lost reason": "lost_reason",
    "deal - add time": "created",
    "deal - won time": "closed",
    "deal - lost time": "closed",
    "deal - close time": "closed",
    "deal - probability": "probability",
    "decision maker": "decision_maker",
    "expected close": "expected_close",
    "next follow-up": "next_follow_up",
    "next follow up": "next_follow_up",
    "next follow-up kind": "next_follow_up_kind",
}

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_FIELD = 100_000


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
)


@dataclass(slots=True)
class ImportedProspect:
    row: int
    fields: tuple  # the values of FIELDS
    stage: str | None
    created: str  # times as the ISO text they are stored as (``2026-11-06 09:30:00``)
    closed: str | None
    follow_up: tuple[str, str] | None  # due, kind
    pipeline: str | None = None
    status: str | None = None  # open, won or lost (Pipedrive)
    archived: bool = False
    owner: str | None = None

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
        )


@dataclass
class ParsedFile:
    prospects: list[ImportedProspect]
    unknown_columns: list[str]
    columns: dict[str, int] = field(default_factory=dict)


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
    """The file as text: UTF-8, a byte-order mark allowed; other encodings refused clearly."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{path}: not UTF-8 text (bad byte at offset {exc.start}); save it as CSV UTF-8"
        ) from None


def _map_header(header: list[str], path: Path) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, title in enumerate(header):
        key = " ".join(title.strip().lower().split())
        known = key.replace(" ", "_")
        name = known if known in COLUMNS or known in IMPORT_ONLY else ALIASES.get(key)
        if name is None:
            if title.strip():
                unknown.append(title.strip())
            continue
        if name in columns:
            raise UserError(f"{path}: column {name!r} appears twice in the header")
        columns[name] = index
    if "name" not in columns:
        found = ", ".join(" ".join(h.split()) for h in header if h.strip()) or "nothing"  # one line
        raise UserError(f"{path}: no 'name' column in the header (found: {found[:200]})")
    return columns, unknown


PARALLEL_FROM = 4 << 20  # characters (about 20,000 rows): a smaller file is read in one process


def parse_csv(path: Path, now: datetime, progress: Callable[[int], None] | None = None) -> ParsedFile:
    """Read and check every row; the first bad cell raises a :class:`UserError` naming row and
    column. Nothing is written here.

    A big file is read in two halves at once: the second by a forked child (``io.forked``),
    cut at a line break outside any quoted cell. Rows are numbered as a spreadsheet numbers
    them (the header is row 1), whatever line breaks cells hold; whatever goes wrong in the
    child (a bad cell, a cut that was not at a row's end after all), this process reads the
    second half again itself, so that errors are the ones a reading in one go gives.
    """
    text = read_text(path)
    if "\x00" in text:
        raise UserError(f"{path}: contains NUL bytes; this is not a CSV text file")
    csv.field_size_limit(MAX_FIELD * 4)
    try:
        header = _header(text)
        if header is None:
            raise UserError(f"{path}: the file is empty")
        columns, unknown = _map_header(header, path)
        names: list[str | None] = [None] * len(header)  # each position's column, None if unknown
        for name, index in columns.items():
            names[index] = name
        read = _Reading(names, str(now), path, progress)
        cut = _halfway(text) if len(text) >= PARALLEL_FROM else None
        quiet = _Reading(names, str(now), path, None)  # the child's: no progress of its own
        other = None if cut is None else Forked.start(lambda: quiet.records(text[cut:], 1, 0, plain=True))
        if other is None:
            return ParsedFile(read.records(text, 2, 0, skip_header=True), unknown, columns)
        try:
            prospects = read.records(text[:cut], 2, 0, skip_header=True)
        except _BadCsv:  # maybe cut inside a quoted cell after all: read it all in one go
            other.discard()
            read.done = 0
            return ParsedFile(read.records(text, 2, 0, skip_header=True), unknown, columns)
        except BaseException:
            other.discard()
            raise
        rest = other.result()
        if rest is None:  # the child found a bad cell, or failed: read the half here
            rest = read.records(text[cut:], read.next_row, read.lines)
        else:
            first = read.next_row - 1
            rest = [ImportedProspect(row + first, *values) for row, *values in rest]
        if progress is not None:
            progress(len(prospects) + len(rest))
        return ParsedFile(prospects + rest, unknown, columns)
    except _BadCsv as exc:
        raise UserError(f"{path} line {exc.line}: not valid CSV ({exc.reason})") from None


def _header(text: str) -> list[str] | None:
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
        reader = _reader(part)
        try:
            return next(reader, None)
        except csv.Error as exc:
            if part is text:
                raise _BadCsv(reader.line_num, exc) from None
    return None  # not reached: the whole text's reader returns or raises


def _reader(text: str):
    # strict: an unclosed quote is an error, not the rest of the file swallowed into one cell
    return csv.reader(io.StringIO(text, newline=""), strict=True)


class _BadCsv(Exception):
    def __init__(self, line: int, reason: csv.Error) -> None:
        super().__init__(line, reason)
        self.line, self.reason = line, reason


def _halfway(text: str) -> int | None:
    """Where to cut a file in two: just after a line break near its middle that has an even
    number of ``"`` before it, so most likely outside any quoted cell (reading the first half
    to its end without an error proves it). None if no such line break comes soon."""
    start = len(text) // 2
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


class _Reading:
    """The rows of a file, or of a part of one, checked and read."""

    def __init__(self, names: list[str | None], now: str, path: Path, progress) -> None:
        self.names, self.now, self.path, self.progress = names, now, path, progress
        self.next_row = 2  # the number of the row after the last one read
        self.lines = 0
        self.done = 0  # rows read, for the progress counter

    def records(
        self, text: str, first_row: int, lines_before: int, *, skip_header: bool = False, plain: bool = False
    ) -> list:
        """The prospects of ``text``, its first record numbered ``first_row`` (``plain``: as
        tuples of their fields in order, which the child can send)."""
        reader = _reader(text)
        names, now, path, progress = self.names, self.now, self.path, self.progress
        prospects: list = []
        row = first_row - 1
        try:
            if skip_header:
                next(reader, None)
            for row, line in enumerate(reader, start=first_row):  # noqa: B007 - row: the last one
                item = _parse_row(line, names, now, path, row)
                if item is not None:
                    prospects.append(item.plain() if plain else item)
                    self.done += 1
                    if progress is not None and self.done % 5000 == 0:
                        progress(self.done)
        except csv.Error as exc:
            raise _BadCsv(lines_before + reader.line_num, exc) from None
        self.next_row = row + 1
        self.lines = lines_before + reader.line_num  # lines read, as csv counts them (a lone \r too)
        return prospects


_TEXT_FIELDS = frozenset(field_rules.TEXT_FIELDS)


def _undefused_cell(name: str, text: str) -> str:
    """A stripped cell that starts with ``'``, as a text field's rule would read it: the prefix
    taken off (then stripped again: ``'\tAcme`` is ``Acme``); one too long to be a cell is left
    whole, so that the length check refuses it as it stands in the file."""
    if len(text) > MAX_FIELD:
        return text
    value = _undefuse(text)
    return value.strip() if name in _TEXT_FIELDS else value


class _BadCell(UserError):
    """A cell refused for a reason that names its own column."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def _created_and_closed(
    created_text: str | None, closed_text: str | None, now: str
) -> tuple[str, str | None]:
    """When the prospect was created and closed, as the ISO text stored (``now`` is too): both
    in the past, the close not before the creation. A row with a close and no creation was
    created by its close at the latest: it takes that time, not the import's."""
    created = str(parse_iso(created_text, "date")) if created_text else None
    try:
        closed = str(parse_iso(closed_text, "date")) if closed_text else None
    except UserError as exc:
        raise _BadCell("closed", str(exc)) from None
    if created is not None and created > now:
        raise _BadCell("created", f"{created_text!r} is in the future (it is {now[:16]})")
    if closed is not None and closed > now:
        raise _BadCell("closed", f"{closed_text!r} is in the future (it is {now[:16]})")
    if created is not None and closed is not None and closed < created:
        raise _BadCell("closed", f"{closed_text!r} is before the prospect was created ({created_text!r})")
    return created or closed or now, closed


def _parse_row(
    line: list[str], names: list[str | None], now: str, path: Path, row: int
) -> ImportedProspect | None:
    """One row checked and read, or None for a blank row. A big file runs this 100,000 times:
    the cells are gathered in one comprehension and each rule runs only on a cell that is not
    empty (a text cell only when it is too long, or an email that is not an address)."""
    cells = _cells(line, names, path, row)
    if cells is None:
        return None  # blank: skipped, as a spreadsheet leaves empty rows
    cell = cells.get
    try:
        longest = max(map(len, cells.values()), default=0)
        name, email, decision_maker, value_cents, close_day, urgency, probability = _fields(cell, longest)
        created, closed, follow_up, status, archived = _times_and_status(cell, now)
    except _Refused as refused:
        raise UserError(f"{path} row {row}, column {refused.column}: {refused.message}") from None
    fields = (
        name,
        cell("organization", ""),
        cell("contact", ""),
        cell("title", ""),
        email,
        cell("phone", ""),
        decision_maker,
        value_cents,
        close_day,
        urgency,
        cell("source", ""),
        probability,
        cell("notes", ""),
        cell("lost_reason", ""),
    )
    return ImportedProspect(
        row,
        fields,
        cell("stage"),
        created,
        closed,
        follow_up,
        cell("pipeline"),
        status,
        archived,
        cell("owner"),
    )


def _cells(line: list[str], names: list[str | None], path: Path, row: int) -> dict[str, str] | None:
    """The known cells of a row that hold something, stripped, an export's ' prefix taken off;
    None for a blank row. A cell longer than a field may be is refused here."""
    cells = {
        name: (text if text[0] != "'" else _undefused_cell(name, text))
        for name, raw in zip(names, line, strict=False)  # a row may be shorter or longer than the header
        if raw and name is not None and (text := raw.strip())
    }
    if not cells and not any(cell.strip() for cell in line):
        return None
    longest = max(map(len, cells.values()), default=0)
    if longest > MAX_FIELD:
        name = next(name for name, text in cells.items() if len(text) > MAX_FIELD)
        raise UserError(f"{path} row {row}, column {name}: longer than {MAX_FIELD:,} characters")
    return cells


class _Refused(Exception):
    """A cell a field's rule refused: which column, and the rule's message."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(column, message)
        self.column, self.message = column, message


def _fields(cell, longest: int) -> tuple:
    """The prospect's own fields read by their rules: name, email, decision maker, value,
    close date, urgency, probability (``longest``: the longest cell's length)."""
    column = "name"
    try:
        name = field_rules.parse_name(cell(column, ""))
        email = cell("email", "")
        if longest > field_rules.MAX_TEXT or (email and ("@" not in email or " " in email)):
            for column in field_rules.TEXT_FIELDS:  # noqa: B007 - the field's own rule, for its message
                field_rules.parse_text(cell(column, ""), column.replace("_", " "))
        column = "decision_maker"
        text = cell(column)
        decision_maker = field_rules.parse_decision_maker(text) if text else "unknown"
        column = "value"
        text = cell(column)
        if text is None:
            value_cents = None
        elif text.isdigit() and len(text) < 13:  # the usual case, quickly
            value_cents = int(text) * 100
        else:
            value_cents = parse_money(text)
        column = "expected_close"
        text = cell(column)
        close_day = parse_iso(text, "date").date().isoformat() if text else None
        column = "urgency"
        text = cell(column)
        urgency = field_rules.parse_urgency(text) if text else "medium"
        column = "probability"
        text = cell(column)
        probability = field_rules.parse_probability(text) if text else None
    except UserError as exc:
        raise _Refused(column, str(exc)) from None
    return name, email, decision_maker, value_cents, close_day, urgency, probability


def _times_and_status(cell, now: str) -> tuple:
    """When it was created and closed (as the ISO text stored), its next follow-up, and how
    it stands: status (Pipedrive's open, won, lost, deleted) and archived."""
    column = "created"  # or closed: the refusal says which
    try:
        created, closed = _created_and_closed(cell(column), cell("closed"), now)
        column = "next_follow_up"
        text = cell(column)
        follow_up = None
        if text:
            due = str(parse_iso(text, "date"))
            column = "next_follow_up_kind"
            follow_up = (due, field_rules.parse_kind(cell(column, "call")))
        column = "status"
        status = cell(column, "").lower() or None
        if status not in (None, "open", "won", "lost", "deleted"):
            raise UserError(f"status {status!r} must be open, won or lost")
        column = "archived"
        text = cell(column)
        archived = (field_rules.parse_decision_maker(text) == "yes" if text else False) or status == "deleted"
    except _BadCell as exc:
        raise _Refused(exc.column, str(exc)) from None
    except UserError as exc:
        raise _Refused(column, str(exc)) from None
    return created, closed, follow_up, status, archived


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
