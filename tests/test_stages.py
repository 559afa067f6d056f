"""Your own stages (issue 21): add, rename, move and remove a pipeline's stages, each keeping its
role so that the rules still find the stage they mean, and history keeping removed names."""

from __future__ import annotations

import pytest

from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import UserError
from pipeline_tui.services import stages, views
from pipeline_tui.services.base import undo_last
from pipeline_tui.services.prospects import add_prospect, move_prospect, step_prospect
from pipeline_tui.services.setup import add_pipeline
from pipeline_tui.store.models import Prospect, Stage

SETTINGS = Settings()


def board_order(pipeline: str | None = None) -> list[tuple]:
    return [(r.name, r.position, r.role) for r in stages.list_stages(pipeline)]


def names(pipeline: str | None = None) -> list[str]:
    return [r.name for r in stages.list_stages(pipeline)]


def history(prospect_id: int, now) -> list[str]:
    detail = views.prospect_detail(prospect_id, now, SETTINGS)
    return [e.text for e in detail.timeline if e.what in ("stage", "created")]


def test_add_a_stage_after_another_with_its_probability_and_role(db):
    stage = stages.add_stage("Negotiation", "Proposal", probability="85%")
    assert stage.probability == 0.85 and stage.role is None
    assert names() == ["Lead", "Qualified", "Appointment", "Trial", "Proposal", "Negotiation", "Won", "Lost"]
    assert [r.position for r in stages.list_stages()] == list(range(1, 9))
    halfway = stages.add_stage("Discovery", "Lead")
    assert halfway.probability == pytest.approx(0.175)  # between Lead's 10% and Qualified's 25%
    first = stages.add_stage("Inbox", None)
    assert names()[:3] == ["Inbox", "Lead", "Discovery"] and first.probability == 0.05


def test_a_stage_added_with_a_role_carries_the_rules_of_that_role(db, now):
    stages.remove_stage("Appointment", None, now)
    stages.add_stage("Meeting booked", "Qualified", role="appointment")
    deal = add_prospect(now, "Acme fleet", stage="Meeting booked", fields={"organization": "Acme"})
    advice = {a.code for a in views.prospect_detail(deal.id, now, SETTINGS).advice}
    assert "confirm-decision-maker" in advice  # R2 holds in the stage that plays Appointment


def test_refusals_change_nothing(db, now):
    before = board_order()
    for attempt, message in (
        (lambda: stages.add_stage("lead", "Trial"), "already a stage named lead"),
        (lambda: stages.add_stage("Call", "Trial", role="trial"), "Trial already has the role trial"),
        (lambda: stages.add_stage("Call", "Trial", role="boss"), "role 'boss'"),
        (lambda: stages.add_stage("Later", "Won"), "not after Won"),
        (lambda: stages.add_stage("Call", "Nowhere"), "no stage named 'Nowhere'"),
        (lambda: stages.add_stage("Call", "Trial", probability="2"), "between 0 and 1"),
        (lambda: stages.rename_stage("Trial", "proposal"), "already a stage named proposal"),
        (lambda: stages.move_stage("Won", "Lead"), "Won closes deals"),
        (lambda: stages.move_stage("Trial", "Trial"), "cannot go after itself"),
        (lambda: stages.remove_stage("Lost", None, now), "the pipeline needs it"),
        (lambda: stages.remove_stage("Trial", "Won", now), "another open stage"),
    ):
        with pytest.raises(UserError, match=message):
            attempt()
    assert board_order() == before


def test_rename_keeps_the_role_and_the_rules_follow_it(db, now):
    deal = add_prospect(now, "Acme fleet", stage="Qualified", fields={"organization": "Acme"})
    stages.rename_stage("appointment", "Meeting")
    assert ("Meeting", 3, "appointment") in board_order()
    step_prospect(deal.id, 1, now)
    assert Stage.get_by_id(Prospect.get_by_id(deal.id).stage_id).name == "Meeting"
    advice = {a.code: a.message for a in views.prospect_detail(deal.id, now, SETTINGS).advice}
    assert "the deal is in Meeting" in advice["confirm-decision-maker"]
    assert history(deal.id, now) == ["Qualified → Meeting", "added in Qualified"]


def test_move_reorders_and_works_out_how_far_each_prospect_got(db, now):
    deal = add_prospect(now, "Acme fleet", stage="Trial")
    assert Prospect.get_by_id(deal.id).reached_stage_id == Stage.get(Stage.name == "Trial").id
    move_prospect(deal.id, "Appointment", now)
    stages.move_stage("Appointment", "Proposal")  # Appointment now lies past Trial
    assert names()[:5] == ["Lead", "Qualified", "Trial", "Proposal", "Appointment"]
    assert Prospect.get_by_id(deal.id).reached_stage_id == Stage.get(Stage.name == "Appointment").id
    assert undo_last() == "moved stage Appointment"
    assert names()[:5] == ["Lead", "Qualified", "Appointment", "Trial", "Proposal"]
    assert Prospect.get_by_id(deal.id).reached_stage_id == Stage.get(Stage.name == "Trial").id
    stages.move_stage("Proposal", None)
    assert names()[0] == "Proposal"


def test_remove_needs_a_stage_for_its_prospects_and_history_keeps_its_name(db, now):
    stages.add_stage("Negotiation", "Proposal")
    deal = add_prospect(now, "Acme fleet", stage="Proposal")
    archived = add_prospect(now, "Old one", stage="Negotiation")
    Prospect.update(archived=True).where(Prospect.id == archived.id).execute()
    move_prospect(deal.id, "Negotiation", now)
    with pytest.raises(
        UserError, match="Negotiation holds 2 prospects: say which stage takes them with --to"
    ):
        stages.remove_stage("Negotiation", None, now)

    stages.remove_stage("negotiation", "Proposal", now)
    assert "Negotiation" not in names()
    proposal = Stage.get(Stage.name == "Proposal").id
    assert {Prospect.get_by_id(p).stage_id for p in (deal.id, archived.id)} == {proposal}
    assert history(deal.id, now) == ["Proposal → Negotiation", "added in Proposal"]
    assert history(archived.id, now) == ["added in Negotiation"]
    stages.rename_stage("Proposal", "Offer")  # the stage that took the links is still itself
    assert history(deal.id, now) == ["Offer → Negotiation", "added in Offer"]

    undo_last()  # the rename
    assert undo_last() == "removed stage Negotiation"
    assert "Negotiation" in names()
    negotiation = Stage.get(Stage.name == "Negotiation").id
    assert Prospect.get_by_id(deal.id).stage_id == negotiation


def test_an_empty_stage_goes_without_asking(db, now):
    stages.remove_stage("Trial", None, now)
    assert names() == ["Lead", "Qualified", "Appointment", "Proposal", "Won", "Lost"]
    assert [r.position for r in stages.list_stages()] == [1, 2, 3, 4, 5, 6]


def test_stages_are_per_pipeline_and_a_pipeline_can_copy_anothers(db, now):
    stages.add_stage("Negotiation", "Proposal", role=None)
    stages.rename_stage("Lead", "Inbound lead")
    add_pipeline("Renewals", copy_from="sales")
    assert board_order("Renewals") == board_order("Sales")
    stages.rename_stage("Trial", "Pilot", pipeline="Renewals")
    assert "Trial" in names("Sales") and "Pilot" in names("Renewals")
    assert [r.count for r in stages.list_stages("Renewals")] == [0] * 8
    add_prospect(now, "Renewal", pipeline="Renewals", stage="Pilot")
    assert next(r.count for r in stages.list_stages("Renewals") if r.name == "Pilot") == 1
