"""An organization: its people, every deal it has had and what it has bought."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.cli.common import AddCommand, open_db, user_settings, write_output


def register(command: AddCommand) -> None:
    org = command("org", "an organization: its people, deals and lifetime won value", cmd_org)
    org.add_argument(
        "name", help="the organization, as written on any of its deals (case, accents and spaces aside)"
    )
    org.add_argument("--json", action="store_true", help="as JSON: id, name, won_value, people, deals")


def cmd_org(args, now: datetime) -> int:
    from pipeline_tui.services.organizations import find_organization, organization_view

    open_db(args, read_only=True)
    view = organization_view(find_organization(args.name).id, user_settings().currency)
    if args.json:
        from pipeline_tui.io.shapes import dumps, organization_json

        write_output(None, dumps(organization_json(view)))
    else:
        from pipeline_tui.io.text import organization_text

        write_output(None, organization_text(view))
    return 0
