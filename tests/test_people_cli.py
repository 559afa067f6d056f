"""The commands of issue 21 as a user runs them: contact, org, stage and pipeline."""

from __future__ import annotations

import json

import pytest


def refused(result, words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr
    assert "Traceback" not in result.stderr


def test_contact_add_list_edit_remove(cli):
    cli("add", "Acme fleet", "--org", "Acme", "--contact", "Jo Park", check=True)
    added = cli(
        "contact",
        "add",
        "acme fleet",
        "Ann Roe",
        "--role",
        "decision-maker",
        "--title",
        "CFO",
        "--email",
        "ann@acme.example",
        "--phone",
        "+34 600",
        check=True,
    )
    assert "Added contact #2 Ann Roe (decision-maker) to #1 Acme fleet" in added.stdout
    listed = json.loads(cli("contact", "list", "1", "--json", check=True).stdout)
    assert listed == [
        {"id": 1, "name": "Jo Park", "role": None, "title": "", "email": "", "phone": ""},
        {
            "id": 2,
            "name": "Ann Roe",
            "role": "decision-maker",
            "title": "CFO",
            "email": "ann@acme.example",
            "phone": "+34 600",
        },
    ]
    card = json.loads(cli("export", "--format", "json", check=True).stdout)[0]
    assert (card["contact"], card["decision_maker"]) == ("Ann Roe", "yes")

    cli("contact", "edit", "2", "--role", "influencer", "--name", "Ann Roe-Smith", check=True)
    cli("contact", "remove", "#1", check=True)
    listed = json.loads(cli("contact", "list", "Acme fleet", "--json", check=True).stdout)
    assert [(c["id"], c["name"], c["role"]) for c in listed] == [(2, "Ann Roe-Smith", "influencer")]
    text = cli("contact", "list", "1", check=True).stdout
    assert "Ann Roe-Smith  [influencer]  CFO  ann@acme.example  +34 600" in text


def test_contact_refusals_are_one_line_and_change_nothing(cli):
    cli("add", "Acme fleet", check=True)
    refused(cli("contact", "add", "1", "Ann", "--role", "boss"), "role 'boss' must be one of")
    refused(cli("contact", "add", "nobody", "Ann"), "no prospect matches 'nobody'")
    refused(cli("contact", "edit", "7", "--role", "user"), "no contact with id 7")
    refused(cli("contact", "edit", "x1", "--role", "user"), "'x1' is not a contact id")
    refused(cli("contact", "edit", "1"), "say what to change")
    refused(cli("contact", "remove", "3"), "no contact with id 3")
    assert json.loads(cli("contact", "list", "1", "--json", check=True).stdout) == []


def test_org_shows_people_deals_and_lifetime_won_value(cli):
    cli(
        "add",
        "First order",
        "--org",
        "Ròtul SA",
        "--value",
        "12000",
        "--contact",
        "Ann Roe",
        "--decision-maker",
        "yes",
        check=True,
    )
    cli("move", "1", "Won", check=True)
    cli("add", "Second order", "--org", "rotul  sa", "--value", "3000", check=True)
    data = json.loads(cli("org", "ROTUL SA", "--json", check=True).stdout)
    assert data["name"] == "Ròtul SA" and data["won_value"] == 12000
    assert [(d["id"], d["name"], d["status"]) for d in data["deals"]] == [
        (2, "Second order", "open"),
        (1, "First order", "won"),
    ]
    # a won customer's new deal starts from its people
    assert [(p["name"], p["role"]) for p in data["people"]] == [("Ann Roe", "decision-maker")]
    second = json.loads(cli("contact", "list", "2", "--json", check=True).stdout)
    assert [(c["name"], c["role"]) for c in second] == [("Ann Roe", "decision-maker")]
    text = cli("org", "rotul", check=True).stdout
    assert text.startswith("Ròtul SA: 2 deals, 1 won, lifetime won value 12,000")
    refused(cli("org", "Globex"), "no organization named 'Globex'")


def test_stage_commands(cli):
    cli("add", "Acme fleet", "--stage", "Proposal", check=True)
    assert (
        "Added stage Negotiation (88%)"
        in cli("stage", "add", "Negotiation", "--after", "proposal", check=True).stdout
    )
    cli("stage", "rename", "Negotiation", "Negotiations Started", check=True)
    cli("move", "1", "negotiations started", check=True)
    cli("stage", "move", "Trial", "--after", "Negotiations Started", check=True)
    listed = json.loads(cli("stage", "list", "--json", check=True).stdout)
    assert listed[3:6] == [
        {"name": "Proposal", "position": 4, "probability": 0.75, "role": "proposal", "count": 0},
        {"name": "Negotiations Started", "position": 5, "probability": 0.875, "role": None, "count": 1},
        {"name": "Trial", "position": 6, "probability": 0.6, "role": "trial", "count": 0},
    ]
    refused(
        cli("stage", "remove", "Negotiations Started"),
        "holds 1 prospect: say which stage takes them with --to",
    )
    cli("stage", "remove", "Negotiations Started", "--to", "Proposal", check=True)
    names = [s["name"] for s in json.loads(cli("stage", "list", "--json", check=True).stdout)]
    assert names == ["Lead", "Qualified", "Appointment", "Proposal", "Trial", "Won", "Lost"]
    refused(cli("stage", "add", "X"), "one of the arguments --after --first is required")
    refused(cli("stage", "rename", "Won", "lost"), "already a stage named lost")
    refused(cli("stage", "list", "--pipeline", "Nope"), "no pipeline named 'Nope'")


def test_pipeline_add_with_its_own_stages(cli):
    cli("stage", "rename", "Lead", "Inbound", check=True)
    cli("pipeline", "add", "Renewals", "--from", "Sales", check=True)
    cli("pipeline", "add", "Partners", check=True)
    renewals = [
        s["name"]
        for s in json.loads(cli("stage", "list", "--pipeline", "renewals", "--json", check=True).stdout)
    ]
    partners = [
        s["name"]
        for s in json.loads(cli("stage", "list", "--json", "--pipeline", "Partners", check=True).stdout)
    ]
    assert renewals[0] == "Inbound" and partners[0] == "Lead"
    refused(cli("pipeline", "add", "renewals"), "already a pipeline named")


@pytest.mark.parametrize("text", ["\x1b[31mred", "[bold]x[/bold]"])
def test_hostile_names_print_inert(cli, text):
    cli("add", "Deal", check=True)
    cli("contact", "add", "1", text, check=True)
    out = cli("contact", "list", "1", check=True).stdout
    assert "\x1b" not in out


def test_json_export_carries_every_contact_and_the_organization(cli):
    cli("add", "Acme fleet", "--org", "Acme", "--contact", "Jo Park", check=True)
    cli("contact", "add", "1", "Ann Roe", "--role", "dm", check=True)
    record = json.loads(cli("export", "--format", "json", check=True).stdout)[0]
    assert [c["name"] for c in record["contacts"]] == ["Jo Park", "Ann Roe"]
    assert record["organization_id"] == 1 and record["organization"] == "Acme"
    csv_text = cli("export", check=True).stdout
    assert len(csv_text.strip().splitlines()) == 2, "one row per prospect"
    assert ",Ann Roe," in csv_text, "the decision maker in the contact columns"


def test_import_makes_contacts_and_organizations_from_each_row(cli, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(
        "Deal - Title,Organization - Name,Person - Name,decision_maker,Person - Email\n"
        "Renewal,Ròtul SA,Ann Roe,yes,ann@rotul.example\n"
        "Upsell,rotul  sa,Bo Li,no,\n"
        "Pilot,Acme,,unknown,\n"
        "Fleet,Acme Inc.,Jo Park,,\n",
        encoding="utf-8",
    )
    cli("import", str(path), check=True)
    roles = {
        pid: [
            (c["name"], c["role"], c["email"])
            for c in json.loads(cli("contact", "list", pid, "--json").stdout)
        ]
        for pid in ("1", "2", "3", "4")
    }
    assert roles == {
        "1": [("Ann Roe", "decision-maker", "ann@rotul.example")],
        "2": [("Bo Li", "other", "")],
        "3": [],
        "4": [("Jo Park", None, "")],
    }
    rotul = json.loads(cli("org", "rotul sa", "--json", check=True).stdout)
    assert sorted(d["name"] for d in rotul["deals"]) == ["Renewal", "Upsell"]
    acme = json.loads(cli("org", "acme", "--json", check=True).stdout)
    assert [d["name"] for d in acme["deals"]] == ["Pilot"], "Acme Inc. is another record until merged"


def test_stage_list_lines_its_columns_up_with_wide_names(cli):
    """A CJK character takes two cells of the terminal: the columns after a stage's name start
    at the same cell on every line."""
    from rich.cells import cell_len

    cli("stage", "rename", "Qualified", "資格確認済み", check=True)
    cli("stage", "rename", "Proposal", "Angebot 提案", check=True)
    lines = cli("stage", "list", check=True).stdout.splitlines()
    starts = {cell_len(line[: line.index("%") - 3]) for line in lines}
    assert len(lines) == 7 and len(starts) == 1, lines
