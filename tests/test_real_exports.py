"""Real exports from other CRMs (README "Importing from another CRM"): Pipedrive's and HubSpot's
deal exports and Salesforce's opportunity report as they come, with messy amounts, accents, CJK
names, empty cells and both date orders; imported, exported, and imported again unchanged. Also
every problem of a refused file at once, stage maps, owners, and several currencies counted in the
home one."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from pipeline_tui import cli as cli_module
from pipeline_tui.core.money import Currencies
from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import Refused, UserError
from pipeline_tui.io.csv_io import parse_csv, write_csv
from pipeline_tui.services import views
from pipeline_tui.services.base import set_user
from pipeline_tui.services.board import BoardReader
from pipeline_tui.services.importing import ImportOptions, import_parsed, plan_import
from pipeline_tui.store.db import open_database
from pipeline_tui.store.models import Contact, FollowUp, Prospect, Stage

CURRENCIES = Currencies("EUR", {"USD": 0.5, "JPY": 0.01})
SETTINGS = Settings(currency=CURRENCIES)
MAP = (("Negotiations Started", "Proposal"), ("Verhandlung", "Proposal"))

# Pipedrive's deal export: its own column order is alphabetical by field; this one is shuffled,
# cased oddly, with a column we do not read, and dates written day first (25/04 settles it)
PIPEDRIVE = """\
Deal - Title,DEAL - VALUE,Deal - Currency,Deal - Organization,Deal - Contact person,Deal - Stage,\
Deal - Pipeline,Deal - Status,Deal - Won time,Deal - Lost time,Deal - Lost reason,Deal - Deal created,\
Deal - Expected close date,Deal - Next activity date,Deal - Probability,Deal - Owner,Person - Name,\
Person - Email,Person - Phone,Organization - Name,Deal - Label
Café Müller roll-out,"1.234,50 €",EUR,Café Müller GmbH,Jürgen Weiß,Negotiations Started,Sales,open,,,,\
03/04/2026 10:15,30/12/2026,15/12/2026,60,Anna,Jürgen Weiß,jw@cafe-mueller.de,+49 30 1234567,,hot
東京 fleet,"¥1,500,000",JPY,株式会社テスト,山田 太郎,Proposal Made,Sales,open,,,,25/04/2026,,\
20/12/2026 14:00,,Ken,山田 太郎,yamada@example.jp,,株式会社テスト,
Acme US,$ 12k,USD,,,Verhandlung,Sales,won,20/11/2026 10:00,,,01/09/2026,,,,,Bob Stone,,,Acme Inc,
Lost one,"1 234,50",,Dupont & Fils,,Qualified,Sales,lost,,02/11/2026,"price, too high",05/10/2026,,,0,,,,,,
Gone,100,EUR,,,Qualified,Sales,deleted,,,,,,,,,,,,,
Empty cells,,,,,Lead In,Sales,open,,,,,,,,,,,,,
"""

# HubSpot's deal export (its property labels, as knowledge.hubspot.com lists the defaults),
# dates month first (04/25 settles it), a closed deal closing on its Close Date
HUBSPOT = """\
Record ID,Deal Name,Deal Stage,Pipeline,Amount,Currency,Close Date,Create Date,Deal owner,\
Associated Company,Associated Contact,Deal probability,Closed Lost Reason,Amount in company currency
101,Ökotech 🌱 pilot,Appointment scheduled,Sales,"€1,234.50",EUR,12/20/2026,04/25/2026,Maria,Ökotech AG,\
Zoë Ångström,0.4,,1234.5
102,上海 expansion,Contract sent,Sales,12000,USD,,11/02/2026 09:00,Lee,上海贸易,李雷,,,6000
103,Closed deal,Closed won,Sales,$12k,USD,11/03/2026,10/01/2026,,,,,,6000
104,Lost [bold]deal[/bold],Closed lost,Sales,500,EUR,10/30/2026,09/15/2026,,,,,"budget cut",500
"""

# Salesforce's opportunity report exported as details (its standard columns), amounts with the
# currency's code as a multi-currency org writes them, dates month first (12/18 settles it)
SALESFORCE = """\
Opportunity Owner,Account Name,Opportunity Name,Stage,Fiscal Period,Amount,Probability (%),Age,\
Close Date,Created Date,Next Step,Lead Source,Type,Description
Ana Ruiz,Grupo Ñandú S.L.,Ñandú renewal,Negotiation/Review,Q4-2026,"EUR 48,000.00",90,62,12/18/2026,\
10/06/2026,Send contract,Web,Existing Customer,"Wants [b]two[/b] sites"
Ken Ito,北海道物産,北海道 pilot,Id. Decision Makers,Q1-2027,"USD 1,200.50",60,12,01/29/2027,\
11/25/2026,,Partner,New Customer,
Ana Ruiz,Dupont & Fils,Dupont fleet,Closed Won,Q4-2026,900,100,40,11/20/2026,10/11/2026,,,New Customer,
Ana Ruiz,Old Co,Old Co deal,Closed Lost,Q3-2026,"EUR 5,000.00",0,80,09/30/2026,07/12/2026,,,,
"""


def import_file(path: Path, now: datetime, **options) -> tuple:
    parsed = parse_csv(path, now, home=CURRENCIES.home)
    chosen = ImportOptions(currencies=CURRENCIES, stage_map=MAP, **options)
    return parsed, import_parsed(parsed, str(path), now, options=chosen)


def export_text(now: datetime) -> str:
    buffer = io.StringIO()
    write_csv(views.export_rows(now, SETTINGS), buffer)
    return buffer.getvalue()


def round_trip(tmp_path: Path, now: datetime) -> None:
    """Export, import that into a new database, export again: the same file."""
    first = export_text(now)
    (tmp_path / "export.csv").write_text(first, encoding="utf-8", newline="")
    again = open_database(tmp_path / "again.db")
    try:
        import_file(tmp_path / "export.csv", now, keep_owner=True)
        assert export_text(now) == first
    finally:
        again.close()


def by_name() -> dict[str, Prospect]:
    return {p.name: p for p in Prospect.select()}


def test_pipedrive_export_as_it_comes(db, tmp_path, now):
    path = tmp_path / "deals.csv"
    path.write_text(PIPEDRIVE, encoding="utf-8", newline="")
    parsed, count = import_file(path, now)
    assert count == 5 and parsed.deleted == 1
    assert parsed.unknown_columns == ["Deal - Label"]
    deals = by_name()
    cafe, tokyo, acme, lost = (
        deals["Café Müller roll-out"],
        deals["東京 fleet"],
        deals["Acme US"],
        deals["Lost one"],
    )
    assert (cafe.value_cents, cafe.currency, cafe.probability) == (123450, "EUR", 0.6)
    assert str(cafe.created_at)[:16] == "2026-04-03 10:15"  # day first, as 25/04 and 30/12 say
    assert str(cafe.expected_close) == "2026-12-30"
    assert Stage.get_by_id(cafe.stage_id).name == "Proposal"  # through --stage-map
    assert (tokyo.value_cents, tokyo.currency, tokyo.organization) == (150_000_000, "JPY", "株式会社テスト")
    assert Stage.get_by_id(tokyo.stage_id).name == "Proposal"  # Pipedrive's default stage name
    assert (acme.value_cents, acme.currency, Stage.get_by_id(acme.stage_id).kind) == (1_200_000, "USD", "won")
    assert str(acme.closed_at)[:16] == "2026-11-20 10:00"  # its won time, not today
    assert Stage.get_by_id(lost.stage_id).kind == "lost" and lost.lost_reason == "price, too high"
    assert (str(lost.closed_at)[:10], lost.value_cents, lost.probability) == ("2026-11-02", 123450, 0.0)
    assert deals["Empty cells"].value_cents is None
    # the next activity: an open task that day, at 09:00 unless the file gives a time
    due = {f.prospect_id: (f.kind, str(f.due_at)[:16]) for f in FollowUp.select()}
    assert due == {cafe.id: ("task", "2026-12-15 09:00"), tokyo.id: ("task", "2026-12-20 14:00")}
    # Person - Name / Email / Phone: the deal's contact record
    jurgen = Contact.get(Contact.prospect == cafe.id)
    assert (jurgen.name, jurgen.email, jurgen.phone) == (
        "Jürgen Weiß",
        "jw@cafe-mueller.de",
        "+49 30 1234567",
    )
    # no --keep-owner: the deals are the importing user's, but in team mode (on a server)
    team = not isinstance(db, SqliteDatabase)
    assert {p.owner for p in deals.values()} == ({"", "Anna", "Ken"} if team else {""})
    round_trip(tmp_path, now)


def test_hubspot_export_as_it_comes(db, tmp_path, now):
    path = tmp_path / "hubspot.csv"
    path.write_text(HUBSPOT, encoding="utf-8", newline="")
    parsed, count = import_file(path, now)
    assert count == 4 and sorted(parsed.unknown_columns) == ["Amount in company currency", "Record ID"]
    deals = by_name()
    eco, shanghai = deals["Ökotech 🌱 pilot"], deals["上海 expansion"]
    assert (Stage.get_by_id(eco.stage_id).name, str(eco.expected_close), eco.probability) == (
        "Appointment",
        "2026-12-20",
        0.4,
    )
    assert str(eco.created_at)[:10] == "2026-04-25"
    assert (eco.contact, eco.organization, eco.value_cents) == ("Zoë Ångström", "Ökotech AG", 123450)
    assert (shanghai.value_cents, shanghai.currency, str(shanghai.created_at)[:16]) == (
        1_200_000,
        "USD",
        "2026-11-02 09:00",
    )
    won, lost = deals["Closed deal"], deals["Lost [bold]deal[/bold]"]
    assert (Stage.get_by_id(won.stage_id).kind, str(won.closed_at)[:10]) == ("won", "2026-11-03")
    assert (Stage.get_by_id(lost.stage_id).kind, lost.lost_reason) == ("lost", "budget cut")
    round_trip(tmp_path, now)


def test_salesforce_opportunity_report_as_it_comes(db, tmp_path, now):
    path = tmp_path / "opportunities.csv"
    path.write_text(SALESFORCE, encoding="utf-8", newline="")
    parsed, count = import_file(path, now)
    assert count == 4
    assert sorted(parsed.unknown_columns) == ["Age", "Fiscal Period", "Next Step", "Type"]
    deals = by_name()
    nandu, hokkaido = deals["Ñandú renewal"], deals["北海道 pilot"]
    assert (nandu.organization, nandu.value_cents, nandu.currency, nandu.probability) == (
        "Grupo Ñandú S.L.",
        4_800_000,
        "EUR",
        0.9,
    )
    assert (Stage.get_by_id(nandu.stage_id).name, str(nandu.expected_close)) == ("Proposal", "2026-12-18")
    assert (str(nandu.created_at)[:10], nandu.source, nandu.notes) == (
        "2026-10-06",
        "Web",
        "Wants [b]two[/b] sites",
    )
    assert (Stage.get_by_id(hokkaido.stage_id).name, hokkaido.value_cents, hokkaido.currency) == (
        "Appointment",
        120_050,
        "USD",
    )
    won, lost = deals["Dupont fleet"], deals["Old Co deal"]
    assert (Stage.get_by_id(won.stage_id).kind, str(won.closed_at)[:10]) == ("won", "2026-11-20")
    assert (Stage.get_by_id(lost.stage_id).kind, str(lost.closed_at)[:10]) == ("lost", "2026-09-30")
    round_trip(tmp_path, now)


@pytest.mark.parametrize("theirs", ["Sales Pipeline", "pipeline"])
def test_the_other_crms_first_pipeline_is_ours_unless_mapped(db, tmp_path, now, theirs):
    """HubSpot's default pipeline is "Sales Pipeline", Pipedrive's "Pipeline": an export of it
    needed --pipeline-map before its stages were even looked at."""
    path = tmp_path / "deals.csv"
    path.write_text(f"Deal Name,Pipeline,Deal Stage\nA,{theirs},Appointment scheduled\n", encoding="utf-8")
    import_file(path, now)
    assert Stage.get_by_id(by_name()["A"].stage_id).name == "Appointment"
    (tmp_path / "other.csv").write_text(f"Deal Name,Pipeline\nB,{theirs}\n", encoding="utf-8")
    with pytest.raises(UserError, match=f"no pipeline '{theirs}'"):  # mapped to one we lack
        import_file(tmp_path / "other.csv", now, pipeline_map=((theirs, "Elsewhere"),))


def test_a_deal_value_column_is_the_value(db, tmp_path, now):
    path = tmp_path / "sheet.csv"
    path.write_text('Deal,Deal value,Company\nRoof,"1,500",Acme\n', encoding="utf-8")
    parsed, count = import_file(path, now)
    assert (count, parsed.unknown_columns) == (1, [])
    assert (by_name()["Roof"].value_cents, by_name()["Roof"].organization) == (150_000, "Acme")


def test_a_refused_file_lists_every_problem_at_once_and_writes_nothing(db, tmp_path, now):
    lines = ["Deal - Title,Deal - Value,Deal - Currency,Deal - Stage,Deal - Status,Deal - Won time"]
    lines += [f"Deal {i},lots,EUR,Qualified,open," for i in range(60)]  # 60 bad values
    lines += [
        "Won undated,100,EUR,Qualified,won,",
        "Korea,100,KRW,Qualified,open,",
        "CHF,5,CHF,Sales Call,open,",
    ]
    lines += ["Odd stage,5,EUR,Sales Call,open,", "Odder,5,EUR,Pitch,open,"]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(Refused) as refused:
        import_file(path, now)
    message, details = str(refused.value), refused.value.details
    assert "\n" not in message and "refused, 64 problems" in message
    assert details[0].startswith("  column Deal - Currency: CHF (1 row), KRW (1 row): no rate for CHF, KRW")
    assert "no stage 'Sales Call' in Sales (2 rows, the first row 64)" in details[1] + details[2]
    assert "no stage 'Pitch' in Sales (row 66)" in details[1] + details[2]
    amount = "an amount like 12000, 12,000.50, 1.234,50 € or $12k"
    assert details[3] == f"  row 2, column Deal - Value: value 'lots' is not {amount}"
    assert sum(1 for line in details if line.startswith("  row ")) == 50 - 3
    assert "  … and 14 more" in details
    assert any('--stage-map "Sales Call=OURS" --stage-map "Pitch=OURS"' in line for line in details)
    assert Prospect.select().count() == 0


def test_a_date_column_nothing_settles_is_refused_naming_it_and_the_fix(db, tmp_path, now):
    path = tmp_path / "dates.csv"
    path.write_text("Deal - Title,Deal - Expected close date\nA,03/04/2026\nB,05/06/2026\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"Deal - Expected close date.*date_order") as refused:
        import_file(path, now)
    assert "nothing imported" in str(refused.value) or Prospect.select().count() == 0
    assert Prospect.select().count() == 0


def test_the_file_owner_is_kept_only_when_asked(db, tmp_path, now):
    set_user("me")
    path = tmp_path / "owners.csv"
    path.write_text("Deal - Title,Deal - Owner\nA,Anna\nB,\n", encoding="utf-8")
    plan = plan_import(parse_csv(path, now), str(path), now, ImportOptions())
    team = not isinstance(db, SqliteDatabase)  # a server: team mode keeps the file's owners
    assert (plan.summary.owners, plan.summary.owners_kept) == ((1, True) if team else (0, False))
    import_file(path, now, keep_owner=True)
    assert {p.name: p.owner for p in Prospect.select()} == {"A": "Anna", "B": "me"}


def test_figures_count_every_currency_in_the_home_one(db, tmp_path, now):
    path = tmp_path / "deals.csv"
    path.write_text(PIPEDRIVE, encoding="utf-8", newline="")
    import_file(path, now)
    board = BoardReader(SETTINGS).read(now)
    cards = {card.name: card for _, cards in board.columns for card in cards}
    tokyo = cards["東京 fleet"]
    assert (tokyo.value, tokyo.currency, tokyo.amount) == (
        1_500_000,
        "JPY",
        150_000_000,
    )  # ¥1.5M = 15,000 EUR
    assert (cards["Café Müller roll-out"].value, cards["Café Müller roll-out"].currency) == (123450, "")
    assert board.strip.won[1] == 600_000  # $12k won, at 0.5
    report = views.report(now, SETTINGS)
    values = {stage.stage.name: stage.value for stage in report.stages}
    assert values["Proposal"] == 123450 + 1_500_000 and values["Won"] == 600_000
    detail = views.prospect_detail(tokyo.id, now, SETTINGS)
    assert detail.value_text == "¥1,500,000 (15,000 EUR)"


def test_the_command_line_says_a_refusal_first_in_one_line_then_each_problem(cli, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[currency]\nhome = "EUR"\n[currency.rates]\nUSD = 0.5\nJPY = 0.01\n', encoding="utf-8")
    env = {"PIPELINE_TUI_CONFIG": str(config)}
    path = tmp_path / "deals.csv"
    path.write_text(PIPEDRIVE.replace("Verhandlung", "Pitch"), encoding="utf-8", newline="")
    cli("add", "Already here", env=env, check=True)  # the export below reads it (a refused import makes none)
    refused = cli("import", str(path), "--stage-map", "Negotiations Started=Proposal", env=env)
    first, *rest = refused.stderr.splitlines()
    assert refused.returncode == 2 and refused.stdout == ""
    assert first == f"pipeline-tui: {path} column Deal - Stage: no stage 'Pitch' in Sales (row 4); " + (
        'add --stage-map "Pitch=OURS" (OURS: Sales: Lead, Qualified, Appointment, Trial, Proposal, Won, Lost)'
    )
    maps = ("--stage-map", "Negotiations Started=Proposal", "--stage-map", "pitch=Proposal")
    dry = cli("import", str(path), "--dry-run", *maps, env=env, check=True)
    assert dry.stdout.splitlines()[:5] == [
        f"{path}: 5 prospects would be imported (dry run, nothing written)",
        "  stages: Proposal 2, Won 1, Lost 1, Lead 1",
        "  status: 3 open, 1 won, 1 lost; 1 deleted skipped",
        "  follow-ups: 2",
        "  currencies: EUR 3, JPY 1, USD 1",  # two without a currency: the home one
    ]
    assert dry.stderr.strip() == "pipeline-tui: " + f"{path}: 1 unknown column ignored: 'Deal - Label'"
    missing = cli("add", "Seoul", "--value", "₩5,000,000", env=env)
    assert (
        missing.returncode == 2
        and "no rate for KRW" in missing.stderr
        and len(missing.stderr.splitlines()) == 1
    )
    assert "Seoul" not in cli("export", "--format", "csv", env=env, check=True).stdout


HOSTILE = "\x1b[2J[bold]x\x9b31m\u202e"  # clears the screen, markup, a C1 CSI, a bidi override
ACTING = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # written out here


def _said(argv: list[str]) -> tuple[int, str, str]:
    """The command line run in this process, its output as a UTF-8 terminal receives it."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_module.main(argv)
    return code, out.getvalue(), err.getvalue()


def test_the_dry_run_and_the_error_list_show_a_files_text_inert(tmp_path):
    """Every value of a file that an import prints (a stage, a value, a date, a column's name,
    a pipeline) shows as written, with nothing in it acting on the terminal."""
    base = ["--db", str(tmp_path / "hostile.db"), "--now", "2026-11-26 09:30", "import"]
    header = f"Deal - Title,Deal - Value,Deal - Stage,Deal - Pipeline,Deal - Expected close date,{HOSTILE}\n"
    path = tmp_path / "hostile.csv"
    path.write_text(
        header + f"{HOSTILE},{HOSTILE},{HOSTILE},{HOSTILE},{HOSTILE},{HOSTILE}\n", encoding="utf-8"
    )
    code, out, err = _said([*base, str(path)])
    assert code == 2 and out == ""
    assert not ACTING.search(err), err
    said = err.replace("\\x1b", "\x1b").replace("\\x9b", "\x9b").replace("\\u202e", "\u202e")
    assert said.count(HOSTILE) >= 3, "the value, the stage, the date, each quoted as written"
    # the --pipeline-map line to add: the name escaped, as a shell reads it back
    assert "add --pipeline-map $'\\x1b[2J[bold]x\\u009b31m\\u202e=Sales'" in err
    good = header.replace(HOSTILE, "Lead note")
    path.write_text(good + f"{HOSTILE},12,{HOSTILE},Sales,,x\n", encoding="utf-8")
    code, out, err = _said([*base, str(path), "--dry-run", "--stage-map", f"{HOSTILE}=Lead"])
    assert code == 0 and not ACTING.search(out + err), out + err
    assert "1 prospect would be imported" in out and "stages: Lead 1" in out
