"""Bulk writes: a checked CSV file, or generated demo data, in one transaction each.

An import is planned before it is written: every row's pipeline and stage found (through the
user's ``--stage-map`` and ``--pipeline-map``, else by name, else by another CRM's default
stage names), its closing time checked, its currency's rate looked up, and every problem
gathered with the file's own, so that a refused file lists them all at once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime
from functools import partial
from operator import itemgetter
from typing import NamedTuple

from pipeline_tui.core.domain import DEFAULT_STAGES, DEMO_KINDS, OPEN
from pipeline_tui.core.money import NO_CURRENCIES, Currencies, missing_rates_text
from pipeline_tui.core.printable import UNSAFE, is_printable
from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import Refused, UserError
from pipeline_tui.io.csv_io import CURRENCY, FIELDS, ImportedProspect, ParsedFile, Problem
from pipeline_tui.io.forked import Forked
from pipeline_tui.services import scores
from pipeline_tui.services.base import current_user, find_pipeline
from pipeline_tui.store import activity, bulk, freshness, models, people, queries
from pipeline_tui.store.currency import to_home
from pipeline_tui.store.db import is_sqlite, run_write
from pipeline_tui.store.models import FollowUp, Pipeline, Prospect, Stage, StageChange

PROSPECT_COLUMNS = (
    "id",
    "pipeline",
    "stage",
    *FIELDS,
    "created_at",
    "updated_at",
    "stage_entered_at",
    "closed_at",
    "archived",
    "reached_stage",
    "ever_won",
    "owner",
    # the one part of the activity summary a new prospect can have (see store.activity): bulk
    # inserts write it, as the follow-ups' triggers are off while they run
    "demo_or_trial",
    "search_text",  # folded as the file was read (see io.csv_io)
    "org",  # its organization's record (store.people), found or made before the rows go in
)
DEMO_COLUMNS = tuple(column for column in PROSPECT_COLUMNS if column not in ("currency", "search_text"))
MAX_SHOWN = 50  # problems listed; then how many more
ORGANIZATION = 2 + FIELDS.index("organization")  # in a planned row (pipeline and stage first)
OWNER = PROSPECT_COLUMNS.index("owner") - 1  # in a planned row (which has no id)


class Place(NamedTuple):
    """Where rows go, with what a row's columns need of it worked out once per place."""

    pipeline_id: int
    stage_id: int
    kind: str  # of the stage: open, won or lost
    reached_stage_id: int | None  # the furthest open stage reached: this one, or where it closed from
    stage: str  # its name, for the summary


# Pipedrive's, HubSpot's and Salesforce's default stages, by the role they play here
CRM_STAGES = {
    "lead in": "lead",
    "contact made": "qualified",
    "qualified": "qualified",
    "demo scheduled": "appointment",
    "meeting scheduled": "appointment",
    "meeting arranged": "appointment",
    "proposal made": "proposal",
    "negotiations started": "proposal",
    "appointment scheduled": "appointment",
    "qualified to buy": "qualified",
    "presentation scheduled": "trial",
    "decision maker bought-in": "proposal",
    "contract sent": "proposal",
    "prospecting": "lead",
    "qualification": "qualified",
    "needs analysis": "qualified",
    "value proposition": "appointment",
    "id. decision makers": "appointment",
    "perception analysis": "trial",
    "proposal/price quote": "proposal",
    "negotiation/review": "proposal",
    "closed won": "won",
    "closed lost": "lost",
}
PIPEDRIVE_STAGES = CRM_STAGES  # its older name
# HubSpot's and Pipedrive's first pipeline, as each names it: the import's pipeline, unless ours
# has one of that name or --pipeline-map says otherwise
CRM_PIPELINES = frozenset({"sales pipeline", "pipeline"})


class ImportOptions(NamedTuple):
    """How a file's rows are placed and owned (the import command's options)."""

    pipeline: str | None = None  # for rows that name none
    stage_map: tuple[tuple[str, str], ...] = ()  # (the file's stage, ours)
    pipeline_map: tuple[tuple[str, str], ...] = ()
    keep_owner: bool = False  # the file's owner column, also outside team mode
    currencies: Currencies = NO_CURRENCIES


DEFAULT_OPTIONS = ImportOptions()


def parse_map(text: str, option: str) -> tuple[str, str]:
    """``"Negotiations Started=Proposal"`` as (theirs, ours)."""
    theirs, sep, ours = text.partition("=")
    if not sep or not theirs.strip() or not ours.strip():
        raise UserError(
            f'{option} {text!r} must be written "THEIRS=OURS", like "Negotiations Started=Proposal"'
        )
    return " ".join(theirs.split()), " ".join(ours.split())


class _Places:
    """Finds each row's pipeline and stage, noting the names it cannot find (with how many
    rows and the first) instead of stopping at the first."""

    def __init__(self, options: ImportOptions) -> None:
        self.default = find_pipeline(options.pipeline)
        self.pipelines = {p.name.casefold(): p for p in Pipeline.select()}
        self.stages: dict[int, list[Stage]] = {}
        for stage in Stage.select().order_by(Stage.position):
            self.stages.setdefault(stage.pipeline_id, []).append(stage)
        self.stage_map = {theirs.casefold(): ours for theirs, ours in options.stage_map}
        self.pipeline_map = {theirs.casefold(): ours for theirs, ours in options.pipeline_map}
        self.found: dict[tuple, Place | None] = {}  # rows repeat a handful of stages
        self.missing: dict[tuple[str, str], list[int]] = {}  # (what, name in the file) -> [count, first row]
        self.why: dict[tuple, tuple[str, str]] = {}  # a row's key -> what it lacks, by name

    def __call__(self, item: ImportedProspect) -> Place | None:
        key = (item.pipeline, item.stage, item.status)
        if key not in self.found:
            self.found[key] = self._place(item)
        place = self.found[key]
        if place is None:
            counted = self.missing.setdefault(self.why[key], [0, item.row])
            counted[0] += 1
            counted[1] = min(counted[1], item.row)
        return place

    def _place(self, item: ImportedProspect) -> Place | None:
        key = (item.pipeline, item.stage, item.status)
        pipeline = self._pipeline(item.pipeline)
        if pipeline is None:
            self.why[key] = ("pipeline", " ".join(item.pipeline.split()))
            return None
        stages = self.stages.get(pipeline.id, [])
        named = None if item.stage is None else self._stage(stages, item.stage)
        if item.stage is not None and named is None:
            self.why[key] = (f"stage\t{pipeline.name}", " ".join(item.stage.split()))
            return None
        if item.status in ("won", "lost"):
            stage = next((s for s in stages if s.kind == item.status), None)
        else:
            stage = named or next((s for s in stages if s.kind == OPEN), None)
        if stage is None:
            self.why[key] = (f"stage\t{pipeline.name}", item.status or "an open stage")
            return None
        if item.status == "open" and stage.kind != OPEN:
            self.why[key] = (f"open\t{pipeline.name}", stage.name)
            return None
        reached = stage if stage.kind == OPEN else named if named is not None and named.kind == OPEN else None
        return Place(pipeline.id, stage.id, stage.kind, reached and reached.id, stage.name)

    def _pipeline(self, text: str | None) -> Pipeline | None:
        if text is None:
            return self.default
        wanted = " ".join(text.split()).casefold()
        found = self.pipelines.get(self.pipeline_map.get(wanted, wanted).casefold())
        if found is None and wanted in CRM_PIPELINES and wanted not in self.pipeline_map:
            return self.default
        return found

    def _stage(self, stages: list[Stage], text: str) -> Stage | None:
        wanted = " ".join(text.split()).casefold()
        mapped = self.stage_map.get(wanted)
        if mapped is not None:
            return next((s for s in stages if s.name.casefold() == mapped.casefold()), None)
        found = next((s for s in stages if s.name.casefold() == wanted), None)
        if found is None and wanted in CRM_STAGES:
            found = next((s for s in stages if s.role == CRM_STAGES[wanted]), None)
        return found

    def problems_and_hints(self, parsed: ParsedFile) -> tuple[list[Problem], list[str]]:
        """The names not found, each with its count of rows, and the option lines to add."""
        problems, to_map = [], {}
        for (what, name), (count, first) in self.missing.items():
            rows = f"row {first}" if count == 1 else f"{count:,} rows, the first row {first}"
            kind, _, pipeline = what.partition("\t")
            if kind == "pipeline":
                column = parsed.header_of("pipeline")
                names = ", ".join(p.name for p in self.pipelines.values())
                problems.append(Problem(None, column, f"no pipeline {name!r} ({rows}); ours: {names}"))
                to_map.setdefault(("--pipeline-map", names), []).append(name)
            elif kind == "open":
                problems.append(
                    Problem(
                        None,
                        parsed.header_of("stage"),
                        f"{name} is closed but the status says open ({rows})",
                    )
                )
            else:
                column = parsed.header_of("stage")
                stages = ", ".join(s.name for s in self._stages_of(pipeline))
                problems.append(Problem(None, column, f"no stage {name!r} in {pipeline} ({rows})"))
                to_map.setdefault(("--stage-map", f"{pipeline}: {stages}"), []).append(name)
        hints = []
        for (option, ours), names in to_map.items():
            only = ours if option == "--pipeline-map" and "," not in ours else None  # one of ours: that one
            lines = " ".join(f"{option} {_shell_word(name + '=' + (only or 'OURS'))}" for name in names)
            hints.append(f"add {lines}" + ("" if only else f" (OURS: {ours})"))
        return problems, hints

    def _stages_of(self, pipeline_name: str) -> list[Stage]:
        pipeline = self.pipelines.get(pipeline_name.casefold())
        return self.stages.get(pipeline.id, []) if pipeline else []


_ACTIVE_IN_DOUBLE_QUOTES = frozenset('$`\\"!')  # what a shell still acts on between "…"


def _shell_word(text: str) -> str:
    """``text`` as one word to copy into a shell, which reads it back as the file wrote it: in
    double quotes; in single quotes if it holds a character a shell acts on even there (``$``,
    a backquote); in ``$'…'`` with each such character escaped (``\\x1b``) if it holds one
    that a terminal would act on (shown as �)."""
    if not is_printable(text):
        return "$'" + "".join(_escaped(c) for c in text) + "'"
    if _ACTIVE_IN_DOUBLE_QUOTES.isdisjoint(text):
        return f'"{text}"'
    return "'" + text.replace("'", "'\\''") + "'"


def _escaped(c: str) -> str:
    if c in "\\'":
        return "\\" + c
    if c not in UNSAFE:
        return c
    # bash reads \x9b as a byte, \u009b as the character
    return f"\\x{ord(c):02x}" if c.isascii() else f"\\u{ord(c):04x}"


class Plan(NamedTuple):
    """What an import will write, row by row (the prospect's columns but its id), and what it
    adds up to."""

    prospects: list[tuple]  # PROSPECT_COLUMNS without the id
    changes: list[tuple]  # (row index, from stage, to stage, when)
    follow_ups: list[tuple]  # (row index, kind, due)
    summary: ImportSummary


class ImportSummary(NamedTuple):
    """What an import brings in, for the dry run to say (and the import after it)."""

    count: int
    by_stage: dict[str, int]
    by_status: dict[str, int]  # open, won, lost
    deleted: int
    follow_ups: int
    overdue: int
    currencies: dict[str, int]  # by code ("" the home currency)
    owners_kept: bool
    owners: int  # other than the importing user
    owner_column: str | None  # as the file names it, if it has one
    date_orders: dict[str, tuple[str, str]]  # column as the file names it -> the order its dates read in, why


def plan_import(
    parsed: ParsedFile, path: str, now: datetime, options: ImportOptions = DEFAULT_OPTIONS
) -> Plan:
    """Check every row against the database (pipelines, stages, closing times, currencies),
    and plan what to write; every problem of the file and of this check raises at once."""
    if parsed.planned is not None:  # planned as it was read, every row without a problem
        return _joined(parsed.planned, parsed, _keeps_owners(options))
    places = _Places(options)
    problems = list(parsed.problems)
    missing_rates = _missing_rates(parsed, options.currencies)
    if missing_rates:
        problems.append(missing_rates)
    planned = _Planned(str(now), current_user(), _keeps_owners(options))
    for item in parsed.rejected:  # their stages and pipelines are named with the rest
        places(item)
    _plan_rows(parsed.prospects, places, planned, parsed, problems)
    found, hints = places.problems_and_hints(parsed)
    problems += found
    if problems:
        raise _refusal(path, problems, hints)
    return _joined([planned.part(parsed.prospects)], parsed, planned.keep_owner)


def _keeps_owners(options: ImportOptions) -> bool:
    return options.keep_owner or not is_sqlite(models.database.obj)


def _plan_rows(
    items: list[ImportedProspect], places: _Places, planned: _Planned, parsed: ParsedFile, problems: list
) -> bool:
    """Each row placed and planned, the problems of its times noted: whether every row found its place."""
    add, written = planned.add, planned.written
    all_placed = True
    for item in items:
        place = places(item)
        if place is None:
            all_placed = False
            continue
        if place.kind == OPEN:  # the usual row, without a call for its times
            add(item, place, item.created or written, None)
            continue
        times = _times(item, place, written, parsed, problems)
        if times is not None:
            add(item, place, *times)
    return all_placed


class PlannedAsRead:
    """Plans each half of a file in the process that reads it (``io.csv_io``'s ``planner``):
    the pipelines and stages read once before the reading forks, so that what is left after the
    reading is joining the halves' rows. A half with any problem is not planned: the file is
    then planned whole by :func:`plan_import`, which lists every problem."""

    def __init__(self, options: ImportOptions, now: datetime) -> None:
        self.options, self.written = options, str(now)

    def prepare(self) -> None:
        self.places = _Places(self.options)
        self.user, self.keep_owner = current_user(), _keeps_owners(self.options)

    def rows(self, items: list[ImportedProspect], parsed: ParsedFile) -> tuple | None:
        codes = Counter(item.fields[CURRENCY] for item in items)
        if self.options.currencies.missing(codes):
            return None
        planned, problems = _Planned(self.written, self.user, self.keep_owner), []
        if not _plan_rows(items, self.places, planned, parsed, problems) or problems:
            return None
        return planned.part(items, codes)


def _joined(parts: list[tuple], parsed: ParsedFile, keep_owner: bool) -> Plan:
    """The planned parts of a file (see :meth:`_Planned.part`) as one plan, in the file's order."""
    prospects: list[tuple] = []
    changes: list[tuple] = []
    follow_ups: list[tuple] = []
    placed: Counter = Counter()
    currencies: Counter = Counter()
    overdue = 0
    for rows, their_changes, their_follow_ups, their_placed, their_overdue, their_currencies in parts:
        start = len(prospects)  # the part's row indexes count from its own first row
        prospects += rows
        changes += [(start + at, *rest) for at, *rest in their_changes] if start else their_changes
        follow_ups += [(start + at, *rest) for at, *rest in their_follow_ups] if start else their_follow_ups
        placed.update(dict(their_placed))  # (a dict: in the order the file first names them)
        currencies.update(dict(their_currencies))
        overdue += their_overdue
    user = current_user()
    by_stage: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for (_, _, kind, _, stage), count in placed.items():
        by_stage[stage] = by_stage.get(stage, 0) + count
        by_status[kind] = by_status.get(kind, 0) + count
    summary = ImportSummary(
        len(prospects),
        by_stage,
        by_status,
        parsed.deleted,
        len(follow_ups),
        overdue,
        dict(currencies),
        keep_owner,
        sum(1 for row in prospects if row[OWNER] != user),
        parsed.written.get("owner"),
        {parsed.header_of(c): (v.order, v.reason) for c, v in parsed.date_orders.items() if v.order},
    )
    return Plan(prospects, changes, follow_ups, summary)


class _Planned:
    """The rows an import will write, gathered one checked row at a time, with their counts."""

    def __init__(self, written: str, user: str, keep_owner: bool) -> None:
        self.written, self.user, self.keep_owner = written, user, keep_owner
        self.prospects: list[tuple] = []
        self.changes: list[tuple] = []
        self.follow_ups: list[tuple] = []
        self.placed: list[Place] = []  # each row's, counted up once at the end
        self.overdue = 0

    def add(self, item: ImportedProspect, place: Place, created: str, closed: str | None) -> None:
        pipeline_id, stage_id, kind, reached, _ = place
        index = len(self.prospects)  # its place in the plan: its id, once the write knows the first
        owner = (item.owner or self.user) if self.keep_owner else self.user
        follow_up = item.follow_up
        demo_or_trial = follow_up is not None and follow_up[1] in DEMO_KINDS  # an open one
        if kind == OPEN:
            self.changes.append((index, None, stage_id, created))
            entered = created
        elif reached is not None:
            self.changes += ((index, None, reached, created), (index, reached, stage_id, closed))
            entered = closed
        else:
            self.changes.append((index, None, stage_id, closed))
            entered = closed
        self.prospects.append(
            (pipeline_id, stage_id, *item.fields, created, self.written, entered, closed, item.archived)
            + (reached, kind == "won", owner, demo_or_trial, item.text)
        )
        if follow_up is not None:
            self.follow_ups.append((index, follow_up[1], follow_up[0]))
            self.overdue += follow_up[0] < self.written
        self.placed.append(place)

    def part(self, items: list[ImportedProspect], codes: Counter | None = None) -> tuple:
        """What was planned of ``items``, as plain values (a forked half's answer): the rows,
        stage changes and follow-ups (by the row's index among these), how many rows went to
        each place and currency, in the order the file first names them, and how many are overdue."""
        codes = Counter(item.fields[CURRENCY] for item in items) if codes is None else codes
        placed = [(tuple(place), count) for place, count in Counter(self.placed).items()]
        return self.prospects, self.changes, self.follow_ups, placed, self.overdue, list(codes.items())


def _missing_rates(parsed: ParsedFile, currencies: Currencies) -> Problem | None:
    """Every currency of the file without a rate, with how many rows name it."""
    counts = Counter(item.fields[CURRENCY] for rows in (parsed.prospects, parsed.rejected) for item in rows)
    missing = currencies.missing(counts)
    if not missing:
        return None
    rows = ", ".join(f"{code} ({counts[code]:,} row{'s' if counts[code] != 1 else ''})" for code in missing)
    column = parsed.header_of("currency" if "currency" in parsed.written else "value")
    return Problem(None, column, f"{rows}: {missing_rates_text(missing, currencies)}")


def _times(
    item: ImportedProspect, place: Place, now: str, parsed: ParsedFile, problems: list[Problem]
) -> tuple[str, str | None] | None:
    """When the prospect was created and closed: a closed one has the time its file gives
    (never today's), not in the future nor before its creation. A row with a close and no
    creation was created by its close at the latest: it takes that time, not the import's."""
    if place.kind == OPEN:
        return item.created or now, None
    if item.closed is None:
        if item.status is None:  # a status without its time is the file's own problem
            shown = f"a {place.kind} deal needs the time it was {place.kind} (nothing dates it today)"
            problems.append(Problem(item.row, _closing_column(item, parsed), shown))
        return None
    if item.closed > now:
        shown = f"{item.closed[:16]!r} is in the future (it is {now[:16]})"
        problems.append(Problem(item.row, _closing_column(item, parsed), shown))
        return None
    if item.created is not None and item.closed < item.created:
        shown = f"{item.closed[:16]!r} is before the prospect was created ({item.created[:16]!r})"
        problems.append(Problem(item.row, _closing_column(item, parsed), shown))
        return None
    return item.created or item.closed, item.closed


def _closing_column(item: ImportedProspect, parsed: ParsedFile) -> str:
    """The column a problem with a row's closing time is in, as the file names it."""
    return parsed.header_of(item.closed_by or ("closed" if "closed" in parsed.written else "stage"))


def _refusal(path: str, problems: list[Problem], hints: list[str]) -> UserError:
    """One problem: one line, the whole of it. Several: a line that says how many, then each
    (the whole-column ones first, then by row), up to MAX_SHOWN, then how many more."""
    problems.sort(key=lambda p: (p.row is not None, p.row or 0))
    if len(problems) == 1:
        tail = f"; {'; '.join(hints)}" if hints else ""
        return UserError(f"{path} {problems[0]}{tail}")
    shown = [f"  {problem}" for problem in problems[:MAX_SHOWN]]
    if len(problems) > MAX_SHOWN:
        shown.append(f"  … and {len(problems) - MAX_SHOWN:,} more")
    shown += [f"  {hint}" for hint in hints]
    return Refused(f"{path}: refused, {len(problems):,} problems; nothing imported", shown)


def import_parsed(
    parsed: ParsedFile,
    path: str,
    now: datetime,
    *,
    dry_run: bool = False,
    pipeline: str | None = None,
    options: ImportOptions | None = None,
    settings: Settings | None = None,
) -> int:
    """Write every checked row in one transaction (into the pipeline each row names, else the one
    given, else the first), or with ``dry_run`` only check; how many prospects. With the
    ``settings``, each row's score and search text go in with it (see :func:`write_plan`)."""
    options = options or ImportOptions(pipeline=pipeline)
    plan = plan_import(parsed, path, now, options)
    return plan.summary.count if dry_run else write_plan(plan, now, settings)


def imported_up_to() -> int:
    """Past the last prospect's id: an import that was committed moves it on (the CLI's
    answer to what a Ctrl+C left)."""
    return bulk.next_id(Prospect)


def write_plan(plan: Plan, now: datetime, settings: Settings | None = None) -> int:
    """Write a planned import in one transaction; how many prospects it wrote. With the
    ``settings``, each row's score goes in with it (see :func:`_worked_out`)."""

    def write() -> int:
        # times as the ISO text they are stored as (the parsed rows hold theirs so): sqlite3's
        # adapter per value cost a third of the prospect insert; PostgreSQL reads the text too
        _require_places(plan)
        start = bulk.next_id(Prospect)
        follow_ups = [
            (start + index, kind, due, None, str(now), "", "") for index, kind, due in plan.follow_ups
        ]
        changes = [(start + index, before, after, when) for index, before, after, when in plan.changes]
        columns = ("prospect", "from_stage", "to_stage", "changed_at")
        meanwhile = partial(bulk.insert_rows, StageChange, columns, changes)
        worked = _write_prospects(plan, start, (follow_ups, meanwhile), now, settings, side)
        people.contacts_from_rows(start)  # each row's contact as a record
        # the rows already hold what the follow-ups' insert triggers would write: their activity
        # summary (open follow-ups only), and their score worked out with them
        columns = ("prospect", "kind", "due_at", "done_at", "created_at", "outcome", "notes")
        fired = bulk.insert_rows(FollowUp, columns, follow_ups, insert_triggers=False)
        if worked is not None and follow_ups and fired:  # they marked the rows to work out again
            freshness.write([(*worked[row[0] - start], row[0]) for row in follow_ups], with_text=False)
        bulk.sync_sequence(Prospect)
        return len(plan.prospects)

    db = models.database.obj  # (in a transaction, SQLite checks the references of a part as it goes in)
    in_two = is_sqlite(db) and len(plan.prospects) >= WRITTEN_IN_TWO_FROM and not db.in_transaction()
    with bulk.references_checked_by_caller(), bulk.side_file() if in_two else nullcontext() as side:
        count = run_write(write)
    bulk.refresh_statistics()
    return count


def _require_places(plan: Plan) -> None:
    """The pipelines and stages the plan puts rows in, still there: the one thing outside the
    import its rows point at (their organizations are found or made as they go in)."""
    stage, reached = _AT["stage"] - 1, _AT["reached_stage"] - 1  # a planned row has no id
    stages = {row[stage] for row in plan.prospects} | {row[reached] for row in plan.prospects}
    bulk.require_rows(Pipeline, {row[0] for row in plan.prospects}, "a pipeline of this import")
    bulk.require_rows(Stage, stages, "a stage of this import")


def _write_prospects(
    plan: Plan,
    start: int,
    then: tuple[list[tuple], Callable[[], object]],
    now: datetime,
    settings: Settings | None,
    side: str | None,
) -> list[tuple] | None:
    """Insert the plan's prospects from id ``start`` on, each in its organization, scored with
    the ``settings`` if given: the (score, until when) of each row, or None unscored. ``then``:
    the follow-ups the rows will have, and a write to make once this process's rows are in.
    With a ``side`` file, many rows are written in two parts at once (see :func:`_in_two`)."""
    follow_ups, meanwhile = then
    planned = plan.prospects
    org_of = people.organizations_for(row[ORGANIZATION] for row in planned)
    new = None
    if settings is not None:
        values = _open_values(planned, settings.currency)
        new = scores.for_new_rows(now, settings, values, database_was_empty=start == 1)
    work = _Scoring(planned, start, org_of, follow_ups, new, settings)
    columns = PROSPECT_COLUMNS if new is None else (*PROSPECT_COLUMNS, "score", "fresh_until")
    with bulk.inserting(Prospect, columns, len(planned)) as insert:
        if side is not None and new is not None:
            worked = _in_two(work, insert, side, meanwhile, len(plan.changes))
        else:
            worked = None if new is None else _worked_out(work)
            insert.rows(work.rows(0, len(planned), worked))
            meanwhile()
    if new is not None:
        scores.new_rows_in(new)
    return worked


WRITTEN_IN_TWO_FROM = 20_000  # rows into a SQLite file (a guess: fewer are written in well under a second)
# the work of a row, in rows bound for the insert (docs/performance.md)
LIVE_ROW_COST = 6  # scoring a live row
CHANGE_COST = 0.3  # inserting a stage change (and its share of the indexes)


def _in_two(
    work: _Scoring, insert: bulk.Inserting, side: str, meanwhile: Callable[[], object], changes: int
) -> list[tuple]:
    """Score and insert the rows in two parts at once: a forked child scores the second and
    writes it to the ``side`` file while this process scores and inserts the first, then
    writes ``meanwhile`` (of ``changes`` stage changes); SQLite then copies the child's part in
    at its own speed (binding a row's values was most of the insert). A child that failed
    leaves its part to be done here."""
    count, live = len(work.planned), work.live()
    cut = _cut(count, live, CHANGE_COST * changes)
    theirs_at = live[bisect_left(live, cut) :]
    other = Forked.start(lambda: work.part_to_file(side, theirs_at, cut)) if cut < count else None
    worked = work.unscored()
    try:
        mine = live[: len(live) - len(theirs_at)]
        work.fill(worked, mine, work.scores(mine))
        insert.rows(work.rows(0, cut, worked))
        meanwhile()
        theirs = None if other is None else other.result()
    except BaseException:  # Ctrl+C, a rule's bug: no child left behind
        if other is not None:
            other.discard()
        raise
    if theirs is None:
        work.fill(worked, theirs_at, work.scores(theirs_at))
        insert.rows(work.rows(cut, count, worked))
    else:
        work.fill(worked, theirs_at, theirs[0])
        work.new.advice.extend(theirs[1])
        insert.copied(side)
    return worked


def _cut(count: int, live: list[int], extra: float) -> int:
    """The first row of the second part: each part as much work as the other, a live row's
    scoring counted as ``LIVE_ROW_COST`` rows, and the first part's ``extra`` work with it."""
    half = (count + LIVE_ROW_COST * len(live) - extra) / 2
    low, high = 0, count
    while low < high:
        middle = (low + high) // 2
        if middle + LIVE_ROW_COST * bisect_left(live, middle) < half:
            low = middle + 1
        else:
            high = middle
    return low


_AT = {name: index for index, name in enumerate(PROSPECT_COLUMNS)}
_PLANNED_AT = {name: index - 1 for name, index in _AT.items()}  # a planned row has no id


def _open_values(planned: list[tuple], currencies: Currencies) -> list[int]:
    """The values, in the home currency, of the live open deals among an import's rows (a
    budget ranks among them at home, as ``queries.open_values`` reads them)."""
    at = _PLANNED_AT
    archived, value, code, closed = at["archived"], at["value_cents"], at["currency"], at["closed_at"]
    homes = (
        to_home(row[value], row[code], currencies)
        for row in planned
        if row[closed] is None and not row[archived] and row[value] is not None
    )
    return [home for home in homes if home is not None]


SCORED_IN_TWO_FROM = 4_000  # live open rows: fewer are scored here, in less time than a fork takes


def _worked_out(work: _Scoring) -> list:
    """(score, until when it holds) of each row, from the rows in hand, as
    ``services.scores`` works them out from the database: the first look after an import of
    100,000 rows then has nothing to work out (it took seconds). Many rows are worked out in
    two halves at once, the second by a forked child (``io.forked``): the core is pure, and
    what comes back is small."""
    live = work.live()
    half = len(live) // 2 if len(live) >= SCORED_IN_TWO_FROM else len(live)
    other = Forked.start(lambda: work.plain(live[half:])) if half < len(live) else None
    try:
        mine = work.scores(live[:half])
    except BaseException:  # Ctrl+C, a rule's bug: no child left behind
        if other is not None:
            other.discard()
        raise
    theirs = None if other is None else other.result()
    if theirs is None:  # the child failed (or none was started): its half here
        mine += work.scores(live[half:])
    else:
        mine += theirs[0]
        work.new.advice.extend(theirs[1])
    worked = work.unscored()
    work.fill(worked, live, mine)
    return worked


class _Scoring:
    """Works out the scores of some of an import's rows (by their places in the plan), their
    ids from ``start`` on."""

    def __init__(
        self,
        planned: list[tuple],
        start: int,
        org_of: dict,
        follow_ups: list[tuple],
        new: scores.NewRows | None,
        settings: Settings,
    ) -> None:
        from pipeline_tui.core.domain import FollowUp as Step

        self.planned, self.start, self.org_of, self.new, self.settings = planned, start, org_of, new, settings
        self.steps = {  # each row's open follow-up, by its id
            row[0]: (Step(0, row[0], row[1], _moment(row[2]), _moment(row[4]), ""),) for row in follow_ups
        }
        columns = (_AT.get(field.name, len(PROSPECT_COLUMNS)) for field in queries.PROSPECT_COLUMNS)
        self.pick = itemgetter(*columns)  # of a whole row and a None (its score): a record's columns

    def live(self) -> list[int]:
        """The places of the rows with a score to work out: live, in an open stage."""
        archived, stage = _PLANNED_AT["archived"], _PLANNED_AT["stage"]
        scored = self.new.open_stage_by_id
        return [at for at, row in enumerate(self.planned) if not row[archived] and row[stage] in scored]

    def unscored(self) -> list[tuple]:
        """Each row's (score, until when) before the live ones are worked out: none, until
        the moment the time in stage next changes what a row would be worth."""
        new = self.new
        until = scores.score_and_until(None, new.open_stage_by_id, new.context, self.settings)[1]
        return [(None, str(until))] * len(self.planned)

    @staticmethod
    def fill(worked: list[tuple], places: list[int], found: list[tuple]) -> None:
        for at, score in zip(places, found, strict=True):
            worked[at] = score

    def rows(self, first: int, end: int, worked: list[tuple] | None) -> list[tuple]:
        """The rows from ``first`` to ``end`` as the insert takes them: the id, the planned
        columns, the organization's id, and the (score, until) if worked out."""
        planned, start, org_of = self.planned[first:end], self.start + first, self.org_of
        if worked is None:
            return [(start + i, *row, org_of.get(row[ORGANIZATION])) for i, row in enumerate(planned)]
        return [
            (start + i, *row, org_of.get(row[ORGANIZATION]), *extra)
            for i, (row, extra) in enumerate(zip(planned, worked[first:end], strict=True))
        ]  # (each row made once, its score with it)

    def part_to_file(self, path: str, places: list[int], first: int) -> tuple:
        """The forked child's part of :func:`_in_two`: the rows from ``first`` on scored (the
        live ones at ``places``) and written to the file at ``path``; the answer :meth:`plain`
        gives for them."""
        answer = self.plain(places)
        worked = self.unscored()
        self.fill(worked, places, answer[0])
        bulk.rows_to_file(path, self.rows(first, len(self.planned), worked))
        return answer

    def scores(self, places: list[int]) -> list[tuple]:
        """(score, until when) of each of these rows; their advice kept in ``new``."""
        rows, start, org_of, pick = self.planned, self.start, self.org_of, self.pick
        live = [pick((start + at, *rows[at], org_of.get(rows[at][ORGANIZATION]), None)) for at in places]
        stages = list(self.new.open_stage_by_id.values())
        records = queries.records_of(live, self.steps, stages, self.settings.currency)
        worked = []
        for record in records:
            score, until = scores.new_row(record, self.new, self.settings)
            worked.append((score, str(until)))
        return worked

    def plain(self, places: list[int]) -> tuple:
        """What :meth:`scores` works out, and the advice, as plain values (the forked child's
        answer: its moments as the text they are stored as)."""
        before = len(self.new.advice)
        worked = self.scores(places)
        advice = [
            (pid, name, code, message, None if when is None else str(when), tail, value)
            for pid, name, code, message, when, tail, value in self.new.advice[before:]
        ]
        return worked, advice


def _moment(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def database_is_empty() -> bool:
    return not Prospect.select().exists()


def write_demo(data, now: datetime) -> int:
    """Insert generated demo data (see :mod:`pipeline_tui.io.demo`) in one transaction."""
    from pipeline_tui.store.models import Quota

    if not database_is_empty():
        raise UserError("this database already holds prospects; demo data goes only into an empty one")
    pipeline = find_pipeline(None)
    by_position = [s.id for s in Stage.select().where(Stage.pipeline == pipeline.id).order_by(Stage.position)]
    if len(by_position) < 7:
        raise UserError("demo data needs the default stages of the Sales pipeline")
    reached = _DemoReached(data.stage_changes, by_position)
    owner = current_user()

    def write() -> int:
        start = bulk.next_id(Prospect)
        org_of = people.organizations_for(p[1] for p in data.prospects)
        rows = [
            _demo_row(number, start, p, pipeline.id, reached, owner, org_of)
            for number, p in enumerate(data.prospects, start=1)
        ]
        bulk.insert_rows(Prospect, (*DEMO_COLUMNS, "snoozed_until", "snooze_reason"), rows)
        people.contacts_from_rows(start)
        bulk.insert_rows(
            StageChange,
            ("prospect", "from_stage", "to_stage", "changed_at", "seconds_in_stage"),
            _demo_changes(data.stage_changes, start, by_position),
        )
        bulk.insert_rows(
            FollowUp,
            ("prospect", "kind", "due_at", "done_at", "created_at", "outcome", "notes"),
            [(start + pid - 1, *rest) for pid, *rest in data.follow_ups],
        )
        activity.refresh_all(models.database.obj)  # the follow-ups' summaries, at once
        bulk.sync_sequence(Prospect)
        if data.quota:
            Quota.create(period=data.quota[0], target_cents=data.quota[1], set_at=now, owner="")
        return len(rows)

    count = run_write(write)
    bulk.refresh_statistics()
    return count


class _DemoReached:
    """Of each demo prospect (by its 1-based number), the furthest open stage it reached (its
    id), and whether it was ever won, from the demo's stage changes."""

    def __init__(self, changes, by_position: list[int]) -> None:
        open_positions = {i for i, (_, _, kind, _) in enumerate(DEFAULT_STAGES) if kind == OPEN}
        won_position = next(i for i, (_, _, kind, _) in enumerate(DEFAULT_STAGES) if kind == "won")
        furthest: dict[int, int] = {}
        self.won: set[int] = set()
        for pid, _, position, _ in changes:
            if position in open_positions and position > furthest.get(pid, -1):
                furthest[pid] = position
            elif position == won_position:
                self.won.add(pid)
        self.furthest = {pid: by_position[position] for pid, position in furthest.items()}
        self.by_position = by_position


def _demo_row(
    number: int, start: int, p: tuple, pipeline_id: int, reached: _DemoReached, owner: str, org_of
) -> tuple:
    """The demo's prospect ``number`` (1-based; its id ``start + number - 1``) as a row of
    ``DEMO_COLUMNS`` and its snooze."""
    name, org, contact, title, email, phone, decision, value, close, urgency, source, *rest = p
    notes, lost_reason, created, position, entered, closed, snoozed_until, snooze_reason = rest
    return (
        (start + number - 1, pipeline_id, reached.by_position[position], name, org, contact, title, email)
        + (phone, decision, value, close, urgency, source, None, notes, lost_reason, created)
        + (max(entered, created), entered, closed, False, reached.furthest.get(number))
        + (number in reached.won, owner, False, org_of.get(org), snoozed_until, snooze_reason)
    )  # demo_or_trial (False): summed up with the rest once the follow-ups are in


def _demo_changes(changes, start: int, by_position: list[int]) -> list[tuple]:
    """The demo's stage changes as rows, each with how long its prospect had been in the stage
    it left (the time since its change before; the demo lists each prospect's in order)."""
    rows = []
    entered: dict[int, datetime] = {}
    for pid, before, after, when in changes:
        since = entered.get(pid)
        stayed = int((when - since).total_seconds()) if before is not None and since is not None else None
        entered[pid] = when
        rows.append(
            (
                start + pid - 1,
                None if before is None else by_position[before],
                by_position[after],
                when,
                stayed,
            )
        )
    return rows
