"""A deal in another currency through the app (README "Money"): the add form's currency field,
refused without a rate in the command line's words, and the board's card showing the deal's
own amount while its column counts it at home; snapshots at 120x40 and 80x24."""

from __future__ import annotations

import pytest

from pipeline_tui.core.money import Currencies
from pipeline_tui.core.settings import Settings
from pipeline_tui.store.models import Prospect
from pipeline_tui.ui.screenshots import PINNED_NOW, SIZE, SMALL
from pipeline_tui.ui.widgets.forms import FormScreen
from tests.ui.helpers import cards_in, focused_card, screen_text

SETTINGS = Settings(currency=Currencies("EUR", {"JPY": 0.01, "USD": 0.5}))
NO_RATE = "no rate for {}: add {} = … under [currency.rates] in config.toml"  # the CLI's words


def hint(app, field: str) -> str:
    """What the form says under a field (its preview, or why it is refused)."""
    from textual.widgets import Static

    return str(app.screen.query_one(f"#hint-{field}", Static).render())


async def test_the_add_form_takes_a_currency_and_refuses_one_without_a_rate(demo_db, make_app):
    app = make_app(settings=SETTINGS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        count = Prospect.select().count()
        # name, organization, contact, value, currency
        await pilot.press("n", *"Tokyo fleet", "tab", "tab", "tab", *"1500000", "tab", *"krw", "enter")
        await pilot.pause()
        assert NO_RATE.format("KRW", "KRW") in hint(app, "currency") and Prospect.select().count() == count
        await pilot.press("backspace", "backspace", "backspace", *"jpy", "enter")
        await pilot.pause()
        deal = Prospect.get(Prospect.name == "Tokyo fleet")
        assert (deal.currency, deal.value_cents) == ("JPY", 150_000_000)
        (card,) = [card for card in cards_in(app, "Lead") if card.id == deal.id]
        assert (card.value, card.currency, card.amount) == (1_500_000, "JPY", 150_000_000)  # €15,000 at home
        assert "¥1.5M" in screen_text(app)


async def test_a_value_whose_sign_names_a_currency_without_a_rate_is_refused_in_the_form(demo_db, make_app):
    app = make_app(settings=SETTINGS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        count = Prospect.select().count()
        await pilot.press("n", *"Zurich", "tab", "tab", "tab", *"CHF12k", "enter")
        await pilot.pause()
        assert NO_RATE.format("CHF", "CHF") in hint(app, "value") and Prospect.select().count() == count
        assert isinstance(app.screen, FormScreen), "the form stays open"


async def test_the_edit_form_changes_a_deals_currency_and_counts_it_at_home(demo_db, make_app):
    app = make_app(settings=SETTINGS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card = focused_card(app)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one("#field-currency").value == ""  # the home one
        app.screen.query_one("#field-currency").focus()
        await pilot.press(*"krw", "enter")
        await pilot.pause()
        assert NO_RATE.format("KRW", "KRW") in hint(app, "currency")
        assert Prospect.get_by_id(card.id).currency == ""
        app.screen.query_one("#field-value").focus()
        await pilot.press(
            "ctrl+a", "ctrl+k", *"usd12k", "enter"
        )  # the value's sign: the currency field must agree
        await pilot.pause()
        app.screen.query_one("#field-currency").focus()
        await pilot.press("ctrl+a", "ctrl+k", "enter")  # empty: the value's sign says USD
        await pilot.pause()
        deal = Prospect.get_by_id(card.id)
        assert (deal.currency, deal.value_cents) == ("USD", 1_200_000)
        (shown,) = [c for c in cards_in(app, "Lead") if c.id == card.id]
        assert (shown.value, shown.amount) == (600_000, 1_200_000)  # $12k = €6,000


async def test_the_value_preview_shows_the_amount_in_the_currency_field_as_it_changes(db, make_app, now):
    from pipeline_tui.services.prospects import add_prospect

    add_prospect(
        now, "Tokyo fleet", fields={"value": "1500000", "currency": "JPY"}, currencies=SETTINGS.currency
    )
    app = make_app(settings=SETTINGS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert hint(app, "value") == "→ ¥1,500,000"  # not 1,500,000 as if in euros
        app.screen.query_one("#field-currency").focus()
        await pilot.press("ctrl+a", "ctrl+k", *"usd")
        await pilot.pause()
        assert hint(app, "value") == "→ $1,500,000"
        await pilot.press("ctrl+a", "ctrl+k")
        await pilot.pause()
        assert hint(app, "value") == "→ 1,500,000"  # the home currency


@pytest.fixture
def foreign_cards(demo_db, now):
    from pipeline_tui.services.prospects import add_prospect

    add_prospect(now, "Tokyo fleet", stage="Lead", fields={"value": "¥1,500,000", "decision_maker": "yes"})
    add_prospect(now, "Boston pilot", stage="Lead", fields={"value": "$12k"})
    return demo_db


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_a_board_with_foreign_currency_cards(size, foreign_cards, snap_compare):
    from pipeline_tui.ui.app import PipelineApp

    app = PipelineApp(now=PINNED_NOW, poll=False, settings=SETTINGS)
    assert snap_compare(app, terminal_size=size)
