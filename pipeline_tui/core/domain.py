"""The facts the rules read: plain immutable records that the store fills in.

Records are NamedTuples rather than frozen dataclasses: Python writes and compiles each
dataclass's methods when the module loads (~1 ms a class, ~20 ms of start-up for thirty),
while a NamedTuple is ready in a fifth of that.

A prospect's past is summarised (:class:`History`) rather than listed, so that the rules for
100,000 prospects run on data the database has already condensed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import NamedTuple

from pipeline_tui.core.kinds import CONTACT_KINDS, DEMO_KINDS, FOLLOW_UP_KINDS  # noqa: F401 (their home was here)

OPEN, WON, LOST = "open", "won", "lost"
STAGE_KINDS = (OPEN, WON, LOST)
ROLES = ("lead", "qualified", "appointment", "trial", "proposal", "won", "lost")
URGENCIES = ("low", "medium", "high")
DECISION_MAKER = ("yes", "no", "unknown")
PERIODS = ("month", "quarter", "year")

DEFAULT_STAGES = (
    # name, probability, kind, role
    ("Lead", 0.10, OPEN, "lead"),
    ("Qualified", 0.25, OPEN, "qualified"),
    ("Appointment", 0.40, OPEN, "appointment"),
    ("Trial", 0.60, OPEN, "trial"),
    ("Proposal", 0.75, OPEN, "proposal"),
    ("Won", 1.0, WON, "won"),
    ("Lost", 0.0, LOST, "lost"),
)


# Make a record (any NamedTuple here) from all its fields at once, in their order. Its own
# constructor matches keywords and fills defaults in Python: ~1 µs a record, a tenth of the
# time to read the board's 10,000 prospects. Only for hot paths that pass every field.
new_record = tuple.__new__


class Stage(NamedTuple):
    """A step of a pipeline: open (a deal under way), won or lost, with its probability."""

    id: int
    pipeline_id: int
    name: str
    position: int
    probability: float
    kind: str = OPEN
    role: str | None = None


class Pipeline(NamedTuple):
    """A named line of stages; several can run side by side (new sales, renewals)."""

    id: int
    name: str
    position: int = 0


class FollowUp(NamedTuple):
    """An open follow-up (not done yet)."""

    id: int
    prospect_id: int
    kind: str
    due: datetime
    created: datetime
    notes: str = ""


class History(NamedTuple):
    """What a prospect's past adds up to, as far as the rules care."""

    last_activity: datetime | None = None  # latest follow-up done, of any kind
    last_contact: datetime | None = None  # latest call, email or reminder done
    last_appointment_done: datetime | None = None
    demo_or_trial: bool = False  # ever had a demo or a trial, open or done
    furthest_position: int | None = None  # furthest open stage position ever entered
    ever_won: bool = False


NO_HISTORY = History()


class Prospect(NamedTuple):
    """One prospect as the rules see it: its fields, open follow-ups and condensed history."""

    id: int
    name: str
    pipeline_id: int
    stage_id: int
    created: datetime
    stage_entered: datetime
    organization: str = ""
    contact: str = ""
    value: int | None = None  # cents, in the home currency
    expected_close: date | None = None
    urgency: str = "medium"
    decision_maker: str = "unknown"
    probability: float | None = None  # override of the stage's
    closed_at: datetime | None = None
    owner: str = ""
    open_follow_ups: tuple[FollowUp, ...] = ()
    history: History = NO_HISTORY
    updated: datetime | None = None  # its last edit, move or follow-up done through the app
    source: str = ""  # where the lead came from: cold call, referral...
    lost_reason: str = ""
    snoozed_until: datetime | None = None  # put aside on purpose until then...
    snooze_reason: str = ""  # ...for this reason
    # ``value`` is in the home currency (every figure adds it up); what the deal is in, for
    # showing it: its currency ("" the home one) and its value in it
    currency: str = ""
    amount: int | None = None

    @property
    def label(self) -> str:
        """How messages name a prospect: ``Acme (Jane Doe)``."""
        who = self.organization or self.name
        if self.contact and self.contact not in who:
            return f"{who} ({self.contact})"
        return who


class ReachCount(NamedTuple):
    """How many prospects of a pipeline sit in a stage, by the furthest stage they ever reached.

    The store counts these in SQL, so that conversion over years of history needs no row per
    prospect; :meth:`Snapshot.reach_counts` derives the same from the prospects when absent.
    """

    pipeline_id: int
    stage_id: int  # where they are now
    furthest_position: int | None  # furthest open stage position ever entered
    ever_won: bool
    count: int


class ClosedTally(NamedTuple):
    """Prospects closed inside a window of time: how many won, how many lost, the value won."""

    won: int = 0
    lost: int = 0
    won_value: int = 0  # cents; a won prospect without a value counts as 0


class CohortCount(NamedTuple):
    """Closed prospects created inside the look-back window, of one source in one stage."""

    source: str
    stage_id: int
    count: int
    value: int  # cents


class ReasonCount(NamedTuple):
    """Prospects lost inside the look-back window for one reason (as typed)."""

    reason: str
    count: int
    value: int  # cents


class StageTime(NamedTuple):
    """How long the prospects that left a stage inside the look-back window had been in it."""

    stage_id: int
    count: int
    seconds: float  # all their stays added up


class Quota(NamedTuple):
    """A sales target for a period, one salesperson's or (owner ``""``) the team's."""

    period: str  # month, quarter or year
    target: int  # cents
    owner: str = ""


@dataclass(frozen=True)
class Snapshot:
    """Everything the rules need about one pipeline (or all of them) at one moment.

    ``prospects`` holds every open prospect, and the closed ones unless the store summarised
    them: ``closed_totals`` (per closed stage), ``reach`` (for conversion) and ``closed_tallies``
    (won and lost inside the windows the figures look at). Summaries keep the report fast with
    years of history; without them, the rules count the prospects themselves.
    """

    now: datetime
    pipelines: tuple[Pipeline, ...]
    stages: tuple[Stage, ...]
    prospects: tuple[Prospect, ...]
    quota: Quota | None = None
    pipeline_id: int | None = None  # set when the figures cover one pipeline only
    closed_totals: dict[int, tuple[int, int]] | None = None  # closed stage id -> (count, value), all time
    reach: tuple[ReachCount, ...] | None = None  # all prospects, all time
    closed_tallies: dict[tuple[datetime, datetime], ClosedTally] | None = None  # by (start, end) window
    # the report's history, summarised by the store (else counted from ``prospects``, or none)
    cohort: tuple[CohortCount, ...] | None = None  # closed, created in the look-back window
    lost_reasons: tuple[ReasonCount, ...] | None = None  # lost in the look-back window
    stage_time: tuple[StageTime, ...] = ()  # stays ended in the look-back window
    done_this_week: dict[str, int] | None = None  # follow-ups done since Monday, by kind
    closed_new_this_week: int | None = None  # created since Monday and already closed

    @cached_property
    def stage_by_id(self) -> dict[int, Stage]:
        return {stage.id: stage for stage in self.stages}

    @cached_property
    def pipeline_by_id(self) -> dict[int, Pipeline]:
        return {pipeline.id: pipeline for pipeline in self.pipelines}

    @cached_property
    def stages_by_pipeline(self) -> dict[int, list[Stage]]:
        grouped: dict[int, list[Stage]] = {pipeline.id: [] for pipeline in self.pipelines}
        for stage in sorted(self.stages, key=lambda s: (s.pipeline_id, s.position, s.id)):
            grouped.setdefault(stage.pipeline_id, []).append(stage)
        return grouped

    def reach_counts(self) -> tuple[ReachCount, ...]:
        """The reach histogram: as given by the store, else counted from the prospects."""
        if self.reach is not None:
            return self.reach
        counts: dict[tuple[int, int, int | None, bool], int] = {}
        for p in self.prospects:
            key = (p.pipeline_id, p.stage_id, p.history.furthest_position, p.history.ever_won)
            counts[key] = counts.get(key, 0) + 1
        return tuple(ReachCount(*key, count) for key, count in counts.items())

    @cached_property
    def open_prospects(self) -> list[Prospect]:
        by_id = self.stage_by_id
        return [p for p in self.prospects if by_id[p.stage_id].kind == OPEN]

    def role_position(self, pipeline_id: int, role: str) -> int | None:
        """Position of the stage carrying ``role`` in a pipeline, or None if none carries it."""
        return self._role_positions.get((pipeline_id, role))

    @cached_property
    def _role_positions(self) -> dict[tuple[int, str], int]:
        return {(s.pipeline_id, s.role): s.position for s in self.stages if s.role}

    def stage_of(self, prospect: Prospect) -> Stage:
        return self.stage_by_id[prospect.stage_id]

    def probability_of(self, prospect: Prospect) -> float:
        """The prospect's own override, else its stage's probability."""
        if prospect.probability is not None:
            return prospect.probability
        return self.stage_by_id[prospect.stage_id].probability

    def weighted_value(self, prospect: Prospect) -> float:
        """Value × probability, in cents (0 when the value is unknown)."""
        if not prospect.value:
            return 0.0
        return prospect.value * self.probability_of(prospect)

    def past_role(self, prospect: Prospect, role: str) -> bool:
        """True when the prospect's open stage lies after the stage with ``role``."""
        position = self.role_position(prospect.pipeline_id, role)
        if position is None:
            stages = self.stages_by_pipeline.get(prospect.pipeline_id) or []
            position = stages[0].position if stages else 0
        return self.stage_by_id[prospect.stage_id].position > position

    def at_or_past_role(self, prospect: Prospect, role: str) -> bool:
        position = self.role_position(prospect.pipeline_id, role)
        if position is None:
            return False
        return self.stage_by_id[prospect.stage_id].position >= position
