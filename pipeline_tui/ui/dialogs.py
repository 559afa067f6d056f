"""The forms behind each action (add, edit, follow-up, done, lost...), wired to the services.

Each function returns a ready :class:`FormScreen`; its submit runs one service action, so a bad
value shows inline and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pipeline_tui.core import fields as rules
from pipeline_tui.core.dates import EXAMPLES, DateRules, parse_when, read_when
from pipeline_tui.core.domain import DECISION_MAKER, FOLLOW_UP_KINDS, PERIODS, URGENCIES, Quota
from pipeline_tui.core.money import Currencies, format_amount, parse_money, read_money, require_rate
from pipeline_tui.core.repeats import EXAMPLES as REPEATS
from pipeline_tui.core.repeats import describe_repeat, parse_repeat
from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import ServerLost, UserError
from pipeline_tui.services import cadences, follow_ups, notes, prospects, setup
from pipeline_tui.services.follow_ups import default_next
from pipeline_tui.services.views import Detail
from pipeline_tui.ui.format import money, when
from pipeline_tui.ui.widgets.forms import Caution, Field, FormScreen

Clock = Callable[[], datetime]


def check_when(
    clock: Clock, dates: DateRules, *, required: bool = True, why: str = "when?"
) -> Callable[[str], str | None]:
    """The preview of a date field: the moment read, and what to know about it (in the past,
    moved out of a daylight-saving gap) as a caution, so that it is seen before saving."""

    def check(text: str) -> str | None:
        if not text.strip():
            if required:
                raise UserError(f"{why} e.g. {EXAMPLES}")
            return "no next follow-up"
        now = clock()
        reading = read_when(text, now, dates)
        notes = reading.notes(now)
        preview = " · ".join(["→ " + when(reading.moment), *notes])
        return Caution(preview) if notes else preview

    return check


def check_value(text: str) -> str | None:
    cents = rules.parse_value(text)
    return None if cents is None else "→ " + money(cents)


def check_money(currencies: Currencies, currency: Callable[[], str] = str) -> Callable[[str], str | None]:
    """A deal's value: its amount in the currency its sign names, else the one ``currency``
    gives (the form's Currency field), else the home one; a currency without a rate refused."""

    def check(text: str) -> str | None:
        cents = rules.parse_value(text)
        if cents is None:
            return None
        code = read_money(text).currency
        require_rate(code, currencies)
        if not code:
            try:
                code = rules.parse_currency(currency())
            except UserError:  # the Currency field says what is wrong with it
                code = ""
        return "→ " + format_amount(cents, code or currencies.home, currencies.home)

    return check


def _value_field(currencies: Currencies, form: Callable[[], FormScreen], before: str, example: str) -> Field:
    """The Value field of a form with a Currency field: its amount shown in that currency."""

    def typed_currency() -> str:
        return form().values()["currency"]

    check = check_money(currencies, typed_currency)
    return Field("value", "Value", before, example, check=check, reads=("currency",))


def check_currency(currencies: Currencies) -> Callable[[str], str | None]:
    """A deal's currency (ISO 4217), refused without a rate as the command line refuses it."""

    def check(text: str) -> str | None:
        code = rules.parse_currency(text)
        require_rate(code, currencies)
        if not code or code == currencies.home:
            return None
        return f"→ 1 {code} = {currencies.rates[code]:g} {currencies.home}".rstrip()

    return check


def _currency_field(currencies: Currencies, before: str = "") -> Field:
    home = currencies.home or "the home currency"
    return Field(
        "currency",
        "Currency",
        before,
        f"empty: {home} (or the value's sign)",
        check=check_currency(currencies),
    )


def check_close(clock: Clock, dates: DateRules) -> Callable[[str], str | None]:
    def check(text: str) -> str | None:
        now = clock()
        day = rules.parse_close(text, now, dates)
        if day is None:
            return None
        preview = "→ " + day.strftime("%a %d %b %Y")
        return Caution(preview + " · in the past") if day < now.date() else preview

    return check


def check_kind(text: str) -> str | None:
    rules.parse_kind(text)
    return None


def check_stage(names: list[str]) -> Callable[[str], str | None]:
    def check(text: str) -> str | None:
        if text.strip() and text.strip().lower() not in {n.lower() for n in names}:
            raise UserError(f"no stage {text!r}: {', '.join(names)}")
        return None

    return check


def quick_add(
    clock: Clock, stage_names: list[str], pipeline: str, *, dates: DateRules, currencies: Currencies
) -> FormScreen:
    """``n``: a name and Enter is enough; the rest is optional (a value is in the home currency
    unless its sign or the currency field names another, which needs a rate)."""

    def submit(values: dict[str, str]):
        follow = values.pop("follow_up").strip()
        kind = values.pop("kind").strip() or "call"
        stage = values.pop("stage").strip() or None
        name = values.pop("name")
        fields = {k: v for k, v in values.items() if v.strip()}
        first = (parse_when(follow, clock(), dates), rules.parse_kind(kind)) if follow else None
        return prospects.add_prospect(
            clock(),
            name,
            pipeline=pipeline,
            stage=stage,
            fields=fields,
            follow_up=first,
            dates=dates,
            currencies=currencies,
        )

    fields = _new_prospect_fields(clock, stage_names, dates, currencies, lambda: form)
    form = FormScreen("New prospect", fields, submit)
    return form


def _new_prospect_fields(
    clock: Clock,
    stage_names: list[str],
    dates: DateRules,
    currencies: Currencies,
    form: Callable[[], FormScreen],
) -> list[Field]:
    return [
        Field("name", "Name", placeholder="required: the deal, e.g. Acme fleet renewal", check=_name_check),
        Field("organization", "Organization"),
        Field("contact", "Contact"),
        _value_field(currencies, form, "", "e.g. 12,000 or ¥1.5M"),
        _currency_field(currencies),
        Field(
            "decision_maker",
            "Decision maker",
            placeholder="yes / no / unknown",
            choices=list(DECISION_MAKER),
            check=_dm_check,
        ),
        Field(
            "stage",
            "Stage",
            placeholder=stage_names[0] if stage_names else "",
            choices=stage_names,
            check=check_stage(stage_names),
        ),
        Field(
            "follow_up",
            "Next follow-up",
            placeholder=f"optional: {EXAMPLES}",
            check=check_when(clock, dates, required=False),
        ),
        Field("kind", "Kind", placeholder="call", choices=list(FOLLOW_UP_KINDS), check=_kind_or_empty),
    ]


def _name_check(text: str) -> str | None:
    if text.strip():
        rules.parse_name(text)
    return None


def _dm_check(text: str) -> str | None:
    rules.parse_decision_maker(text)
    return None


def _kind_or_empty(text: str) -> str | None:
    if text.strip():
        rules.parse_kind(text)
    return None


def edit_prospect(clock: Clock, detail: Detail, *, dates: DateRules, currencies: Currencies) -> FormScreen:
    """``e``: every field, prefilled; only what changed is saved. The value is the deal's own
    amount, in the currency beside it."""
    p = detail.prospect
    before = _fields_as_typed(detail, currencies)

    def submit(values: dict[str, str]):
        changed = _changed_fields(before, values)
        if not changed:
            return True
        return prospects.edit_prospect(
            p.id, clock(), changed, expected_version=p.version, dates=dates, currencies=currencies
        )

    form = FormScreen(f"Edit {p.name}", _edit_fields(clock, before, dates, currencies, lambda: form), submit)
    return form


def edit_as_shown(
    clock: Clock, card, *, dates: DateRules, currencies: Currencies, settings: Settings
) -> FormScreen:
    """``e`` while the server is gone, on a prospect never read in full: the fields the board's
    ``card`` shows, prefilled. Its save (refused and kept until the server is back) reads the
    prospect first, and is refused if one of those fields changed elsewhere meanwhile."""
    own = card.amount if card.currency else card.value
    before = {
        "name": card.name,
        "organization": card.organization,
        "contact": card.contact,
        "value": "" if own is None else money(own).replace(",", ""),
        "currency": card.currency,
        "decision_maker": card.decision_maker,
    }

    def submit(values: dict[str, str]):
        changed = _changed_fields(before, values)
        if not changed:
            return True
        from pipeline_tui.errors import ConflictError
        from pipeline_tui.services.views import prospect_detail

        fresh = prospect_detail(card.id, clock(), settings)
        now_typed = _fields_as_typed(fresh, currencies)
        if any(now_typed[name] != shown for name, shown in before.items()):
            raise ConflictError(
                f"{card.name} was changed elsewhere while the server was gone; close the form to "
                "see the new values, then edit again"
            )
        return prospects.edit_prospect(
            card.id,
            clock(),
            changed,
            expected_version=fresh.prospect.version,
            dates=dates,
            currencies=currencies,
        )

    fields = _edit_fields(clock, _unread(before), dates, currencies, lambda: form)
    form = FormScreen(f"Edit {card.name}", [item for item in fields if item.name in before], submit)
    return form


def _unread(before: dict[str, str]) -> dict[str, str]:
    """Every field of the edit form, those not read left empty (and left out of the form)."""
    return dict.fromkeys(_EDITED, "") | before


_EDITED = (
    "name organization contact title email phone value currency expected_close decision_maker urgency "
    "source probability notes"
).split()


def _fields_as_typed(detail: Detail, currencies: Currencies) -> dict[str, str]:
    """A prospect's fields as one would type them into the edit form."""
    p = detail.prospect
    return {
        "name": p.name,
        "organization": p.organization,
        "contact": p.contact,
        "title": p.title,
        "email": p.email,
        "phone": p.phone,
        "value": "" if p.value_cents is None else money(p.value_cents).replace(",", ""),
        "currency": p.currency if p.currency != currencies.home else "",
        "expected_close": p.expected_close.isoformat() if p.expected_close else "",
        "decision_maker": p.decision_maker,
        "urgency": p.urgency,
        "source": p.source,
        "probability": "" if p.probability is None else f"{p.probability:.0%}",
        "notes": p.notes,
    }


def _changed_fields(before: dict[str, str], values: dict[str, str]) -> dict[str, str]:
    """What the form changed; the value and its currency go together ("$12k" is in USD), and an
    empty currency beside a value whose sign names one is left to the sign."""
    changed = {k: v for k, v in values.items() if v != before[k]}
    if "value" in changed or "currency" in changed:
        changed.update(value=values["value"], currency=values["currency"])
        if not changed["currency"].strip() and changed["value"].strip():
            if read_money(changed["value"]).currency:
                del changed["currency"]
    return changed


def _text_check(name: str) -> Callable[[str], str | None]:
    def check(text: str) -> str | None:
        rules.parse_text(text, name)
        return None

    return check


def _edit_fields(
    clock: Clock,
    before: dict[str, str],
    dates: DateRules,
    currencies: Currencies,
    form: Callable[[], FormScreen],
) -> list[Field]:
    return [
        Field("name", "Name", before["name"], check=lambda t: rules.parse_name(t) and None),
        Field("organization", "Organization", before["organization"]),
        Field("contact", "Contact", before["contact"]),
        Field("title", "Job title", before["title"]),
        Field("email", "Email", before["email"], check=_text_check("email")),
        Field("phone", "Phone", before["phone"]),
        _value_field(currencies, form, before["value"], "budget, e.g. 12,000"),
        _currency_field(currencies, before["currency"]),
        Field(
            "expected_close",
            "Expected close",
            before["expected_close"],
            "e.g. 2026-12-15 or +30d",
            check=check_close(clock, dates),
        ),
        Field(
            "decision_maker",
            "Decision maker",
            before["decision_maker"],
            "yes / no / unknown",
            list(DECISION_MAKER),
            check=_dm_check,
        ),
        Field(
            "urgency",
            "Urgency",
            before["urgency"],
            "low / medium / high",
            list(URGENCIES),
            check=lambda t: rules.parse_urgency(t) and None,
        ),
        Field("source", "Source", before["source"], "cold call, referral, inbound…"),
        Field(
            "probability",
            "Probability",
            before["probability"],
            "empty: the stage's; or 60%",
            check=lambda t: rules.parse_probability(t) and None,
        ),
        Field("notes", "Notes", before["notes"]),
    ]


def schedule_follow_up(
    clock: Clock, prospect_id: int, name: str, kind: str = "call", *, dates: DateRules
) -> FormScreen:
    """``f``: when (in words: what one types first), kind (a call unless changed), notes, and
    whether it repeats."""

    def submit(values: dict[str, str]):
        due = parse_when(values["when"], clock(), dates)
        rule = values["repeat"].strip()
        repeat = parse_repeat(rule, due) if rule else None
        return follow_ups.schedule(prospect_id, values["kind"], due, clock(), values["notes"], repeat=repeat)

    def check_repeat(text: str) -> str | None:
        if not text.strip():
            return None
        return "→ " + describe_repeat(parse_repeat(text, clock()))

    return FormScreen(
        f"Follow up with {name}",
        [
            Field("when", "When", "", EXAMPLES, check=check_when(clock, dates)),
            Field("kind", "Kind", kind, ", ".join(FOLLOW_UP_KINDS), list(FOLLOW_UP_KINDS), check=check_kind),
            Field("notes", "Notes"),
            Field("repeat", "Repeat", "", f"empty: once; or {REPEATS}", check=check_repeat),
        ],
        submit,
    )


def _runs_itself(follow_up_id: int | None, clock: Clock, dates: DateRules):
    """The open follow-up, and what completing it now would schedule by itself (its cadence's
    next step, its next occurrence) with where it stands in its cadence; Nones when it is a
    plain one (or the server is gone: saving will say so)."""
    try:
        follow_up = follow_ups.open_follow_up(follow_up_id) if follow_up_id is not None else None
        if follow_up is None:
            return None, None
        return cadences.next_step(follow_up, clock(), dates), cadences.position(follow_up)
    except ServerLost:
        return None, None


def _automatic_note(clock: Clock, following, where) -> str:
    """What the outcome dialog says of a cadence step or a repeating follow-up."""
    if following is None:
        return f"{where.describe()}: the last step. What next?"
    step = f"{where.describe()} · " if where is not None else ""
    return f"{step}{following.describe(clock())}"


def complete_follow_up(
    clock: Clock, follow_up_id: int, kind: str, prospect_id: int, name: str, *, dates: DateRules, suggest=None
) -> FormScreen:
    """``d``: what happened, and the next follow-up (required after an appointment: R4), the
    one ``suggest`` gives (kind, due, why: the call block's advice) or the usual rhythm. A
    cadence's step or a repeating follow-up schedules what follows by itself: the dialog says
    what, and asks for no next step."""
    following, where = _runs_itself(follow_up_id, clock, dates)
    if suggest is not None:
        next_kind, next_due = suggest[:2]
    else:
        next_kind, next_due = default_next(kind, clock(), dates.working_hour)
    insist = kind == "appointment" and following is None

    def submit(values: dict[str, str]):
        text = values.get("next_when", "").strip()
        if insist and not text:
            raise UserError("after an appointment, keep following up: give the next follow-up a date")
        due = parse_when(text, clock(), dates) if text else None
        then = (values["next_kind"], due) if due is not None else None
        done = follow_ups.complete(follow_up_id, clock(), values["outcome"], then=then, rules=dates)
        return _said_after(done, then, clock())

    fields = [Field("outcome", "Outcome", "", "what happened (optional)")]
    if following is None:
        fields += _next_step_fields(clock, dates, next_kind, next_due, required=insist)
    note = "After an appointment, always schedule the next follow-up." if insist else ""
    if suggest is not None and suggest[2] and following is None:
        note = f"Suggested next: {suggest[2]}. {note}".strip()
    if following is not None or where is not None:
        note = _automatic_note(clock, following, where)
    return FormScreen(f"Done: {kind} with {name}", fields, submit, note=note)


def _said_after(done, then: tuple[str, datetime] | None, now: datetime) -> str | bool:
    """What the footer adds after a follow-up is done: what came next by itself, or the next
    step given (True: nothing)."""
    said = [cadences.after_completing(done, now)] if done is not None else []
    if then is not None:
        said.append(f"next {then[0]} {then[1]:%a %d %b %H:%M}")
    return "; ".join(part for part in said if part) or True


def reschedule(clock: Clock, follow_up_id: int, label: str, *, dates: DateRules) -> FormScreen:
    def submit(values: dict[str, str]):
        return follow_ups.reschedule(follow_up_id, parse_when(values["when"], clock(), dates), clock())

    return FormScreen(
        f"Reschedule {label}", [Field("when", "When", "", EXAMPLES, check=check_when(clock, dates))], submit
    )


def mark_lost(clock: Clock, prospect_id: int, name: str, reasons: list[str]) -> FormScreen:
    """``x``: why it was lost, typed or picked from reasons given before."""

    def submit(values: dict[str, str]):
        reason = values["reason"].strip()
        if not reason:
            raise UserError("say why it was lost: the reasons are how you learn what to change")
        return prospects.mark_lost(prospect_id, reason, clock())

    return FormScreen(
        f"Lost: {name}",
        [Field("reason", "Reason", "", "type one, or pick below", reasons)],
        submit,
        extra_list=reasons,
        extra_target="reason",
    )


def log_call(
    clock: Clock, prospect_id: int, name: str, answers: int | None = None, *, dates: DateRules
) -> FormScreen:
    """``c``: a call (or email) that just happened, with its outcome. When it answers a call
    that was due (``answers``, the agenda's row, else the prospect's call due today or before),
    that call is completed and, as ``d`` does, the next follow-up is asked for (or, for a
    cadence's step, said)."""
    due = _answered(clock, prospect_id, answers)
    following, where = _runs_itself(due.id if due is not None else None, clock, dates)

    def submit(values: dict[str, str]):
        text = values.get("next_when", "").strip()
        then = (values["next_kind"], parse_when(text, clock(), dates)) if text else None
        entry = follow_ups.log_activity(
            prospect_id,
            values["kind"],
            clock(),
            values["notes"],
            values["outcome"],
            answers=due.id if due is not None else None,
            then=then,
            rules=dates,
        )
        return _said_after(entry, then, clock())

    fields = [
        # what happened first: that is what one types on pressing c (the kind is nearly always
        # the call it says; typing the outcome into it was refused)
        Field("outcome", "Outcome", "", "what happened"),
        Field("kind", "Kind", "call", ", ".join(FOLLOW_UP_KINDS), list(FOLLOW_UP_KINDS), check=check_kind),
        Field("notes", "Notes"),
    ]
    note = ""
    if due is not None:
        note = f"This completes the {due.kind} due {when(due.due_at)}"
        if following is not None or where is not None:
            note += f" ({_automatic_note(clock, following, where)})"
        if following is None:
            next_kind, next_due = default_next(due.kind, clock(), dates.working_hour)
            fields += _next_step_fields(clock, dates, next_kind, next_due)
            note += ": what is the next step?"
    return FormScreen(f"Log a call with {name}", fields, submit, note=note)


def _answered(clock: Clock, prospect_id: int, answers: int | None):
    """The open call a call logged now completes: the one chosen if it is a call, else the
    prospect's call due today or before."""
    try:
        if answers is not None:
            chosen = follow_ups.open_follow_up(answers)
            if chosen is not None and chosen.kind == "call":
                return chosen
        return follow_ups.answered_follow_up(prospect_id, "call", clock())
    except ServerLost:
        return None  # the form still opens; saving it says the server is gone


def _next_step_fields(
    clock: Clock, dates: DateRules, kind: str, due: datetime, *, required: bool = False
) -> list[Field]:
    """The next follow-up's kind and time, offered after something is done (R4)."""
    return [
        Field("next_kind", "Next", kind, ", ".join(FOLLOW_UP_KINDS), list(FOLLOW_UP_KINDS), check=check_kind),
        Field(
            "next_when",
            "When",
            due.strftime("%Y-%m-%d %H:%M"),
            "empty: no next follow-up",
            check=check_when(
                clock, dates, required=required, why="after an appointment, keep following up: when?"
            ),
        ),
    ]


def add_note(clock: Clock, prospect_id: int, name: str) -> FormScreen:
    def submit(values: dict[str, str]):
        return notes.add_note(prospect_id, values["note"], clock())

    return FormScreen(f"Note on {name}", [Field("note", "Note", "", "saved with today's date")], submit)


def start_trial(clock: Clock, prospect_id: int, name: str, *, dates: DateRules) -> FormScreen:
    """``t``: a free trial or demo (R5); its end becomes a follow-up."""

    def submit(values: dict[str, str]):
        kind = values["kind"].strip().lower()
        return follow_ups.start_trial(prospect_id, kind, parse_when(values["ends"], clock(), dates), clock())

    def check_trial(text: str) -> str | None:
        if text.strip().lower() not in ("demo", "trial"):
            raise UserError("demo or trial")
        return None

    return FormScreen(
        f"Trial or demo for {name}",
        [
            Field("kind", "Kind", "trial", "trial or demo", ["trial", "demo"], check=check_trial),
            Field("ends", "Ends", "+14d", EXAMPLES, check=check_when(clock, dates)),
        ],
        submit,
        note="Once they have used it, they are far more likely to buy.",
    )


# -- people on a deal ---------------------------------------------------------------------------


def _check_role(text: str) -> str | None:
    from pipeline_tui.core.people import parse_role

    return None if parse_role(text) else "not known yet: the one to ask"


def contact_form(clock: Clock, prospect_id: int, deal: str, contact=None) -> FormScreen:
    """``a`` then ``a`` or ``e`` in the people list: a person's name, role and how to reach them."""
    from pipeline_tui.core.people import CONTACT_ROLES
    from pipeline_tui.services import contacts

    before = {
        "name": contact.name if contact else "",
        "role": (contact.role or "") if contact else "",
        "title": contact.title if contact else "",
        "email": contact.email if contact else "",
        "phone": contact.phone if contact else "",
    }

    def submit(values: dict[str, str]):
        if contact is None:
            return contacts.add_contact(prospect_id, clock(), values)
        changed = {k: v for k, v in values.items() if v != before[k]}
        return contacts.edit_contact(contact.id, clock(), changed) if changed else True

    def check_text(name: str) -> Callable[[str], str | None]:
        return lambda text: rules.parse_text(text, name) and None

    roles = list(CONTACT_ROLES)
    return FormScreen(
        f"Edit {contact.name}" if contact else f"New contact on {deal}",
        [
            Field("name", "Name", before["name"], "required", check=_name_check),
            Field("role", "Role", before["role"], " / ".join(roles), roles, check=_check_role),
            Field("title", "Job title", before["title"]),
            Field("email", "Email", before["email"], check=check_text("email")),
            Field("phone", "Phone", before["phone"]),
        ],
        submit,
    )


def contact_role(clock: Clock, contact) -> FormScreen:
    """``r`` in the people list: what this person does in the decision."""
    from pipeline_tui.core.people import CONTACT_ROLES
    from pipeline_tui.services import contacts

    roles = list(CONTACT_ROLES)
    return FormScreen(
        f"Role of {contact.name}",
        [Field("role", "Role", contact.role or "", " / ".join(roles), roles, check=_check_role)],
        lambda values: contacts.edit_contact(contact.id, clock(), {"role": values["role"]}),
        note="A decision maker confirms that you are talking to someone who can buy.",
    )


def log_with_contact(clock: Clock, prospect_id: int, contact, kind: str) -> FormScreen:
    """``c`` or ``m`` in the people list: a call or email with this person, and how it went."""
    how = contact.phone if kind == "call" else contact.email
    title = f"{'Call' if kind == 'call' else 'Email'} {contact.name}" + (f" ({how})" if how else "")

    def submit(values: dict[str, str]):
        return follow_ups.log_activity(prospect_id, kind, clock(), values["notes"], values["outcome"])

    return FormScreen(
        title,
        [Field("outcome", "Outcome", "", "what happened"), Field("notes", "Notes", f"with {contact.name}")],
        submit,
    )


def won_for(clock: Clock, prospect_id: int, name: str) -> FormScreen:
    """``w`` on a deal without a value: what it was won for, so that the quota counts it."""

    def submit(values: dict[str, str]):
        cents = rules.parse_value(values["value"])
        if cents is None:
            raise UserError("how much was it won for? the quota counts it")
        return prospects.mark_won(prospect_id, clock(), value_cents=cents)

    return FormScreen(
        f"Won: {name}",
        [Field("value", "Won for", "", "the amount, e.g. 12,000", check=check_value)],
        submit,
        note="This deal has no value yet: the amount counts towards your quota.",
    )


def set_quota(clock: Clock, current: Quota | None, owner: str) -> FormScreen:
    """The quota (palette: Quota): a target for the month, quarter or year (R1); ``owner`` is
    whose it is ("" the team's)."""

    def submit(values: dict[str, str]):
        period = values["period"].strip().lower() or "quarter"
        return setup.set_quota(parse_money(values["target"], "target"), period, clock(), owner=owner)

    def check_period(text: str) -> str | None:
        if text.strip().lower() not in ("", *PERIODS):
            raise UserError(f"one of {', '.join(PERIODS)}")
        return None

    target = money(current.target).replace(",", "") if current else ""
    return FormScreen(
        f"Quota for {owner}" if owner else "Quota",
        [
            Field(
                "target",
                "Target",
                target,
                "e.g. 50,000",
                check=lambda t: "→ " + money(parse_money(t, "target")),
            ),
            Field(
                "period",
                "Period",
                current.period if current else "quarter",
                "month, quarter or year",
                list(PERIODS),
                check=check_period,
            ),
        ],
        submit,
        note="What you must sell in the period, from its first day: the report measures you against it.",
    )
