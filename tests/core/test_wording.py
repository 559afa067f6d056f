"""Counts in words: one prospect, two prospects, wherever a count is printed."""

from __future__ import annotations

from datetime import timedelta

from core_factories import NOW, STAGES, prospect, snapshot
from hypothesis import given
from hypothesis import strategies as st

from pipeline_tui.core.domain import History
from pipeline_tui.core.score import make_context, score_prospect
from pipeline_tui.core.settings import ScoreWeights, Thresholds
from pipeline_tui.core.wording import plural, word_for


def test_one_is_singular_and_every_other_count_plural():
    assert plural(1, "prospect") == "1 prospect"
    assert plural(0, "prospect") == "0 prospects"
    assert plural(1200, "prospect") == "1,200 prospects"
    assert plural(1, "older entry", "older entries") == "1 older entry"
    assert plural(2, "older entry", "older entries") == "2 older entries"


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["deal", "day", "call"]))
def test_the_word_is_singular_exactly_for_one(count, word):
    said = plural(count, word)
    assert said.endswith(f" {word_for(count, word)}")
    assert (word_for(count, word) == word) == (count == 1)
    assert said.partition(" ")[0].replace(",", "") == str(count)


def test_a_score_says_one_day_not_one_days():
    fresh = prospect(
        stage="Lead",
        expected_close=NOW.date() + timedelta(days=1),
        history=History(last_activity=NOW - timedelta(days=1)),
    )
    snap = snapshot([fresh], now=NOW, stages=STAGES)
    result = score_prospect(fresh, snap.stage_of(fresh), make_context(snap), ScoreWeights(), Thresholds())
    said = [part.reason for part in result.parts]
    assert "expected to close in 1 day" in said and "contact 1 day ago" in said


def test_the_command_line_counts_one_prospect_as_one(tmp_path):
    """One subprocess per command shape: the counts of import (dry run and real) and export."""
    from tests.conftest import CLI

    cli = CLI(tmp_path / "pipeline.db")
    sheet = tmp_path / "one.csv"
    sheet.write_text("name,value\nAcme,1000\n", encoding="utf-8")
    assert "1 prospect would be imported" in cli("import", str(sheet), "--dry-run").stdout
    assert cli("import", str(sheet), check=True).stdout.startswith("Imported 1 prospect from")
    exported = cli("export", "-o", str(tmp_path / "out.csv"), check=True)
    assert "Exported 1 prospect to" in exported.stderr
