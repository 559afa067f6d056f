"""Contacts and organizations in the database: the small reads behind them, and making the
records of prospects written in bulk (an upgrade, an import, demo data) from their row's
contact and organization columns.

The bulk paths write a prospect's one contact and organization name on its row, as CSV has
them; :func:`records_from_rows` then turns them into records in a few statements, so that the
mapping of a file's columns to a contact stays in one place (the CSV reader's column names).
"""

from __future__ import annotations

from collections.abc import Iterable

import peewee

from pipeline_tui.core.domain import WON
from pipeline_tui.core.money import Currencies
from pipeline_tui.core.people import Contact as ContactRecord
from pipeline_tui.core.people import organization_key
from pipeline_tui.store import models
from pipeline_tui.store.built import marker, models_built, run_built
from pipeline_tui.store.currency import summed
from pipeline_tui.store.models import Contact, Organization, Prospect

# a prospect's yes/no/unknown flag as the role of its one contact (see core.people.ROLE_OF_FLAG)
_ROLE_OF_FLAG_SQL = (
    "CASE decision_maker WHEN 'yes' THEN 'decision-maker' WHEN 'no' THEN 'other' ELSE NULL END"
)


def records_from_rows(first_id: int = 0) -> None:
    """Make the organization and contact records of prospects from ``first_id`` on, from the
    names on their rows. Call inside the write transaction that wrote the rows."""
    contacts_from_rows(first_id)
    link_organizations(first_id)


def contacts_from_rows(first_id: int = 0) -> None:
    """A contact record for each prospect from ``first_id`` on that names one on its row."""
    db = models.database.obj
    db.execute_sql(
        'INSERT INTO "contact" ("prospect_id", "name", "title", "email", "phone", "role", "position")'
        f' SELECT "id", "contact", "title", "email", "phone", {_ROLE_OF_FLAG_SQL}, 0 FROM "prospect"'
        f' WHERE "id" >= {db.param} AND "contact" <> \'\'',
        (first_id,),
    )


def organizations_for(names: Iterable[str]) -> dict[str, int]:
    """The organization record of each name (made, as first written, when no organization has
    it): name -> id, for the names that are not empty."""
    key_of: dict[str, str] = {}
    first_spelling: dict[str, str] = {}
    for name in names:
        if name and name not in key_of:
            key = key_of[name] = organization_key(name)
            if key:
                first_spelling.setdefault(key, name)
    if not first_spelling:
        return {}
    known = organization_ids(first_spelling)
    new = [(" ".join(name.split()), key) for key, name in first_spelling.items() if key not in known]
    if new:
        db = models.database.obj
        _execute_many(f'INSERT INTO "organization" ("name", "key") VALUES ({db.param}, {db.param})', new)
        known = organization_ids(first_spelling)
    return {name: known[key] for name, key in key_of.items() if key}


def link_organizations(first_id: int = 0) -> None:
    """Give each prospect from ``first_id`` on the record of its organization name.

    The names are few next to the prospects: one UPDATE links them all through a temporary
    table of the names (an UPDATE per prospect took 5 s for 100,000)."""
    db = models.database.obj
    rows = db.execute_sql(
        f'SELECT "organization" FROM "prospect" WHERE "id" >= {db.param} AND "organization" <> \'\''
        ' ORDER BY "id"',
        (first_id,),
    )
    ids = organizations_for(name for (name,) in rows)
    if not ids:
        return
    db.execute_sql(
        'CREATE TEMPORARY TABLE "organization_name" ("name" TEXT PRIMARY KEY, "organization_id" INTEGER)'
    )
    try:
        _execute_many(f'INSERT INTO "organization_name" VALUES ({db.param}, {db.param})', list(ids.items()))
        db.execute_sql(
            'UPDATE "prospect" SET "organization_id" = (SELECT n."organization_id"'
            ' FROM "organization_name" n WHERE n."name" = "prospect"."organization")'
            f' WHERE "id" >= {db.param} AND "organization" <> \'\'',
            (first_id,),
        )
    finally:
        db.execute_sql('DROP TABLE "organization_name"')


def _execute_many(sql: str, rows: list[tuple]) -> None:
    cursor = models.database.obj.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def organization_ids(keys: Iterable[str]) -> dict[str, int]:
    """The records of the given keys that exist: key -> id."""
    wanted = list(keys)
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):  # SQLite takes so many parameters at once
        chunk = wanted[start : start + 500]
        query = Organization.select(Organization.key, Organization.id).where(Organization.key.in_(chunk))
        found.update(query.tuples())
    return found


_CONTACT_COLUMNS = (Contact.id, Contact.name, Contact.role, Contact.title, Contact.email, Contact.phone)


# -- reads --------------------------------------------------------------------------------------


# The reads of the detail pane (a key on the board) have their SQL built once (store.built).


def _contacts_of(marks: list[int]) -> peewee.Query:
    return (
        Contact.select(*_CONTACT_COLUMNS)
        .where(Contact.prospect == marker(marks[0]))
        .order_by(Contact.position, Contact.id)
    )


def contacts_of(prospect_id: int) -> list[ContactRecord]:
    """A deal's contacts in the order they were added."""
    return [ContactRecord(*row) for row in run_built(_contacts_of, (), [prospect_id])]


def _organization(marks: list[int]) -> peewee.Query:
    return Organization.select().where(Organization.id == marker(marks[0]))


def organization_by_id(organization_id: int) -> Organization | None:
    found = models_built(Organization, _organization, (), [organization_id])
    return found[0] if found else None


def every_deals_contacts() -> dict[int, list[ContactRecord]]:
    """Every deal's contacts, by prospect id (the JSON export carries them all)."""
    query = (
        Contact.select(Contact.prospect, *_CONTACT_COLUMNS)
        .order_by(Contact.prospect, Contact.position, Contact.id)
        .tuples()
    )
    found: dict[int, list[ContactRecord]] = {}
    for prospect_id, *rest in query:
        found.setdefault(prospect_id, []).append(ContactRecord(*rest))
    return found


def deals_of(organization_id: int, leaving_out: int | None = None, up_to: int | None = None) -> list[tuple]:
    """Every deal of an organization (but ``leaving_out``; the first ``up_to``): (id, name,
    stage name, stage kind, value cents, closed at, archived, currency of the value), newest
    first."""
    values = [organization_id, leaving_out or 0, *([] if up_to is None else [up_to])]
    closed_at, archived = Prospect.closed_at.python_value, Prospect.archived.python_value
    return [
        (*row[:5], closed_at(row[5]), archived(row[6]), row[7])
        for row in run_built(_deals_of, (up_to is not None,), values)
    ]


def _deals_of(limited: bool, marks: list[int]) -> peewee.Query:
    query = (
        Prospect.select(
            Prospect.id,
            Prospect.name,
            models.Stage.name,
            models.Stage.kind,
            Prospect.value_cents,
            Prospect.closed_at,
            Prospect.archived,
            Prospect.currency,
        )
        .join(models.Stage, on=(Prospect.stage == models.Stage.id))
        .where(Prospect.org == marker(marks[0]), Prospect.id != marker(marks[1]))
        .order_by(Prospect.created_at.desc(), Prospect.id.desc())
    )
    return query.limit(marker(marks[2])) if limited else query


def deal_totals(organization_id: int, leaving_out: int, currencies: Currencies) -> tuple[int, int]:
    """(how many deals the organization has but ``leaving_out``, the value of all it won in the
    home currency: summed per currency, each sum converted once)."""
    rows = run_built(_deal_totals, (), [leaving_out, organization_id]).fetchall()
    count = sum(int(others or 0) for _, others, _ in rows)
    return count, summed([(code, value) for code, _, value in rows], currencies)


def _deal_totals(marks: list[int]) -> peewee.Query:
    won = peewee.Case(None, [(models.Stage.kind == WON, peewee.fn.COALESCE(Prospect.value_cents, 0))], 0)
    others = peewee.Case(None, [(Prospect.id != marker(marks[0]), 1)], 0)
    return (
        Prospect.select(Prospect.currency, peewee.fn.SUM(others), peewee.fn.SUM(won))
        .join(models.Stage, on=(Prospect.stage == models.Stage.id))
        .where(Prospect.org == marker(marks[1]))
        .group_by(Prospect.currency)
    )


def people_of(organization_id: int) -> list[ContactRecord]:
    """Everyone on any deal of an organization, once each (by name), in the order they were
    first met, with the details of the latest deal they are on."""
    query = (
        Contact.select(*_CONTACT_COLUMNS)
        .join(Prospect, on=(Contact.prospect == Prospect.id))
        .where(Prospect.org == organization_id)
        .order_by(Prospect.created_at, Prospect.id, Contact.position, Contact.id)
        .tuples()
    )
    people: dict[str, ContactRecord] = {}
    for row in query:
        people[organization_key(row[1])] = ContactRecord(*row)  # a later deal's details, first place
    return list(people.values())


def all_organizations() -> list[tuple[int, str]]:
    """Every organization record: (id, name)."""
    return list(Organization.select(Organization.id, Organization.name).order_by(Organization.id).tuples())


def organization_keys() -> list[tuple[int, str]]:
    """Every organization record's (id, key), by id."""
    return list(models.database.obj.execute_sql('SELECT id, "key" FROM organization ORDER BY id').fetchall())


def organization_names(ids: list[int]) -> list[tuple[int, str]]:
    """(id, name) of these organizations, in the order given."""
    if not ids:
        return []
    query = Organization.select(Organization.id, Organization.name).where(Organization.id.in_(ids))
    names = dict(query.tuples())
    return [(oid, names[oid]) for oid in ids if oid in names]
