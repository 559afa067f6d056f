"""Bulk writes: a checked CSV file, or generated demo data, in one transaction each."""

from __future__ import annotations

from datetime import datetime
from operator import itemgetter
from typing import NamedTuple

from pipeline_tui.core.domain import DEFAULT_STAGES, DEMO_KINDS, OPEN
from pipeline_tui.core.search import search_text
from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import UserError
from pipeline_tui.io.csv_io import FIELDS, ParsedFile
from pipeline_tui.services import scores
from pipeline_tui.services.base import current_user, find_pipeline
from pipeline_tui.store import activity, bulk, freshness, models, people, queries
from pipeline_tui.store.db import run_write
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
    "org",  # its organization's record (store.people), found or made before the rows go in
)


class Place(NamedTuple):
    """Where rows go, with what a row's columns need of it worked out once per place."""

    pipeline_id: int
    stage_id: int
    open: bool
    reached_stage_id: int | None  # the furthest open stage reached: this one, if it is open
    won: bool


# Pipedrive's default stages, by the role they play here
PIPEDRIVE_STAGES = {
    "lead in": "lead",
    "contact made": "qualified",
    "qualified": "qualified",
    "demo scheduled": "appointment",
    "meeting scheduled": "appointment",
    "meeting arranged": "appointment",
    "proposal made": "proposal",
    "negotiations started": "proposal",
}


class _Resolver:
    """Finds each row's pipeline and stage by name (case-insensitive), or by Pipedrive's words."""

    def __init__(self, default_pipeline: str | None, path: str) -> None:
        self.path = path
        self.default = find_pipeline(default_pipeline)
        self.pipelines = {p.name.lower(): p for p in Pipeline.select()}
        self.stages: dict[int, list[Stage]] = {}
        for stage in Stage.select().order_by(Stage.position):
            self.stages.setdefault(stage.pipeline_id, []).append(stage)
        self._found: dict[tuple, Place] = {}  # rows repeat a handful of stages

    def __call__(self, item) -> Place:
        key = (item.pipeline, item.stage, item.status)
        found = self._found.get(key)
        if found is None:
            pipeline, stage = self._resolve(item)
            is_open = stage.kind == OPEN
            found = Place(pipeline.id, stage.id, is_open, stage.id if is_open else None, stage.kind == "won")
            self._found[key] = found
        return found

    def _resolve(self, item) -> tuple[Pipeline, Stage]:
        pipeline = self.default
        if item.pipeline:
            pipeline = self.pipelines.get(" ".join(item.pipeline.split()).lower())
            if pipeline is None:
                names = ", ".join(p.name for p in self.pipelines.values())
                raise UserError(
                    f"{self.path} row {item.row}, column pipeline: no pipeline named {item.pipeline!r} "
                    f"(pipelines: {names})"
                )
        stages = self.stages.get(pipeline.id, [])
        if item.status in ("won", "lost"):
            stage = next((s for s in stages if s.kind == item.status), None)
        elif item.stage is None:
            stage = next((s for s in stages if s.kind == OPEN), None)
        else:
            wanted = " ".join(item.stage.split()).lower()
            stage = next((s for s in stages if s.name.lower() == wanted), None)
            if stage is None and wanted in PIPEDRIVE_STAGES:
                stage = next((s for s in stages if s.role == PIPEDRIVE_STAGES[wanted]), None)
        if stage is None:
            names = ", ".join(s.name for s in stages)
            what = item.status or item.stage or "an open stage"
            raise UserError(
                f"{self.path} row {item.row}, column stage: no stage for {what!r} in {pipeline.name} "
                f"(stages: {names})"
            )
        return pipeline, stage


def import_parsed(
    parsed: ParsedFile,
    path: str,
    now: datetime,
    *,
    dry_run: bool = False,
    pipeline: str | None = None,
    settings: Settings | None = None,
) -> int:
    """Write every checked row in one transaction (into the pipeline each row names, else the one
    given, else the first), or with ``dry_run`` only check pipelines and stages. With the
    ``settings``, each row's score and search text go in with it (see :func:`_worked_out`)."""
    resolve = _Resolver(pipeline, path)
    places = [resolve(item) for item in parsed.prospects]  # checked before writing
    if dry_run:
        return len(places)

    owner = current_user()

    def write() -> int:
        start = bulk.next_id(Prospect)
        org_of = people.organizations_for(item.fields[1] for item in parsed.prospects)
        # times as the ISO text they are stored as (the parsed rows hold theirs so): sqlite3's
        # adapter per value cost a third of the prospect insert; PostgreSQL reads the text too
        written = str(now)
        prospects, changes, follow_ups = [], [], []
        for pid, item, place in zip(range(start, start + len(places)), parsed.prospects, places, strict=True):
            created = item.created
            if place.open:
                closed, entered = None, created
            else:
                closed = entered = item.closed or written
            prospects.append(
                (pid, place.pipeline_id, place.stage_id)
                + item.fields
                + (
                    created,
                    written,
                    entered,
                    closed,
                    item.archived,
                    place.reached_stage_id,
                    place.won,
                    item.owner or owner,
                    item.follow_up is not None and item.follow_up[1] in DEMO_KINDS,  # an open one
                    org_of.get(item.fields[1]),
                )
            )
            changes.append((pid, None, place.stage_id, entered))
            if item.follow_up is not None:
                due, kind = item.follow_up
                follow_ups.append((pid, kind, due, None, written, "", ""))
        new, worked = None, []
        if settings is not None:
            values = _open_values(prospects, places)
            new = scores.for_new_rows(now, settings, values, database_was_empty=start == 1)
        if new is None:
            bulk.insert_rows(Prospect, PROSPECT_COLUMNS, prospects)
        else:
            worked = _worked_out(prospects, follow_ups, new, settings)
            rows = [row + extra for row, extra in zip(prospects, worked, strict=True)]
            bulk.insert_rows(Prospect, (*PROSPECT_COLUMNS, "score", "fresh_until", "search_text"), rows)
            scores.new_rows_in(new)
        people.contacts_from_rows(start)  # each row's contact as a record
        bulk.insert_rows(StageChange, ("prospect", "from_stage", "to_stage", "changed_at"), changes)
        bulk.insert_rows(
            FollowUp, ("prospect", "kind", "due_at", "done_at", "created_at", "outcome", "notes"), follow_ups
        )
        if new is not None and follow_ups:  # their triggers marked the rows to work out again
            freshness.write([(*worked[row[0] - start][:2], row[0]) for row in follow_ups], with_text=False)
        bulk.sync_sequence(Prospect)
        return len(prospects)

    count = run_write(write)
    bulk.refresh_statistics()
    return count


_AT = {name: index for index, name in enumerate(PROSPECT_COLUMNS)}


def _open_values(rows: list[tuple], places: list[Place]) -> list[int]:
    """The values of the live open deals among an import's rows (a budget ranks among them)."""
    archived, value = _AT["archived"], _AT["value_cents"]
    return [
        row[value]
        for row, place in zip(rows, places, strict=True)
        if place.open and not row[archived] and row[value] is not None
    ]


def _worked_out(rows: list[tuple], follow_ups: list[tuple], new: scores.NewRows, settings: Settings) -> list:
    """(score, until when it holds, search text) of each row, from the rows in hand, as
    ``services.scores`` works them out from the database: the first look after an import of
    100,000 rows then has nothing to work out (it took seconds)."""
    from pipeline_tui.core.domain import FollowUp as Step

    steps = {row[0]: (Step(0, row[0], row[1], _moment(row[2]), _moment(row[4]), ""),) for row in follow_ups}
    pick = itemgetter(*(_AT.get(field.name, len(PROSPECT_COLUMNS)) for field in queries.PROSPECT_COLUMNS))
    archived, stage = _AT["archived"], _AT["stage"]
    scored = new.open_stage_by_id  # live rows in other stages have no score to work out

    def is_scored(row: tuple) -> bool:
        return not row[archived] and row[stage] in scored

    live = [pick((*row, None)) for row in rows if is_scored(row)]
    records = iter(queries.records_of(live, steps, list(scored.values())))
    texts = itemgetter(*(_AT[field] for field in ("name", "organization", "contact", "notes")))
    unscored = (None, str(scores.score_and_until(None, scored, new.context, settings)[1]))
    worked = []
    for row in rows:
        if is_scored(row):
            score, until = scores.score_and_until(next(records), scored, new.context, settings)
            worked.append((score, str(until), search_text(texts(row))))
        else:
            worked.append((*unscored, search_text(texts(row))))
    return worked


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

    open_positions = {position for position, (_, _, kind, _) in enumerate(DEFAULT_STAGES) if kind == OPEN}
    won_position = next(i for i, (_, _, kind, _) in enumerate(DEFAULT_STAGES) if kind == "won")
    furthest: dict[int, int] = {}
    won_ever: set[int] = set()
    for pid, _, position, _ in data.stage_changes:
        if position in open_positions and position > furthest.get(pid, -1):
            furthest[pid] = position
        elif position == won_position:
            won_ever.add(pid)

    owner = current_user()

    def write() -> int:
        start = bulk.next_id(Prospect)
        org_of = people.organizations_for(p[1] for p in data.prospects)
        rows = []
        for offset, p in enumerate(data.prospects):
            (
                name,
                org,
                contact,
                title,
                email,
                phone,
                decision,
                value,
                close,
                urgency,
                source,
                notes,
                lost_reason,
                created,
                position,
                entered,
                closed,
                snoozed_until,
                snooze_reason,
            ) = p
            rows.append(
                (
                    start + offset,
                    pipeline.id,
                    by_position[position],
                    name,
                    org,
                    contact,
                    title,
                    email,
                    phone,
                    decision,
                    value,
                    close,
                    urgency,
                    source,
                    None,
                    notes,
                    lost_reason,
                    created,
                    max(entered, created),
                    entered,
                    closed,
                    False,
                    by_position[furthest[offset + 1]] if offset + 1 in furthest else None,
                    offset + 1 in won_ever,
                    owner,
                    False,  # demo_or_trial: summed up with the rest below
                    org_of.get(org),
                    snoozed_until,
                    snooze_reason,
                )
            )
        bulk.insert_rows(Prospect, (*PROSPECT_COLUMNS, "snoozed_until", "snooze_reason"), rows)
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
