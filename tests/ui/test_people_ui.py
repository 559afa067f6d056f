"""Issue 21 in the TUI, pressing real keys: the pane's people and organization, the people list
(add, role, edit, call, email, remove), the merge prompt, and the stage editor."""

from __future__ import annotations

from pipeline_tui.services import contacts
from pipeline_tui.services.prospects import add_prospect, mark_won
from pipeline_tui.store.models import Contact, FollowUp, Organization, Prospect, Stage
from pipeline_tui.ui.screens.people import PeopleScreen
from pipeline_tui.ui.screens.stages import StagesScreen
from pipeline_tui.ui.widgets.forms import ConfirmScreen, FormScreen
from tests.ui.helpers import board_of, column_names, focused_card, screen_text

SIZE = (120, 40)


def people(prospect_id: int) -> list[tuple]:
    return [(c.name, c.role) for c in contacts.list_contacts(prospect_id)]


async def open_deal(app, pilot, prospect_id: int) -> None:
    app.open_prospect(prospect_id)
    await pilot.pause(0.3)
    assert board_of(app).detail.prospect_id == prospect_id


async def test_the_pane_lists_the_people_and_the_organizations_other_deals(db, now, make_app):
    first = add_prospect(now, "First order", fields={"organization": "Ròtul SA", "value": "12000"})
    mark_won(first.id, now)
    deal = add_prospect(now, "Renewal", fields={"organization": "rotul  sa", "contact": "Ann Roe"})
    contacts.add_contact(deal.id, now, {"name": "Bo Li", "role": "gatekeeper", "email": "bo@rotul.example"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_deal(app, pilot, deal.id)
        text = board_of(app).detail.text()
        assert "People\nAnn Roe  role not known\nBo Li  gatekeeper\n  bo@rotul.example" in text
        assert "Ròtul SA: 1 other deal\nWon, lifetime 12,000\nWon         First order  12,000" in text
        assert "a people" in text


async def test_people_keys_add_set_the_role_edit_call_email_and_remove(db, now, make_app):
    deal = add_prospect(now, "Acme fleet", stage="Qualified", fields={"organization": "Acme"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_deal(app, pilot, deal.id)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PeopleScreen)
        await pilot.press("a")  # a new contact: name, then down to the role
        await pilot.pause()
        await pilot.press(
            *"Ann Roe", "down", *"gatekeeper", "down", *"CFO", "down", *"ann@acme.example", "enter"
        )
        await pilot.pause()
        assert people(deal.id) == [("Ann Roe", "gatekeeper")]
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"Bo Li", "down", "down", "down", "down", *"+34 600", "enter")
        await pilot.pause()
        assert people(deal.id) == [("Ann Roe", "gatekeeper"), ("Bo Li", None)]

        await pilot.press("r")  # on Bo Li, the one just added
        await pilot.pause()
        await pilot.press(*"decision-maker", "enter")
        await pilot.pause()
        assert people(deal.id) == [("Ann Roe", "gatekeeper"), ("Bo Li", "decision-maker")]

        await pilot.press("k", "e")  # Ann: her title
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await pilot.press("down", "down", "end", *" and COO", "enter")
        await pilot.pause()
        assert contacts.list_contacts(deal.id)[0].title == "CFO and COO"

        await pilot.press("j", "c")  # call Bo Li
        await pilot.pause()
        await pilot.press(*"will sign next week", "enter")
        await pilot.pause()
        await pilot.press("k", "m")  # email Ann
        await pilot.pause()
        await pilot.press(*"sent the offer", "enter")
        await pilot.pause()
        logged = [(f.kind, f.notes, f.outcome) for f in FollowUp.select().where(FollowUp.prospect == deal.id)]
        assert logged == [
            ("call", "with Bo Li", "will sign next week"),
            ("email", "with Ann Roe", "sent the offer"),
        ]

        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert people(deal.id) == [("Bo Li", "decision-maker")]
        await pilot.press("escape")
        await pilot.pause()
        assert focused_card(app).decision_maker == "yes"  # DM✓ on the card
        assert "Bo Li  decision-maker" in board_of(app).detail.text()


async def test_the_question_before_appointment_names_the_contact_and_yes_gives_the_role(db, now, make_app):
    deal = add_prospect(now, "Acme fleet", stage="Qualified", fields={"organization": "Acme"})
    contacts.add_contact(deal.id, now, {"name": "Bo Li", "role": "gatekeeper"})
    contacts.add_contact(deal.id, now, {"name": "Ann Roe"})  # the one to ask
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_deal(app, pilot, deal.id)
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Is Ann Roe at Acme the decision maker?" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert people(deal.id) == [("Bo Li", "gatekeeper"), ("Ann Roe", "decision-maker")]
        assert Prospect.get_by_id(deal.id).stage.name == "Appointment"
        assert focused_card(app).decision_maker == "yes"


async def test_look_alike_organizations_are_offered_as_a_merge_only(db, now, make_app):
    deal = add_prospect(now, "Pilot", fields={"organization": "Acme"})
    other = add_prospect(now, "Fleet", fields={"organization": "Acme Inc."})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_deal(app, pilot, deal.id)
        assert "Same company as Acme Inc.? M merges them" in board_of(app).detail.text()
        await pilot.press("M")
        await pilot.pause()
        assert "Merge Acme Inc. into Acme?" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert Organization.select().count() == 2, "never merged unasked"
        await pilot.press("M")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert Organization.select().count() == 1
        assert Prospect.get_by_id(other.id).organization == "Acme"
        assert "Same company as" not in board_of(app).detail.text()


async def test_the_stage_editor_adds_renames_moves_and_removes(db, now, make_app):
    deal = add_prospect(now, "Acme fleet", stage="Trial")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Stages")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, StagesScreen)
        await pilot.press("j", "j", "j", "j", "a")  # after Proposal
        await pilot.pause()
        await pilot.press(*"Negotiation", "down", "down", *"85%", "enter")
        await pilot.pause()
        assert Stage.get(Stage.name == "Negotiation").probability == 0.85
        await pilot.press("r", "end", *"s Started", "enter")  # the highlight stays on the new stage
        await pilot.pause()
        await pilot.press("K")  # before Proposal
        await pilot.pause()
        names = [s.name for s in Stage.select().order_by(Stage.position)]
        assert names[3:6] == ["Trial", "Negotiations Started", "Proposal"]

        await pilot.press("k", "d")  # Trial holds the deal: where to?
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await pilot.press("ctrl+u", *"Negotiations Started", "enter")
        await pilot.pause()
        assert Prospect.get_by_id(deal.id).stage.name == "Negotiations Started"
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert column_names(app) == ["Lead", "Qualified", "Appointment", "Negotiations Started", "Proposal"]


async def test_people_with_markup_in_their_names_show_as_written(db, now, make_app):
    deal = add_prospect(now, "Deal", fields={"contact": "[bold]Ann[/bold]"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_deal(app, pilot, deal.id)
        await pilot.press("a")
        await pilot.pause()
        assert "[bold]Ann[/bold]  ·  role not known" in screen_text(app)
        assert Contact.select().count() == 1
