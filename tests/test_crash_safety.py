"""A laptop lid closed mid-save: ``import`` and ``demo`` killed with SIGKILL at random moments
leave a sound database holding all of the new rows or none of them (see tests/kill_rounds.py).

PIPELINE_TUI_KILL_ROUNDS sets the number of import rounds (demo rounds: half as many);
PIPELINE_TUI_KILL_SEED replays a failing run.
"""

from __future__ import annotations

import os
import random
import signal

import pytest

from tests.kill_rounds import COMMITTED, FINISHED, demo_rounds, import_rounds

ROUNDS = int(os.environ.get("PIPELINE_TUI_KILL_ROUNDS", "6"))
SEED = int(os.environ.get("PIPELINE_TUI_KILL_SEED", str(random.randrange(1 << 30))))

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


def test_import_killed_at_random_moments_is_all_or_nothing(tmp_path):
    tally = import_rounds(tmp_path, ROUNDS, random.Random(SEED))
    assert tally.rounds == ROUNDS
    assert tally.failures == [], f"seed {SEED}: {tally.summary('import')}"
    if ROUNDS >= 2:  # the earliest slice of the run kills a running import, before it could commit
        assert tally.outcomes[FINISHED] + tally.outcomes[COMMITTED] < ROUNDS, tally.summary("import")


def test_demo_killed_at_random_moments_is_all_or_nothing(tmp_path):
    rounds = max(2, ROUNDS // 2)
    tally = demo_rounds(tmp_path, rounds, random.Random(SEED + 1))
    assert tally.rounds == rounds
    assert tally.failures == [], f"seed {SEED}: {tally.summary('demo')}"
    assert tally.outcomes[FINISHED] + tally.outcomes[COMMITTED] < rounds, tally.summary("demo")
