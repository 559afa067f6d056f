"""Reading what a user typed into a prospect's fields: one rule per field, shared by the CLI,
the TUI forms and CSV import, so that each refuses bad input the same way."""

from __future__ import annotations

from datetime import date, datetime

from pipeline_tui.core.dates import DEFAULT_RULES, DateRules, parse_day
from pipeline_tui.core.domain import DECISION_MAKER, FOLLOW_UP_KINDS, URGENCIES
from pipeline_tui.core.money import parse_money
from pipeline_tui.errors import UserError

MAX_TEXT = 10_000
MAX_NAME = 300

_DECISION_WORDS = {
    "yes": "yes",
    "y": "yes",
    "true": "yes",
    "1": "yes",
    "no": "no",
    "n": "no",
    "false": "no",
    "0": "no",
    "unknown": "unknown",
    "?": "unknown",
    "": "unknown",
}

TEXT_FIELDS = ("organization", "contact", "title", "email", "phone", "source", "notes", "lost_reason")


def parse_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise UserError("name is required")
    if len(name) > MAX_NAME:
        raise UserError(f"name is longer than {MAX_NAME} characters")
    return name


def parse_text(text: str, what: str) -> str:
    value = text.strip()
    if len(value) > MAX_TEXT:
        raise UserError(f"{what} is longer than {MAX_TEXT:,} characters")
    if what == "email" and value and ("@" not in value or " " in value):
        raise UserError(f"email {value!r} is not an address like jane@acme.com")
    return value


def parse_decision_maker(text: str) -> str:
    value = _DECISION_WORDS.get(text.strip().lower())
    if value is None:
        raise UserError(f"decision maker {text!r} must be one of {', '.join(DECISION_MAKER)}")
    return value


def parse_urgency(text: str) -> str:
    value = text.strip().lower() or "medium"
    if value not in URGENCIES:
        raise UserError(f"urgency {text!r} must be one of {', '.join(URGENCIES)}")
    return value


def parse_kind(text: str) -> str:
    value = text.strip().lower().replace("_", "-").replace(" ", "-")
    if value in ("meeting", "appt"):
        value = "appointment"
    if value not in FOLLOW_UP_KINDS:
        raise UserError(f"follow-up kind {text!r} must be one of {', '.join(FOLLOW_UP_KINDS)}")
    return value


def parse_probability(text: str) -> float | None:
    """``0.6``, ``60%`` or empty (no override)."""
    value = text.strip()
    if not value:
        return None
    try:
        number = float(value.rstrip("%")) / (100 if value.endswith("%") else 1)
    except ValueError:
        raise UserError(f"probability {text!r} is not a number like 0.6 or 60%") from None
    if not 0 <= number <= 1:
        raise UserError(f"probability {text!r} must lie between 0 and 1 (or 0% and 100%)")
    return number


def parse_value(text: str) -> int | None:
    return parse_money(text) if text.strip() else None


def parse_close(text: str, now: datetime, dates: DateRules = DEFAULT_RULES) -> date | None:
    return parse_day(text, now, dates) if text.strip() else None


def parse_fields(
    values: dict[str, str], now: datetime, dates: DateRules = DEFAULT_RULES
) -> dict[str, object]:
    """Turn typed text per field into stored values; the first bad field raises, by name.
    ``dates`` says how a typed date reads (the user's date order, working hour and zone)."""
    parsed: dict[str, object] = {}
    for key, text in values.items():
        text = "" if text is None else str(text)
        if key == "name":
            parsed["name"] = parse_name(text)
        elif key in TEXT_FIELDS:
            parsed[key] = parse_text(text, key.replace("_", " "))
        elif key == "decision_maker":
            parsed[key] = parse_decision_maker(text)
        elif key == "urgency":
            parsed[key] = parse_urgency(text)
        elif key == "value":
            parsed["value_cents"] = parse_value(text)
        elif key == "expected_close":
            parsed[key] = parse_close(text, now, dates)
        elif key == "probability":
            parsed[key] = parse_probability(text)
        else:
            raise UserError(f"unknown field {key!r}")
    return parsed
