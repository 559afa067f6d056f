"""Believable demo data: one salesperson's six months, made up deterministically from ``now``.

The first prospects are scenarios written so that each piece of advice shows; the rest follow a
simple random walk through the stages. Everything is plain tuples, ready for a bulk insert.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from pipeline_tui.core.domain import DEFAULT_STAGES

COMPANY_WORDS = (
    "Acme",
    "Northwind",
    "Cedar",
    "Granite",
    "Harbor",
    "Summit",
    "Vertex",
    "Pioneer",
    "Atlas",
    "Bluebird",
    "Copperleaf",
    "Driftwood",
    "Evergreen",
    "Foxglove",
    "Golden Gate",
    "Highland",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lakeside",
    "Meridian",
    "Nimbus",
    "Oakridge",
    "Pinecrest",
    "Quarry",
    "Riverbend",
    "Sterling",
    "Tidewater",
    "Upland",
    "Valley",
    "Westbrook",
    "Yellowstone",
    "Zenith",
    "Brightwater",
    "Clearview",
    "Silverline",
    "Redwood",
    "Stonebridge",
    "Maple",
    "Orchard",
)
COMPANY_KINDS = (
    "Logistics",
    "Foods",
    "Dental",
    "Labs",
    "Systems",
    "Builders",
    "Media",
    "Retail",
    "Clinics",
    "Analytics",
    "Partners",
    "Hotels",
    "Bakery",
    "Motors",
    "Insurance",
    "Architects",
    "Schools",
    "Pharmacy",
    "Fitness",
    "Printing",
    "Energy",
    "Legal",
    "Outdoor",
    "Travel",
)
DEALS = (
    "annual licence",
    "pilot",
    "fleet renewal",
    "onboarding package",
    "support plan",
    "team plan",
    "rollout",
    "upgrade",
    "training days",
    "expansion",
    "starter pack",
    "enterprise plan",
)
FIRST = (
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Luis",
    "Marta",
    "Nora",
    "Omar",
    "Paula",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Will",
    "Xenia",
    "Yusuf",
    "Zoe",
    "Marc",
    "Núria",
    "Jordi",
    "Laia",
    "Pau",
    "Aina",
)
LAST = (
    "Garcia",
    "Smith",
    "Müller",
    "Rossi",
    "Dubois",
    "Novak",
    "Silva",
    "Jensen",
    "Kowalski",
    "Ortega",
    "Brown",
    "Puig",
    "Ferrer",
    "Costa",
    "Nguyen",
    "Okafor",
    "Larsen",
    "Moreau",
    "Schmidt",
    "Romero",
    "Khan",
    "Bauer",
    "Vidal",
    "Soler",
)
TITLES = (
    "CEO",
    "Head of Operations",
    "Office Manager",
    "CFO",
    "IT Lead",
    "Purchasing Manager",
    "Owner",
    "Director",
    "Team Lead",
)
SOURCES = ("cold call", "referral", "inbound", "trade fair", "website", "partner")
# typed as people type them: the report counts "Price" and "price " as one reason
LOST_REASONS = (
    "price",
    "chose a competitor",
    "no budget this year",
    "no decision",
    "timing",
    "Price",
    "",
    "No decision ",
)
OUTCOMES = {
    "call": (
        "left a voicemail",
        "interested, wants numbers",
        "asked to call back next week",
        "good talk, budget confirmed",
        "needs to check with the boss",
    ),
    "email": ("sent the brochure", "sent pricing", "replied with questions", "sent a summary"),
    "appointment": (
        "went well, wants a proposal",
        "showed the product",
        "met the team",
        "they need time to think",
    ),
    "demo": ("demo done, positive", "demo done, questions on integration"),
    "trial": ("trial finished, happy", "trial used little"),
    "info-request": ("sent the spec sheet", "sent references"),
    "reminder": ("confirmed the meeting",),
    "task": ("done",),
}

# stage positions of the default pipeline
LEAD, QUALIFIED, APPOINTMENT, TRIAL, PROPOSAL, WON_POS, LOST_POS = range(7)


@dataclass
class DemoData:
    """Rows for the bulk insert; prospects are numbered from 1 in the order generated."""

    prospects: list[tuple] = field(default_factory=list)
    stage_changes: list[tuple] = field(default_factory=list)  # (prospect, from pos, to pos, when)
    follow_ups: list[tuple] = field(
        default_factory=list
    )  # (prospect, kind, due, done, created, outcome, notes)
    quota: tuple[str, int] | None = None


PROSPECT_FIELDS = (
    "name",
    "organization",
    "contact",
    "title",
    "email",
    "phone",
    "decision_maker",
    "value_cents",
    "expected_close",
    "urgency",
    "source",
    "notes",
    "lost_reason",
    "created_at",
    "stage_pos",
    "stage_entered_at",
    "closed_at",
    "snoozed_until",
    "snooze_reason",
)


class _Maker:
    def __init__(self, now: datetime, data: DemoData, total: int = 60) -> None:
        self.now = now.replace(second=0, microsecond=0)
        self.rng = random.Random(int(now.strftime("%Y%m%d%H%M")))
        self.data = data
        self.count = 0
        # A big demo is years of a team's history, mostly closed, not 100,000 open deals:
        # six months and half of them recent up to 2,000 prospects, then up to five years.
        self.span_days = min(1825, max(182, 182 * total // 2000))
        self.recent_share = max(0.1, min(0.5, 1000 / max(total, 1)))

    def pick(self, options):
        """``random.choice``, several times quicker: the demo draws millions of times."""
        return options[int(self.rng.random() * len(options))]

    def below(self, start: int, stop: int) -> int:
        """``random.randrange(start, stop)``, quicker."""
        return start + int(self.rng.random() * (stop - start))

    def work_time(self, moment: datetime) -> datetime:
        """Snap a moment into office hours on a weekday."""
        while moment.weekday() >= 5:
            moment += timedelta(days=1)
        hour = 9 + self.below(0, 8)
        return moment.replace(hour=hour, minute=self.pick((0, 15, 30, 45)), second=0, microsecond=0)

    def company(self) -> str:
        return f"{self.pick(COMPANY_WORDS)} {self.pick(COMPANY_KINDS)}"

    def person(self, organization: str) -> tuple[str, str, str, str]:
        first, last = self.pick(FIRST), self.pick(LAST)
        domain = organization.lower().replace(" ", "") + ".example"
        email = f"{first.lower()}.{last.lower()}@{domain}".replace("ü", "u").replace("ú", "u")
        phone = f"+34 6{self.below(10**7, 10**8)}"
        return f"{first} {last}", self.pick(TITLES), email, phone

    def value(self) -> int:
        amount = math.exp(self.rng.gauss(math.log(6000), 1.0))
        amount = min(max(amount, 300), 90000)
        return int(round(amount / 50) * 50) * 100

    def close_date(self) -> date:
        return (self.now + timedelta(days=self.below(5, 120))).date()

    def prospect(
        self,
        *,
        stage: int,
        created: datetime,
        entered: datetime,
        decision: str = "unknown",
        value: int | None | bool = True,
        close: date | None | bool = True,
        urgency: str | None = None,
        closed: datetime | None = None,
        lost_reason: str = "",
        history: list[tuple[int, datetime]] = (),
        organization: str | None = None,
        snoozed: tuple[datetime, str] | None = None,
    ) -> int:
        org = organization or self.company()
        contact, title, email, phone = self.person(org)
        name = f"{org} {self.pick(DEALS)}"
        value = self.value() if value is True else value
        close = self.close_date() if close is True else close
        self.count += 1
        pid = self.count
        self.data.prospects.append(
            (
                name,
                org,
                contact,
                title,
                email,
                phone,
                decision,
                value or None,
                close or None,
                urgency or self.pick(("low", "medium", "medium", "high")),
                self.pick(SOURCES),
                "",
                lost_reason,
                created,
                stage,
                entered,
                closed,
                *(snoozed or (None, "")),
            )
        )
        self._record_stages(pid, history or [(stage, created)])
        return pid

    def _record_stages(self, pid: int, history: list[tuple[int, datetime]]) -> None:
        """The stage changes of a prospect's history: (stage position, when), oldest first."""
        previous = None
        for position, when in history:
            self.data.stage_changes.append((pid, previous, position, when))
            previous = position

    def follow_up(
        self,
        pid: int,
        kind: str,
        due: datetime,
        *,
        done: bool,
        created: datetime | None = None,
        notes: str = "",
    ) -> None:
        outcome = self.pick(OUTCOMES[kind]) if done else ""
        self.data.follow_ups.append(
            (pid, kind, due, due if done else None, created or (due - timedelta(days=2)), outcome, notes)
        )


def _walk(maker: _Maker) -> None:
    """One ordinary prospect: a random walk through the stages up to now."""
    rng, now = maker.rng, maker.now
    recent = rng.random() < maker.recent_share
    created = maker.work_time(now - timedelta(days=rng.uniform(0, 60 if recent else maker.span_days)))
    created = min(created, now)  # office hours later today (or a weekend's Monday) are to come yet
    walked = _walk_the_stages(maker, created)
    pid = _add_walked(maker, created, walked)
    for kind, when in walked.activities:
        if when < now:
            maker.follow_up(pid, kind, when, done=True)
    if walked.closed is None:
        _next_step(maker, pid, walked.position)


@dataclass
class _Walked:
    """Where a walk through the stages ended, and what happened on the way."""

    position: int
    history: list[tuple[int, datetime]]
    activities: list[tuple[str, datetime]]
    closed: datetime | None = None
    lost_reason: str = ""


def _walk_the_stages(maker: _Maker, created: datetime) -> _Walked:
    """From a lead made at ``created``, a stage further (or lost, or won from a proposal) every
    dozen days or so, with calls and emails between, until now or until it closes."""
    rng, now = maker.rng, maker.now
    walked = _Walked(LEAD, [(LEAD, created)], [("call", created)])
    moment = created
    while True:
        previous = moment
        moment = maker.work_time(moment + timedelta(days=rng.expovariate(1 / 12)))
        if moment <= previous:  # snapped to an earlier hour of the same day: keep time moving on
            moment = previous + timedelta(hours=1)
        if moment >= now:
            return walked
        roll, position = rng.random(), walked.position
        if position == PROPOSAL and roll < 0.7:
            position = WON_POS if roll < 0.5 else LOST_POS
        elif position != PROPOSAL and roll < 0.62:
            position += 1
        elif position != PROPOSAL and roll < 0.69:
            position = LOST_POS
        else:  # no move this time: now and then a call or an email
            if roll < 0.85:
                walked.activities.append((maker.pick(("call", "email")), moment))
            continue
        walked.position = position
        walked.history.append((position, moment))
        walked.activities.append(_activity_on_entering(maker, position, moment))
        if position in (WON_POS, LOST_POS):
            walked.closed = moment
            walked.lost_reason = maker.pick(LOST_REASONS) if position == LOST_POS else ""
            return walked


def _activity_on_entering(maker: _Maker, position: int, moment: datetime) -> tuple[str, datetime]:
    """What was done on reaching a stage: an appointment booked, a demo or trial, else a call or
    an email."""
    if position == APPOINTMENT:
        return ("appointment", maker.work_time(moment + timedelta(days=maker.below(1, 6))))
    if position == TRIAL:
        return (maker.pick(("demo", "trial")), moment)
    return (maker.pick(("call", "email")), moment)


def _add_walked(maker: _Maker, created: datetime, walked: _Walked) -> int:
    """The prospect a walk made: what is known of it grows with how far it got."""
    rng, position = maker.rng, walked.position
    decision = (
        "yes" if position >= APPOINTMENT or rng.random() < 0.3 else maker.pick(("unknown", "unknown", "no"))
    )
    return maker.prospect(
        stage=position,
        created=created,
        entered=walked.history[-1][1],
        decision=decision,
        value=True if position > LEAD or rng.random() < 0.5 else None,
        close=True if position > QUALIFIED or rng.random() < 0.4 else None,
        closed=walked.closed,
        lost_reason=walked.lost_reason,
        history=walked.history,
    )


def _next_step(maker: _Maker, pid: int, position: int) -> None:
    """An open prospect's next follow-up: overdue, due today, to come, or (now and then) none."""
    now, roll = maker.now, maker.rng.random()
    kind = (
        maker.pick(("call", "email", "call", "task"))
        if position < APPOINTMENT
        else maker.pick(("call", "appointment", "email"))
    )
    if roll < 0.15:
        maker.follow_up(pid, kind, maker.work_time(now - timedelta(days=maker.below(1, 9))), done=False)
    elif roll < 0.30:
        due = now.replace(hour=maker.pick((9, 11, 15, 17)), minute=0)
        maker.follow_up(pid, kind, due, done=False, created=now - timedelta(days=3))
    elif roll < 0.82:
        maker.follow_up(pid, kind, maker.work_time(now + timedelta(days=maker.below(1, 15))), done=False)


DAY = timedelta(days=1)


def _ago(maker: _Maker, days: float) -> datetime:
    """``days`` before now, on a weekday (a weekend gives the Friday before)."""
    moment = maker.now - days * DAY
    while moment.weekday() >= 5:
        moment -= DAY
    return moment


def _ahead(maker: _Maker, days: float, hour: int = 10) -> datetime:
    """``days`` after now at ``hour``, on a weekday (a weekend gives the Monday after)."""
    moment = (maker.now + days * DAY).replace(hour=hour, minute=0)
    while moment.weekday() >= 5:
        moment += DAY
    return moment


def _appointment_unconfirmed(maker: _Maker) -> None:
    """Advice: confirm the decision maker, send a reminder."""
    ago = partial(_ago, maker)
    pid = maker.prospect(
        stage=QUALIFIED,
        created=ago(20),
        entered=ago(6),
        decision="unknown",
        urgency="high",
        history=[(LEAD, ago(20)), (QUALIFIED, ago(6))],
        organization="Brightwater Dental",
    )
    maker.follow_up(pid, "call", ago(6), done=True)
    tomorrow = (maker.now + DAY).replace(hour=10, minute=0)
    maker.follow_up(pid, "appointment", tomorrow, done=False, notes="Meeting at their office")


def _confirmed_no_meeting(maker: _Maker) -> None:
    """Advice: schedule an appointment."""
    ago = partial(_ago, maker)
    pid = maker.prospect(
        stage=QUALIFIED,
        created=ago(9),
        entered=ago(3),
        decision="yes",
        history=[(LEAD, ago(9)), (QUALIFIED, ago(3))],
        organization="Cedar Analytics",
    )
    maker.follow_up(pid, "call", ago(3), done=True)
    maker.follow_up(pid, "email", _ahead(maker, 2, 11), done=False)


def _unknown_budget(maker: _Maker) -> None:
    """Advice: probe the budget and the timeframe."""
    ago = partial(_ago, maker)
    pid = maker.prospect(
        stage=QUALIFIED,
        created=ago(12),
        entered=ago(5),
        decision="yes",
        value=None,
        close=None,
        history=[(LEAD, ago(12)), (QUALIFIED, ago(5))],
        organization="Oakridge Schools",
    )
    maker.follow_up(pid, "call", ago(5), done=True)
    maker.follow_up(pid, "appointment", _ahead(maker, 4, 11), done=False)


def _waiting_for_info(maker: _Maker) -> None:
    """Advice: answer the request for information."""
    ago = partial(_ago, maker)
    pid = maker.prospect(stage=LEAD, created=ago(2), entered=ago(2), organization="Juniper Hotels")
    asked = ago(1) + timedelta(hours=2)
    notes = "Wants the spec sheet and references"
    maker.follow_up(pid, "info-request", asked, done=False, created=ago(1), notes=notes)


def _met_no_follow_up(maker: _Maker) -> None:
    """Advice: follow up after the appointment."""
    ago = partial(_ago, maker)
    pid = maker.prospect(
        stage=APPOINTMENT,
        created=ago(30),
        entered=ago(10),
        decision="yes",
        history=[(LEAD, ago(30)), (QUALIFIED, ago(20)), (APPOINTMENT, ago(10))],
        organization="Stonebridge Architects",
    )
    maker.follow_up(pid, "appointment", ago(4), done=True)


def _slow_decider(maker: _Maker) -> None:
    """Advice: offer a trial."""
    ago = partial(_ago, maker)
    pid = maker.prospect(
        stage=PROPOSAL,
        created=ago(60),
        entered=ago(25),
        decision="yes",
        history=[(LEAD, ago(60)), (QUALIFIED, ago(50)), (APPOINTMENT, ago(40)), (PROPOSAL, ago(25))],
        organization="Meridian Insurance",
    )
    maker.follow_up(pid, "appointment", ago(38), done=True)
    maker.follow_up(pid, "call", ago(8), done=True)
    maker.follow_up(pid, "call", _ahead(maker, 3, 15), done=False)


def _gone_quiet(maker: _Maker) -> None:
    """Advice: the deal is stale."""
    ago = partial(_ago, maker)
    pid = maker.prospect(stage=LEAD, created=ago(45), entered=ago(45), organization="Quarry Printing")
    maker.follow_up(pid, "call", ago(40), done=True)
    maker.follow_up(pid, "email", ago(30), done=False)


def _trial_running(maker: _Maker) -> None:
    """A trial under way, ending soon."""
    ago = partial(_ago, maker)
    pid = maker.prospect(
        stage=TRIAL,
        created=ago(40),
        entered=ago(6),
        decision="yes",
        urgency="high",
        history=[(LEAD, ago(40)), (QUALIFIED, ago(30)), (APPOINTMENT, ago(15)), (TRIAL, ago(6))],
        organization="Northwind Logistics",
    )
    maker.follow_up(pid, "appointment", ago(14), done=True)
    maker.follow_up(pid, "trial", ago(6), done=True, notes="Trial started")
    ends = _ahead(maker, 8, 9)
    maker.follow_up(pid, "trial", ends, done=False, notes="Trial ends: ask for the decision")


# Made first, in this order, so that every piece of prospect advice shows in the demo.
SCENARIOS: tuple[Callable[[_Maker], None], ...] = (
    _appointment_unconfirmed,
    _confirmed_no_meeting,
    _unknown_budget,
    _waiting_for_info,
    _met_no_follow_up,
    _slow_decider,
    _gone_quiet,
    _trial_running,
)


def _slipped(maker: _Maker) -> None:
    """Still worked on, but its close date has passed."""
    now = maker.now
    entered = now - 12 * DAY
    pid = maker.prospect(
        stage=PROPOSAL,
        created=now - 50 * DAY,
        entered=entered,
        decision="yes",
        close=(now - 6 * DAY).date(),
        history=[(LEAD, now - 50 * DAY), (APPOINTMENT, now - 30 * DAY), (PROPOSAL, entered)],
        organization="Silverline Hotels",
    )
    maker.follow_up(pid, "call", now - 2 * DAY, done=True)
    maker.follow_up(pid, "call", now + 2 * DAY, done=False, notes="Ask what holds up the signature")


def _closing_this_month(maker: _Maker) -> None:
    """A trial whose deal closes on the month's last day."""
    now = maker.now
    entered = now - 5 * DAY
    last = (now.replace(day=28) + 4 * DAY).replace(day=1) - DAY
    pid = maker.prospect(
        stage=TRIAL,
        created=now - 35 * DAY,
        entered=entered,
        decision="yes",
        close=max(now, last).date(),
        history=[(LEAD, now - 35 * DAY), (APPOINTMENT, now - 15 * DAY), (TRIAL, entered)],
        organization="Evergreen Clinics",
    )
    maker.follow_up(pid, "trial", entered, done=True, notes="Trial started")
    maker.follow_up(pid, "trial", now + 3 * DAY, done=False, notes="Trial ends: ask for the decision")


def _won_this_month(maker: _Maker) -> None:
    """A deal won this month, so the quota shows progress."""
    won = max(maker.now.replace(day=1, hour=11, minute=0), maker.now - 10 * DAY)
    maker.prospect(
        stage=WON_POS,
        created=won - 40 * DAY,
        entered=won,
        decision="yes",
        closed=won,
        history=[(LEAD, won - 40 * DAY), (PROPOSAL, won - 9 * DAY), (WON_POS, won)],
        organization="Keystone Partners",
    )


def _snoozed(maker: _Maker) -> None:
    """Quiet on purpose: the stale advice leaves it alone."""
    now = maker.now
    created = now - 40 * DAY
    pid = maker.prospect(
        stage=QUALIFIED,
        created=created,
        entered=now - 30 * DAY,
        history=[(LEAD, created), (QUALIFIED, now - 30 * DAY)],
        organization="Pinecrest Schools",
        snoozed=(now + 45 * DAY, "their budget opens in January"),
    )
    maker.follow_up(pid, "call", now - 30 * DAY, done=True)


# Made last, so that the prospects before them stay as they were whatever the count.
LATE_SCENARIOS: tuple[Callable[[_Maker], None], ...] = (
    _slipped,
    _closing_this_month,
    _won_this_month,
    _snoozed,
)


def quarter_start(now: datetime) -> date:
    return date(now.year, 3 * ((now.month - 1) // 3) + 1, 1)


def build_demo(now: datetime, count: int = 60, progress: Callable[[int], None] | None = None) -> DemoData:
    """Generate ``count`` prospects (scenarios first and last) and a quota for the current quarter."""
    data = DemoData()
    maker = _Maker(now, data, count)
    for scenario in SCENARIOS[:count]:
        scenario(maker)
    while maker.count < count - len(LATE_SCENARIOS):
        _walk(maker)
        if progress is not None and maker.count % 10000 == 0:
            progress(maker.count)
    for scenario in LATE_SCENARIOS[: max(0, count - maker.count)]:
        scenario(maker)
    data.quota = ("quarter", _quota_target(data, maker.now))
    return data


_QUOTA_FIELDS = ("value_cents", "expected_close", "stage_pos", "closed_at")


def _quota_target(data: DemoData, now: datetime) -> int:
    """A quota a little out of reach: won this quarter plus what is expected, and more."""
    value, close, stage, closed = (PROSPECT_FIELDS.index(name) for name in _QUOTA_FIELDS)
    probabilities = [p for _, p, _, _ in DEFAULT_STAGES]
    start = datetime.combine(quarter_start(now), datetime.min.time())
    won = sum(
        p[value] or 0 for p in data.prospects if p[stage] == WON_POS and p[closed] and p[closed] >= start
    )
    end = quarter_start(now) + timedelta(days=92)
    expected = sum(
        (p[value] or 0) * probabilities[p[stage]]
        for p in data.prospects
        if p[stage] < WON_POS and (p[close] is None or p[close] < end.replace(day=1))
    )
    target = (won + expected) / 0.45
    return max(500_000, int(round(target / 500_000) * 500_000))
