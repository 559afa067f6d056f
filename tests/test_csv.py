"""CSV import and export (README "Importing from another CRM"): what a file may look like,
errors that name the row and column, all or nothing, formula escaping, and export -> import ->
export giving the same file."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline_tui.core.money import Currencies
from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import UserError
from pipeline_tui.io.csv_io import COLUMNS, parse_csv, write_csv
from pipeline_tui.services.follow_ups import schedule
from pipeline_tui.services.importing import ImportOptions, import_parsed
from pipeline_tui.services.prospects import add_prospect, mark_lost, mark_won, move_prospect
from pipeline_tui.services.views import export_rows
from pipeline_tui.store import bulk
from pipeline_tui.store.db import open_database
from pipeline_tui.store.models import FollowUp, Prospect, Stage, StageChange
from tests.conftest import activity_out_of_step

SETTINGS = Settings()


def write(tmp_path: Path, text: str | bytes, name: str = "import.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def import_text(
    tmp_path: Path,
    text: str | bytes,
    now: datetime,
    *,
    dry_run: bool = False,
    options: ImportOptions | None = None,
):
    path = write(tmp_path, text)
    currencies = options.currencies if options else Currencies()
    parsed = parse_csv(path, now, home=currencies.home)
    count = import_parsed(parsed, str(path), now, dry_run=dry_run, options=options)
    return parsed, count


def rows() -> list[Prospect]:
    return list(Prospect.select().order_by(Prospect.id))


def stage_of(prospect: Prospect) -> str:
    return Stage.get_by_id(prospect.stage_id).name


def export_text(now: datetime) -> str:
    buffer = io.StringIO()
    write_csv(export_rows(now, SETTINGS), buffer)
    return buffer.getvalue()


def counts() -> tuple[int, int, int]:
    return Prospect.select().count(), StageChange.select().count(), FollowUp.select().count()


# -- the header ---------------------------------------------------------------------------------


def test_header_is_case_insensitive_in_any_order_and_unknown_columns_are_reported(db, tmp_path, now):
    text = (
        "NOTES,Value,Favourite Colour,name,  Stage ,Expected_Close,,Decision Maker\n"
        "call back,12000,blue,Acme,proposal,2026-12-20,x,yes\n"
    )
    parsed, count = import_text(tmp_path, text, now)
    assert count == 1
    assert parsed.unknown_columns == ["Favourite Colour"]
    [acme] = rows()
    assert (acme.name, acme.notes, acme.value_cents, stage_of(acme)) == (
        "Acme",
        "call back",
        1_200_000,
        "Proposal",
    )
    assert acme.expected_close == date(2026, 12, 20)
    assert acme.decision_maker == "yes"


def test_every_documented_column(db, tmp_path, now):
    text = (
        "name,organization,contact,title,email,phone,decision_maker,value,expected_close,urgency,source,"
        "stage,probability,notes,created,closed,lost_reason,next_follow_up,next_follow_up_kind\n"
        "Big deal,Acme Inc,Jane Doe,CFO,jane@acme.com,555 0100,no,99.95,2027-01-15,high,referral,"
        "Trial,70%,the notes,2026-10-01 08:15,,,2026-11-30 14:00,appointment\n"
    )
    import_text(tmp_path, text, now)
    [p] = rows()
    assert (p.organization, p.contact, p.title, p.email, p.phone) == (
        "Acme Inc",
        "Jane Doe",
        "CFO",
        "jane@acme.com",
        "555 0100",
    )
    assert (p.decision_maker, p.value_cents, p.urgency, p.source, p.probability) == (
        "no",
        9995,
        "high",
        "referral",
        0.7,
    )
    assert (p.expected_close, p.created_at, p.stage_entered_at, p.closed_at) == (
        date(2027, 1, 15),
        datetime(2026, 10, 1, 8, 15),
        datetime(2026, 10, 1, 8, 15),
        None,
    )
    assert p.updated_at == now
    [follow_up] = FollowUp.select()
    assert (follow_up.kind, follow_up.due_at, follow_up.done_at, follow_up.created_at) == (
        "appointment",
        datetime(2026, 11, 30, 14, 0),
        None,
        now,
    )
    [change] = StageChange.select()
    assert (change.from_stage_id, change.to_stage.name, change.changed_at) == (None, "Trial", p.created_at)


def test_a_byte_order_mark_is_accepted(db, tmp_path, now):
    import_text(tmp_path, "\ufeffName,Value\r\nAcme,100\r\n".encode(), now)
    [p] = rows()
    assert (p.name, p.value_cents) == ("Acme", 10_000)


def test_a_semicolon_file_from_european_excel_is_read_whole(db, tmp_path, now):
    """Excel saves CSV with semicolons where the decimal mark is a comma: every column read,
    not one 'name;organization;…' column refused for lacking a name."""
    text = "Name;Organization;Value;Expected close;Notes\r\nAcme pilot;Acme;1.234,56;31/12/2026;a, b; c\r\n"
    import_text(tmp_path, text.replace("a, b; c", '"a, b; c"'), now)
    [p] = rows()
    assert (p.name, p.organization, p.value_cents, p.notes) == ("Acme pilot", "Acme", 123_456, "a, b; c")
    assert str(p.expected_close) == "2026-12-31"


def test_excel_unicode_text_utf16_with_tabs_is_read(db, tmp_path, now):
    text = "Name\tOrganization\tValue\r\nCafé Lumière\tLumière SA\t1200\r\n"
    import_text(tmp_path, text.encode("utf-16"), now)  # with its byte-order mark, as Excel writes it
    [p] = rows()
    assert (p.name, p.organization, p.value_cents) == ("Café Lumière", "Lumière SA", 120_000)


@pytest.mark.parametrize(
    "header, cells",
    [
        ("name,notes", ["Acme;x", "y\tz"]),
        ("name,\x1b[31;1;5mRED", ["Acme;x", "y\tz"]),  # a comma header with semicolons in a name
        ("name;notes", ["Acme", "x,y\tz"]),
        ("name;notes, misc", ["Acme", "x,y\tz"]),  # the comma gives no name column
        ("name\tnotes", ["Acme;x,y", "z"]),
    ],
)
def test_the_delimiter_is_the_one_that_reads_a_name_column(db, tmp_path, now, header, cells):
    delimiter = "\t" if "\t" in header else ";" if header.startswith("name;") else ","
    parsed, _ = import_text(tmp_path, f"{header}\n{delimiter.join(cells)}\n", now)
    [p] = rows()
    assert p.name == cells[0]
    assert p.notes == cells[1] or parsed.unknown_columns


def test_a_header_no_delimiter_reads_is_refused_as_the_comma_reads_it(db, tmp_path, now):
    with pytest.raises(UserError, match=r"no 'name' column in the header \(found: title;value, x\)"):
        import_text(tmp_path, "title;value,x\nAcme;1,2\n", now)


@pytest.mark.parametrize(
    "cell, cents, currency",
    [
        ("12000", 1_200_000, ""),
        ("12000.50", 1_200_050, ""),
        ("12000.5", 1_200_050, ""),
        ('"12,000"', 1_200_000, ""),
        ('"12,000.75"', 1_200_075, ""),
        ('"$12,000"', 1_200_000, "USD"),
        ("€12000", 1_200_000, "EUR"),
        ("£ 12000", 1_200_000, "GBP"),
        ('"1.234,50 €"', 123_450, "EUR"),
        ('"1 234,50"', 123_450, ""),
        ("$ 12k", 1_200_000, "USD"),
        ("0", 0, ""),
        ("", None, ""),
    ],
)
def test_value_forms(db, tmp_path, now, cell, cents, currency):
    options = ImportOptions(currencies=Currencies("EUR", {"USD": 0.92, "GBP": 1.17}))
    import_text(tmp_path, f"name,value\nAcme,{cell}\n", now, options=options)
    assert (rows()[0].value_cents, rows()[0].currency) == (cents, currency)


@pytest.mark.parametrize(
    "cell, stored",
    [
        ("yes", "yes"),
        ("YES", "yes"),
        ("true", "yes"),
        ("True", "yes"),
        ("1", "yes"),
        ("no", "no"),
        ("false", "no"),
        ("0", "no"),
        ("unknown", "unknown"),
        ("", "unknown"),
    ],
)
def test_decision_maker_words(db, tmp_path, now, cell, stored):
    import_text(tmp_path, f"name,decision_maker\nAcme,{cell}\n", now)
    assert rows()[0].decision_maker == stored


def test_stage_defaults_to_lead_and_matches_case_insensitively(db, tmp_path, now):
    import_text(tmp_path, "name\nNo stage column\n", now)
    import_text(tmp_path, "name,stage\nEmpty stage,\nShouting,APPOINTMENT\nwhispering,qualified\n", now)
    assert [(p.name, stage_of(p)) for p in rows()] == [
        ("No stage column", "Lead"),
        ("Empty stage", "Lead"),
        ("Shouting", "Appointment"),
        ("whispering", "Qualified"),
    ]


def test_created_and_closed_defaults(db, tmp_path, now):
    text = (
        "name,stage,created,closed,lost_reason\n"
        "Open no dates,Lead,,,\n"
        "Lost with dates,Lost,2026-01-05,2026-03-10 16:00,too expensive\n"
        "Open with closed,Proposal,2026-02-01,2026-03-01,\n"
    )
    import_text(tmp_path, text, now)
    found = {p.name: p for p in rows()}
    open_ = found["Open no dates"]
    assert (open_.created_at, open_.closed_at, open_.stage_entered_at) == (now, None, now)
    lost = found["Lost with dates"]
    assert (lost.created_at, lost.closed_at, lost.lost_reason) == (
        datetime(2026, 1, 5),
        datetime(2026, 3, 10, 16, 0),
        "too expensive",
    )
    assert lost.stage_entered_at == lost.closed_at
    assert found["Open with closed"].closed_at is None, "an open prospect is not closed"
    changes = {c.prospect.name: c.changed_at for c in StageChange.select()}
    assert changes["Lost with dates"] == datetime(2026, 3, 10, 16, 0)


def test_a_closed_deal_without_its_closing_time_is_never_dated_today(db, tmp_path, now):
    text = "name,stage,created,closed\nFine,Lead,,\nWon no dates,won,,\nLost no close,Lost,2026-01-05,\n"
    with pytest.raises(UserError) as caught:
        import_text(tmp_path, text, now)
    message = str(caught.value)
    assert "refused, 2 problems" in message
    assert caught.value.details[:2] == [
        "  row 3, column closed: a won deal needs the time it was won (nothing dates it today)",
        "  row 4, column closed: a lost deal needs the time it was lost (nothing dates it today)",
    ]
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "line, row, column, words",
    [
        ("Backwards,2026-03-10,2026-03-01,Won", 3, "closed", "before the prospect was created"),
        ("Same day earlier,2026-03-10 16:00,2026-03-10 09:00,Lost", 3, "closed", "before"),
        ("Later,2026-11-27,,Lead", 3, "created", "in the future"),
        ("A minute ahead,2026-11-26 09:31,,Lead", 3, "created", "in the future"),
        ("Won tomorrow,2026-01-05,2026-11-27,Won", 3, "closed", "in the future"),
    ],
    ids=["closed-before-created", "same-day", "created-tomorrow", "created-a-minute-ahead", "closed-later"],
)
def test_dates_that_cannot_be_are_refused_with_row_and_column(db, tmp_path, now, line, row, column, words):
    text = f"name,created,closed,stage\nFine,2026-01-05,2026-02-01,Won\n{line}\n"
    with pytest.raises(UserError) as caught:
        import_text(tmp_path, text, now)
    message = str(caught.value)
    assert f"row {row}, column {column}:" in message and words in message, message
    assert counts() == (0, 0, 0)


def test_dates_at_the_edges_are_accepted(db, tmp_path, now):
    text = (
        "name,created,closed,stage\n"
        "Closed as created,2026-03-10 09:00,2026-03-10 09:00,Won\n"
        "Created now,2026-11-26 09:30,,Lead\n"
        "Closed now,2026-01-05,2026-11-26 09:30,Lost\n"
    )
    assert import_text(tmp_path, text, now)[1] == 3


def test_a_closed_row_without_a_creation_date_was_created_by_its_close(db, tmp_path, now):
    """Not at the import (after its close): created no later than it closed."""
    import_text(tmp_path, "name,closed,stage\nOld win,2026-02-01 12:00,Won\n", now)
    (won,) = rows()
    assert won.created_at == won.closed_at == datetime(2026, 2, 1, 12, 0)


def test_the_unknown_columns_are_listed_once_however_many(db, tmp_path, now):
    header = ["name", *(f"extra {n}" for n in range(1000))]
    parsed, count = import_text(tmp_path, ",".join(header) + "\nAcme\n", now)
    assert count == 1 and len(parsed.unknown_columns) == 1000
    from pipeline_tui.cli.data import unknown_columns_text

    assert unknown_columns_text(parsed.unknown_columns) == (
        "1,000 unknown columns ignored: 'extra 0', 'extra 1', 'extra 2', 'extra 3', 'extra 4', …"
    )
    assert unknown_columns_text(["Colour"]) == "1 unknown column ignored: 'Colour'"
    assert unknown_columns_text(["x" * 300, "y"]).startswith("2 unknown columns ignored: '" + "x" * 40 + "…'")


def test_next_follow_up_and_its_kind(db, tmp_path, now):
    text = (
        "name,next_follow_up,next_follow_up_kind\n"
        "Default kind,2026-12-01 10:30,\n"
        "Meeting,2026-12-02,Meeting\n"
        "Info,2026-12-03 09:00,info request\n"
        "Nothing,,email\n"
    )
    import_text(tmp_path, text, now)
    found = [(f.prospect.name, f.kind, f.due_at) for f in FollowUp.select().order_by(FollowUp.id)]
    assert found == [
        ("Default kind", "call", datetime(2026, 12, 1, 10, 30)),
        ("Meeting", "appointment", datetime(2026, 12, 2, 9, 0)),  # a day alone: at the working hour
        ("Info", "info-request", datetime(2026, 12, 3, 9, 0)),
    ]


def test_pipedrive_deal_export(db, tmp_path, now):
    text = (
        '"Deal - Title","Deal - Value","Deal - Currency","Deal - Stage","Deal - Expected close date",'
        '"Person - Name","Organization - Name","Deal - Status"\n'
        '"Acme website","12000","EUR","Qualified","2026-12-20","Jane Doe","Acme Inc","Open"\n'
        '"Globex CRM","3500.50","EUR","Proposal","","Bob Roe","Globex","Open"\n'
    )
    parsed, count = import_text(tmp_path, text, now, options=ImportOptions(currencies=Currencies("EUR")))
    assert count == 2
    assert parsed.unknown_columns == []
    found = [
        (p.name, p.value_cents, stage_of(p), p.expected_close, p.contact, p.organization) for p in rows()
    ]
    assert found == [
        ("Acme website", 1_200_000, "Qualified", date(2026, 12, 20), "Jane Doe", "Acme Inc"),
        ("Globex CRM", 350_050, "Proposal", None, "Bob Roe", "Globex"),
    ]


def test_pipedrive_stage_names_and_status_find_our_stages(db, tmp_path, now):
    text = (
        "Deal - Title,Deal - Stage,Deal - Status,Deal - Won time,Deal - Lost time\n"
        "Lead in,Lead In,Open,,\n"
        "Contact,Contact Made,Open,,\n"
        "Demo,Demo Scheduled,Open,,\n"
        "Proposal,Proposal Made,Open,,\n"
        "Negotiating,Negotiations Started,Open,,\n"
        "Signed,Negotiations Started,Won,2026-11-20 10:00,\n"
        "Gone,Contact Made,Lost,,2026-10-01 12:00\n"
        "Deleted one,Lead In,Deleted,,\n"
    )
    parsed, count = import_text(tmp_path, text, now)
    assert (count, parsed.deleted) == (7, 1), "a deleted deal is skipped, and counted"
    by_name = {p.name: p for p in Prospect.select()}
    assert {name: stage_of(p) for name, p in by_name.items()} == {
        "Lead in": "Lead",
        "Contact": "Qualified",
        "Demo": "Appointment",
        "Proposal": "Proposal",
        "Negotiating": "Proposal",
        "Signed": "Won",
        "Gone": "Lost",
    }
    assert by_name["Signed"].closed_at == datetime(2026, 11, 20, 10, 0)
    assert by_name["Gone"].closed_at == datetime(2026, 10, 1, 12, 0)
    # the stage it closed from is how far it got: Gone reached Qualified (Contact Made), no further
    assert stage_of(Prospect.get_by_id(by_name["Gone"].reached_stage_id)) == "Qualified"


def test_a_pipeline_column_puts_rows_in_that_pipeline(db, tmp_path, now):
    from pipeline_tui.services.setup import add_pipeline

    add_pipeline("Renewals")
    text = "name,pipeline,stage\nA,renewals,proposal\nB,,\n"
    import_text(tmp_path, text, now)
    placed = {p.name: (p.pipeline.name, stage_of(p)) for p in Prospect.select()}
    assert placed == {"A": ("Renewals", "Proposal"), "B": ("Sales", "Lead")}
    with pytest.raises(UserError, match="column pipeline: no pipeline 'Nope'"):
        import_text(tmp_path, "name,pipeline\nC,Nope\n", now)


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_row, column, words",
    [
        ("Bad,twelve,,,,", "value", "twelve"),
        ("Bad,100,Nowhere,,,", "stage", "Nowhere"),
        ("Bad,100,,someday,,", "expected_close", "someday"),
        ("Bad,100,,,perhaps,", "decision_maker", "perhaps"),
        ("Bad,100,,,,2%2", "probability", "2%2"),
        (",100,,,,", "name", "required"),
    ],
)
def test_errors_name_the_row_and_the_column(db, tmp_path, now, bad_row, column, words):
    header = "name,value,stage,expected_close,decision_maker,probability"
    text = f"{header}\nGood,1,,,,\n{bad_row}\nAlso good,2,,,,\n"
    with pytest.raises(UserError) as caught:
        import_text(tmp_path, text, now)
    message = str(caught.value)
    assert "row 3" in message and column in message and words in message, message
    assert "import.csv" in message
    assert counts() == (0, 0, 0)


def test_row_numbers_count_records_not_lines(db, tmp_path, now):
    """A note spanning lines is still one spreadsheet row: the bad record is row 3, not line 5."""
    text = 'name,notes,value\nGood,"first line\nsecond line\nthird line",1\nBad,,lots\n'
    with pytest.raises(UserError, match="row 3, column value"):
        import_text(tmp_path, text, now)


def test_all_or_nothing_a_bad_500th_row_writes_nothing(db, tmp_path, now):
    lines = ["name,value,stage,next_follow_up"]
    lines += [f"Prospect {i},{i * 10},Qualified,2026-12-01 10:00" for i in range(1, 500)]
    lines.append("Prospect 500,not money,Qualified,2026-12-01 10:00")
    with pytest.raises(UserError, match="row 501, column value"):
        import_text(tmp_path, "\n".join(lines) + "\n", now)
    assert counts() == (0, 0, 0)

    lines[-1] = "Prospect 500,5000,Qualificado,2026-12-01 10:00"  # checked later, against the stages
    with pytest.raises(UserError, match="column stage: no stage 'Qualificado' in Sales \\(row 501\\)"):
        import_text(tmp_path, "\n".join(lines) + "\n", now)
    assert counts() == (0, 0, 0)

    lines[-1] = "Prospect 500,5000,Qualified,2026-12-01 10:00"
    _, count = import_text(tmp_path, "\n".join(lines) + "\n", now)
    assert count == 500
    assert counts() == (500, 500, 500)


def test_a_failure_while_writing_leaves_nothing(db, tmp_path, now, monkeypatch):
    add_prospect(now, "Already there")
    before = counts()
    original = bulk.insert_rows

    def failing(model, columns, values, **options):
        if model is FollowUp:
            raise RuntimeError("disk full")
        return original(model, columns, values, **options)

    monkeypatch.setattr(bulk, "insert_rows", failing)
    with pytest.raises(RuntimeError):
        import_text(tmp_path, "name,next_follow_up\nA,2026-12-01\nB,2026-12-02\n", now)
    assert counts() == before


def test_dry_run_checks_and_writes_nothing(db, tmp_path, now):
    _, count = import_text(tmp_path, "name,stage,closed\nA,Lead,\nB,Won,2026-11-01\n", now, dry_run=True)
    assert count == 2
    assert counts() == (0, 0, 0)
    with pytest.raises(UserError, match="column stage: no stage 'Nope'"):
        import_text(tmp_path, "name,stage\nA,Nope\n", now, dry_run=True)


def test_imported_ids_follow_the_existing_ones(db, tmp_path, now):
    first = add_prospect(now, "First")
    import_text(tmp_path, "name\nSecond\nThird\n", now)
    later = add_prospect(now, "Fourth")
    assert [(p.id, p.name) for p in rows()] == [
        (first.id, "First"),
        (first.id + 1, "Second"),
        (first.id + 2, "Third"),
        (later.id, "Fourth"),
    ]


@pytest.mark.parametrize(
    "content, words",
    [
        ("name,notes\nCafé,crème brûlée\n".encode("latin-1"), "UTF-8"),
        (b"", "empty"),
        ("\ufeff".encode(), "empty"),
        (b"value,stage\n100,Lead\n", "no 'name' column"),
        (b"name\nA\x00B\n", "NUL"),
        (b'name,notes\nAcme,"never closed\n', "line"),
    ],
    ids=["latin-1", "empty", "only-bom", "no-name-column", "nul-bytes", "unclosed-quote"],
)
def test_unreadable_files_are_user_errors(db, tmp_path, now, content, words):
    with pytest.raises(UserError, match=words):
        import_text(tmp_path, content, now)
    assert counts() == (0, 0, 0)


def test_a_directory_or_a_missing_file_is_a_user_error(db, tmp_path, now):
    with pytest.raises(UserError, match="directory"):
        parse_csv(tmp_path, now)
    with pytest.raises(UserError, match="no such file"):
        parse_csv(tmp_path / "missing.csv", now)


def test_a_column_named_twice_is_refused(db, tmp_path, now):
    with pytest.raises(UserError, match="twice"):
        import_text(tmp_path, "Name,Deal - Title\nA,B\n", now)


# -- export -------------------------------------------------------------------------------------


def test_export_header_and_values(db, now):
    prospect = add_prospect(
        now - timedelta(days=3),
        "Acme",
        stage="Proposal",
        fields={
            "value": "12000.5",
            "expected_close": "2026-12-31",
            "probability": "0.8",
            "decision_maker": "yes",
        },
        follow_up=(now + timedelta(days=1), "email"),
    )
    won = add_prospect(now, "Globex", fields={"value": "100"})
    mark_won(won.id, now)
    assert prospect.id
    table = list(csv.reader(io.StringIO(export_text(now))))
    assert table[0] == list(COLUMNS)
    record = dict(zip(COLUMNS, table[1], strict=True))
    assert record["name"] == "Acme"
    assert record["value"] == "12000.50"
    assert record["expected_close"] == "2026-12-31"
    assert record["probability"] == "0.8"
    assert record["stage"] == "Proposal"
    assert record["created"] == "2026-11-23 09:30"
    assert record["closed"] == ""
    assert (record["next_follow_up"], record["next_follow_up_kind"]) == ("2026-11-27 09:30", "email")
    closed = dict(zip(COLUMNS, table[2], strict=True))
    assert (closed["stage"], closed["closed"], closed["value"]) == ("Won", "2026-11-26 09:30", "100")


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+34 600 000 000", "-5 discount", "@import", "=1+1"])
def test_formula_cells_are_escaped_and_import_back_to_the_same_text(db, tmp_path, now, text):
    add_prospect(now, text, fields={"notes": text, "phone": text, "contact": text})
    exported = export_text(now)
    record = dict(zip(COLUMNS, list(csv.reader(io.StringIO(exported)))[1], strict=True))
    for column in ("name", "notes", "phone", "contact"):
        assert record[column] == "'" + text, column

    other = open_database(tmp_path / "other.db")
    try:
        import_text(tmp_path, exported, now)
        [p] = rows()
        assert (p.name, p.notes, p.phone, p.contact) == (text, text, text, text)
        assert export_text(now) == exported
    finally:
        other.close()


def test_a_leading_apostrophe_of_its_own_survives_the_round_trip(db, tmp_path, now):
    for text in ("'=not a formula", "'tis the season", "'", "''=x"):
        add_prospect(now, f"P {text}", fields={"notes": text})
    exported = export_text(now)
    other = open_database(tmp_path / "other.db")
    try:
        import_text(tmp_path, exported, now)
        assert [p.notes for p in rows()] == ["'=not a formula", "'tis the season", "'", "''=x"]
        assert export_text(now) == exported
    finally:
        other.close()


def test_a_text_cell_after_its_apostrophe_is_read_as_typed_and_the_limits_hold(db, tmp_path, now):
    """A spreadsheet's ``'`` before a tab or line break: the text fields keep what follows,
    stripped like any cell, and the limits measure what is stored (or, for a cell too long to
    be one, what the file holds)."""
    notes = "'\t\t\t" + "n" * 10_000  # 10,000 characters once the prefix and tabs are off
    text = f'name,organization,email,notes\nA,\'\tAcme,\'\tjane@acme.com,"\'\r\nNote"\nB,,,"{notes}"\n'
    import_text(tmp_path, text, now)
    first, second = rows()
    assert (first.organization, first.email, first.notes) == ("Acme", "jane@acme.com", "Note")
    assert second.notes == "n" * 10_000

    too_long = "name,owner\nA,'=" + "x" * 99_999 + "\n"  # 100,001 characters in the file
    with pytest.raises(UserError, match=r"row 2, column owner: longer than 100,000 characters"):
        import_text(tmp_path, too_long, now)
    too_long_notes = "name,notes\nA,'\t" + "x" * 10_001 + "\n"
    with pytest.raises(UserError, match=r"row 2, column notes: notes is longer than 10,000 characters"):
        import_text(tmp_path, too_long_notes, now)


def test_a_big_import_writes_each_prospects_activity_summary(db, tmp_path, now):
    """10,000 rows go in with the follow-ups' triggers off (store.bulk): the import writes the
    one part of the summary a new prospect can have, a demo or trial to come."""
    kinds = ("demo", "call", "trial", "email")
    lines = [f"P{i},2026-12-0{1 + i % 9} 10:00,{kinds[i % 4]}" for i in range(bulk.DEFER_INDEXES_FROM)]
    import_text(tmp_path, "name,next_follow_up,next_follow_up_kind\n" + "\n".join(lines) + "\n", now)
    assert activity_out_of_step() == {}
    assert Prospect.select().where(Prospect.demo_or_trial == True).count() == len(lines) // 2  # noqa: E712


UNICODE_NOTES = "Première réunion: très positif\nSecond line — 価格を確認\n\n- bullet one\r\n- bullet two 🚀"


def _build_varied_pipeline(now: datetime) -> None:
    """Prospects in every kind of stage, with Unicode, multi-line notes and awkward values."""
    start = now - timedelta(days=40)
    a = add_prospect(
        start,
        "Société Générale d'Électricité",
        stage="Appointment",
        fields={
            "organization": "SGÉ",
            "contact": "Zoë Ñúñez",
            "title": "Directrice générale",
            "email": "zoe@sge.example",
            "phone": "+33 1 23 45 67 89",
            "decision_maker": "yes",
            "value": "12,345.67",
            "expected_close": "2027-01-31",
            "urgency": "high",
            "source": "référence",
            "probability": "0.3",
            "notes": UNICODE_NOTES,
        },
        follow_up=(now + timedelta(days=2, hours=3), "appointment"),
    )
    schedule(a.id, "call", now + timedelta(days=5), now)
    add_prospect(
        start,
        "株式会社テスト 🍣",
        fields={"contact": "山田 太郎", "notes": "見積もり依頼", "value": "990000", "urgency": "low"},
    )
    add_prospect(
        start,
        "\u200fשלום עולם\u200f",
        stage="Trial",
        fields={
            "contact": "\u202bمرحبا\u202c",
            "notes": "RTL: \u200fשלום\u200e and back",
            "decision_maker": "no",
        },
    )
    won = add_prospect(
        start, "Emoji 🎉 Deal", stage="Proposal", fields={"value": "0.99", "notes": '"Quoted" text, commas'}
    )
    mark_won(won.id, now - timedelta(days=2))
    lost = add_prospect(start, "Lost 🙁", fields={"value": "1000"})
    mark_lost(lost.id, "chose a cheaper tool; “price”", now - timedelta(days=1))
    moved = add_prospect(start, "Plain ASCII", fields={"probability": "0.123456789"})
    move_prospect(moved.id, "Qualified", now - timedelta(days=3))


def test_export_import_export_gives_the_same_csv(db, tmp_path, now):
    _build_varied_pipeline(now)
    first = export_text(now)
    assert "価格を確認" in first and "🚀" in first and "\u200f" in first
    assert "\r\n- bullet two" in first, "line breaks inside a note are kept as they are"

    path = write(tmp_path, first, "exported.csv")
    other = open_database(tmp_path / "fresh.db")
    try:
        parsed = parse_csv(path, now)
        assert parsed.unknown_columns == []
        import_parsed(parsed, str(path), now)
        second = export_text(now)
        assert second == first
        imported = {p.name: p for p in rows()}
        assert imported["Société Générale d'Électricité"].notes == UNICODE_NOTES
        assert imported["Société Générale d'Électricité"].value_cents == 1_234_567
        assert imported["Emoji 🎉 Deal"].value_cents == 99
        assert imported["Lost 🙁"].lost_reason == "chose a cheaper tool; “price”"
        assert stage_of(imported["\u200fשלום עולם\u200f"]) == "Trial"
    finally:
        other.close()


def test_exported_csv_is_plain_utf8_with_one_header(db, now):
    add_prospect(now, "Café")
    text = export_text(now)
    assert not text.startswith("\ufeff")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert text.encode("utf-8").decode("utf-8") == text


def test_import_into_a_named_pipeline(db, tmp_path, now):
    from pipeline_tui.services.setup import add_pipeline

    renewals = add_pipeline(
        "Renewals",
        (("Due", 0.5, "open", "lead"), ("Renewed", 1.0, "won", "won"), ("Lapsed", 0.0, "lost", "lost")),
    )
    path = write(tmp_path, "name,stage,closed\nAcme renewal,,\nGlobex renewal,renewed,2026-11-02\n")
    import_parsed(parse_csv(path, now), str(path), now, pipeline="renewals")
    assert [(p.pipeline_id, stage_of(p)) for p in rows()] == [(renewals.id, "Due"), (renewals.id, "Renewed")]
    with pytest.raises(UserError, match="column stage: no stage 'Renewed' in Sales"):
        import_text(tmp_path, "name,stage\nX,Renewed\n", now)  # the first pipeline, Sales, has no such stage


# -- a big file, read in two halves at once -------------------------------------------------------


def _parsed(path: Path, now: datetime, monkeypatch, *, halves: bool):
    """parse_csv of the file, in two halves (a forked child reads the second) or in one go;
    with halves, how many children started."""
    from pipeline_tui.io import csv_io
    from pipeline_tui.io.forked import Forked

    started = []
    original = Forked.start

    def start(work):
        child = original(work)
        started.append(child is not None)
        return child

    monkeypatch.setattr(Forked, "start", start)
    monkeypatch.setattr(csv_io, "PARALLEL_FROM", 0 if halves else 10**12)
    try:
        return parse_csv(path, now), started
    except UserError as exc:
        return str(exc), started


def _same_in_halves(path: Path, now: datetime, monkeypatch) -> list[bool]:
    halves, started = _parsed(path, now, monkeypatch, halves=True)
    whole, _ = _parsed(path, now, monkeypatch, halves=False)
    if isinstance(whole, str):
        assert halves == whole
    else:
        assert [p.plain() for p in halves.prospects] == [p.plain() for p in whole.prospects]
        assert (halves.unknown_columns, halves.columns) == (whole.unknown_columns, whole.columns)
        assert (halves.problems, halves.deleted) == (whole.problems, whole.deleted)
    return started


def _rows_text(count: int, bad: dict[int, str] | None = None) -> str:
    """A file of ``count`` rows, some with quoted cells over several lines and blank rows;
    ``bad``: row number (as a spreadsheet counts, the header is 1) -> a value for ``urgency``."""
    lines = ["name,notes,urgency,created,next_follow_up,next_follow_up_kind"]
    for row in range(2, count + 2):
        notes = f'"line one, of {row}\nline ""two""\n"' if row % 7 == 0 else f"note {row}"
        urgency = (bad or {}).get(row, ("low", "medium", "high")[row % 3])
        lines.append(f"Deal {row},{notes},{urgency},2026-0{1 + row % 9}-1{row % 10} 09:30,,")
        if row % 11 == 0:
            lines.append("")  # a blank row: counted, skipped
    return "\n".join(lines) + "\n"


def _record(row: int) -> int:
    """The number of ``_rows_text``'s row ``row`` as a spreadsheet counts: blank rows too."""
    return row + (row - 1) // 11


def test_a_file_read_in_two_halves_is_read_as_in_one_go(tmp_path, now, monkeypatch):
    path = write(tmp_path, _rows_text(3000))
    assert _same_in_halves(path, now, monkeypatch) == [True], "a child read the second half"
    parsed, _ = _parsed(path, now, monkeypatch, halves=True)
    last = [_record(row) for row in (2999, 3000, 3001)]
    assert [p.row for p in parsed.prospects][-3:] == last, "rows numbered across the cut"
    assert parsed.prospects[5].fields[12] == 'line one, of 7\nline "two"'  # row 7's notes, over lines


@pytest.mark.parametrize(
    "bad",
    [{2900: "urgent"}, {10: "soon", 2900: "urgent"}, {1642: "x", 1643: "y"}],
    ids=["in the second half", "in both halves", "around the middle"],
)
def test_bad_cells_in_either_half_are_the_ones_a_reading_in_one_go_names(tmp_path, now, monkeypatch, bad):
    path = write(tmp_path, _rows_text(3000, bad))
    _same_in_halves(path, now, monkeypatch)
    parsed, _ = _parsed(path, now, monkeypatch, halves=True)
    assert [(p.row, p.column) for p in parsed.problems] == [(_record(row), "urgency") for row in sorted(bad)]
    assert len(parsed.prospects) == 3000 - len(bad)


def test_a_cut_inside_a_quoted_cell_or_a_broken_file_reads_as_in_one_go(tmp_path, now, monkeypatch):
    # a stray quote in an unquoted cell makes the count of quotes before the middle odd: the
    # cut falls inside a quoted cell, the first half ends in it, and the file is read in one go
    text = _rows_text(3000).replace("note 3", 'note "3', 1)
    _same_in_halves(write(tmp_path, text, "stray.csv"), now, monkeypatch)
    unclosed = _rows_text(3000) + 'Last,"never closed\n'
    _same_in_halves(write(tmp_path, unclosed, "unclosed.csv"), now, monkeypatch)
    # a line break of its own (\r) inside quoted cells of the first half: csv counts it as a line
    carriage = _rows_text(3000).replace("\nline ", "\rline ") + 'Last,"x"y\n'
    assert _same_in_halves(write(tmp_path, carriage, "carriage.csv"), now, monkeypatch) == [True]


def test_when_the_child_fails_the_second_half_is_read_here(tmp_path, now, monkeypatch):
    from pipeline_tui.io.forked import Forked

    path = write(tmp_path, _rows_text(3000))
    whole, _ = _parsed(path, now, monkeypatch, halves=False)
    monkeypatch.setattr(Forked, "result", lambda self: self.discard())  # as if it had crashed
    monkeypatch.setattr("pipeline_tui.io.csv_io.PARALLEL_FROM", 0)
    assert [p.plain() for p in parse_csv(path, now).prospects] == [p.plain() for p in whole.prospects]


def _deals_text(count: int, changed: dict[int, str] | None = None) -> str:
    """A file of ``count`` deals, open, won and lost, some with follow-ups and another currency;
    ``changed``: row number -> a line of its own for that row."""
    lines = ["name,stage,status,created,closed,next_follow_up,next_follow_up_kind,value,currency,owner"]
    for row in range(2, count + 2):
        status = ("open", "won", "lost", "")[row % 4]
        stage = ("Lead", "Qualified", "Proposal")[row % 3] if status in ("open", "") else ""
        closed = f"2026-10-{1 + row % 28:02d} 1{row % 10}:00" if status in ("won", "lost") else ""
        follow_up = (
            f"2026-11-{1 + row % 28:02d} 10:00,{('call', 'demo', 'email')[row % 3]}" if row % 5 == 0 else ","
        )
        currency = "USD" if row % 13 == 0 else ""
        created = f"2026-0{1 + row % 9}-1{row % 10} 09:30"
        line = f"Deal {row},{stage},{status},{created},{closed},{follow_up},{row},{currency},o{row % 3}"
        lines.append((changed or {}).get(row, line))
    return "\n".join(lines) + "\n"


def _planned(path: Path, now: datetime, monkeypatch, *, as_read: bool, halves: bool = True):
    """The plan of the file (its Plan, or the refusal's text), planned as the halves read it or
    after the reading, and how many parts were planned as read."""
    from pipeline_tui.io import csv_io
    from pipeline_tui.services.importing import PlannedAsRead, plan_import

    options = ImportOptions(keep_owner=True, currencies=Currencies(home="EUR", rates={"USD": 0.9}))
    monkeypatch.setattr(csv_io, "PARALLEL_FROM", 0 if halves else 10**12)
    try:
        planner = PlannedAsRead(options, now) if as_read else None
        parsed = parse_csv(path, now, home="EUR", planner=planner)
        parts = None if parsed.planned is None else len(parsed.planned)
        return plan_import(parsed, str(path), now, options), parts
    except UserError as exc:
        return f"{exc}\n{getattr(exc, 'details', '')}", None


def test_the_halves_plan_their_rows_as_a_plan_after_the_reading_would(db, tmp_path, now, monkeypatch):
    path = write(tmp_path, _deals_text(3000))
    after, _ = _planned(path, now, monkeypatch, as_read=False)
    as_read, parts = _planned(path, now, monkeypatch, as_read=True)
    assert parts == 2, "each half planned its own rows"
    assert as_read == after  # rows, stage changes, follow-ups, and the summary with its orders
    assert _planned(path, now, monkeypatch, as_read=True, halves=False) == (after, 1)
    assert after.summary.count == 3000 and after.follow_ups and after.summary.currencies["USD"]


@pytest.mark.parametrize(
    "changed",
    [
        {10: "Early,Nowhere,,,,,,,,"},  # a stage we lack, in the first half only
        {2900: "Late,,won,,,,,,,"},  # won without its time, in the second half only
        {10: "Early,,,2030-01-01,,,,,,", 2900: "Late,,,,,,,5,JPY,"},  # in both: the future, a rate
        {2900: "Late,,,,,,,,,", 2901: "Later,,,,2026-13-01,,,,,"},  # a bad date: the file's problem
    ],
    ids=["first half", "second half", "both halves", "a cell"],
)
def test_a_file_with_a_problem_in_either_half_is_refused_as_after_the_reading(
    db, tmp_path, now, monkeypatch, changed
):
    path = write(tmp_path, _deals_text(3000, changed))
    after, _ = _planned(path, now, monkeypatch, as_read=False)
    assert isinstance(after, str) and "row" in after
    assert _planned(path, now, monkeypatch, as_read=True) == (after, None)


def test_a_forked_child_hands_back_its_result_or_none():
    from pipeline_tui.io.forked import Forked

    assert Forked.start(lambda: ("text", 1, 2.5, None, (True, b"x"))).result() == (
        "text",
        1,
        2.5,
        None,
        (True, b"x"),
    )
    assert Forked.start(lambda: 1 / 0).result() is None, "it raised"
    assert Forked.start(lambda: object()).result() is None, "not marshallable"
    slow = Forked.start(lambda: __import__("time").sleep(30))
    slow.discard()  # at once, not in 30 s
    slow.discard()  # twice is harmless


@given(st.text(alphabet="0123456789/.-a ,\n", max_size=40))
def test_a_numeric_date_is_found_by_the_quick_look_as_by_the_whole_pattern(text):
    """The look for a separator and a year first finds exactly what the whole pattern finds."""
    from pipeline_tui.io.csv_io import _NUMERIC_DATE_RE, has_numeric_date

    assert has_numeric_date(text) == bool(_NUMERIC_DATE_RE.search(text))


@given(st.sampled_from(["phone", "notes", "value", "created"]), st.text(alphabet="'=+-@\t\r a1", max_size=12))
def test_a_cell_s_apostrophe_is_taken_off_quickly_as_by_the_whole_rule(column, rest):
    """The quick way for one ``'`` before a formula character gives what the whole rule gives
    (the prefix off when what follows looks like a formula; a text field stripped again)."""
    from pipeline_tui.io.csv_io import _TEXT_FIELDS, _undefuse, _undefused_cell

    text = ("'" + rest).strip()  # as a cell reaches it: stripped, starting with '
    whole = _undefuse(text)
    assert _undefused_cell(column, text) == (whole.strip() if column in _TEXT_FIELDS else whole)


def test_the_date_a_summary_quotes_is_the_first_in_the_file_whatever_the_hash_seed(tmp_path):
    """The values were kept in sets, so `import` and `--dry-run` of one file quoted a different
    date each run ("(29/01/2027 reads only day first)", then "(18/12/2026 …)"); the column
    order of the summary moved too. Two processes with other hash seeds must agree."""
    import os
    import subprocess
    import sys

    lines = ["name,expected_close,created"] + [f"D{n},{13 + n}/12/2026,{13 + n}/01/2026" for n in range(15)]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    said = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "HOME": str(tmp_path)}
        done = subprocess.run(
            [sys.executable, "-m", "pipeline_tui", "--db", str(tmp_path / "x.db")]
            + ["--now", "2026-11-26 09:30", "import", str(tmp_path / "d.csv"), "--dry-run"],
            capture_output=True, text=True, env=env, check=True,
        )  # fmt: skip
        said.add(done.stdout.splitlines()[-1])
    assert said == {
        "  dates read day/month/year in expected_close, created (13/12/2026 reads only day first)"
    }


@given(st.text(alphabet="0123456789-: T+Z.", min_size=8, max_size=20))
def test_plain_iso_dates_read_as_the_iso_rule_reads_them(text):
    from pipeline_tui.core.iso_dates import parse_iso
    from pipeline_tui.io.csv_io import _plain_iso

    stored = _plain_iso(text)
    if stored is not None:
        assert stored == str(parse_iso(text))


@given(
    st.datetimes(min_value=datetime(1000, 1, 1)),
    st.sampled_from(["%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]),
)
def test_plain_iso_dates_take_the_quick_path(moment, form):
    from pipeline_tui.core.iso_dates import parse_iso
    from pipeline_tui.io.csv_io import _plain_iso

    text = moment.strftime(form)
    assert _plain_iso(text) == str(parse_iso(text))
