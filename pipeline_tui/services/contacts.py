"""Actions on a deal's people: add, edit (the role too) and remove a contact.

After each, the prospect's row sums its contacts up again (the first decision maker, else the
one to ask; and whether someone who can buy is confirmed): the board's cards, the score and the
advice read that summary (see :mod:`pipeline_tui.core.people`).
"""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.core import people as rules
from pipeline_tui.core.fields import parse_name, parse_text
from pipeline_tui.errors import UserError
from pipeline_tui.services.base import action, create, save, set_undo_label
from pipeline_tui.store import journal, queries
from pipeline_tui.store import people as store
from pipeline_tui.store.models import Contact, Prospect

MAX_FIELD = 255  # the column's width on a server
CONTACT_FIELDS = ("name", "role", "title", "email", "phone")


def parse_contact(values: dict[str, str | None]) -> dict[str, object]:
    """A contact's fields as typed; the first bad one raises, by name."""
    parsed: dict[str, object] = {}
    for key, text in values.items():
        text = "" if text is None else str(text)
        if key == "name":
            parsed[key] = parse_name(text)
        elif key == "role":
            parsed[key] = rules.parse_role(text)
        elif key in ("title", "email", "phone"):
            parsed[key] = parse_text(text, key)
        else:
            raise UserError(f"unknown contact field {key!r}")
        if isinstance(parsed[key], str) and len(parsed[key]) > MAX_FIELD:
            raise UserError(f"contact {key} is longer than {MAX_FIELD} characters")
    return parsed


def list_contacts(prospect_id: int) -> list[rules.Contact]:
    return store.contacts_of(prospect_id)


def every_deals_contacts() -> dict[int, list[rules.Contact]]:
    """Every deal's contacts by prospect id, in the order they were added."""
    return store.every_deals_contacts()


@action("add contact")
def add_contact(prospect_id: int, now: datetime, fields: dict[str, str | None]) -> Contact:
    """Add a person to a deal (``fields``: name, and role, title, email, phone as typed)."""
    values = parse_contact(fields)
    if "name" not in values:
        raise UserError("a contact needs a name")
    prospect = _prospect(prospect_id)
    contact = _create(prospect.id, values)
    summarise(prospect, now)
    set_undo_label(f"added {contact.name} to {prospect.name}")
    return contact


@action("edit contact")
def edit_contact(contact_id: int, now: datetime, changes: dict[str, str | None]) -> Contact:
    """Change a contact's fields (its role among them) from typed text."""
    values = parse_contact(changes)
    contact = _contact(contact_id)
    save(contact, **values)
    prospect = _prospect(contact.prospect_id)
    summarise(prospect, now)
    set_undo_label(f"edited {contact.name}")
    return contact


@action("remove contact")
def remove_contact(contact_id: int, now: datetime) -> Contact:
    contact = _contact(contact_id)
    journal.before_delete(contact)
    contact.delete_instance()
    summarise(_prospect(contact.prospect_id), now, removed=True)
    set_undo_label(f"removed {contact.name}")
    return contact


def summarise(prospect: Prospect, now: datetime, *, removed: bool = False) -> None:
    """Write what a one-line view shows of the deal's people on its row. Without contacts the
    row's own decision maker flag is left as it is (a deal added with nobody named), unless the
    last one was just ``removed``: then nobody is confirmed."""
    contacts = store.contacts_of(prospect.id)
    own_flag = "unknown" if removed else prospect.decision_maker
    main = rules.primary_contact(contacts)
    summary = {
        "contact": main.name if main else "",
        "title": main.title if main else "",
        "email": main.email if main else "",
        "phone": main.phone if main else "",
        "decision_maker": rules.decision_maker_of(contacts, own_flag),
    }
    if any(getattr(prospect, name) != value for name, value in summary.items()):
        save(prospect, updated_at=now, **summary)


def apply_row_fields(prospect: Prospect, values: dict[str, object], now: datetime) -> None:
    """Edits made to the row's contact fields (the edit form, ``add --contact``), carried to
    the contact they show: made if there is none, removed when its name is emptied."""
    given = {
        key: values[key] for key in ("contact", "title", "email", "phone", "decision_maker") if key in values
    }
    if not given:
        return
    contacts = store.contacts_of(prospect.id)
    main = rules.primary_contact(contacts)
    changes = {
        ("name" if key == "contact" else key): value
        for key, value in given.items()
        if key != "decision_maker"
    }
    if "decision_maker" in given:
        role = _role_for_flag(given["decision_maker"], main.role if main else None)
        changes["role"] = role
    if main is None:
        if changes.get("name"):  # with what the row held of them, named or not
            base = {"title": prospect.title, "email": prospect.email, "phone": prospect.phone}
            base["role"] = rules.ROLE_OF_FLAG.get(prospect.decision_maker)
            _create(prospect.id, {**base, **changes})
            summarise(prospect, now)
        elif "decision_maker" in given:  # nobody named: the flag stays the row's own
            save(prospect, updated_at=now, decision_maker=given["decision_maker"])
        return  # (a contact made from nothing but a title, email or phone would have no name)
    if "name" in changes and not changes["name"]:
        row = _contact(main.id)
        journal.before_delete(row)
        row.delete_instance()
        summarise(prospect, now, removed=True)
        return
    save(_contact(main.id), **changes)
    summarise(prospect, now)


def _role_for_flag(flag: object, role: str | None) -> str | None:
    """The role that says what a yes/no/unknown flag says, keeping a role that already does."""
    if flag == "yes":
        return rules.DECISION_MAKER_ROLE
    if flag == "no":
        return role if role not in (None, rules.DECISION_MAKER_ROLE) else "other"
    return None


def copy_people(prospect: Prospect, people: list[rules.Contact]) -> int:
    """Put an organization's people on a new deal of it, roles and all; those already on it
    (by name) are left. Returns how many were added."""
    here = {rules.organization_key(c.name) for c in store.contacts_of(prospect.id)}
    added = 0
    for person in people:
        if rules.organization_key(person.name) in here:
            continue
        fields = {"name": person.name, "role": person.role, "title": person.title}
        _create(prospect.id, {**fields, "email": person.email, "phone": person.phone})
        added += 1
    return added


def _create(prospect_id: int, values: dict[str, object]) -> Contact:
    position = (
        Contact.select(Contact.position)
        .where(Contact.prospect == prospect_id)
        .order_by(Contact.position.desc())
        .scalar()
    )
    row = {"title": "", "email": "", "phone": "", "role": None, **values}
    return create(Contact, prospect=prospect_id, position=0 if position is None else position + 1, **row)


def _contact(contact_id: int) -> Contact:
    found = Contact.get_or_none(Contact.id == contact_id)
    if found is None:
        raise UserError(f"no contact with id {contact_id} (contact list PROSPECT shows them)")
    return found


def _prospect(prospect_id: int) -> Prospect:
    found = queries.prospect_by_id(prospect_id)
    if found is None:
        raise UserError(f"no prospect with id {prospect_id}")
    return found
