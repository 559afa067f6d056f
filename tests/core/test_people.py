"""The rules of a deal's people: roles, whom a one-line view names, whether someone who can buy
is confirmed, and when two organization names are one or only look alike."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline_tui.core.people import (
    CONTACT_ROLES,
    Contact,
    decision_maker_of,
    looks_alike,
    organization_key,
    parse_role,
    primary_contact,
)
from pipeline_tui.errors import UserError


def person(cid: int, name: str, role: str | None = None) -> Contact:
    return Contact(cid, name, role)


@pytest.mark.parametrize(
    "typed, role",
    [
        ("decision-maker", "decision-maker"),
        ("Decision Maker", "decision-maker"),
        ("dm", "decision-maker"),
        ("GATEKEEPER", "gatekeeper"),
        ("influencer", "influencer"),
        ("user", "user"),
        ("other", "other"),
        ("", None),
        ("unknown", None),
    ],
)
def test_roles_as_typed(typed, role):
    assert parse_role(typed) == role


def test_a_role_that_is_none_of_the_five_is_refused():
    with pytest.raises(UserError, match="decision-maker, influencer, user, gatekeeper, other"):
        parse_role("boss")


def test_a_decision_maker_confirms_it_whatever_the_others_are():
    contacts = [person(1, "Ann Roe"), person(2, "Bo Li", "gatekeeper"), person(3, "Cy Fox", "decision-maker")]
    assert decision_maker_of(contacts) == "yes"
    assert primary_contact(contacts).name == "Cy Fox"


def test_without_a_decision_maker_the_contact_to_ask_is_the_one_whose_role_is_not_known():
    contacts = [person(1, "Bo Li", "gatekeeper"), person(2, "Ann Roe")]
    assert decision_maker_of(contacts) == "unknown"
    assert primary_contact(contacts).name == "Ann Roe"


def test_contacts_all_known_not_to_decide_say_no():
    contacts = [person(1, "Bo Li", "gatekeeper"), person(2, "Ann Roe", "influencer")]
    assert decision_maker_of(contacts) == "no"
    assert primary_contact(contacts).name == "Bo Li"


@pytest.mark.parametrize("flag", ["yes", "no", "unknown"])
def test_without_contacts_the_deals_own_flag_stands(flag):
    assert decision_maker_of([], flag) == flag
    assert primary_contact([]) is None


@given(st.lists(st.sampled_from([*CONTACT_ROLES, None]), max_size=6))
def test_confirmed_exactly_when_a_contact_has_the_decision_maker_role(roles):
    contacts = [person(i, f"P{i}", role) for i, role in enumerate(roles)]
    assert (decision_maker_of(contacts) == "yes") == ("decision-maker" in roles)
    if contacts:
        assert primary_contact(contacts) in contacts


@pytest.mark.parametrize(
    "first, second",
    [("Ròtul SA", "rotul  sa"), ("ACME", "acme"), (" Café  Olé ", "cafe ole"), ("Straße", "STRASSE")],
)
def test_case_accents_and_spacing_make_one_organization(first, second):
    assert organization_key(first) == organization_key(second)
    assert not looks_alike(first, second), "the same one: never offered as a merge"


@pytest.mark.parametrize(
    "first, second",
    [("Acme", "Acme Inc."), ("Globex", "Globex Corporation"), ("Northwind Traders", "Northwind Tradres")],
)
def test_names_that_only_look_alike_are_offered(first, second):
    assert organization_key(first) != organization_key(second)
    assert looks_alike(first, second) and looks_alike(second, first)


@pytest.mark.parametrize(
    "first, second", [("Acme", "Apex"), ("Oakridge Schools", "Oakridge Bakery"), ("IBM", "IBX")]
)
def test_different_companies_do_not_look_alike(first, second):
    assert not looks_alike(first, second)


@given(st.text(max_size=30), st.text(max_size=30))
def test_looking_alike_is_symmetric_and_the_key_is_stable(first, second):
    assert looks_alike(first, second) == looks_alike(second, first)
    assert organization_key(organization_key(first)) == organization_key(first)


@given(st.text(max_size=20), st.lists(st.text(max_size=20), max_size=5))
def test_alike_among_agrees_with_looks_alike(name, others):
    from pipeline_tui.core.people import alike_among

    rows = [(i, other, organization_key(other)) for i, other in enumerate(others)]
    expected = [(i, other) for i, other in enumerate(others) if looks_alike(name, other)]
    assert alike_among(organization_key(name), rows) == expected


def _alike_by_difflib(first: str, second: str) -> bool:
    """The rule as first written, every pair through a difflib matcher: the oracle for the
    shortcuts that spare most pairs the matcher."""
    from difflib import SequenceMatcher

    from pipeline_tui.core.people import _core_words

    a, b = organization_key(first), organization_key(second)
    if a == b or not a or not b:
        return False
    core_a, core_b = _core_words(a), _core_words(b)
    if core_a and core_a == core_b:
        return True
    shorter, longer = sorted((len(core_a), len(core_b)))
    if shorter < 5 or shorter < 0.81 * longer:
        return False
    matcher = SequenceMatcher(None, core_a, core_b)
    return matcher.quick_ratio() >= 0.9 and matcher.ratio() >= 0.9


_NAMEISH = st.text(alphabet="abcdeéoœ n.-", min_size=4, max_size=24)


@given(
    _NAMEISH, st.lists(st.tuples(st.integers(0, 30), st.sampled_from("abeéx .")), max_size=3), st.booleans()
)
def test_looking_alike_is_what_difflib_says(name, edits, legal):
    """Near-duplicates (a few letters changed, a legal form added) and strangers alike."""
    other = list(name)
    for at, letter in edits:
        other[at % len(other)] = letter
    second = "".join(other) + (" Inc." if legal else "")
    assert looks_alike(name, second) == _alike_by_difflib(name, second)
    assert looks_alike(name, name[::-1]) == _alike_by_difflib(name, name[::-1])


@given(
    _NAMEISH,
    st.lists(
        st.tuples(_NAMEISH, st.lists(st.tuples(st.integers(0, 30), st.sampled_from("abeéx .")), max_size=2)),
        max_size=12,
    ),
)
def test_the_name_index_finds_what_comparing_every_name_finds(name, others):
    """Near-duplicates of the name and of each other, and strangers."""
    from pipeline_tui.core.people import NameIndex, alike_among

    rows = []
    for oid, (other, edits) in enumerate(others):
        spelled = list(name if oid % 2 else other)
        for at, letter in edits:
            spelled[at % len(spelled)] = letter
        rows.append((oid, "".join(spelled), organization_key("".join(spelled))))
    key = organization_key(name)
    index = NameIndex([(oid, other) for oid, _, other in rows])
    found = index.alike(key)
    assert found == [oid for oid, _ in alike_among(key, rows)]
    found.append(-1)  # the caller's list: asked again, the index answers as before
    assert index.alike(key) == [oid for oid, _ in alike_among(key, rows)]
    for _, _, other in rows:  # and so for every name in it, each asked twice
        assert index.alike(other) == index.alike(other) == [o for o, _ in alike_among(other, rows)]
