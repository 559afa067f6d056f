"""What a CSV import writes besides the rows themselves (README "Importing from another CRM"):
the follow-ups' triggers set aside while their rows go in, and what it says when it refuses."""

from __future__ import annotations

from datetime import timedelta

from pipeline_tui.core.settings import Settings
from tests.conftest import activity_out_of_step


def _triggers(db) -> list[tuple]:
    query = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name"
    return list(db.execute_sql(query, ("follow_up",)).fetchall())


def _import(tmp_path, now, text: str) -> None:
    from pipeline_tui.io.csv_io import parse_csv
    from pipeline_tui.services.importing import import_parsed

    path = tmp_path / "deals.csv"
    path.write_text(text, encoding="utf-8")
    import_parsed(parse_csv(path, now), str(path), now, settings=Settings())


def test_an_imports_follow_ups_leave_every_summary_and_trigger_as_they_would_be(db, engine, now, tmp_path):
    from pipeline_tui.services.follow_ups import complete, schedule
    from pipeline_tui.store import bulk
    from pipeline_tui.store.models import FollowUp, Prospect

    before = _triggers(db) if engine == "sqlite" else None
    due = (now + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    rows = [f"Deal {n},{due},{('call', 'demo', 'trial')[n % 3]}" for n in range(30)]
    _import(tmp_path, now, "name,next_follow_up,next_follow_up_kind\n" + "\n".join(rows) + "\n")
    assert activity_out_of_step() == {}
    assert sorted(Prospect.select(Prospect.demo_or_trial).tuples()).count((True,)) == 20
    if engine == "sqlite":
        assert _triggers(db) == before
    # the triggers are back: a follow-up done afterwards is summed up on its prospect
    first = FollowUp.select().order_by(FollowUp.id).first()
    complete(first.id, now)
    schedule(first.prospect_id, "call", now + timedelta(days=2), now)
    assert activity_out_of_step() == {}
    assert Prospect.get_by_id(first.prospect_id).last_activity_at is not None
    # on SQLite the insert triggers were set aside (each updates a prospect, one by one)
    columns = ("prospect", "kind", "due_at", "done_at", "created_at", "outcome", "notes")
    row = (first.prospect_id, "call", now, None, now, "", "")
    fired = bulk.insert_rows(FollowUp, columns, [row])
    quiet = bulk.insert_rows(FollowUp, columns, [row], insert_triggers=False)
    assert fired is True and quiet is (engine != "sqlite")


def test_a_stage_map_hint_names_a_stage_with_control_characters_so_that_it_can_be_copied(db, now, tmp_path):
    """The hint shows no control character (the terminal would act on it) and no � either: the
    name in $'…' with each such character escaped, which a shell reads back as the file has it."""
    import shutil
    import subprocess

    import pytest

    from pipeline_tui.errors import UserError

    stage = "Sales \x1b[2J[bold]x\x9b31m\u202e 'Call' \\ 東京"
    with pytest.raises(UserError) as refused:
        _import(tmp_path, now, f'name,stage\nAcme,"{stage}"\n')
    message = str(refused.value)
    word = message.partition("add --stage-map ")[2].partition(" (OURS:")[0]
    assert word.startswith("$'") and word.isprintable() and "\ufffd" not in word
    assert "\\x1b[2J[bold]x\\u009b31m\\u202e \\'Call\\' \\\\ 東京=OURS'" in word
    if shutil.which("bash"):
        command = ["bash", "-c", f"printf %s {word}"]
        echoed = subprocess.run(command, capture_output=True, timeout=10, env={"LC_ALL": "C.UTF-8"})
        assert echoed.stdout.decode() == f"{stage}=OURS"
    with pytest.raises(UserError) as plain:  # a name without them: in double quotes, as before
        _import(tmp_path, now, "name,stage\nAcme,Verhandlung\n")
    assert 'add --stage-map "Verhandlung=OURS" (OURS: Sales:' in str(plain.value)


def test_a_stage_deleted_between_the_check_and_the_write_is_still_refused(db, engine, now, tmp_path):
    """SQLite's foreign-key checks are off while an import's rows go in: the import checks the
    pipelines and stages its rows point at itself, in the same transaction."""
    import pytest

    from pipeline_tui.errors import UserError
    from pipeline_tui.io.csv_io import parse_csv
    from pipeline_tui.services.importing import ImportOptions, plan_import, write_plan
    from pipeline_tui.services.stages import add_stage, remove_stage
    from pipeline_tui.store.models import Organization, Prospect, StageChange

    def foreign_keys() -> int | None:
        return db.execute_sql("PRAGMA foreign_keys").fetchone()[0] if engine == "sqlite" else None

    add_stage("Pilot", None)
    path = tmp_path / "deals.csv"
    path.write_text(
        "name,organization,stage\nAcme deal,Acme,Pilot\nGlobex deal,Globex,Lead\n", encoding="utf-8"
    )
    plan = plan_import(parse_csv(path, now), str(path), now, ImportOptions())
    remove_stage("Pilot", None, now)  # another program, meanwhile
    with pytest.raises(
        UserError, match="^a stage of this import was deleted meanwhile .*; nothing was saved$"
    ):
        write_plan(plan, now, Settings())
    assert (Prospect.select().count(), StageChange.select().count(), Organization.select().count()) == (
        0,
        0,
        0,
    )
    assert foreign_keys() in (1, None)
    add_stage("Pilot", None)
    plan = plan_import(parse_csv(path, now), str(path), now, ImportOptions())
    assert write_plan(plan, now, Settings()) == 2 and foreign_keys() in (1, None)
    assert sorted(p.stage.name for p in Prospect.select()) == ["Lead", "Pilot"]


def test_a_stage_map_hint_names_a_stage_with_shell_characters_so_that_it_can_be_copied(db, now, tmp_path):
    """Between double quotes a shell still expands $, a backquote and \\: such a name is written
    in single quotes, which a shell reads back exactly."""
    import shutil
    import subprocess

    import pytest

    from pipeline_tui.errors import UserError

    stages = ["Deal $HOME `id` $(id)", 'Say "hi" \\n', "It's 100% done!"]
    rows = "".join(f'Acme,"{stage.replace(chr(34), chr(34) * 2)}"\n' for stage in stages)
    with pytest.raises(UserError) as refused:
        _import(tmp_path, now, "name,stage\n" + rows)
    hint = next(line for line in refused.value.details if "add --stage-map" in line)
    words = hint.partition("add ")[2].partition(" (OURS:")[0]
    assert words.count("--stage-map '") == len(stages)
    if shutil.which("bash"):
        script = f"for word in {words.replace('--stage-map ', '')}; do printf '%s\\n' \"$word\"; done"
        echoed = subprocess.run(
            ["bash", "-c", script], capture_output=True, timeout=10, env={"LC_ALL": "C.UTF-8"}
        )
        assert echoed.stdout.decode().splitlines() == [f"{stage}=OURS" for stage in stages]


def test_many_rows_are_scored_in_two_halves_at_once_with_the_same_scores_and_advice(
    db, now, tmp_path, monkeypatch
):
    """Past SCORED_IN_TWO_FROM live rows, a forked child works out the second half's scores and
    advice (this process only the first half's): what is stored is what the core works out
    again from the database for every row."""
    from pipeline_tui.services import importing, scores
    from pipeline_tui.store import freshness
    from pipeline_tui.store.models import Prospect, Setting
    from tests.test_board_reader import SETTINGS, _import_csv, _stored, core_scores, stored_scores
    from tests.test_stored_advice import _cores_advice, _stored_advice

    calls = []
    new_row = scores.new_row
    monkeypatch.setattr(scores, "new_row", lambda *args: calls.append(1) or new_row(*args))
    monkeypatch.setattr(importing, "SCORED_IN_TWO_FROM", 8)
    _import_csv(tmp_path, now, 120)
    live = Prospect.select().where(Prospect.score.is_null(False)).count()
    assert live > 40 and len(calls) == live // 2  # the other half in the child
    assert not freshness.any_stale(now)
    advice = _stored_advice(now)
    assert advice and advice == _cores_advice(now)
    scores.keep_current(now, SETTINGS)
    imported = _stored()
    Prospect.update(fresh_until=None, search_text="").execute()
    Setting.delete().where(Setting.key == freshness.BASIS_KEY).execute()
    scores.keep_current(now, SETTINGS)  # every score worked out again by the core
    assert imported == _stored()
    assert stored_scores() == core_scores(now)


def test_a_failure_while_scoring_in_two_halves_leaves_no_child_and_nothing_written(
    db, now, tmp_path, monkeypatch
):
    import os

    import pytest

    from pipeline_tui.services import importing, scores
    from pipeline_tui.store.models import Prospect
    from tests.test_board_reader import _import_csv

    def broken(*args):
        raise KeyboardInterrupt  # as Ctrl+C would, in this process (and the child's copy)

    monkeypatch.setattr(scores, "new_row", broken)
    monkeypatch.setattr(importing, "SCORED_IN_TWO_FROM", 8)
    with pytest.raises(KeyboardInterrupt):
        _import_csv(tmp_path, now, 60)
    assert Prospect.select().count() == 0
    with pytest.raises(ChildProcessError):  # the child was stopped and reaped, not left behind
        os.waitpid(-1, os.WNOHANG)
