"""The people on a deal: add, list, edit and remove its contacts, each with a role."""

from __future__ import annotations

import argparse
from datetime import datetime

from pipeline_tui.cli.common import AddCommand, actions_of, open_db, say, write_output

ROLE_HELP = "decision-maker, influencer, user, gatekeeper or other (empty: not known yet)"


def register(command: AddCommand) -> None:
    add = command("contact", "the people on a deal: add, list, edit, remove", cmd_contact)
    action = actions_of(add, "contact_action")

    new = action("add", "add a person to a deal")
    new.add_argument("prospect", help="the deal: an id or a name")
    new.add_argument("name", help="the person's name")
    _detail_options(new)

    listed = action("list", "a deal's contacts")
    listed.add_argument("prospect", help="the deal: an id or a name")
    listed.add_argument("--json", action="store_true", help="as JSON: id, name, role, title, email, phone")

    edit = action("edit", "change a contact's fields")
    edit.add_argument("id", type=contact_id, help="the contact's id, as contact list shows it")
    edit.add_argument("--name", metavar="NAME", help="a new name")
    _detail_options(edit)

    remove = action("remove", "take a contact off its deal")
    remove.add_argument("id", type=contact_id, help="the contact's id, as contact list shows it")


def _detail_options(parser) -> None:
    parser.add_argument("--role", metavar="R", help=ROLE_HELP)
    parser.add_argument("--title", metavar="T", help="job title")
    parser.add_argument("--email", metavar="E", help="email address")
    parser.add_argument("--phone", metavar="P", help="phone number")


def contact_id(text: str) -> int:
    """A contact's id as ``contact list`` shows it."""
    digits = text.lstrip("#")
    if not digits.isdecimal() or len(digits) > 18:  # not "²" (isdigit), nor past SQLite's integers
        raise argparse.ArgumentTypeError(f"{text!r} is not a contact id (contact list PROSPECT shows them)")
    return int(digits)


def cmd_contact(args, now: datetime) -> int:
    return {"add": _add, "list": _list, "edit": _edit, "remove": _remove}[args.contact_action](args, now)


def _given(args, names: tuple[str, ...]) -> dict[str, str]:
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def _add(args, now: datetime) -> int:
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.contacts import add_contact, parse_contact

    fields = {"name": args.name, **_given(args, ("role", "title", "email", "phone"))}
    parse_contact(fields)  # what was typed, checked before the database is opened
    open_db(args)
    prospect = find_prospect(args.prospect)
    contact = add_contact(prospect.id, now, fields)
    role = f" ({contact.role})" if contact.role else ""
    say(f"Added contact #{contact.id} {contact.name}{role} to #{prospect.id} {prospect.name}")
    return 0


def _list(args, now: datetime) -> int:
    from pipeline_tui.services.base import find_prospect
    from pipeline_tui.services.contacts import list_contacts

    open_db(args, read_only=True)
    prospect = find_prospect(args.prospect)
    contacts = list_contacts(prospect.id)
    if args.json:
        from pipeline_tui.io.shapes import contacts_json, dumps

        write_output(None, dumps(contacts_json(contacts)))
        return 0
    if not contacts:
        say(f"No contacts on {prospect.name} (pipeline-tui contact add {prospect.id} NAME)")
    for c in contacts:
        reach = "  ".join(x for x in (c.title, c.email, c.phone) if x)
        say(f"#{c.id:<6} {c.name}  [{c.role or 'role not known'}]  {reach}".rstrip())
    return 0


def _edit(args, now: datetime) -> int:
    from pipeline_tui.errors import UserError
    from pipeline_tui.services.contacts import edit_contact, parse_contact

    changes = _given(args, ("name", "role", "title", "email", "phone"))
    if not changes:
        raise UserError("say what to change: --name, --role, --title, --email or --phone")
    parse_contact(changes)
    open_db(args)
    contact = edit_contact(args.id, now, changes)
    say(f"Saved contact #{contact.id} {contact.name}")
    return 0


def _remove(args, now: datetime) -> int:
    from pipeline_tui.services.contacts import remove_contact

    open_db(args)
    contact = remove_contact(args.id, now)
    say(f"Removed contact #{contact.id} {contact.name}")
    return 0
