"""A year of one salesperson's work, typed through the command line with the clock pinned at each
step, then every figure of ``report --json`` checked against arithmetic done by hand (README
"The figures and the advice")."""

from __future__ import annotations

import math

import pytest

FINAL = "2026-11-26 09:30"  # "now" of the report: the quota period is Q4 2026 (Oct 1 - Dec 31)


@pytest.fixture
def at(cli):
    """Run a command with the clock pinned at ``when``; it must succeed."""

    def run(when: str, *args: str):
        cli.now = when
        return cli(*args, check=True)

    return run


def build_history(at) -> None:
    at(FINAL, "quota", "100000", "--period", "quarter")

    # India: won a year and more ago (before 2025-11-26), so outside the 365-day look-back.
    at("2025-09-01 10:00", "add", "India", "--value", "7000")
    at("2025-10-01 10:00", "move", "India", "Won")

    # Charlie: lost straight from Lead in April.
    at("2026-04-01 10:00", "add", "Charlie", "--value", "5000")
    at("2026-04-15 10:00", "move", "Charlie", "Lost", "--reason", "no budget")

    # Delta: reached Appointment, then lost in September.
    at("2026-03-01 10:00", "add", "Delta", "--value", "8000")
    at("2026-03-05 10:00", "move", "Delta", "Qualified")
    at("2026-03-10 10:00", "move", "Delta", "Appointment")
    at("2026-09-01 10:00", "move", "Delta", "lost")

    # Bravo: through Trial, won in July (inside the look-back, before this quarter).
    at("2026-05-01 10:00", "add", "Bravo", "--value", "10000")
    at("2026-05-03 10:00", "move", "Bravo", "Qualified")
    at("2026-05-10 10:00", "move", "Bravo", "Appointment")
    at("2026-05-20 10:00", "move", "Bravo", "Trial")
    at("2026-07-01 10:00", "move", "Bravo", "Won")

    # Alpha: an appointment, done, then won in October (inside this quarter).
    at(
        "2026-06-01 10:00",
        "add",
        "Alpha",
        "--value",
        "20000",
        "--close",
        "2026-12-15",
        "--stage",
        "Qualified",
    )
    at("2026-06-10 10:00", "move", "Alpha", "Appointment")
    at("2026-06-10 10:00", "follow-up", "Alpha", "2026-06-12 15:00", "--kind", "appointment")
    at("2026-06-12 16:00", "done", "1", "--outcome", "liked it")
    at("2026-10-15 10:00", "move", "Alpha", "Won")

    # Echo: open, in Proposal, expected to close this quarter.
    at("2026-09-01 10:00", "add", "Echo", "--value", "30000", "--close", "2026-12-20")
    at("2026-09-05 10:00", "move", "Echo", "Qualified")
    at("2026-09-10 10:00", "move", "Echo", "Appointment")
    at("2026-10-01 10:00", "move", "Echo", "Trial")
    at("2026-11-01 10:00", "move", "Echo", "Proposal")

    # Foxtrot: open, Qualified, no expected close date (counts as expected this period).
    at("2026-11-01 10:00", "add", "Foxtrot", "--value", "4000")
    at("2026-11-10 10:00", "move", "Foxtrot", "Qualified")

    # Golf: open, Appointment, expected to close after this quarter.
    at(
        "2026-11-02 10:00",
        "add",
        "Golf",
        "--value",
        "50000",
        "--stage",
        "Appointment",
        "--close",
        "2027-03-31",
    )

    # Hotel: a lead without a value, with a call to make.
    at("2026-11-20 10:00", "add", "Hotel", "--follow-up", "2026-11-27 10:00")

    # Juliet: won this quarter, then archived: it must count nowhere.
    at("2026-10-02 10:00", "add", "Juliet", "--value", "99999", "--stage", "Proposal")
    at("2026-10-20 10:00", "move", "Juliet", "Won")
    at(FINAL, "archive", "Juliet")


def report(at) -> dict:
    import json

    return json.loads(at(FINAL, "report", "--json").stdout)


def test_report_figures_match_the_hand_computation(at):
    build_history(at)
    data = report(at)
    quota = data["quota"]

    assert (quota["period"], quota["start"], quota["end"], quota["target"]) == (
        "quarter",
        "2026-10-01",
        "2026-12-31",
        100000,
    )

    # won: value moved to Won inside Oct 1 - Dec 31 2026: only Alpha (Juliet is archived).
    won = 20000
    assert quota["won"] == won

    # expected: weighted value of open prospects closing by Dec 31 or undated.
    #   Echo    30000 x 0.75 (Proposal)  = 22500   closes 2026-12-20
    #   Foxtrot  4000 x 0.25 (Qualified) =  1000   no close date
    #   Golf    closes 2027-03-31: left out;  Hotel has no value: 0
    expected = 30000 * 0.75 + 4000 * 0.25
    assert expected == 23500
    assert quota["expected"] == expected

    # gap: what must come from scratch.
    gap = max(0, 100000 - won - expected)
    assert gap == 56500
    assert quota["gap"] == gap

    # win rate: closed in the 365 days before now: Alpha won, Bravo won, Charlie lost, Delta lost
    # (India closed 2025-10-01, too long ago). 4 closed < 5, so the Lead stage's probability.
    win_rate = 0.10
    assert quota["win_rate"] == win_rate

    # average won value: Alpha and Bravo, won within the year.
    average = (20000 + 10000) / 2
    assert quota["average_won_value"] == average == 15000

    # lead-to-win rate: the prospects created in the 365 days before now (India is older, Juliet
    # archived): Bravo and Alpha won; Charlie and Delta lost; Echo (last moved 1 Nov: 25 days)
    # and Golf (added 2 Nov: 24 days) left alone for 21 days or more: aged out, counted as lost;
    # Foxtrot (moved 10 Nov) and Hotel (added 20 Nov) still active: counted neither way.
    # 6 decided (at least 5): 2 / 6.
    assert data["lead_to_win"] == {
        "rate": round(2 / 6, 4),
        "won": 2,
        "lost": 2,
        "aged_out": 2,
        "decided": 6,
        "source": "history",
    }

    # new prospects needed = ceil(gap / (average x lead-to-win)) = ceil(56500 / 5000) = ceil(11.3)
    needed = math.ceil(56500 / (15000 / 3))
    assert quota["new_prospects_needed"] == needed == 12
    # 36 days left (26 Nov to 31 Dec, both counted): 12 x 7 / 36 = 2.33 a week, rounded up
    assert quota["days_left"] == 36
    assert quota["new_prospects_per_week"] == 3
    # still to win (target - won) = 80000 a week: 80000 x 7 / 36; a month: x (365.25 / 12) / 36
    assert quota["pace_per_week"] == round(80000 * 7 / 36, 2)
    assert quota["pace_per_month"] == round(80000 * 365.25 / 12 / 36, 2)

    # stages: every live prospect where it stands now (closed stages count all time).
    stages = {s["name"]: (s["count"], s["value"], s["weighted_value"]) for s in data["stages"]}
    assert stages == {
        "Lead": (1, 0, 0),  # Hotel
        "Qualified": (1, 4000, 1000),  # Foxtrot: 4000 x 0.25
        "Appointment": (1, 50000, 20000),  # Golf: 50000 x 0.40
        "Trial": (0, 0, 0),
        "Proposal": (1, 30000, 22500),  # Echo: 30000 x 0.75
        "Won": (3, 7000 + 10000 + 20000, 37000),  # India, Bravo, Alpha, x 1.0
        "Lost": (2, 5000 + 8000, 0),  # Charlie, Delta, x 0.0
    }
    assert [s["probability"] for s in data["stages"]] == [0.1, 0.25, 0.4, 0.6, 0.75, 1.0, 0.0]

    # conversion: reached(S) = ever entered S or a later open stage, or won.
    #   furthest open stage: India Lead+won, Charlie Lead, Delta Appointment, Bravo Trial+won,
    #   Alpha Appointment+won, Echo Proposal, Foxtrot Qualified, Golf Appointment, Hotel Lead
    reached = {
        "Lead": 9,
        "Qualified": 7,  # all but Charlie and Hotel
        "Appointment": 6,  # India, Delta, Bravo, Alpha, Echo, Golf
        "Trial": 4,  # India, Bravo, Alpha, Echo
        "Proposal": 4,  # the same four
        "Won": 3,  # India, Bravo, Alpha
    }
    order = ["Lead", "Qualified", "Appointment", "Trial", "Proposal", "Won"]
    assert [(c["from"], c["to"], c["rate"]) for c in data["conversion"]] == [
        (a, b, round(reached[b] / reached[a], 4)) for a, b in zip(order, order[1:], strict=False)
    ]
    assert [c["rate"] for c in data["conversion"]] == [0.7778, 0.8571, 0.6667, 1.0, 0.75]

    # appointment to sale: closed prospects that reached Appointment: India (won), Delta (lost),
    # Bravo (won), Alpha (won): 3 won of 4.
    assert data["appointment_to_sale_rate"] == 3 / 4

    # forecast: open prospects by expected close month, against the pace 100000 / 3 months.
    forecast = {m["month"]: (m["count"], m["weighted_value"], m["won"]) for m in data["forecast"]}
    assert forecast == {  # this month (November: nothing won in it, nothing due) and five more
        "2026-11": (0, 0, 0),
        "2026-12": (1, 22500, 0),  # Echo
        "2027-01": (0, 0, 0),
        "2027-02": (0, 0, 0),
        "2027-03": (1, 20000, 0),  # Golf
        "2027-04": (0, 0, 0),
    }
    assert {m["pace"] for m in data["forecast"]} == {round(100000 / 3, 2)}

    codes = {a["code"] for a in data["advice"]}
    assert "behind-quota" in codes
    # Echo is in Proposal and no appointment is booked in the next 7 days
    assert "cold-call-more" in codes
    assert "improve-closing" not in codes  # 4 closed after an appointment: fewer than 5

    # A fifth closed prospect: the win rate is now the real one.
    at(FINAL, "move", "Foxtrot", "Lost", "--reason", "timing")
    data = report(at)
    quota = data["quota"]
    # closed within the year: Alpha, Bravo won; Charlie, Delta, Foxtrot lost: 2 / 5
    assert quota["win_rate"] == 2 / 5
    # Foxtrot's 1000 no longer expected: 22500; gap = 100000 - 20000 - 22500
    assert quota["expected"] == 22500
    assert quota["gap"] == 57500
    # Foxtrot lost too: lead-to-win 2 won of 7 decided; ceil(57500 / (15000 x 2/7)) = ceil(13.42)
    assert data["lead_to_win"]["decided"] == 7
    assert quota["new_prospects_needed"] == math.ceil(57500 * 7 / 30000) == 14
    assert {s["name"]: s["count"] for s in data["stages"]}["Lost"] == 3


def test_report_for_an_empty_database_without_quota(at, cli):
    at(FINAL, "add", "Only lead")
    data = report(at)
    assert data["quota"] is None
    assert data["appointment_to_sale_rate"] is None
    assert [c["rate"] for c in data["conversion"]] == [0.0, None, None, None, None]
    assert all(m["pace"] is None for m in data["forecast"])
