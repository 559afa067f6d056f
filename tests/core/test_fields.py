"""One parser per prospect field, shared by the CLI, the forms and CSV import."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pipeline_tui.core.fields import (
    MAX_NAME,
    MAX_TEXT,
    parse_close,
    parse_decision_maker,
    parse_fields,
    parse_kind,
    parse_name,
    parse_probability,
    parse_text,
    parse_urgency,
    parse_value,
)
from pipeline_tui.errors import UserError

NOW = datetime(2026, 11, 26, 9, 30)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),
        ("YES", "yes"),
        (" y ", "yes"),
        ("true", "yes"),
        ("True", "yes"),
        ("1", "yes"),
        ("no", "no"),
        ("n", "no"),
        ("false", "no"),
        ("FALSE", "no"),
        ("0", "no"),
        ("unknown", "unknown"),
        ("?", "unknown"),
        ("", "unknown"),
        ("  ", "unknown"),
    ],
)
def test_decision_maker_words(text, value):
    assert parse_decision_maker(text) == value


@pytest.mark.parametrize("text", ["maybe", "2", "yess", "-1"])
def test_decision_maker_refuses_other_words(text):
    with pytest.raises(UserError) as caught:
        parse_decision_maker(text)
    assert repr(text) in str(caught.value)
    assert "yes, no, unknown" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "value"), [("low", "low"), ("Medium", "medium"), (" HIGH ", "high"), ("", "medium")]
)
def test_urgency(text, value):
    assert parse_urgency(text) == value


def test_urgency_refuses_other_words():
    with pytest.raises(UserError, match="urgency 'urgent' must be one of low, medium, high"):
        parse_urgency("urgent")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("call", "call"),
        ("Email", "email"),
        ("appointment", "appointment"),
        ("meeting", "appointment"),
        ("appt", "appointment"),
        ("demo", "demo"),
        ("trial", "trial"),
        ("info-request", "info-request"),
        ("info_request", "info-request"),
        ("Info Request", "info-request"),
        ("reminder", "reminder"),
        ("task", "task"),
    ],
)
def test_kind(text, kind):
    assert parse_kind(text) == kind


@pytest.mark.parametrize("text", ["fax", "", "lunch"])
def test_kind_refuses_other_words(text):
    with pytest.raises(UserError) as caught:
        parse_kind(text)
    assert repr(text) in str(caught.value)
    assert "info-request" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.6", 0.6),
        ("60%", 0.6),
        (" 60% ", 0.6),
        ("0", 0.0),
        ("1", 1.0),
        ("100%", 1.0),
        ("0%", 0.0),
        ("12.5%", 0.125),
        ("", None),
        ("  ", None),
    ],
)
def test_probability(text, value):
    result = parse_probability(text)
    if value is None:
        assert result is None
    else:
        assert result == pytest.approx(value)


@pytest.mark.parametrize("text", ["1.5", "150%", "-0.1", "-10%", "101%"])
def test_probability_out_of_range(text):
    with pytest.raises(UserError, match="must lie between 0 and 1"):
        parse_probability(text)


@pytest.mark.parametrize("text", ["abc", "%", "sixty", "nan", "inf"])
def test_probability_not_a_number(text):
    with pytest.raises(UserError) as caught:
        parse_probability(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize("text", ["jane@acme.com", "", "  j.doe+crm@example.co.uk  "])
def test_email_accepted(text):
    assert parse_text(text, "email") == text.strip()


@pytest.mark.parametrize("text", ["jane", "jane at acme.com", "jane @acme.com", "acme.com"])
def test_email_refused(text):
    with pytest.raises(UserError) as caught:
        parse_text(text, "email")
    assert repr(text) in str(caught.value)


def test_other_text_is_trimmed_and_limited():
    assert parse_text("  Acme Corp  ", "organization") == "Acme Corp"
    assert parse_text("no at sign needed", "notes") == "no at sign needed"
    assert len(parse_text("x" * MAX_TEXT, "notes")) == MAX_TEXT
    with pytest.raises(UserError, match="notes is longer than 10,000 characters"):
        parse_text("x" * (MAX_TEXT + 1), "notes")


def test_name_is_required_and_collapsed():
    assert parse_name("  Acme   Corp \n renewal ") == "Acme Corp renewal"
    for blank in ("", "   ", "\t\n"):
        with pytest.raises(UserError, match="name is required"):
            parse_name(blank)


def test_name_length_limit():
    assert parse_name("n" * MAX_NAME) == "n" * MAX_NAME
    with pytest.raises(UserError, match=f"longer than {MAX_NAME}"):
        parse_name("n" * (MAX_NAME + 1))


def test_value_and_close_are_optional():
    assert parse_value("") is None
    assert parse_value("  ") is None
    assert parse_value("$12,000") == 1_200_000
    assert parse_value("12k") == 1_200_000
    with pytest.raises(UserError):
        parse_value("12 kilos")
    assert parse_close("", NOW) is None
    assert parse_close("in 2 weeks", NOW) == date(2026, 12, 10)
    assert parse_close("2027-01-31", NOW) == date(2027, 1, 31)
    with pytest.raises(UserError):
        parse_close("someday", NOW)


def test_parse_fields_maps_every_field():
    parsed = parse_fields(
        {
            "name": " Acme  deal ",
            "organization": " Acme ",
            "email": "jane@acme.com",
            "lost_reason": " price ",
            "decision_maker": "true",
            "urgency": "HIGH",
            "value": "12,000.50",
            "expected_close": "2026-12-31",
            "probability": "60%",
            "notes": None,
        },
        NOW,
    )
    assert parsed == {
        "name": "Acme deal",
        "organization": "Acme",
        "email": "jane@acme.com",
        "lost_reason": "price",
        "decision_maker": "yes",
        "urgency": "high",
        "value_cents": 1_200_050,
        "expected_close": date(2026, 12, 31),
        "probability": pytest.approx(0.6),
        "notes": "",
    }


def test_parse_fields_refuses_an_unknown_field_and_the_first_bad_one():
    with pytest.raises(UserError, match="unknown field 'colour'"):
        parse_fields({"colour": "red"}, NOW)
    with pytest.raises(UserError, match="value '12q'"):
        parse_fields({"name": "Acme", "value": "12q", "email": "nope"}, NOW)
    with pytest.raises(UserError, match="email 'nope'"):
        parse_fields({"name": "Acme", "email": "nope", "value": "12q"}, NOW)
