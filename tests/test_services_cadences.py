"""The services behind cadences and repeats: one action each, undone whole, the activity
summary kept by the triggers whatever they write."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pipeline_tui.core.cadences import parse_cadence
from pipeline_tui.errors import UserError
from tests.conftest import activity_out_of_step

DEMO = parse_cadence("after-demo", ["call +1d", "email +2d", "call +1w"])


@pytest.fixture
def acme(db, now):
    from pipeline_tui.services.prospects import add_prospect

    return add_prospect(now, "Acme fleet", fields={"value": "9000"})


def _open(prospect_id):
    from pipeline_tui.store.models import FollowUp

    return list(
        FollowUp.select()
        .where(FollowUp.prospect == prospect_id, FollowUp.done_at.is_null())
        .order_by(FollowUp.id)
    )


def test_undo_of_a_completed_step_takes_back_the_next_one_too(acme, now):
    from pipeline_tui.services.base import undo_last
    from pipeline_tui.services.cadences import start_cadence
    from pipeline_tui.services.follow_ups import complete

    first = start_cadence(acme.id, DEMO, now)
    done = complete(first.id, now + timedelta(days=1))
    assert done.continued_by.cadence_step == 2
    assert [f.cadence_step for f in _open(acme.id)] == [2]
    undo_last()
    assert [(f.id, f.cadence_step) for f in _open(acme.id)] == [(first.id, 1)]
    assert activity_out_of_step() == {}


def test_undo_of_stop_puts_the_cancelled_step_back(acme, now):
    from pipeline_tui.services.base import undo_last
    from pipeline_tui.services.cadences import running_cadence, start_cadence, stop_follow_ups
    from pipeline_tui.store.models import FollowUp

    first = start_cadence(acme.id, DEMO, now)
    stopped = stop_follow_ups(acme.id, now)
    assert [f.id for f in stopped.cancelled] == [first.id] and stopped.step == 1
    assert _open(acme.id) == [] and running_cadence(acme.id) is None
    undo_last()
    back = FollowUp.get_by_id(first.id)
    assert (back.cadence_step, back.due_at, back.cadence_run_id) == (1, first.due_at, first.cadence_run_id)
    assert running_cadence(acme.id).name == "after-demo"


def test_a_call_logged_answers_the_step_due_and_moves_the_cadence_on(acme, now):
    from pipeline_tui.services.cadences import start_cadence
    from pipeline_tui.services.follow_ups import log_activity

    start_cadence(acme.id, DEMO, now - timedelta(days=2))  # its call was due yesterday
    entry = log_activity(acme.id, "call", now, outcome="interested")
    assert entry.cadence_step == 1 and entry.done_at == now
    [step] = _open(acme.id)
    assert (step.kind, step.cadence_step) == ("email", 2)
    assert activity_out_of_step() == {}


def test_a_closed_or_archived_prospect_takes_no_cadence(acme, now):
    from pipeline_tui.services.cadences import start_cadence
    from pipeline_tui.services.prospects import archive_prospect, mark_won

    mark_won(acme.id, now)
    with pytest.raises(UserError, match="is closed"):
        start_cadence(acme.id, DEMO, now)
    from pipeline_tui.services.prospects import add_prospect

    other = add_prospect(now, "Other")
    archive_prospect(other.id, now)
    with pytest.raises(UserError, match="archived"):
        start_cadence(other.id, DEMO, now)


def test_a_cadence_keeps_the_steps_it_started_with(acme, now):
    from pipeline_tui.services.cadences import start_cadence
    from pipeline_tui.services.follow_ups import complete

    first = start_cadence(acme.id, DEMO, now)
    # the config file changes meanwhile: this cadence goes on as it began
    done = complete(first.id, now + timedelta(days=1))
    assert done.continued_by.kind == "email"


def test_a_repeat_done_twice_over_keeps_its_notes_and_rule(acme, now):
    from pipeline_tui.core.repeats import parse_repeat
    from pipeline_tui.services.follow_ups import complete, schedule

    due = now.replace(hour=9, minute=0) + timedelta(days=4)  # Monday
    made = schedule(acme.id, "call", due, now, "weekly", repeat=parse_repeat("every week", due))
    second = complete(made.id, due).continued_by
    third = complete(second.id, second.due_at + timedelta(hours=1)).continued_by
    assert [f.due_at for f in (made, second, third)] == [due + timedelta(days=7 * n) for n in range(3)]
    assert {(f.notes, f.repeat) for f in (made, second, third)} == {("weekly", "FREQ=WEEKLY;BYDAY=MO")}
