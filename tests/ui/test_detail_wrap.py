"""The detail pane at 80×24: an email address and the stage line wrap where a reader expects."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from pipeline_tui.services.prospects import add_prospect
from pipeline_tui.ui.widgets.prospect_detail import SEPARATORS, _separated, wrapped_at_separators
from tests.ui.helpers import board_of, focused_card


async def test_a_long_address_breaks_before_its_at_and_no_line_ends_with_a_separator(db, make_app, now):
    fields = {
        "organization": "Quarry Printing",
        "contact": "David Soler",
        "email": "david.soler@quarryprinting.example",
        "phone": "+34 645837779",
    }
    add_prospect(now - timedelta(days=21), "Quarry Printing pilot", stage="Proposal", fields=fields)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"llll")  # to the Proposal column
        await pilot.pause()
        assert focused_card(app).name == "Quarry Printing pilot"
        await pilot.press("enter")
        await pilot.pause()
        pane = board_of(app).detail
        assert pane.scrollable_content_region.width < 40  # narrow enough for both to wrap
        lines = [line.strip() for line in pane.text().splitlines()]
    assert lines[1:6] == [
        "Proposal · Sales",
        "21 days in stage",
        "Quarry Printing · David Soler",
        "david.soler",
        "@quarryprinting.example",
    ]
    assert lines[6] == "+34 645837779"
    assert not [line for line in lines if line.endswith("·") or line.startswith("·")]


words = st.text(st.sampled_from("ab.@ 全"), min_size=1, max_size=12)


@given(
    st.lists(st.tuples(words, st.sampled_from([None, "address", "muted"])), max_size=6), st.integers(1, 30)
)
def test_separators_never_end_or_start_a_line_and_nothing_else_is_lost(items, width):
    lines = wrapped_at_separators([("\n", None), *_separated(items)], width)
    assert all(line[0][1] not in SEPARATORS and line[-1][1] not in SEPARATORS for line in lines if line)
    shown = "".join(text for line in lines for text, role in line if role not in SEPARATORS)
    assert "".join(shown.split()) == "".join("".join(text for text, _ in items).split())


async def test_a_contacts_address_and_phone_keep_the_peoples_margin_when_they_wrap(db, make_app, now):
    from pipeline_tui.services import contacts

    deal = add_prospect(now, "Quarry Printing pilot", fields={"organization": "Quarry Printing"})
    person = {"name": "Bo Li", "role": "gatekeeper", "phone": "+34 645837779"}
    contacts.add_contact(deal.id, now, {**person, "email": "bo.li.purchasing@quarryprinting.example"})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_prospect(deal.id)
        await pilot.pause(0.3)
        pane = board_of(app).detail
        assert pane.scrollable_content_region.width < 40  # the address and phone share no line
        lines = pane.text().splitlines()
    start = lines.index("People") + 1
    assert lines[start].startswith("Bo Li")
    reach = ["  bo.li.purchasing", "  @quarryprinting.example", "  +34 645837779"]
    assert lines[start + 1 : start + 4] == reach
