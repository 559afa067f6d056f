"""The board as the database serves it: stored scores the core computed, kept current by every
write and by the clock; columns read a window at a time in their order; the stages' totals
kept by triggers; search without case or accents, in calls and notes too, closed deals too."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from pipeline_tui.core import domain
from pipeline_tui.core.money import Currencies
from pipeline_tui.core.score import ScoreContext, open_stages_by_pipeline, score_total, value_ladder
from pipeline_tui.core.settings import ScoreWeights, Settings
from pipeline_tui.services import scores
from pipeline_tui.services.board import WINDOW, BoardReader
from pipeline_tui.services.follow_ups import complete, log_activity, schedule, snooze
from pipeline_tui.services.importing import ImportOptions
from pipeline_tui.services.notes import add_note
from pipeline_tui.services.prospects import (
    add_prospect,
    archive_prospect,
    edit_prospect,
    mark_lost,
    mark_won,
    restore_prospect,
    step_prospect,
)
from pipeline_tui.store import board as store_board
from pipeline_tui.store import freshness, queries, search, totals
from pipeline_tui.store.built import built_sql
from pipeline_tui.store.models import FollowUp, Prospect, Setting, Stage

SETTINGS = Settings()


def demo(now, count: int = 80) -> None:
    from pipeline_tui.io.demo import build_demo
    from pipeline_tui.services.importing import write_demo

    write_demo(build_demo(now, count), now)


def core_scores(now, settings: Settings = SETTINGS) -> dict[int, int]:
    """Every open prospect's score as the pure core gives it, with the ladder of open values
    the stored scores were worked out against."""
    snapshot = queries.load_snapshot(now, settings, open_only=True)
    ladder = freshness.basis()["ladder"]
    context = ScoreContext(now, ladder, open_stages_by_pipeline(snapshot.stages))
    return {
        p.id: score_total(p, snapshot.stage_of(p), context, settings.score, settings.thresholds)
        for p in snapshot.open_prospects
    }


def stored_scores() -> dict[int, int]:
    open_stages = [s.id for s in Stage.select().where(Stage.kind == domain.OPEN)]
    query = Prospect.select(Prospect.id, Prospect.score).where(
        Prospect.archived == False,
        Prospect.stage.in_(open_stages),  # noqa: E712
    )
    return dict(query.tuples())


def test_every_stored_score_is_the_cores_after_all_kinds_of_writes(db, now):
    demo(now)
    scores.keep_current(now, SETTINGS)
    assert stored_scores() == core_scores(now)
    ids = sorted(stored_scores())
    step_prospect(ids[0], 1, now)
    edit_prospect(ids[1], now, {"value": "123456", "decision_maker": "yes", "urgency": "high"})
    schedule(ids[2], "demo", now + timedelta(days=2), now)
    call = schedule(ids[3], "call", now - timedelta(days=3), now)
    snooze(call.id, timedelta(days=1), now)
    complete(schedule(ids[4], "call", now - timedelta(days=1), now).id, now, outcome="keen")
    log_activity(ids[5], "call", now, outcome="wants a quote")
    mark_won(ids[6], now)
    mark_lost(ids[7], "price", now)
    archive_prospect(ids[8], now)
    restore_prospect(ids[8], now)
    _followups_and_figures_writes(ids[9:13], now)
    assert freshness.any_stale(now), "each write leaves its prospect to be worked out again"
    scores.keep_current(now, SETTINGS)
    assert not freshness.any_stale(now)
    assert stored_scores() == core_scores(now)


def _followups_and_figures_writes(ids: list[int], now: datetime) -> None:
    """The writes issues 19 and 20 brought: a cadence started (its first step scheduled) and
    one stopped, a repeating follow-up done (its next occurrence made), a deal snoozed with a
    reason and one woken."""
    from pipeline_tui.core.cadences import parse_cadence
    from pipeline_tui.core.repeats import parse_repeat
    from pipeline_tui.services.cadences import start_cadence, stop_follow_ups
    from pipeline_tui.services.prospects import snooze_prospect, wake_prospect

    cadence = parse_cadence("after-demo", ["call +1d", "email +2d"])
    start_cadence(ids[0], cadence, now - timedelta(days=3))
    start_cadence(ids[1], cadence, now)
    stop_follow_ups(ids[1], now)
    due = now - timedelta(days=2)
    complete(schedule(ids[2], "call", due, now, repeat=parse_repeat("every week", due)).id, now)
    snooze_prospect(ids[3], now + timedelta(days=30), "budget opens in January", now)
    snooze_prospect(ids[2], now + timedelta(days=30), "on holiday", now)
    wake_prospect(ids[2], now)


def test_a_write_by_another_program_marks_the_prospect_to_work_out_again(db, db_path, now):
    """Triggers, not the services, mark a row: a hand edit or another program counts too."""
    deal = add_prospect(now, "Deal", follow_up=(now + timedelta(days=1), "call"))
    scores.keep_current(now, SETTINGS)
    fresh = lambda: Prospect.get_by_id(deal.id).fresh_until is not None  # noqa: E731
    assert fresh()
    statements = [
        ("UPDATE prospect SET value_cents = 500000 WHERE id = ?", (deal.id,)),
        ("UPDATE prospect SET notes = 'met at the fair' WHERE id = ?", (deal.id,)),
        ("UPDATE follow_up SET outcome = 'no answer' WHERE prospect_id = ?", (deal.id,)),
        (
            "INSERT INTO follow_up (prospect_id, kind, due_at, created_at, outcome, notes)"
            " VALUES (?, 'email', '2026-11-20 09:00:00', '2026-11-19 09:00:00', '', '')",
            (deal.id,),
        ),
        ("DELETE FROM follow_up WHERE prospect_id = ? AND kind = 'email'", (deal.id,)),
    ]
    for sql, params in statements:
        connection = sqlite3.connect(db_path)
        with connection:
            connection.execute(sql, params)
        connection.close()
        assert not fresh(), sql
        scores.keep_current(now, SETTINGS)
        assert fresh(), sql
    assert stored_scores() == core_scores(now)
    assert "met at the fair" in Prospect.get_by_id(deal.id).search_text
    connection = sqlite3.connect(db_path)
    with connection:  # what the score is not made from leaves it alone
        connection.execute("UPDATE prospect SET email = 'a@b.example', version = 9 WHERE id = ?", (deal.id,))
    connection.close()
    assert fresh()


def test_the_clock_moves_a_score_on_at_the_moment_the_core_names(db, now):
    """A follow-up due at 10:00 is overdue from 10:01: the stored score holds until then and is
    worked out again once the clock has passed it (the board looks every minute)."""
    deal = add_prospect(now, "Deal", follow_up=(now.replace(hour=10, minute=0), "call"))
    scores.keep_current(now, SETTINGS)
    before = Prospect.get_by_id(deal.id).score
    assert Prospect.get_by_id(deal.id).fresh_until == now.replace(hour=10, minute=0, microsecond=1)
    scores.keep_current(now.replace(hour=10, minute=0), SETTINGS)
    assert Prospect.get_by_id(deal.id).score == before, "due now is not late yet"
    later = now.replace(hour=10, minute=1)
    assert freshness.any_stale(later)
    scores.keep_current(later, SETTINGS)
    after = Prospect.get_by_id(deal.id).score
    assert after == before + ScoreWeights().overdue_follow_up
    assert stored_scores() == core_scores(later)


def test_a_new_day_works_out_the_budgets_that_moved_across_a_rung_and_no_others(db, now):
    """A budget ranks against the day's ladder of open values: within a day a deal won changes
    no other score; the next day every budget ranks against the new ladder."""
    for number in range(120):  # more values than rungs: the ladder is every percentile
        add_prospect(now, f"Deal {number}", fields={"value": str(1000 + 37 * number)})
    scores.keep_current(now, SETTINGS)
    ladder = freshness.basis()["ladder"]
    assert len(ladder) == 101 and list(ladder) == sorted(ladder)
    top = max(stored_scores(), key=lambda pid: Prospect.get_by_id(pid).value_cents)
    for pid in sorted(stored_scores())[-30:]:
        if pid != top:
            mark_won(pid, now)  # thirty of the bigger deals leave the open ones
    scores.keep_current(now, SETTINGS)
    assert freshness.basis()["ladder"] == ladder, "the same day: the same ladder"
    assert stored_scores() == core_scores(now)
    tomorrow = now + timedelta(days=1)
    scores.keep_current(tomorrow, SETTINGS)
    assert freshness.basis()["ladder"] == value_ladder(queries.open_values(Settings().currency))
    assert freshness.basis()["ladder"] != ladder
    assert stored_scores() == core_scores(tomorrow)


def test_other_weights_or_an_earlier_clock_work_every_score_out_again(db, now):
    demo(now, 40)
    scores.keep_current(now, SETTINGS)
    eager = Settings(score=ScoreWeights(decision_maker_yes=60, stage=5))
    scores.keep_current(now, eager)
    assert stored_scores() == core_scores(now, eager)
    earlier = now - timedelta(days=20)
    scores.keep_current(earlier, eager)
    assert stored_scores() == core_scores(earlier, eager)


def _all_cards(column) -> list[tuple]:
    """A column's rows, sorted here as the board orders them: best score, bigger deal, older."""
    open_stage = Prospect.archived == False  # noqa: E712
    rows = Prospect.select(Prospect.id, Prospect.score, Prospect.value_cents).where(
        open_stage, Prospect.stage == column.stage_id
    )
    return sorted(rows.tuples(), key=lambda row: (-row[1], -(row[2] or 0), row[0]))


def test_a_column_read_a_window_at_a_time_is_the_column_in_order(db, now):
    demo(now, 400)
    board = BoardReader(SETTINGS).read(now)
    for head, cards in board.columns:
        column = store_board.Column(head.stage.id, 1)
        expected = [row[0] for row in _all_cards(column)]
        assert head.count == len(cards) == len(expected)
        assert [card.id for card in cards] == expected  # window after window
        for index in (len(expected) - 1, WINDOW + 3, 0, WINDOW):  # out of order too
            if index < len(expected):
                assert cards[index].id == expected[index]
        reader = BoardReader(SETTINGS)
        reader.read(now)
        for index in range(0, len(expected), 7):
            assert reader.place(expected[index]) == (head.stage.id, index)


def test_a_card_is_placed_after_every_card_ahead_of_it_ties_of_score_and_value_included(db, now):
    """Where the board puts a card (the cursor after a move) is its index in the column: the
    cards ahead are counted in three parts (a better score; the same score and a bigger deal;
    the same score and deal and an older prospect), each its own range of the index."""
    demo(now, 200)
    ids = [pid for (pid,) in Prospect.select(Prospect.id).order_by(Prospect.id).tuples()]
    Prospect.update(value_cents=500_000).where(Prospect.id.in_(ids[::3])).execute()
    Prospect.update(value_cents=None).where(Prospect.id.in_(ids[1::5])).execute()  # no value: 0
    reader = BoardReader(SETTINGS)
    board = reader.read(now)
    tied = 0
    for head, _ in board.columns:
        rows = _all_cards(store_board.Column(head.stage.id, 1))
        keys = [(score, value or 0) for _, score, value in rows]
        tied += len(keys) - len(set(keys))
        assert [reader.place(pid) for pid, _, _ in rows] == [(head.stage.id, at) for at in range(len(rows))]
    assert tied > 20  # (the three parts each counted something)


def test_a_window_read_from_a_card_beside_it_is_the_column_in_order(db, now, monkeypatch):
    """Deep in a column a window is read from a card beside it (the last of the window above,
    the first of the one below, or the card placed there): the same cards as by OFFSET, and
    no OFFSET past the first window when reading on in either direction."""
    from pipeline_tui.services import board as board_service

    monkeypatch.setattr(board_service, "NEAR_FROM", 1)  # every window but the first
    offsets: list[int] = []
    window = store_board.window
    monkeypatch.setattr(store_board, "window", lambda *args: offsets.append(args[2]) or window(*args))
    demo(now, 300)
    ids = [pid for (pid,) in Prospect.select(Prospect.id).order_by(Prospect.id).tuples()]
    Prospect.update(value_cents=500_000).where(Prospect.id.in_(ids[::3])).execute()  # ties
    reader = BoardReader(SETTINGS)
    for head, _ in reader.read(now).columns:
        expected = [row[0] for row in _all_cards(store_board.Column(head.stage.id, 1))]
        last = len(expected) - 1
        offsets.clear()
        assert [card.id for card in dict(reader.read(now).columns)[head]] == expected and offsets == [0]
        offsets.clear()
        backwards = dict(reader.read(now).columns)[head]
        assert [backwards[i].id for i in range(last, -1, -1)] == expected[::-1]
        assert offsets == [last - last % WINDOW] + ([0] if last >= WINDOW else [])
        for at in range(0, len(expected), 11):
            placed = dict(reader.read(now).columns)[head]
            offsets.clear()
            assert reader.place(expected[at]) == (head.stage.id, at) and placed[at].id == expected[at]
            around = range(max(0, at - WINDOW - 1), min(len(expected), at + WINDOW + 2))
            assert [placed[i].id for i in around] == [expected[i] for i in around]
            assert set(offsets) <= {0}, offsets  # (the first window, by OFFSET 0)


def test_a_card_is_placed_from_the_index_alone(tmp_path):
    """Counting the cards of a better score reads the board's index only: no table row is
    looked up (with one condition joined by OR, SQLite looked up every row ahead: 14 ms at
    30,000)."""
    from pipeline_tui.store.db import open_database

    database = open_database(str(tmp_path / "plan.db"))
    sql, params = built_sql(store_board._before, ((False, False, False),), [3, 70, 1000, 12])
    plan = " | ".join(row[-1] for row in database.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    database.close()
    # (the two parts of the card's own score are few cards: read through the index, then rows)
    assert (
        "MULTI-INDEX OR" not in plan
        and "COVERING INDEX prospect_board (archived=? AND stage_id=? AND score>?)" in plan
    ), plan


def test_a_window_reads_the_same_sql_whichever_column_and_place(db, now):
    demo(now, 200)
    board = BoardReader(SETTINGS).read(now)
    list(board.columns[0][1])
    sql = built_sql(store_board._window, ((False, False, None),), [1, 16, 0])[0]
    for _, cards in board.columns:
        list(cards)
    assert built_sql(store_board._window, ((False, False, None),), [3, 16, 32])[0] == sql


def test_a_builder_that_captures_a_value_is_refused(db):
    stage = 3

    def captured(marks):
        return Prospect.select().where(Prospect.stage == stage)

    with pytest.raises(TypeError, match="takes all it depends on"):
        built_sql(captured, ())


def _summed() -> dict[int, tuple]:
    """Each stage's totals summed from the prospects themselves."""
    found: dict[int, list] = {}
    for stage, value, probability in (
        Prospect.select(Prospect.stage, Prospect.value_cents, Prospect.probability)
        .where(Prospect.archived == False)
        .tuples()
    ):  # noqa: E712
        entry = found.setdefault(stage, [0, 0, 0, 0.0])
        entry[0] += 1
        entry[1] += value or 0
        if probability is None:
            entry[2] += value or 0
        else:
            entry[3] += (value or 0) * probability
    return {stage: (c, v, s, pytest.approx(w)) for stage, (c, v, s, w) in found.items()}


def test_the_stages_totals_follow_every_write(db, db_path, now):
    demo(now, 120)  # a bulk insert: the totals are summed up once at its end
    every = [s.id for s in Stage.select()]
    counted = lambda: {k: v for k, v in totals.stage_totals(every, None).items() if v[0]}  # noqa: E731
    assert counted() == _summed()
    ids = sorted(stored_scores())
    step_prospect(ids[0], 1, now)
    edit_prospect(ids[1], now, {"value": "999", "probability": "35%"})
    mark_won(ids[2], now)
    archive_prospect(ids[3], now)
    added = add_prospect(now, "New one", fields={"value": "5000"})
    assert counted() == _summed()
    from pipeline_tui.services.base import undo_last

    while undo_last():
        pass
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("UPDATE prospect SET stage_id = 2, value_cents = 7 WHERE id = ?", (ids[4],))
        connection.execute("DELETE FROM prospect WHERE id = ?", (ids[5],))
    connection.close()
    assert counted() == _summed()
    assert Prospect.get_or_none(Prospect.id == added.id) is None


def _search(now, text: str) -> dict[str, list[tuple[str, str]]]:
    board = BoardReader(SETTINGS).read(now, text)
    return {
        head.title: [(card.name, card.closed) for card in cards]
        for head, cards in board.columns
        if len(cards)
    }


def test_search_folds_case_and_accents_and_looks_in_calls_and_notes(db, now):
    add_prospect(now, "Nordic deal", fields={"contact": "Ingrid Bergström"})
    jorg = add_prospect(now, "Jörg's pilot", fields={"organization": "Müller GmbH"})
    called = add_prospect(now, "Quiet deal")
    log_activity(called.id, "call", now, outcome="Wants the Blue Plan next spring")
    noted = add_prospect(now, "Noted deal")
    schedule(noted.id, "email", now + timedelta(days=2), now, notes="send the ÉCOLE brochure")
    add_note(noted.id, "met at the Œresund fair", now)
    assert _search(now, "bergstrom") == {"Lead": [("Nordic deal", "")]}
    assert _search(now, "BERGSTRÖM") == {"Lead": [("Nordic deal", "")]}
    assert _search(now, "jorg") == {"Lead": [("Jörg's pilot", "")]}
    assert _search(now, "muller") == {"Lead": [("Jörg's pilot", "")]}
    assert _search(now, "blue plan") == {"Lead": [("Quiet deal", "")]}
    assert _search(now, "ecole") == {"Lead": [("Noted deal", "")]}
    assert _search(now, "œresund") == {"Lead": [("Noted deal", "")]}
    assert _search(now, "jö") == _search(now, "jo") == {"Lead": [("Jörg's pilot", "")]}
    assert jorg.id


def test_search_finds_won_lost_and_archived_deals_shown_with_their_stage(db, now):
    won = add_prospect(now, "Acme fleet")
    mark_won(won.id, datetime(2026, 11, 2, 10))
    lost = add_prospect(now, "Acme pilot")
    mark_lost(lost.id, "chose a rival", datetime(2026, 11, 3, 10))
    gone = add_prospect(now, "Acme spares", stage="Trial")
    archive_prospect(gone.id, now)
    add_prospect(now, "Acme renewal", stage="Qualified")
    add_prospect(now, "Other deal")
    assert _search(now, "acme") == {
        "Qualified": [("Acme renewal", "")],
        "Won": [("Acme fleet", "won 02 Nov 26")],
        "Lost": [("Acme pilot", "lost 03 Nov 26: chose a rival")],
        "Archived": [("Acme spares", "archived from Trial")],
    }
    board = BoardReader(SETTINGS).read(now)
    assert [head.title for head, _ in board.columns] == [
        "Lead",
        "Qualified",
        "Appointment",
        "Trial",
        "Proposal",
    ]


@pytest.mark.parametrize("needle", ["a", "de", "acme", "e d", "%", "_", "100%", 'say "hi"', "zzz"])
def test_a_search_finds_what_a_look_through_every_text_finds(db, now, needle):
    """The trigram index (few matches), and row by row (many, or a short piece): the same cards."""
    from pipeline_tui.core.search import fold

    for number in range(60):
        name = ("Acme", "Delta", "Edda", "Zeta 100%", 'Say "hi" Ltd', "Under_score")[number % 6]
        add_prospect(now, f"{name} deal {number}", stage=("Lead", "Qualified", "Won")[number % 3])
    scores.keep_current(now, SETTINGS)
    expected = {
        pid
        for pid, text, archived in Prospect.select(
            Prospect.id, Prospect.search_text, Prospect.archived
        ).tuples()
        if fold(needle) in text and not archived
    }
    board = BoardReader(SETTINGS).read(now, needle)
    found = [card.id for head, cards in board.columns for card in cards]
    assert len(found) == len(set(found))
    if all(not head.more for head, _ in board.columns):
        assert set(found) == expected
    else:  # many: each column shows its first hundred, all of them matches
        assert set(found) <= expected and len(found) >= 100


def test_the_search_index_holds_every_text_after_a_bulk_import(db, now, tmp_path, monkeypatch):
    """A bulk insert drops the index's triggers while it runs and indexes nothing (every new
    text is empty); the texts worked out later go in one by one or (many at once) all afresh.
    A row deleted or renamed before or after its text was worked out leaves the index whole
    (FTS5's integrity-check compares it with the table)."""
    from pipeline_tui.io.csv_io import parse_csv
    from pipeline_tui.services.importing import import_parsed
    from pipeline_tui.store import bulk

    if not search.has_index(db):
        pytest.skip("the trigram index is SQLite's")
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 100)  # the big-import paths, at a small size
    monkeypatch.setattr(freshness, "MANY", 100)
    path = tmp_path / "many.csv"
    path.write_text("name,organization\n" + "".join(f"Deal {n},Org {n % 7}\n" for n in range(300)))
    import_parsed(parse_csv(path, now), str(path), now)
    check = "INSERT INTO prospect_search (prospect_search) VALUES ('integrity-check')"
    db.execute_sql(check)
    Prospect.delete().where(Prospect.name == "Deal 7").execute()  # its text never worked out
    scores.keep_current(now, SETTINGS)  # 299 texts: written unindexed, indexed afresh
    db.execute_sql(check)
    assert sorted(name for name, _ in _search(now, "org 3")["Lead"]) == sorted(
        f"Deal {n}" for n in range(3, 300, 7)
    )
    deal = Prospect.get(Prospect.name == "Deal 42")
    edit_prospect(deal.id, now, {"name": "Renamed forty-two"})
    assert _search(now, "forty-two") == {"Lead": [("Renamed forty-two", "")]}
    assert _search(now, "deal 42") == {}
    Prospect.delete().where(Prospect.name == "Deal 43").execute()  # its text in the index
    assert _search(now, "deal 43") == {}
    db.execute_sql(check)


def test_the_detail_explains_the_stored_score(db, now):
    demo(now, 60)
    board = BoardReader(SETTINGS).read(now)
    from pipeline_tui.services.views import prospect_detail

    for _, cards in board.columns:
        for card in list(cards)[:3]:
            assert prospect_detail(card.id, now, SETTINGS).score.total == card.score


def test_follow_ups_of_a_prospect_read_its_open_ones_only(db, now):
    deal = add_prospect(now, "Deal")
    done = schedule(deal.id, "call", now, now)
    complete(done.id, now)
    assert board_next_step(deal.id) is None
    later = schedule(deal.id, "email", now + timedelta(days=3), now)
    sooner = schedule(deal.id, "call", now + timedelta(days=1), now)
    assert board_next_step(deal.id) == sooner.id
    FollowUp.update(done_at=now).where(FollowUp.id == sooner.id).execute()
    assert board_next_step(deal.id) == later.id


def board_next_step(prospect_id: int) -> int | None:
    found = store_board.next_steps([prospect_id]).get(prospect_id)
    return found[1] if found else None


def test_cards_say_days_in_stage_and_a_slipped_close_of_open_deals_only(db, now):
    """Days in stage and ⚑ (issue 20) are read with the card's window, as core.aging counts
    them; a won or archived deal a search finds says neither (it sits in no stage of the pipeline)."""
    from datetime import date

    late = add_prospect(now - timedelta(days=12), "Acme late", fields={"expected_close": "2026-11-01"})
    add_prospect(now - timedelta(days=2), "Acme on time", fields={"expected_close": "2027-01-10"})
    won = add_prospect(now - timedelta(days=40), "Acme won", fields={"expected_close": "2026-10-01"})
    mark_won(won.id, now - timedelta(days=20))
    gone = add_prospect(now - timedelta(days=5), "Acme gone", fields={"expected_close": "2026-10-01"})
    archive_prospect(gone.id, now)
    found = BoardReader(SETTINGS).read(now, "acme")
    cards = {card.name: card for _, column in found.columns for card in column}
    assert Prospect.get_by_id(late.id).expected_close == date(2026, 11, 1)
    assert (cards["Acme late"].days_in_stage, cards["Acme late"].slipped) == (12, True)
    assert (cards["Acme on time"].days_in_stage, cards["Acme on time"].slipped) == (2, False)
    for name in ("Acme won", "Acme gone"):
        assert (cards[name].days_in_stage, cards[name].slipped) == (None, False), name


def test_a_card_rots_as_the_core_says_with_the_reports_limits(db, now):
    """Issue 20: a card idle past its stage's limit with no next step is marked. The board's
    limits are the report's (learned from the time in stage once a day with the score's
    basis), and each card rots exactly when core.aging says its prospect does."""
    from pipeline_tui.core import aging
    from pipeline_tui.services.report import report

    demo(now)
    reader = BoardReader(SETTINGS)
    board = reader.read(now)
    limits = report(now, SETTINGS).rotting
    assert {limit.source for limit in limits.values()} >= {"history"}, "the demo has history to learn from"
    snapshot = queries.load_snapshot(now, SETTINGS, open_only=True)
    cards = {card.id: card for _, column in board.columns for card in column}
    judged = {p.id: aging.is_rotting(p, now, limits[p.stage_id]) for p in snapshot.open_prospects}
    assert {pid: card.rotting for pid, card in cards.items()} == {pid: judged[pid] for pid in cards}
    assert 0 < sum(judged.values()) < len(judged), "some rot, some do not"
    by_id = {p.id: p for p in snapshot.open_prospects}
    assert all(card.idle_days == aging.idle_days(by_id[card.id], now) for card in cards.values())


def test_a_card_rots_past_its_stages_limit_unless_a_step_is_planned_or_it_is_snoozed(db, now):
    from pipeline_tui.services.prospects import snooze_prospect

    settings = Settings(rotting={"Lead": 7})
    idle = add_prospect(now - timedelta(days=8), "Acme idle")
    add_prospect(now - timedelta(days=7), "Acme seven days")  # 7 whole days: not past 7
    planned = add_prospect(now - timedelta(days=8), "Acme planned")
    schedule(planned.id, "call", now - timedelta(days=2), now - timedelta(days=8))  # overdue still counts
    snoozed = add_prospect(now - timedelta(days=8), "Acme snoozed")
    snooze_prospect(snoozed.id, now + timedelta(days=3), "budget in January", now - timedelta(days=8))
    won = add_prospect(now - timedelta(days=30), "Acme won")
    mark_won(won.id, now - timedelta(days=20))

    def rotting() -> dict[str, tuple]:
        board = BoardReader(settings).read(now, "acme")
        return {card.name: (card.rotting, card.idle_days) for _, column in board.columns for card in column}

    assert rotting() == {
        "Acme idle": (True, 8),
        "Acme seven days": (False, 7),
        "Acme planned": (False, 8),
        "Acme snoozed": (False, 8),
        "Acme won": (False, None),
    }
    log_activity(idle.id, "call", now - timedelta(days=1), outcome="keen")
    assert rotting()["Acme idle"] == (False, 1), "a call logged yesterday: touched"


def test_the_learned_time_in_stage_is_read_once_a_day_with_the_scores_basis(db, now):
    from pipeline_tui.core.figures import lookback_window
    from pipeline_tui.store.report import load_stage_time

    demo(now)
    scores.keep_current(now, SETTINGS)
    assert freshness.basis()["stage_time"] == load_stage_time(*lookback_window(now, SETTINGS.thresholds))
    step_prospect(sorted(stored_scores())[0], 1, now)  # a move: the day's figure stays as it was
    before = freshness.basis()["stage_time"]
    scores.keep_current(now, SETTINGS)
    assert freshness.basis()["stage_time"] == before
    tomorrow = now + timedelta(days=1)
    scores.keep_current(tomorrow, SETTINGS)
    assert freshness.basis()["stage_time"] == load_stage_time(*lookback_window(tomorrow, SETTINGS.thresholds))
    assert freshness.basis()["stage_time"] != before


def test_a_basis_without_its_time_in_stage_gains_it_reworking_only_stages_whose_limit_moved(db, now):
    """A basis without the time in stage (as an import into an empty database leaves it: its
    advice read the default rotting limits): the first read adds it, and works out again only
    the prospects of the stages whose learned limit differs (their stale advice reads it)."""
    import json

    from pipeline_tui.core.figures import lookback_window
    from pipeline_tui.store.models import Setting
    from pipeline_tui.store.report import load_stage_time

    settings = SETTINGS._replace(rotting={"Lead": 30})  # (a limit the config file sets moves not)
    demo(now)
    scores.keep_current(now, settings)
    old = json.loads(Setting.get(Setting.key == freshness.BASIS_KEY).value)
    del old["stage_time"]
    Setting.update(value=json.dumps(old)).where(Setting.key == freshness.BASIS_KEY).execute()
    assert freshness.basis()["stage_time"] is None
    Prospect.update(score=-1).execute()  # (a score worked out again would overwrite this)
    scores.keep_current(now, settings)
    assert freshness.basis()["stage_time"] == load_stage_time(*lookback_window(now, settings.thresholds))
    stages = queries.load_stages(settings)
    learned = scores.rotting_limits(now, settings, stages)
    moved = {sid for sid, limit in learned.items() if limit.source not in ("default", "config")}
    assert moved and moved != set(learned)  # (the demo learns some stages' limits, not all)
    kept = Prospect.select(Prospect.stage, Prospect.score).where(Prospect.archived == False).tuples()  # noqa: E712
    assert all((score == -1) == (sid not in moved) for sid, score in kept)


def _stored() -> list[tuple]:
    query = Prospect.select(Prospect.id, Prospect.score, Prospect.fresh_until, Prospect.search_text)
    return [
        (pid, score, str(until), text) for pid, score, until, text in query.order_by(Prospect.id).tuples()
    ]


def _import_csv(tmp_path, now, rows: int, settings: Settings = SETTINGS) -> None:
    """Open, won, lost (with the time they closed) and archived rows, with follow-ups due and
    overdue, close dates, budgets, urgency, decision makers and accented notes; with rates in
    the ``settings``, the budgets in euros, yen and dollars (a yen amount a hundred times its
    worth at home)."""
    from pipeline_tui.io.csv_io import parse_csv
    from pipeline_tui.services.importing import import_parsed

    rated = bool(settings.currency.rates)
    lines = [
        "name,organization,contact,value,stage,expected_close,urgency,decision_maker,"
        "next_follow_up,next_follow_up_kind,status,archived,notes,created,closed"
        + (",currency" if rated else "")
    ]
    for n in range(rows):
        code = ("", "JPY", "USD", "EUR")[n % 4] if rated else ""
        amount = (n * 37) % 900 * (100 if code == "JPY" else 1)
        stage = ("Lead", "Qualified", "Appointment", "Trial", "Proposal")[n % 5]
        status = ("", "", "", "", "won", "lost")[n % 6]
        due = (now + timedelta(days=n % 9 - 4)).strftime("%Y-%m-%d %H:%M") if n % 4 else ""
        created = now - timedelta(days=n % 200)
        closed = min(created + timedelta(days=2), now).strftime("%Y-%m-%d %H:%M") if status else ""
        lines.append(
            f"Deal {n},Ørsted {n % 11},Jörg {n % 5},{amount or ''},{stage},"
            f"{(now + timedelta(days=n % 120 - 30)).date() if n % 3 else ''},{('low', 'high', '')[n % 3]},"
            f"{('yes', 'no', '')[n % 3]},{due},{('call', 'demo', 'email')[n % 3] if due else ''},"
            f"{status},{'yes' if n % 17 == 0 else 'no'},Notes Ü {n},"
            f"{created.strftime('%Y-%m-%d %H:%M')},{closed}" + (f",{code}" if rated else "")
        )
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parsed = parse_csv(path, now, home=settings.currency.home)
    import_parsed(
        parsed, str(path), now, options=ImportOptions(currencies=settings.currency), settings=settings
    )


@pytest.mark.parametrize("into", ["an empty database", "one whose scores hold", "one a day behind"])
@pytest.mark.parametrize("many", [False, True])
def test_an_imports_stored_scores_and_texts_are_what_the_core_works_out(
    db, now, tmp_path, monkeypatch, into, many
):
    """The import scores and folds its rows from the rows in hand: the first look after it has
    nothing to work out (but in a database whose scores are a day behind: the new day's
    ladder), and what it stored is what working every row out again gives."""
    from pipeline_tui.store import bulk

    if many:  # the big-import path (indexes and triggers off while it inserts), at a small size
        monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 50)
    if into != "an empty database":
        add_prospect(now, "Already here", fields={"value": "500"})
        scores.keep_current(now - timedelta(days=1 if into == "one a day behind" else 0), SETTINGS)
    _import_csv(tmp_path, now, 120)
    assert freshness.any_stale(now) == (into == "one a day behind")
    scores.keep_current(now, SETTINGS)
    imported = _stored()
    basis = freshness.basis()
    Prospect.update(fresh_until=None, search_text="").execute()
    if into == "an empty database":  # its ladder too (else the day's ladder stays, as it would)
        Setting.delete().where(Setting.key == freshness.BASIS_KEY).execute()
    scores.keep_current(now, SETTINGS)  # every score and text worked out again by the core
    assert imported == _stored()
    assert basis == freshness.basis()
    assert stored_scores() == core_scores(now)


RATED = Settings(currency=Currencies("EUR", {"USD": 0.5, "JPY": 0.01}))


@pytest.mark.parametrize("into", ["an empty database", "one whose scores hold"])
def test_an_imports_stored_scores_rank_budgets_in_the_home_currency(db, now, tmp_path, into):
    """Deals in yen and dollars among euro ones: the import ranks each budget at home, as the
    scores worked out again from the database with the same rates do (a yen budget ranked as
    yen would outrank every euro one)."""
    if into != "an empty database":
        add_prospect(now, "Already here", fields={"value": "500"})
        scores.keep_current(now, RATED)
    _import_csv(tmp_path, now, 120, RATED)
    assert Prospect.select().where(Prospect.currency == "JPY").count() == 30
    assert not freshness.any_stale(now)
    scores.keep_current(now, RATED)  # the first look: nothing to work out but the time in stage
    imported, basis = _stored(), freshness.basis()
    if into == "an empty database":  # (else the day's ladder stays, as it would)
        assert basis["ladder"] == value_ladder(queries.open_values(RATED.currency))
    Prospect.update(fresh_until=None, search_text="").execute()
    if into == "an empty database":
        Setting.delete().where(Setting.key == freshness.BASIS_KEY).execute()
    scores.keep_current(now, RATED)  # every score worked out again from the database, at home
    assert imported == _stored()
    assert basis == freshness.basis()
    assert stored_scores() == core_scores(now, RATED)


def test_after_a_big_import_searches_look_row_by_row_until_the_index_is_made(db, now, tmp_path, monkeypatch):
    from pipeline_tui.services.board import make_search_index, search_index_out_of_date
    from pipeline_tui.store import bulk

    if not search.has_index(db):
        pytest.skip("the trigram index is SQLite's")
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 50)
    _import_csv(tmp_path, now, 120)
    assert search_index_out_of_date() and not search.uses_index()
    before = _search(now, "jorg 3")
    assert sum(len(cards) for cards in before.values()) == 24
    assert make_search_index() and not search_index_out_of_date()
    assert search.uses_index() and _search(now, "jorg 3") == before
    db.execute_sql("INSERT INTO prospect_search (prospect_search) VALUES ('integrity-check')")
    deal = Prospect.get(Prospect.name == "Deal 8")
    edit_prospect(deal.id, now, {"name": "Renamed eight"})  # the index follows writes again
    assert _search(now, "renamed eight") == {"Trial": [("Renamed eight", "")]}
    assert not make_search_index()


def test_reading_the_board_again_and_searching_it_build_no_sql(db, now, monkeypatch):
    """Every key on the board reads it again: once each shape's SQL is built (store.built),
    reading it again, after a move, and searching it ask peewee to build none (it cost more
    than SQLite running the reads)."""
    import peewee

    demo(now, 40)
    reader = BoardReader(SETTINGS)
    board = reader.read(now)
    searched = reader.read(now, "a", board)
    reader.read(now, "acme", searched)
    built = []
    execute = peewee.Database.execute

    def counting(self, query, **kwargs):
        if not isinstance(query, peewee.RawQuery):  # SQL given as it is: nothing built
            built.append(query.sql())
        return execute(self, query, **kwargs)

    monkeypatch.setattr(peewee.Database, "execute", counting)
    board = reader.read(now, "", board)
    card = board.columns[0][1][0]
    step_prospect(card.id, 1, now)
    board = reader.read(now, "", board, [card.id])
    list(board.columns[1][1][:3])
    searched = reader.read(now, "a", board)
    reader.read(now, "acme", searched)
    assert built == []
