"""Tables of the pipeline, as Peewee models bound to a proxy that ``open_database`` fills in.

Money is integer cents (SQLite keeps decimals as REAL and loses cents); times are naive local
times; enumerations are short text, checked by the services.
"""

from __future__ import annotations

from peewee import (
    SQL,
    BigIntegerField,
    BooleanField,
    CharField,
    CompositeKey,
    Database,
    DatabaseProxy,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    SqliteDatabase,
    TextField,
)

database = DatabaseProxy()


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False
        # an UPDATE names the fields the action changed, not all twenty of a prospect's: less
        # SQL for peewee to build on every move, and less to write
        only_save_dirty = True


class Pipeline(BaseModel):
    name = CharField()
    position = IntegerField(default=0)


class Stage(BaseModel):
    pipeline = ForeignKeyField(Pipeline, backref="stages", on_delete="CASCADE")
    name = CharField()
    position = IntegerField()
    probability = FloatField()
    kind = CharField(default="open")  # open, won, lost
    role = CharField(null=True)  # lead, qualified, appointment, trial, proposal, won, lost

    class Meta:
        indexes = ((("pipeline", "position"), False),)


class Organization(BaseModel):
    """A company that deals are with (schema 6): its people and every deal, open or closed."""

    name = CharField()  # as first written
    key = CharField(unique=True)  # the name without case, accents or extra spaces (core.people)


class Prospect(BaseModel):
    # Foreign keys carry no index of their own where a composite index below covers the
    # lookups: every index costs on each write and on bulk inserts.
    pipeline = ForeignKeyField(Pipeline, on_delete="RESTRICT", index=False)
    stage = ForeignKeyField(Stage, on_delete="RESTRICT", index=False)
    name = CharField()
    organization = CharField(default="")
    contact = CharField(default="")
    title = CharField(default="")
    email = CharField(default="")
    phone = CharField(default="")
    decision_maker = CharField(default="unknown")
    value_cents = BigIntegerField(null=True)
    expected_close = DateField(null=True)
    urgency = CharField(default="medium")
    source = CharField(default="")
    probability = FloatField(null=True)
    notes = TextField(default="")
    lost_reason = CharField(default="")
    created_at = DateTimeField()
    updated_at = DateTimeField()
    stage_entered_at = DateTimeField()
    closed_at = DateTimeField(null=True)
    archived = BooleanField(default=False)
    # Kept up to date by every stage move, so that conversion over years of history is one
    # small GROUP BY instead of a pass over every stage change.
    reached_stage = ForeignKeyField(Stage, null=True, on_delete="SET NULL", index=False)  # furthest open one
    ever_won = BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")])
    # schema 2: a team shares one database
    owner = CharField(default="", constraints=[SQL("DEFAULT ''")])  # who works this prospect
    version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])  # bumped by every change
    # schema 5: what the rules read of its follow-ups, kept by triggers (see store.activity)
    last_activity_at = DateTimeField(null=True)  # the last follow-up done
    last_contact_at = DateTimeField(null=True)  # the last call, email or reminder done
    last_appointment_at = DateTimeField(null=True)  # the last appointment done
    demo_or_trial = BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")])  # ever, open or done
    # schema 6: the organization record; ``organization`` stays the name as written on this
    # deal, and contact, title, email, phone and decision_maker sum up its contacts (the first
    # decision maker, else the one to ask: see services.contacts), so that one-row views (the
    # board's cards, CSV) read them off the row
    org = ForeignKeyField(
        Organization, null=True, column_name="organization_id", object_id_name="org_id", on_delete="SET NULL"
    )
    # schema 8: put aside on purpose until a moment, for a reason (the stale advice keeps quiet)
    snoozed_until = DateTimeField(null=True)
    snooze_reason = CharField(default="", constraints=[SQL("DEFAULT ''")])
    # schema 9: what the board orders and searches by, worked out by the pure core and kept
    # here (see services.scores); a write empties fresh_until (triggers, store.freshness)
    score = IntegerField(null=True)  # open prospects only
    search_text = TextField(default="", constraints=[SQL("DEFAULT ''")])  # folded (core.search)
    fresh_until = DateTimeField(null=True)  # the two hold until then; empty: to be worked out
    # schema 10: the currency of value_cents (ISO 4217), "" for the home one (config's [currency])
    currency = CharField(max_length=3, default="", constraints=[SQL("DEFAULT ''")])

    class Meta:
        indexes = (
            # the board's open prospects by stage; also covers the reach histogram's GROUP BY and
            # the count that ranks one budget among the open ones
            (("archived", "stage", "pipeline", "reached_stage", "ever_won", "value_cents"), False),
            # (and, from schema 9, the prospects closed in a period: store.board's index of them)
        )


class Contact(BaseModel):
    """A person on a deal (schema 6), with their role in its decision (core.people)."""

    prospect = ForeignKeyField(Prospect, backref="contacts", on_delete="CASCADE")
    name = CharField()
    title = CharField(default="")
    email = CharField(default="")
    phone = CharField(default="")
    role = CharField(null=True)  # decision-maker, influencer, user, gatekeeper, other; None: not known
    position = IntegerField(default=0)  # the order they were added in


class CadenceRun(BaseModel):
    """A cadence running on a prospect (schema 9): its steps as they were when it started,
    so that a cadence changed in the config file later leaves this one as it was."""

    prospect = ForeignKeyField(Prospect, backref="cadences", on_delete="CASCADE", index=False)
    name = CharField()
    steps = TextField()  # JSON: ["call +2d", "email +3d", ...]
    started_at = DateTimeField()
    ended_at = DateTimeField(null=True)
    # finished, stopped, won, lost or archived
    end_reason = CharField(default="", constraints=[SQL("DEFAULT ''")])

    class Meta:
        table_name = "cadence_run"
        indexes = ((("prospect", "ended_at"), False),)


class FollowUp(BaseModel):
    """An activity: a follow-up to do (``done_at`` empty) or done."""

    prospect = ForeignKeyField(Prospect, backref="follow_ups", on_delete="CASCADE", index=False)
    kind = CharField()
    due_at = DateTimeField()
    done_at = DateTimeField(null=True)
    created_at = DateTimeField()
    outcome = TextField(default="")
    notes = TextField(default="")
    # schema 7: a step of a cadence (1-based), or a repeating one (an RRULE), and the due time
    # a reminder was last sent for (`pipeline-tui notify`: never twice for the same time)
    cadence_run = ForeignKeyField(CadenceRun, null=True, on_delete="SET NULL", index=False)
    cadence_step = IntegerField(null=True)
    repeat = TextField(null=True)
    announced_due = DateTimeField(null=True)

    # what completing it scheduled by itself (a cadence's next step, a repeat's next
    # occurrence): set by the service that completed it, never stored
    continued_by: FollowUp | None = None

    class Meta:
        table_name = "follow_up"
        # with the kind, the board's activity summary (last done, last contact, last
        # appointment, ever a demo) is read from the index alone (schema 3)
        indexes = ((("prospect", "done_at", "kind"), False),)


class StageChange(BaseModel):
    prospect = ForeignKeyField(Prospect, backref="stage_changes", on_delete="CASCADE", index=False)
    from_stage = ForeignKeyField(Stage, null=True, on_delete="SET NULL", index=False)
    to_stage = ForeignKeyField(Stage, on_delete="CASCADE", index=False)
    changed_at = DateTimeField()
    # schema 6: the stages' names when one of them was removed, so that history still reads
    # "Negotiation → Proposal" after the link went to the stage that took its prospects
    from_name = CharField(null=True)
    to_name = CharField(null=True)
    # schema 8: how long the prospect had been in ``from_stage`` (the report's time in stage)
    seconds_in_stage = BigIntegerField(null=True)

    class Meta:
        table_name = "stage_change"
        indexes = (
            (("prospect", "changed_at"), False),
            # the stages left in a window of time, with how long each stay was: read from the
            # index alone (schema 8)
            (("changed_at", "from_stage", "seconds_in_stage", "prospect"), False),
        )


class Quota(BaseModel):
    period = CharField()  # month, quarter, year
    target_cents = BigIntegerField()
    set_at = DateTimeField()
    owner = CharField(default="", constraints=[SQL("DEFAULT ''")])  # schema 2; "" is the team's


class Setting(BaseModel):
    """Small per-database preferences (the theme, the last pipeline shown)."""

    key = CharField(primary_key=True)
    value = TextField()


class Revision(BaseModel):
    """A counter every write bumps, so open TUIs notice changes made by other processes."""

    counter = BigIntegerField(default=0)


class StageTotal(BaseModel):
    """How many live prospects of one owner a stage holds and what they are worth, kept by
    triggers (schema 9, see store.totals): the board's column headers, without summing
    100,000 rows on every key."""

    stage = ForeignKeyField(Stage, on_delete="CASCADE", index=False)
    owner = CharField()
    # (defaults in the database: the triggers make a row with the stage and owner alone)
    prospects = IntegerField(constraints=[SQL("DEFAULT 0")])
    value_cents = BigIntegerField(constraints=[SQL("DEFAULT 0")])
    # the value of those weighted by their stage's probability (the config file may change
    # it), and the rest already weighted by their own
    at_stage_odds_cents = BigIntegerField(constraints=[SQL("DEFAULT 0")])
    weighted_own_cents = FloatField(constraints=[SQL("DEFAULT 0")])

    class Meta:
        table_name = "stage_total"
        primary_key = CompositeKey("stage", "owner")


ALL_MODELS = (
    Pipeline,
    Stage,
    Organization,
    Prospect,
    Contact,
    CadenceRun,
    FollowUp,
    StageChange,
    Quota,
    Setting,
    Revision,
    StageTotal,
)


def extra_indexes(db: Database) -> tuple[SQL, ...]:
    """The partial indexes (of open follow-ups only), which a model's Meta cannot declare."""
    # Each prospect's open follow-ups, soonest first, read from the index alone: the board's
    # parts read theirs so (48 -> 15 ms at 10,000 open prospects). done_at (always empty here)
    # is in it so that the query's every column is: SQLite then takes it over the index of all
    # follow-ups, statistics or not. PostgreSQL caps an index row at about 2.7 kB, so there a
    # follow-up's notes stay in the table only.
    covered = "id, kind, created_at, notes" if isinstance(db, SqliteDatabase) else "id, kind, created_at"
    return (
        # the agenda: open follow-ups by due time
        SQL("CREATE INDEX IF NOT EXISTS follow_up_open_due ON follow_up (due_at) WHERE done_at IS NULL"),
        # the report's week of activity: follow-ups done since Monday, by kind (schema 6)
        SQL(
            "CREATE INDEX IF NOT EXISTS follow_up_done ON follow_up (done_at, kind) WHERE done_at IS NOT NULL"
        ),
        SQL(
            "CREATE INDEX IF NOT EXISTS follow_up_open_prospect"
            f" ON follow_up (prospect_id, done_at, due_at, {covered}) WHERE done_at IS NULL"
        ),
    )
