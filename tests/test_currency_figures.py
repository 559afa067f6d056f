"""Every figure in the home currency (README "Money"), each checked against arithmetic done by
hand: deals in euros, yen and dollars on the board (cards, column totals, the won strip), in
the report (stages, forecast, quota, lost reasons), its text and its JSON."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from pipeline_tui.core.money import Currencies
from pipeline_tui.core.settings import Settings
from pipeline_tui.services import views
from pipeline_tui.services.board import BoardReader
from pipeline_tui.services.prospects import add_prospect, edit_prospect, mark_lost, mark_won
from pipeline_tui.services.setup import set_quota

# home EUR; one dollar is worth 0.5 EUR, one yen 0.01 EUR (round numbers: the sums are exact)
SETTINGS = Settings(currency=Currencies("EUR", {"USD": 0.5, "JPY": 0.01}))
CONFIG = '[currency]\nhome = "EUR"\n[currency.rates]\nUSD = 0.5\nJPY = 0.01\n'

# by hand, in euro cents
EURO_DEAL = 100_000  # €1,000, Proposal at its stage's odds (0.75)
YEN_DEAL = 1_000_000  # ¥1,000,000 = €10,000, Proposal at its own odds 0.5
DOLLAR_LEAD = 100_000  # $2,000 = €1,000, Lead at its stage's odds (0.10)
DOLLAR_WON = 200_000  # $4,000 = €2,000, won this quarter
YEN_LOST = 30_000  # ¥30,000 = €300, lost to "price"
PROPOSAL_WEIGHTED = EURO_DEAL * 0.75 + YEN_DEAL * 0.5  # 575,000


def _deals(now) -> dict[str, int]:
    close = f"{now:%Y-%m}-28"  # this month: both Proposal deals are in its forecast
    ids = {
        "euro": add_prospect(
            now, "Euro", stage="Proposal", fields={"value": "1000", "expected_close": close}
        ),
        "yen": add_prospect(
            now,
            "Yen",
            stage="Proposal",
            fields={"value": "¥1,000,000", "probability": "50%", "expected_close": close},
        ),
        "lead": add_prospect(now, "Dollar lead", fields={"value": "$2,000"}),
        "won": add_prospect(now, "Dollar won", stage="Proposal", fields={"value": "2000", "currency": "USD"}),
        "lost": add_prospect(now, "Yen lost", fields={"value": "30000", "currency": "JPY"}),
    }
    ids = {key: prospect.id for key, prospect in ids.items()}
    edit_prospect(ids["won"], now, {"value": "4000"})  # still dollars: an edit keeps the currency
    mark_won(ids["won"], now)
    mark_lost(ids["lost"], "price", now)
    set_quota(1_000_000, "quarter", now)
    return ids


def test_the_board_counts_every_currency_at_home_and_shows_each_deals_own(db, now):
    ids = _deals(now)
    board = BoardReader(SETTINGS).read(now)
    heads = {head.title: head for head, _ in board.columns}
    assert heads["Proposal"].value == EURO_DEAL + YEN_DEAL
    assert heads["Proposal"].weighted_value == pytest.approx(PROPOSAL_WEIGHTED)
    assert (heads["Lead"].value, heads["Lead"].weighted_value) == (
        DOLLAR_LEAD,
        pytest.approx(DOLLAR_LEAD * 0.1),
    )
    assert board.strip.won == (1, DOLLAR_WON) and board.strip.lost == (1, YEN_LOST)
    cards = {card.id: card for _, cards in board.columns for card in cards}
    yen = cards[ids["yen"]]
    assert (yen.value, yen.currency, yen.amount) == (YEN_DEAL, "JPY", 100_000_000)
    assert (cards[ids["euro"]].currency, cards[ids["euro"]].amount) == ("", EURO_DEAL)
    assert views.prospect_detail(ids["yen"], now, SETTINGS).value_text == "¥1,000,000 (10,000 EUR)"


def test_the_board_follows_a_deal_whose_currency_changes(db, now):
    ids = _deals(now)
    reader = BoardReader(SETTINGS)
    reader.read(now)
    edit_prospect(ids["euro"], now, {"currency": "JPY"})  # €1,000 was ¥1,000 all along: €10
    heads = {head.title: head for head, _ in reader.read(now + timedelta(minutes=1)).columns}
    assert heads["Proposal"].value == 1_000 + YEN_DEAL


def test_the_report_counts_every_currency_at_home(db, now):
    _deals(now)
    report = views.report(now, SETTINGS)
    stages = {s.stage.name: s for s in report.stages}
    assert (stages["Proposal"].value, stages["Won"].value, stages["Lost"].value) == (
        EURO_DEAL + YEN_DEAL,
        DOLLAR_WON,
        YEN_LOST,
    )
    assert stages["Proposal"].weighted_value == pytest.approx(PROPOSAL_WEIGHTED)
    assert stages["Lead"].value == DOLLAR_LEAD
    month = report.forecast[0]
    assert (month.count, month.weighted_value, month.won) == (2, pytest.approx(PROPOSAL_WEIGHTED), DOLLAR_WON)
    expected = PROPOSAL_WEIGHTED + DOLLAR_LEAD * 0.1  # every open deal at its odds
    assert (report.quota.won, report.quota.expected) == (DOLLAR_WON, round(expected))
    assert report.quota.gap == 1_000_000 - DOLLAR_WON - round(expected)
    assert report.quota.average_won_value == DOLLAR_WON
    (reason,) = report.lost_reasons
    assert (reason.reason, reason.value) == ("price", YEN_LOST)


def test_the_reports_text_and_json_say_the_same_home_figures(cli, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    env = {"PIPELINE_TUI_CONFIG": str(config)}
    cli("add", "Euro", "--stage", "Proposal", "--value", "1000", env=env, check=True)
    cli(
        "add",
        "Yen",
        "--stage",
        "Proposal",
        "--value",
        "¥1,000,000",
        "--probability",
        "50%",
        env=env,
        check=True,
    )
    data = json.loads(cli("report", "--json", env=env, check=True).stdout)
    proposal = next(s for s in data["stages"] if s["name"] == "Proposal")
    assert (proposal["value"], proposal["weighted_value"]) == (11_000, 5_750)
    text = cli("report", env=env, check=True).stdout
    (line,) = [line for line in text.splitlines() if line.startswith("Proposal")]
    assert line.split()[1:4] == ["2", "11,000", "5,750"]


def test_the_agenda_and_show_say_each_deals_own_currency(db, now):
    from pipeline_tui.io.shapes import agenda_json, prospect_json
    from pipeline_tui.services.agenda import agenda

    soon = (now + timedelta(hours=2), "call")
    yen = add_prospect(now, "Yen", fields={"value": "¥1,000,000"}, follow_up=soon)
    add_prospect(now, "Euro", fields={"value": "1000"}, follow_up=soon)
    said = {
        item["prospect"]: (item["value"], item["currency"]) for item in agenda_json(agenda(now, 7), "EUR")
    }
    assert said == {"Yen": (1_000_000, "JPY"), "Euro": (1_000, "EUR")}
    shown = prospect_json(views.prospect_detail(yen.id, now, SETTINGS), now, "EUR")
    assert (shown["value"], shown["currency"]) == (1_000_000, "JPY")


def test_an_organizations_lifetime_won_value_is_counted_at_home(db, now):
    from pipeline_tui.services.organizations import organization_view

    euro = add_prospect(now, "Acme euro", fields={"value": "1000", "organization": "Acme"})
    dollar = add_prospect(now, "Acme dollar", fields={"value": "$2,000", "organization": "Acme"})
    mark_won(euro.id, now)
    mark_won(dollar.id, now)
    view = organization_view(euro.org_id, SETTINGS.currency)
    assert view.won_value == EURO_DEAL + DOLLAR_LEAD  # €1,000 + $2,000 at 0.5
    assert {d.name: (d.value, d.currency) for d in view.deals} == {
        "Acme euro": (100_000, ""),
        "Acme dollar": (200_000, "USD"),
    }
    # the pane's glance of the organization, from a third deal of it: the same, at home
    yen = add_prospect(now, "Acme yen", fields={"value": "¥1,500,000", "organization": "Acme"})
    glance = views.prospect_detail(yen.id, now, SETTINGS).organization
    assert (glance.other_deals, glance.won_value) == (2, EURO_DEAL + DOLLAR_LEAD)
    assert {d.name: (d.value, d.currency) for d in glance.newest} == {
        "Acme euro": (100_000, ""),
        "Acme dollar": (200_000, "USD"),
    }
