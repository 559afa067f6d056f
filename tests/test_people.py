"""People on a deal and organizations as records (issue 21): the contact actions, the role rules
as the score, the advice and the board read them, organizations found however they are spelled,
look-alikes merged only when asked, and a customer's new deal starting from its people."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import UserError
from pipeline_tui.services import contacts, organizations, views
from pipeline_tui.services.base import undo_last
from pipeline_tui.services.board import BoardReader
from pipeline_tui.services.follow_ups import schedule
from pipeline_tui.services.prospects import add_prospect, edit_prospect, mark_won, move_prospect
from pipeline_tui.store.models import Contact, Organization, Prospect

SETTINGS = Settings()


def people(prospect_id: int) -> list[tuple]:
    return [(c.name, c.role) for c in contacts.list_contacts(prospect_id)]


def row(prospect_id: int) -> tuple:
    p = Prospect.get_by_id(prospect_id)
    return (p.contact, p.title, p.email, p.phone, p.decision_maker)


def card(prospect_id: int, now):
    """The prospect's card as the board reads it."""
    board = BoardReader(SETTINGS).read(now)
    return next(card for _, cards in board.columns for card in cards if card.id == prospect_id)


def advice_of(prospect_id: int, now) -> dict[str, str]:
    detail = views.prospect_detail(prospect_id, now, SETTINGS)
    return {a.code: a.message for a in detail.advice}


# -- contacts -----------------------------------------------------------------------------------


def test_a_deal_holds_any_number_of_contacts_with_their_details(db, now):
    deal = add_prospect(now, "Acme fleet", fields={"organization": "Acme"})
    first = contacts.add_contact(
        deal.id, now, {"name": "Ann Roe", "title": "CFO", "email": "ann@acme.example"}
    )
    contacts.add_contact(deal.id, now, {"name": "Bo Li", "role": "gatekeeper", "phone": "+34 600"})
    contacts.add_contact(deal.id, now, {"name": "Cy Fox", "role": "user"})
    listed = contacts.list_contacts(deal.id)
    assert [(c.name, c.role, c.title, c.email, c.phone) for c in listed] == [
        ("Ann Roe", None, "CFO", "ann@acme.example", ""),
        ("Bo Li", "gatekeeper", "", "", "+34 600"),
        ("Cy Fox", "user", "", "", ""),
    ]
    assert listed[0].id == first.id
    # the row names the one to ask: Ann, whose role nobody knows yet
    assert row(deal.id) == ("Ann Roe", "CFO", "ann@acme.example", "", "unknown")


def test_a_decision_maker_contact_confirms_it_on_the_card_in_the_score_and_the_advice(db, now):
    deal = add_prospect(
        now, "Acme fleet", stage="Appointment", fields={"organization": "Acme", "value": "9000"}
    )
    contacts.add_contact(deal.id, now, {"name": "Bo Li", "role": "gatekeeper"})
    ann = contacts.add_contact(deal.id, now, {"name": "Ann Roe"})
    assert card(deal.id, now).decision_maker == "unknown"
    assert advice_of(deal.id, now)["confirm-decision-maker"].startswith("Confirm Ann Roe at Acme")
    before = views.prospect_detail(deal.id, now, SETTINGS).score

    contacts.edit_contact(ann.id, now, {"role": "decision-maker"})
    assert card(deal.id, now).decision_maker == "yes"  # DM✓, no further step
    assert "confirm-decision-maker" not in advice_of(deal.id, now)
    after = views.prospect_detail(deal.id, now, SETTINGS).score
    assert "decision maker confirmed" in [part.reason for part in after.parts]
    assert after.total > before.total
    assert row(deal.id)[0] == "Ann Roe"


def test_contacts_all_known_not_to_decide_ask_to_find_who_does(db, now):
    deal = add_prospect(now, "Acme fleet", stage="Trial", fields={"organization": "Acme"})
    contacts.add_contact(deal.id, now, {"name": "Bo Li", "role": "gatekeeper"})
    contacts.add_contact(deal.id, now, {"name": "Cy Fox", "role": "influencer"})
    assert card(deal.id, now).decision_maker == "no"
    assert advice_of(deal.id, now)["confirm-decision-maker"].startswith(
        "Find who decides at Acme: Bo Li cannot"
    )
    reasons = [p.reason for p in views.prospect_detail(deal.id, now, SETTINGS).score.parts]
    assert "contact cannot decide: find who can" in reasons


def test_the_question_before_an_appointment_names_the_contact_to_check(db, now):
    deal = add_prospect(now, "Acme fleet", fields={"organization": "Acme", "contact": "Ann Roe"})
    schedule(deal.id, "appointment", now + timedelta(days=1), now)
    assert advice_of(deal.id, now)["confirm-decision-maker"] == (
        "Confirm Ann Roe at Acme can decide before the appointment on Fri 27 Nov 09:30"
    )


def test_removing_the_decision_maker_leaves_nobody_confirmed_and_undo_brings_them_back(db, now):
    deal = add_prospect(now, "Acme fleet", fields={"contact": "Ann Roe", "decision_maker": "yes"})
    (ann,) = contacts.list_contacts(deal.id)
    assert ann.role == "decision-maker"
    contacts.remove_contact(ann.id, now)
    assert contacts.list_contacts(deal.id) == []
    assert row(deal.id) == ("", "", "", "", "unknown")
    assert undo_last() == "removed Ann Roe"
    assert people(deal.id) == [("Ann Roe", "decision-maker")]
    assert row(deal.id)[4] == "yes"


def test_bad_contact_input_is_refused_and_changes_nothing(db, now):
    deal = add_prospect(now, "Acme fleet")
    for fields, message in (
        ({"name": "  "}, "name is required"),
        ({"name": "Ann", "role": "boss"}, "role 'boss'"),
        ({"name": "Ann", "email": "not an address"}, "email"),
        ({"name": "A" * 256}, "longer than"),
    ):
        with pytest.raises(UserError, match=message):
            contacts.add_contact(deal.id, now, fields)
    assert Contact.select().count() == 0
    with pytest.raises(UserError, match="no contact with id 99"):
        contacts.edit_contact(99, now, {"role": "user"})


def test_the_edit_form_changes_the_contact_it_shows(db, now):
    deal = add_prospect(now, "Acme fleet", fields={"contact": "Ann Roe", "title": "CFO"})
    contacts.add_contact(deal.id, now, {"name": "Bo Li", "role": "user"})
    edit_prospect(deal.id, now, {"contact": "Ann Roe-Smith", "decision_maker": "yes"})
    assert people(deal.id) == [("Ann Roe-Smith", "decision-maker"), ("Bo Li", "user")]
    assert row(deal.id) == ("Ann Roe-Smith", "CFO", "", "", "yes")
    edit_prospect(deal.id, now, {"decision_maker": "no"})  # Ann cannot decide after all
    assert people(deal.id) == [("Ann Roe-Smith", "other"), ("Bo Li", "user")]
    assert row(deal.id)[4] == "no"
    edit_prospect(deal.id, now, {"contact": ""})  # emptied: she is off the deal
    assert people(deal.id) == [("Bo Li", "user")]


def test_a_deal_added_without_a_named_contact_keeps_its_own_flag(db, now):
    deal = add_prospect(now, "Acme fleet", fields={"decision_maker": "yes", "email": "buy@acme.example"})
    assert contacts.list_contacts(deal.id) == []
    assert row(deal.id) == ("", "", "buy@acme.example", "", "yes")
    edit_prospect(deal.id, now, {"contact": "Ann Roe"})  # named later: she is who said yes
    assert people(deal.id) == [("Ann Roe", "decision-maker")]
    assert row(deal.id) == ("Ann Roe", "", "buy@acme.example", "", "yes")


# -- organizations ------------------------------------------------------------------------------


def test_names_differing_in_case_accents_or_spacing_are_one_organization(db, now):
    first = add_prospect(now, "Renewal", fields={"organization": "Ròtul SA"})
    second = add_prospect(now, "Upsell", fields={"organization": "rotul  sa"})
    other = add_prospect(now, "Pilot", fields={"organization": "Acme"})
    assert Prospect.get_by_id(first.id).org_id == Prospect.get_by_id(second.id).org_id
    assert Prospect.get_by_id(other.id).org_id != Prospect.get_by_id(first.id).org_id
    assert Organization.select().count() == 2
    found = organizations.find_organization("ROTUL sa")
    assert found.name == "Ròtul SA"
    view = organizations.organization_view(found.id)
    assert sorted(d.name for d in view.deals) == ["Renewal", "Upsell"]


def test_look_alikes_are_offered_never_merged_unasked_and_merged_when_asked(db, now):
    acme = add_prospect(now, "Pilot", fields={"organization": "Acme"})
    inc = add_prospect(now, "Fleet", fields={"organization": "Acme Inc."})
    add_prospect(now, "Bakery", fields={"organization": "Apex Bakery"})
    acme_org, inc_org = Prospect.get_by_id(acme.id).org_id, Prospect.get_by_id(inc.id).org_id
    assert acme_org != inc_org, "never merged silently"
    assert organizations.look_alikes(acme_org) == [(inc_org, "Acme Inc.")]

    organizations.merge(acme_org, inc_org, now)
    merged = Prospect.get_by_id(inc.id)
    assert (merged.org_id, merged.organization) == (acme_org, "Acme")
    assert Organization.get_or_none(Organization.id == inc_org) is None
    assert organizations.look_alikes(acme_org) == []

    assert undo_last() == "merged Acme Inc. into Acme"
    back = Prospect.get_by_id(inc.id)
    assert (back.org_id, back.organization) == (inc_org, "Acme Inc.")
    assert Organization.get_by_id(inc_org).name == "Acme Inc."


def test_the_pane_reads_the_newest_other_deals_and_the_totals_of_all(db, now):
    """The pane lists the eight newest other deals; the count and the won value are of all."""
    ids = [
        add_prospect(
            now - timedelta(days=n), f"Deal {n}", fields={"organization": "Acme", "value": "1000"}
        ).id
        for n in range(12)
    ]
    mark_won(ids[3], now)
    mark_won(ids[11], now)
    org = Prospect.get_by_id(ids[0]).org_id
    view = organizations.organization_view(org)
    glance = organizations.glance(org, ids[5], 8)
    others = [deal for deal in view.deals if deal.id != ids[5]]
    assert (glance.name, glance.other_deals, glance.won_value) == ("Acme", 11, view.won_value)
    assert glance.newest == others[:8] and view.won_value == 200_000
    assert organizations.glance(org + 99, ids[5], 8) is None


def test_look_alikes_among_many_near_duplicates_are_those_every_name_compared_finds(db):
    """1,200 organizations, a third of them misspellings or legal forms of another: the pane's
    look-alikes are what comparing the name with every other one finds, and stay so after a
    new name comes."""
    import random

    from pipeline_tui.core.people import alike_among
    from pipeline_tui.store import people as store
    from pipeline_tui.store.db import run_write

    chance = random.Random(22)
    words = "north wind bright water dental oak ridge pine harbor metro clinic apex lumen".split()
    names = [f"{chance.choice(words)} {chance.choice(words)} {chance.choice(words)} {n}" for n in range(800)]
    for name in names[:400]:
        spelled = list(name)
        spelled[chance.randrange(len(spelled))] = chance.choice("aeiouxz ")
        names.append("".join(spelled) + chance.choice(["", " Inc.", " GmbH"]))
    run_write(lambda: store.organizations_for(names))

    def every_name_compared(org_id: int) -> list[tuple]:
        rows = list(Organization.select(Organization.id, Organization.name, Organization.key).tuples())
        mine = next(key for oid, _, key in rows if oid == org_id)
        return sorted(alike_among(mine, [row for row in rows if row[0] != org_id]))

    ids = sorted(oid for (oid,) in Organization.select(Organization.id).tuples())
    sample = ids[:: len(ids) // 60]
    found = {oid: organizations.look_alikes(oid) for oid in sample}
    assert sum(1 for alike in found.values() if alike) > 10, "near-duplicates are found"
    assert found == {oid: every_name_compared(oid) for oid in sample}

    run_write(lambda: store.organizations_for([Organization.get_by_id(sample[0]).name + "x"]))
    assert organizations.look_alikes(sample[0]) == every_name_compared(sample[0]) != found[sample[0]]


def test_the_organization_holds_every_deal_and_its_lifetime_won_value(db, now):
    won = add_prospect(
        now, "First order", fields={"organization": "Acme", "value": "12000", "contact": "Ann Roe"}
    )
    mark_won(won.id, now)
    lost = add_prospect(now, "Second", fields={"organization": "acme", "value": "5000"})
    move_prospect(lost.id, "Lost", now, lost_reason="price")
    add_prospect(now, "Third", fields={"organization": "ACME", "value": "3000"})
    view = organizations.organization_view(organizations.find_organization("Acme").id)
    assert sorted((d.name, d.kind) for d in view.deals) == [
        ("First order", "won"),
        ("Second", "lost"),
        ("Third", "open"),
    ]
    assert view.won_value == 1_200_000
    assert view.is_customer


def test_a_won_customers_new_deal_starts_from_its_people(db, now):
    first = add_prospect(
        now, "First order", fields={"organization": "Acme", "contact": "Ann Roe", "decision_maker": "yes"}
    )
    contacts.add_contact(first.id, now, {"name": "Bo Li", "role": "gatekeeper", "phone": "+34 600"})
    prospect_only = add_prospect(
        now, "Not yet a customer", fields={"organization": "Globex", "contact": "Gil"}
    )
    add_prospect(now, "Globex again", fields={"organization": "Globex"})
    assert contacts.list_contacts(prospect_only.id) and not contacts.list_contacts(prospect_only.id + 1)

    mark_won(first.id, now)
    again = add_prospect(now, "Second order", fields={"organization": "ACME", "contact": "Bo Li"})
    assert people(again.id) == [("Bo Li", None), ("Ann Roe", "decision-maker")]
    assert [c.phone for c in contacts.list_contacts(again.id)] == ["", ""]
    assert row(again.id)[0::4] == ("Ann Roe", "yes"), "the decision maker they met before"


def test_changing_a_deals_organization_moves_it_to_the_other_record(db, now):
    deal = add_prospect(now, "Pilot", fields={"organization": "Acme"})
    edit_prospect(deal.id, now, {"organization": "Globex"})
    globex = organizations.find_organization("globex")
    assert Prospect.get_by_id(deal.id).org_id == globex.id
    edit_prospect(deal.id, now, {"organization": ""})
    assert Prospect.get_by_id(deal.id).org_id is None


def test_a_decision_maker_contact_before_the_appointment_stage_asks_to_book_one(db, now):
    deal = add_prospect(now, "Acme fleet", stage="Qualified", fields={"organization": "Acme", "value": "100"})
    contacts.add_contact(deal.id, now, {"name": "Bo Li", "role": "user"})
    assert "schedule-appointment" not in advice_of(deal.id, now)
    contacts.add_contact(deal.id, now, {"name": "Ann Roe", "role": "decision-maker"})
    assert advice_of(deal.id, now)["schedule-appointment"].startswith(
        "Book an appointment with Acme (Ann Roe)"
    )


def test_the_pane_reads_each_card_through_sql_built_once(db, now, monkeypatch):
    """Opening the pane on a card builds no query's SQL again (peewee's building cost more than
    the reads: half of the pane's time), and each card still reads its own organization,
    deals and people."""
    import peewee

    from pipeline_tui.services import scores

    first = add_prospect(now, "First deal", fields={"organization": "Acme", "value": "1000"}).id
    add_prospect(now - timedelta(days=1), "Older Acme deal", fields={"organization": "Acme"})
    second = add_prospect(now, "Second deal", fields={"organization": "Brightwater Dental"}).id
    contacts.add_contact(second, now, {"name": "Ada Lovelace", "role": "decision-maker"})
    scores.keep_current(now, Settings())  # as the board does before the pane opens
    views.prospect_detail(first, now, Settings())  # every shape built once
    built = []
    execute = peewee.Database.execute

    def counting(self, query, **kwargs):
        if not isinstance(query, peewee.RawQuery):  # SQL given as it is: nothing built
            built.append(query)
        return execute(self, query, **kwargs)

    monkeypatch.setattr(peewee.Database, "execute", counting)
    detail = views.prospect_detail(second, now, Settings())
    assert [q.sql() for q in built] == []
    assert [c.name for c in detail.contacts] == ["Ada Lovelace"]
    assert (detail.organization.name, detail.organization.other_deals) == ("Brightwater Dental", 0)
    detail = views.prospect_detail(first, now, Settings())
    assert [d.name for d in detail.organization.newest] == ["Older Acme deal"] and detail.contacts == ()
