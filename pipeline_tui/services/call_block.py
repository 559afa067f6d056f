"""The call block: today's and overdue calls, one prospect at a time, with what the call
needs at hand (README "Call block")."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from pipeline_tui.core.cadences import NextStep
from pipeline_tui.core.dates import DEFAULT_RULES, DateRules
from pipeline_tui.core.next_steps import Suggestion, advised_next
from pipeline_tui.core.settings import Settings
from pipeline_tui.services.agenda import AgendaItem, agenda
from pipeline_tui.services.cadences import next_step
from pipeline_tui.services.follow_ups import default_next
from pipeline_tui.services.views import Detail, prospect_detail
from pipeline_tui.store.models import FollowUp


class LastOutcome(NamedTuple):
    when: datetime
    kind: str
    outcome: str


class CallCard(NamedTuple):
    """One call of the block: the follow-up, its prospect, what came of the last contact, and
    the next step to offer once the call is made."""

    item: AgendaItem
    detail: Detail
    last_outcome: LastOutcome | None
    suggestion: Suggestion
    following: NextStep | None  # what completing it schedules by itself (a cadence, a repeat)


def calls_due(now: datetime, owner: str | None = None) -> list[AgendaItem]:
    """The calls to make: overdue first, then the rest of today's, in agenda order."""
    return [item for item in agenda(now, 0, owner=owner) if item.kind == "call"]


def call_card(
    item: AgendaItem, now: datetime, settings: Settings, rules: DateRules = DEFAULT_RULES
) -> CallCard:
    detail = prospect_detail(item.prospect_id, now, settings)
    last = (
        FollowUp.select(FollowUp.done_at, FollowUp.kind, FollowUp.outcome)
        .where(FollowUp.prospect == item.prospect_id, FollowUp.done_at.is_null(False), FollowUp.outcome != "")
        .order_by(FollowUp.done_at.desc(), FollowUp.id.desc())
        .first()
    )
    suggestion = advised_next((advice.code for advice in detail.advice), now, rules)
    if suggestion is None:
        suggestion = Suggestion(
            *default_next("call", now, rules.working_hour), ""
        )  # the usual rhythm: nothing to explain
    return CallCard(
        item,
        detail,
        LastOutcome(last.done_at, last.kind, last.outcome) if last is not None else None,
        suggestion,
        _following(item.id, now, rules),
    )


def _following(follow_up_id: int, now: datetime, rules: DateRules) -> NextStep | None:
    follow_up = FollowUp.get_or_none(FollowUp.id == follow_up_id)
    return next_step(follow_up, now, rules) if follow_up is not None else None


def is_open(follow_up_id: int) -> bool:
    """Whether a call of the block is still to make (done or moved elsewhere meanwhile: skipped)."""
    return FollowUp.select().where(FollowUp.id == follow_up_id, FollowUp.done_at.is_null()).exists()
