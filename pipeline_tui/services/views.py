"""What the screens and commands show: the report, a prospect's detail and the export, each
built from a bounded number of queries and the pure core (the board: ``services.board``; the
agenda: ``services.agenda``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import wraps
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple, ParamSpec, TypeVar

from pipeline_tui.core import domain
from pipeline_tui.core.money import Currencies
from pipeline_tui.core.score import Score, ScoreContext, score_prospect, score_total
from pipeline_tui.core.search import fold
from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import UserError
from pipeline_tui.services import cadences, scores
from pipeline_tui.services.agenda import (  # noqa: F401  (the agenda's names, as before)
    AGENDA_GROUPS,
    AgendaItem,
    agenda,
    agenda_group,
    follow_up_status,
)
from pipeline_tui.services.base import find_pipeline
from pipeline_tui.store import queries, search
from pipeline_tui.store.db import read_snapshot
from pipeline_tui.store.models import Prospect, Stage

if TYPE_CHECKING:  # the report's and the advice rules' code loads when first asked for
    from pipeline_tui.core import advice as advice_rules
    from pipeline_tui.core.report import Report

OTHER_DEALS_SHOWN = 8  # of the organization's other deals, in the pane: the newest
P = ParamSpec("P")
T = TypeVar("T")


def _one_read(function: Callable[P, T]) -> Callable[P, T]:
    """Run a view's queries in one read transaction: another program's write lands before or
    after them, never between (a prospect listed must also be found in the snapshot)."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with read_snapshot():
            return function(*args, **kwargs)

    return wrapper


# -- report -----------------------------------------------------------------------------------


def report(
    now: datetime,
    settings: Settings,
    pipeline_name: str | None = None,
    owner: str | None = None,
    *,
    top: int | None = None,
) -> Report:
    """Figures and advice for everyone (the team's quota) or one salesperson (their quota): see
    :mod:`pipeline_tui.services.report` (and for ``top``)."""
    from pipeline_tui.services.report import report as read_report

    return read_report(
        now, settings, find_pipeline(pipeline_name).id if pipeline_name else None, owner, top=top
    )


# -- one prospect -----------------------------------------------------------------------------


class TimelineEntry(NamedTuple):
    """One thing that happened to a prospect, or is planned."""

    when: datetime
    what: str  # a follow-up kind, "stage" or "created"
    text: str
    done: bool
    follow_up_id: int | None = None


class Detail(NamedTuple):
    """All the detail pane shows about one prospect."""

    prospect: Prospect
    stage: domain.Stage
    pipeline: str
    stages: list[domain.Stage]  # the pipeline's stages, in order
    score: Score | None
    weighted_value: float
    advice: list[advice_rules.Advice]
    timeline: list[TimelineEntry]
    open_follow_ups: list[domain.FollowUp]
    contacts: tuple = ()  # core.people.Contact: the people on the deal, in the order added
    organization: object = None  # services.organizations.OrganizationGlance, when it names one
    look_alikes: tuple = ()  # (id, name) of organizations whose names look like its own
    value_text: str = "unknown"  # its own amount, and in the home currency if that is another
    cadence: str | None = None  # the running cadence and its step, in words
    runs_itself: Mapping[int, str] = MappingProxyType({})  # open follow-up id -> "step 2 of 3", "every week"


@_one_read
def prospect_detail(prospect_id: int, now: datetime, settings: Settings) -> Detail:
    """Every field, the score explained, its advice and its timeline, for the detail pane.
    The score is explained as the board's was worked out (see ``services.scores``)."""
    return _detail(prospect_id, settings, scores.context(now, settings))


def _detail(prospect_id: int, settings: Settings, context: ScoreContext) -> Detail:
    from pipeline_tui.core import advice as advice_rules  # first needed here, not at start-up

    prospect = queries.prospect_by_id(prospect_id)
    if prospect is None:
        raise UserError(f"no prospect with id {prospect_id}")
    snapshot = queries.load_snapshot(context.now, settings, ids=[prospect_id])
    stage = snapshot.stage_by_id[prospect.stage_id]
    facts = next((p for p in snapshot.prospects if p.id == prospect_id), None)
    score = None
    found: list[advice_rules.Advice] = []
    if facts is not None and stage.kind == domain.OPEN:
        score = score_prospect(facts, stage, context, settings.score, settings.thresholds)
        found = advice_rules.sort_advice(advice_rules.prospect_advice(snapshot, settings.thresholds, [facts]))
    cadence, runs_itself = cadences.marks(prospect_id)
    return Detail(
        prospect=prospect,
        stage=stage,
        pipeline=snapshot.pipeline_by_id[prospect.pipeline_id].name,
        stages=snapshot.stages_by_pipeline[prospect.pipeline_id],
        score=score,
        weighted_value=snapshot.weighted_value(facts) if facts else 0.0,
        advice=found,
        timeline=timeline(prospect, snapshot.stage_by_id),
        open_follow_ups=list(facts.open_follow_ups) if facts else [],
        value_text=settings.currency.value_text(prospect.value_cents, prospect.currency),
        **_people_of(prospect, settings.currency),
        cadence=cadence,
        runs_itself=runs_itself,
    )


def _people_of(prospect: Prospect, currencies: Currencies) -> dict:
    """The deal's people, its organization's other deals, and names that look like it."""
    from pipeline_tui.services import organizations
    from pipeline_tui.store.people import contacts_of

    found: dict = {"contacts": tuple(contacts_of(prospect.id))}
    if prospect.org_id is not None:
        found["organization"] = organizations.glance(
            prospect.org_id, prospect.id, OTHER_DEALS_SHOWN, currencies
        )
        found["look_alikes"] = tuple(organizations.look_alikes(prospect.org_id))
    return found


def timeline(prospect: Prospect, stage_by_id: dict[int, domain.Stage]) -> list[TimelineEntry]:
    """Follow-ups done and due, and stage changes, newest first."""
    entries = []
    for f in queries.follow_ups_of(prospect.id):
        if f.done_at is not None:
            text = " · ".join(t for t in (f.notes, f.outcome and f"→ {f.outcome}") if t)
            entries.append(TimelineEntry(f.done_at, f.kind, text, True, f.id))
        else:
            entries.append(TimelineEntry(f.due_at, f.kind, f.notes, False, f.id))
    for change in queries.stage_changes_of(prospect.id):
        name = _stage_name(change.to_name, change.to_stage_id, stage_by_id)
        if change.from_stage_id is None and change.from_name is None:
            entries.append(TimelineEntry(change.changed_at, "created", f"added in {name}", True))
        else:
            before = _stage_name(change.from_name, change.from_stage_id, stage_by_id)
            entries.append(TimelineEntry(change.changed_at, "stage", f"{before} → {name}", True))
    return sorted(entries, key=lambda e: (e.when, e.what != "created"), reverse=True)


def _stage_name(kept: str | None, stage_id: int | None, stage_by_id: dict[int, domain.Stage]) -> str:
    """A stage as history names it: the name kept when the stage was removed, else its own."""
    if kept is not None:
        return kept
    stage = stage_by_id.get(stage_id)
    return stage.name if stage else "?"


# -- export -----------------------------------------------------------------------------------


class ExportRow(NamedTuple):
    """One prospect as the CSV export writes it."""

    prospect: Prospect
    pipeline: str
    stage: str
    stage_kind: str
    score: int | None
    weighted_value: float
    next_follow_up: domain.FollowUp | None
    last_activity: datetime | None
    currency: str = ""  # of its value: its own, else the home currency's code ("" if none is set)


@_one_read
def export_rows(
    now: datetime, settings: Settings, pipeline_name: str | None = None, owner: str | None = None
) -> list[ExportRow]:
    """Every prospect (archived ones too) with its stage, score (open ones: as the board has
    it, see ``services.scores``), weighted value (in the home currency) and next and last
    follow-up."""
    snapshot = queries.load_snapshot(now, settings, open_only=True)
    context = scores.context(now, settings)
    weights, thresholds = settings.score, settings.thresholds
    by_id = {
        p.id: score_total(p, snapshot.stage_of(p), context, weights, thresholds) for p in snapshot.prospects
    }
    stage_by_id = snapshot.stage_by_id
    pipelines = snapshot.pipeline_by_id
    follow_ups = queries.load_open_follow_ups(None)
    rows = []
    query = Prospect.select().order_by(Prospect.id)  # every prospect, archived ones too
    if pipeline_name:
        query = query.where(Prospect.pipeline == find_pipeline(pipeline_name).id)
    if owner is not None:
        query = query.where(Prospect.owner == owner)
    for prospect in query:
        stage = stage_by_id[prospect.stage_id]
        probability = stage.probability if prospect.probability is None else prospect.probability
        upcoming = follow_ups.get(prospect.id)
        home_value = settings.currency.in_home(prospect.value_cents, prospect.currency)
        rows.append(
            ExportRow(
                prospect=prospect,
                pipeline=pipelines[prospect.pipeline_id].name,
                stage=stage.name,
                stage_kind=stage.kind,
                score=by_id.get(prospect.id),
                weighted_value=(home_value or 0) * probability,
                next_follow_up=upcoming[0] if upcoming else None,
                last_activity=prospect.last_activity_at,  # kept on the row (store.activity)
                currency=prospect.currency or settings.currency.home,
            )
        )
    return rows


def stage_names(pipeline_id: int) -> list[str]:
    return [s.name for s in Stage.select().where(Stage.pipeline == pipeline_id).order_by(Stage.position)]


def find_prospects(text: str, limit: int = 20) -> list[tuple[int, str, str]]:
    """Live prospects found by ``text`` as the board's search finds them (without case or
    accents, in name, organization, contact, notes and follow-ups): the palette's search."""
    needle = fold(text.strip())
    if not needle:
        return []
    ids = search.found_ids(needle)
    holds = Prospect.id.in_(ids) if ids is not None else search.holds(search.pattern(needle))
    query = (
        Prospect.select(Prospect.id, Prospect.name, Prospect.organization)
        .where(Prospect.archived == False, holds)  # noqa: E712
        .order_by(Prospect.name)
        .limit(limit)
        .tuples()
    )
    return list(query)
