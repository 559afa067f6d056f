"""Email templates (``[templates]`` in config.toml): a subject and a body with the prospect's
fields in braces, ``Hello {first_name}``, filled in for a ``mailto:`` link (README "Call block").

Only plain field names are taken: a template is the user's text, but ``{name.__class__}``
(Python's format language reaching into objects) is refused, not run.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import NamedTuple
from urllib.parse import quote

from pipeline_tui.core.money import format_amount
from pipeline_tui.errors import UserError

FIELDS = ("name", "organization", "contact", "first_name", "title", "email", "phone", "value", "stage", "me")


class EmailTemplate(NamedTuple):
    subject: str
    body: str


DEFAULT_TEMPLATES: Mapping[str, EmailTemplate] = {
    "email": EmailTemplate(
        "Following up: {name}",
        "Hello {first_name},\n\nThank you for your time. Following up on {name}: is there anything "
        "I can send you to help you decide?\n\nBest regards,\n{me}",
    ),
}


def available(configured: Mapping[str, EmailTemplate]) -> dict[str, EmailTemplate]:
    """The default template, with those of the config file added or put in its place."""
    return {**DEFAULT_TEMPLATES, **configured}


def _pieces(text: str, where: str) -> list[tuple[str, str | None]]:
    """The template as (literal, field) pairs; refused when a field is not a plain known name."""
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as exc:
        raise UserError(f"{where}: {exc} (write {{{{ and }}}} for a brace)") from None
    pieces = []
    for literal, field, spec, conversion in parsed:
        if field is not None and (field not in FIELDS or spec or conversion):
            shown = (
                "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            )
            raise UserError(f"{where}: {shown} is not a field (known: {', '.join(FIELDS)})")
        pieces.append((literal, field))
    return pieces


def value_for_email(cents: int | None, currency: str, home: str) -> str:
    """``{value}``: the deal's own amount as the pane says it (``¥1,500,000``), its currency
    named even when it is the home one, since the reader of an email may count in another."""
    if cents is None:
        return ""
    own = currency or home
    return format_amount(cents, own, "" if own == home else home)


def parse_template(name: str, table: object, where: str = "templates") -> EmailTemplate:
    """A template from the config file: a table with ``subject`` and ``body``."""
    label = f"{where}.{name}"
    if not isinstance(table, dict):
        raise UserError(f'{label} must be a table: subject = "...", body = "..."')
    unknown = set(table) - {"subject", "body"}
    if unknown:
        raise UserError(f"{label}: unknown key {sorted(unknown)[0]!r} (known: subject, body)")
    values = {}
    for key in ("subject", "body"):
        value = table.get(key, "")
        if not isinstance(value, str):
            raise UserError(f"{label}.{key} must be text in quotes")
        _pieces(value, f"{label}.{key}")
        values[key] = value
    return EmailTemplate(values["subject"], values["body"])


def fill(text: str, values: Mapping[str, str]) -> str:
    """The template with each field replaced by its value (an empty one when unknown)."""
    return "".join(
        literal + (values.get(field, "") if field else "") for literal, field in _pieces(text, "template")
    )


def mailto(address: str, template: EmailTemplate, values: Mapping[str, str]) -> str:
    """A ``mailto:`` link (RFC 6068): the address, subject and body percent-encoded, so that no
    user text can add a header or another recipient; line breaks as CRLF."""
    subject = fill(template.subject, values)
    body = fill(template.body, values).replace("\r\n", "\n").replace("\n", "\r\n")
    return (
        f"mailto:{quote(address.strip(), safe='@')}"
        f"?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    )
