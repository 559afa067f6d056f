"""Organizations as records: every deal of a company and its people, found however its name
was spelled (case, accents and spacing aside), and names that only look alike merged when the
user says so, never before."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from pipeline_tui.core import people as rules
from pipeline_tui.core.domain import WON
from pipeline_tui.core.money import NO_CURRENCIES, Currencies
from pipeline_tui.errors import UserError
from pipeline_tui.services.base import action, create, save, set_undo_label
from pipeline_tui.store import journal
from pipeline_tui.store import people as store
from pipeline_tui.store.currency import shown_currency, to_home
from pipeline_tui.store.models import Organization, Prospect


class Deal(NamedTuple):
    id: int
    name: str
    stage: str
    kind: str  # open, won or lost
    value: int | None  # cents
    closed_at: datetime | None
    archived: bool
    currency: str = ""  # of the value: the deal's own ("" the home one)


class OrganizationView(NamedTuple):
    """What the pane and ``org NAME`` show of an organization."""

    id: int
    name: str
    people: list[rules.Contact]
    deals: list[Deal]
    won_value: int  # cents in the home currency: every deal won, ever

    @property
    def is_customer(self) -> bool:
        return any(d.kind == WON for d in self.deals)


def find_or_create(name: str) -> Organization | None:
    """The record of an organization name, made if no organization has it; None for no name.
    Call inside the action that writes the name."""
    key = rules.organization_key(name)
    if not key:
        return None
    found = Organization.get_or_none(Organization.key == key)
    return found if found is not None else create(Organization, name=" ".join(name.split()), key=key)


def link(prospect: Prospect, name: str) -> Organization | None:
    """Give a prospect the record of the organization it names."""
    found = find_or_create(name)
    wanted = found.id if found else None
    if prospect.org_id != wanted:
        save(prospect, org=wanted)
    return found


def find_organization(name: str) -> Organization:
    """An organization by name (case, accents and spacing aside), else by a unique prefix."""
    key = rules.organization_key(name)
    found = Organization.get_or_none(Organization.key == key) if key else None
    if found is not None:
        return found
    matches = [
        (oid, shown)
        for oid, shown in store.all_organizations()
        if rules.organization_key(shown).startswith(key)
    ]
    if key and len(matches) == 1:
        return Organization.get_by_id(matches[0][0])
    if matches:
        listed = ", ".join(shown for _, shown in matches[:10])
        raise UserError(f"{name!r} matches several organizations: {listed}")
    raise UserError(f"no organization named {name!r}")


def organization_view(organization_id: int, currencies: Currencies = NO_CURRENCIES) -> OrganizationView:
    """An organization with its people and deals; what it has won counted in the home currency."""
    org = Organization.get_or_none(Organization.id == organization_id)
    if org is None:
        raise UserError(f"no organization with id {organization_id}")
    deals = [Deal(*row[:-1], shown_currency(row[-1], currencies)) for row in store.deals_of(org.id)]
    won = sum(to_home(d.value, d.currency, currencies) or 0 for d in deals if d.kind == WON)
    return OrganizationView(org.id, org.name, store.people_of(org.id), deals, won)


class OrganizationGlance(NamedTuple):
    """What the detail pane shows of a deal's organization: its other deals (the newest few,
    and how many), and what it has bought."""

    id: int
    name: str
    other_deals: int
    newest: list[Deal]  # of its other deals, newest first
    won_value: int  # cents in the home currency: every deal won, ever


def glance(
    organization_id: int, leaving_out: int, shown: int, currencies: Currencies = NO_CURRENCIES
) -> OrganizationGlance | None:
    """The organization of deal ``leaving_out``, with at most ``shown`` of its other deals (each
    in its own currency); what it has won counted in the home currency."""
    org = store.organization_by_id(organization_id)
    if org is None:
        return None
    count, won = store.deal_totals(org.id, leaving_out, currencies)
    rows = store.deals_of(org.id, leaving_out, shown)
    newest = [Deal(*row[:-1], shown_currency(row[-1], currencies)) for row in rows]
    return OrganizationGlance(org.id, org.name, count, newest, won)


def look_alikes(organization_id: int) -> list[tuple[int, str]]:
    """Other organizations whose names look like this one's: (id, name), offered to merge.
    The pane asks on every card it opens: the names are indexed again only when they changed."""
    global _names
    rows = store.organization_keys()
    if _names is None or _names.rows != rows:
        _names = rules.NameIndex(rows)
    key = _names.key_of.get(organization_id)
    return store.organization_names(_names.alike(key)) if key is not None else []


_names: rules.NameIndex | None = None  # the organizations as last read, indexed


@action("merge organizations")
def merge(keep_id: int, other_id: int, now: datetime) -> Organization:
    """Make ``other_id``'s deals ``keep_id``'s, with its name, and drop the other record."""
    keep = Organization.get_or_none(Organization.id == keep_id)
    other = Organization.get_or_none(Organization.id == other_id)
    if keep is None or other is None or keep.id == other.id:
        raise UserError("pick two different organizations to merge")
    for prospect in Prospect.select().where(Prospect.org == other.id):
        save(prospect, org=keep.id, organization=keep.name, updated_at=now)
    journal.before_delete(other)
    other.delete_instance()
    set_undo_label(f"merged {other.name} into {keep.name}")
    return keep


def is_customer(organization_id: int | None) -> bool:
    """Whether an organization has bought: a deal of it is in a won stage."""
    if organization_id is None:
        return False
    return any(kind == WON for _, _, _, kind, *_ in store.deals_of(organization_id))
