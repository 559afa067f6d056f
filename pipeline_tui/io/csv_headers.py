"""Which column of an import file is which: ours (as ``export`` writes them), Pipedrive's deal
export, HubSpot's and Salesforce's opportunity report, in any order and any case (README
"Importing from another CRM").

Pipedrive names some things twice (``Deal - Organization`` and ``Organization - Name``,
``Deal - Contact person`` and ``Person - Name``): headers that mean the same column may come
together, and a row takes the first of them that holds something. Our own column and another
header meaning it, or one header twice, is refused: which one to believe is not ours to guess.
"""

from __future__ import annotations

from typing import NamedTuple

from pipeline_tui.errors import UserError

# ours, in the order export writes them: an export imports back whole
COLUMNS = (
    "name",
    "organization",
    "contact",
    "title",
    "email",
    "phone",
    "decision_maker",
    "value",
    "currency",
    "expected_close",
    "urgency",
    "source",
    "stage",
    "probability",
    "notes",
    "created",
    "closed",
    "lost_reason",
    "next_follow_up",
    "next_follow_up_kind",
    "pipeline",
    "archived",
    "owner",
)

# Columns only other CRMs write: what a deal's status says, its won, lost and closing times, a
# close date that is expected while the deal is open (HubSpot's), the next activity (a task),
# and a probability out of 100 (Pipedrive's).
STATUS = "status"
WON_TIME, LOST_TIME, CLOSE_TIME, CLOSE_DATE = "won_time", "lost_time", "close_time", "close_date"
NEXT_ACTIVITY = "next_activity"
PERCENT = "percent"
DATE_COLUMNS = (
    "expected_close",
    "created",
    "closed",
    "next_follow_up",
    WON_TIME,
    LOST_TIME,
    CLOSE_TIME,
    CLOSE_DATE,
    NEXT_ACTIVITY,
)

ALIASES = {
    # Pipedrive's deal export (its "Deal - ...", "Person - ..." and "Organization - ..." fields)
    "deal - title": "name",
    "deal - value": "value",
    "deal - currency": "currency",
    "deal - currency of value": "currency",
    "deal - organization": "organization",
    "organization - name": "organization",
    "deal - contact person": "contact",
    "person - name": "contact",
    "person - email": "email",
    "person - phone": "phone",
    "person - job title": "title",
    "deal - stage": "stage",
    "deal - pipeline": "pipeline",
    "deal - status": STATUS,
    "deal - won time": WON_TIME,
    "deal - lost time": LOST_TIME,
    "deal - deal closed on": CLOSE_TIME,
    "deal - close time": CLOSE_TIME,
    "deal - lost reason": "lost_reason",
    "deal - deal created": "created",
    "deal - add time": "created",
    "deal - expected close date": "expected_close",
    "deal - next activity date": NEXT_ACTIVITY,
    "deal - probability": PERCENT,
    "deal - owner": "owner",
    "deal - source": "source",
    # HubSpot's deal export (its property labels)
    "deal name": "name",
    "amount": "value",
    "deal stage": "stage",
    "close date": CLOSE_DATE,
    "create date": "created",
    "deal owner": "owner",
    "deal probability": "probability",
    "closed lost reason": "lost_reason",
    "associated company": "organization",
    "associated company (primary)": "organization",
    "associated contact": "contact",
    "associated contact (primary)": "contact",
    "deal description": "notes",
    "next activity date": NEXT_ACTIVITY,
    # Salesforce's opportunity report exported as details (its standard columns' labels)
    "opportunity name": "name",
    "account name": "organization",
    "opportunity owner": "owner",
    "created date": "created",
    "probability (%)": PERCENT,
    "lead source": "source",
    "opportunity currency": "currency",
    "description": "notes",
    # other spellings people use
    "deal value": "value",
    "deal amount": "value",
    "status": STATUS,
    "title of deal": "name",
    "deal title": "name",
    "deal": "name",
    "expected close date": "expected_close",
    "expected close": "expected_close",
    "contact person": "contact",
    "contact name": "contact",
    "company": "organization",
    "company name": "organization",
    "organisation": "organization",
    "organisation - name": "organization",
    "job title": "title",
    "lost reason": "lost_reason",
    "decision maker": "decision_maker",
    "next follow-up": "next_follow_up",
    "next follow up": "next_follow_up",
    "next follow-up kind": "next_follow_up_kind",
}
# Pipedrive writes a person's several addresses and numbers as "Person - Email - Work", ...
PREFIXES = (("person - email - ", "email"), ("person - phone - ", "phone"))


class Header(NamedTuple):
    """What a file's header row says: each position's column (None: not one we read), the
    header as written for each column read (errors name it so), the positions of second
    spellings (column -> later positions, taken when the first is empty), and the headers
    not read."""

    names: list[str | None]
    written: dict[str, str]
    also: dict[str, list[int]]
    unknown: list[str]


def column_of(title: str) -> str | None:
    """The column a header names, or None."""
    key = " ".join(title.strip().lower().split())
    own = key.replace(" ", "_")
    if own in COLUMNS:
        return own
    found = ALIASES.get(key)
    if found is None:
        found = next((column for prefix, column in PREFIXES if key.startswith(prefix)), None)
    return found


def _is_ours(title: str) -> bool:
    return title.lower().replace(" ", "_") in COLUMNS


def read_header(header: list[str], path: str) -> Header:
    """Map a header row; two headers for one column are refused unless both are other CRMs'
    spellings of it (then the first that holds something is taken, row by row)."""
    names: list[str | None] = [None] * len(header)
    written: dict[str, str] = {}
    also: dict[str, list[int]] = {}
    unknown: list[str] = []
    for index, title in enumerate(header):
        shown = " ".join(title.split())
        name = column_of(title)
        if name is None:
            if shown:
                unknown.append(shown)
            continue
        if name in written:
            first = written[name]
            if _is_ours(first) or _is_ours(shown) or first.lower() == shown.lower():
                raise UserError(
                    f"{path}: column {name!r} appears twice in the header ({first!r} and {shown!r})"
                )
            also.setdefault(name, []).append(index)
            continue
        written[name] = shown
        names[index] = name
    if "name" not in written:
        found = ", ".join(" ".join(h.split()) for h in header if h.strip()) or "nothing"  # one line
        raise UserError(f"{path}: no 'name' column in the header (found: {found[:200]})")
    return Header(names, written, also, unknown)
