"""The call block and cadences in the app (issue 19), pressed through the Pilot and checked on
screen, in the database and in what was handed to the desktop."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from pipeline_tui.core.cadences import parse_cadence
from pipeline_tui.services.cadences import running_cadence, start_cadence
from pipeline_tui.services.follow_ups import schedule
from pipeline_tui.services.prospects import add_prospect
from pipeline_tui.store.models import FollowUp
from tests.ui.test_morning import footer_text, pane_screen, settle

SIZE = (120, 40)
DEMO = parse_cadence("after-demo", ["call +2d", "email +3d", "call +5d"])


def ten_calls(now) -> list[int]:
    """Ten prospects, each with a call due: four overdue, six later today."""
    ids = []
    for n in range(10):
        prospect = add_prospect(
            now - timedelta(days=20),
            f"Deal {n:02d}",
            fields={
                "contact": f"Contact {n}",
                "phone": f"+34 600 000 0{n:02d}",
                "value": str(1000 * (n + 1)),
            },
        )
        due = now - timedelta(days=n + 1) if n < 4 else now + timedelta(minutes=15 * n)
        ids.append(schedule(prospect.id, "call", due, now - timedelta(days=21)).id)
    return ids


class Presser:
    """Presses keys and counts them."""

    def __init__(self, pilot) -> None:
        self.pilot, self.count = pilot, 0

    async def __call__(self, *keys: str) -> None:
        self.count += len(keys)
        await settle(self.pilot, *keys)


@pytest.fixture
def dialled(monkeypatch):
    """The desktop's link opener, recorded: it says a program took the link."""
    links: list[str] = []

    def open_link(url: str) -> bool:
        links.append(url)
        return True

    monkeypatch.setattr("pipeline_tui.io.desktop.open_link", open_link)
    return links


async def test_ten_calls_take_no_more_keys_in_the_call_block_than_on_the_agenda(
    db, make_app, now, tmp_path, dialled
):
    from pipeline_tui.store.db import open_database

    # the agenda, as triage goes today: d (done) and enter (keeping the next step offered)
    on_agenda = ten_calls(now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        press = Presser(pilot)
        await pilot.pause()
        await press("2")
        for _ in on_agenda:
            await press("d", "enter")
        agenda_keys = press.count
    assert FollowUp.select().where(FollowUp.id.in_(on_agenda), FollowUp.done_at == now).count() == 10

    # the call block on the same calls: b, then for each call c (dial) and enter
    open_database(tmp_path / "block.db")
    in_block = ten_calls(now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        press = Presser(pilot)
        await pilot.pause()
        await press("b")
        assert "Call block · 10 to go" in str(app.screen.query_one("#calls-summary").content)
        assert "Deal 03" in str(app.screen.query_one("#call-card").content)  # overdue first, oldest first
        for _ in in_block:
            await press("c", "enter")
        block_keys = press.count
        assert "Call block done: 10 calls made" in footer_text(app)
    assert block_keys <= agenda_keys, (block_keys, agenda_keys)
    assert (block_keys, agenda_keys) == (21, 21)  # the note's figures: two keys a call, both ways
    done = FollowUp.select().where(FollowUp.id.in_(in_block), FollowUp.done_at == now).count()
    assert done == 10
    assert sorted(dialled) == [f"tel:+346000000{n:02d}" for n in range(10)]
    next_steps = FollowUp.select().where(FollowUp.done_at.is_null(), FollowUp.kind == "call").count()
    assert next_steps == 10, "each call left its next step"


async def test_without_a_phone_program_the_number_is_copied_and_said(db, make_app, now, monkeypatch):
    monkeypatch.setattr("pipeline_tui.io.desktop.open_link", lambda url: False)
    ten_calls(now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "b", "c")
        assert app.clipboard == "+34 600 000 003"
        await settle(pilot, "escape")  # the outcome form, cancelled: the call stays to make
        assert "No phone program for tel: links: +34 600 000 003 copied" in footer_text(app)
        assert "10 to go" in str(app.screen.query_one("#calls-summary").content)
        await settle(pilot, "s", "j", "escape")
        assert "Snoozed to" in footer_text(app)
    assert FollowUp.select().where(FollowUp.done_at.is_null(False)).count() == 0


async def test_the_call_block_offers_the_advice_s_next_step(db, make_app, now, dialled):
    prospect = add_prospect(
        now, "Acme", stage="Qualified", fields={"phone": "555 0100", "decision_maker": "yes"}
    )
    schedule(prospect.id, "call", now - timedelta(hours=1), now - timedelta(days=1))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "b")
        card = str(app.screen.query_one("#call-card").content)
        assert "book the appointment" in card and "Next step offered: appointment" in card
        await settle(pilot, "c")
        assert "Suggested next: book the appointment" in " ".join(
            str(static.content) for static in app.screen.query("Static")
        )
        await settle(pilot, "enter")
    assert dialled == ["tel:5550100"]
    [booked] = FollowUp.select().where(FollowUp.done_at.is_null())
    assert booked.kind == "appointment"


async def test_e_opens_the_email_from_the_template_and_logs_it(
    db, make_app, now, dialled, tmp_path, monkeypatch
):
    from pipeline_tui.config import load_settings

    config = tmp_path / "config.toml"
    config.write_text(
        '[templates.email]\nsubject = "Offer for {name} & more?"\nbody = "Hi {first_name},\\nsee you"\n',
        encoding="utf-8",
    )
    prospect = add_prospect(
        now, "Acme <fleet>", fields={"contact": "Jane Roe", "email": "jane@acme.com", "phone": "1"}
    )
    schedule(prospect.id, "call", now, now)
    app = make_app(settings=load_settings(config))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "b", "e")
        await settle(pilot, "enter")
        assert "Email to jane@acme.com opened and logged" in footer_text(app)
    [link] = dialled
    parts = urlsplit(link)
    assert parts.scheme == "mailto" and parts.path == "jane@acme.com"
    query = parse_qs(parts.query)
    assert query == {"subject": ["Offer for Acme <fleet> & more?"], "body": ["Hi Jane,\r\nsee you"]}
    [email] = FollowUp.select().where(FollowUp.kind == "email")
    assert (email.done_at, email.notes) == (now, "Offer for Acme <fleet> & more?")


async def test_an_emails_value_names_the_deals_own_currency(db, make_app, now, dialled, tmp_path):
    from pipeline_tui.config import load_settings

    config = tmp_path / "config.toml"
    config.write_text(
        '[currency]\nhome = "EUR"\n[currency.rates]\nJPY = 0.0061\n'
        '[templates.email]\nsubject = "Offer: {value}"\nbody = "{name} for {value}"\n',
        encoding="utf-8",
    )
    settings = load_settings(config)
    fields = {"email": "ko@sakura.example", "value": "1500000", "currency": "JPY"}
    prospect = add_prospect(now, "Sakura rollout", fields=fields, currencies=settings.currency)
    schedule(prospect.id, "call", now, now)
    app = make_app(settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "b", "e", "enter")
    query = parse_qs(urlsplit(dialled[0]).query)
    assert query == {"subject": ["Offer: ¥1,500,000"], "body": ["Sakura rollout for ¥1,500,000"]}


async def test_the_pane_shows_the_cadence_and_C_stops_it(db, make_app, now):
    prospect = add_prospect(now, "Acme fleet")
    first = start_cadence(prospect.id, DEMO, now - timedelta(days=3))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "2", "enter")
        assert isinstance(app.screen, pane_screen())
        text = app.screen.pane.text()
        assert "Cadence after-demo, step 1 of 3" in text.replace("\u00a0", " ")
        assert "↻ step 1 of 3" in text.replace("\u00a0", " ")
        await settle(pilot, "C")
        assert "Stop the after-demo cadence (step 1) of Acme fleet?" in " ".join(
            str(static.content) for static in app.screen.query("Static")
        )
        await settle(pilot, "y")
        assert "Stopped what ran by itself for Acme fleet" in footer_text(app)
        assert "Cadence" not in app.screen.pane.text().split("Next steps")[1].split("\n")[1]
    assert running_cadence(prospect.id) is None
    assert FollowUp.get_or_none(FollowUp.id == first.id) is None


async def test_done_on_a_cadence_step_says_the_next_one_in_the_dialog_and_the_footer(db, make_app, now):
    prospect = add_prospect(now, "Acme fleet")
    start_cadence(prospect.id, DEMO, now - timedelta(days=3))  # its call was due yesterday
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "2", "d")
        said = " ".join(str(static.content) for static in app.screen.query("Static"))
        assert "after-demo, step 1 of 3 · next: email Mon 09:00, step 2 of 3" in said
        assert not app.screen.query("#field-next_when"), "the cadence says the next step: none asked"
        await settle(pilot, "enter")
        assert "Done: call with Acme fleet; next: email Mon 09:00, step 2 of 3" in footer_text(app)
    [step] = FollowUp.select().where(FollowUp.done_at.is_null())
    # +3d from Thursday 09:30 is Sunday: Monday, at the working hour
    assert (step.kind, step.cadence_step, step.due_at) == (
        "email",
        2,
        now.replace(hour=9, minute=0) + timedelta(days=4),
    )


async def test_C_on_the_board_starts_the_cadence_that_fits_the_stage(db, make_app, now):
    prospect = add_prospect(now, "Acme fleet", stage="Trial")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "l", "l", "l", "C")
        assert app.screen.query_one("#field-cadence").value == "trial"
        await settle(pilot, "enter")
        assert "Started trial for Acme fleet: call tomorrow" in footer_text(app)
    assert running_cadence(prospect.id).name == "trial"


async def test_b_says_so_when_no_call_is_due(db, make_app, now):
    add_prospect(now, "Acme fleet")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "b")
        assert "No call due today or overdue." in footer_text(app)


async def test_hostile_text_in_the_call_block_is_shown_as_text(db, make_app, now, dialled):
    prospect = add_prospect(
        now,
        "[bold]Evil[/] \x1b[2J 電話",
        fields={"phone": "+34 600 [@click=app.quit]1", "contact": "[@click=app.quit]Jo"},
    )
    schedule(prospect.id, "call", now - timedelta(hours=1), now - timedelta(days=1), "[red]ring[/]")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "b")
        card = app.screen.query_one("#call-card").content
        assert "[bold]Evil[/]" in str(card) and "電話" in str(card) and "\x1b" not in str(card)
        assert "[@click=app.quit]Jo" in str(card) and "[red]ring[/]" in str(card)
        await settle(pilot, "c", "enter")
        assert app.is_running and "Call block done: 1 call made" in footer_text(app)
    assert dialled == ["tel:+346001"]  # the digits alone: no text of the field reaches the link
    assert FollowUp.select().where(FollowUp.done_at == now).count() == 1
