"""``[keys]`` in config.toml is checked by every command that reads the config, the command line
included, without importing Textual: an unknown id or a clash ends with one line naming the
setting, exit 2."""

from __future__ import annotations

import pytest

from tests.core.test_import_hygiene import _loaded_after_import
from tests.test_cli import assert_user_error


def test_the_binding_ids_are_read_without_textual():
    assert _loaded_after_import(["pipeline_tui.keymap", "pipeline_tui.config"], ("textual", "rich")) == []


@pytest.fixture
def engine() -> str:
    """The config file is read the same whatever the database: on SQLite only."""
    return "sqlite"


@pytest.fixture
def config(tmp_path):
    return tmp_path / "config.toml"


@pytest.mark.parametrize("args", [["report"], ["agenda"], ["export"], [], ["serve", "--port", "1"]], ids=str)
def test_a_clash_is_refused_by_every_command_that_reads_the_config(cli, config, args):
    cli("add", "Acme", check=True)
    config.write_text('[keys]\nwon = "n"\n', encoding="utf-8")
    result = cli(*args, env={"PIPELINE_TUI_CONFIG": str(config)})
    assert_user_error(result, str(config), "keys.won", "n is already app.new")


def test_an_unknown_id_is_refused_naming_it(cli, config):
    config.write_text('[keys]\nboard.move_rigth = "ctrl+l"\n', encoding="utf-8")
    result = cli("report", env={"PIPELINE_TUI_CONFIG": str(config)})
    assert_user_error(result, "keys.board.move_rigth", "no such binding id")


def test_good_keys_pass(cli, config):
    cli("add", "Acme", check=True)
    config.write_text('[keys]\nwon = "W"\nboard.move_right = "ctrl+l"\n', encoding="utf-8")
    result = cli("report", env={"PIPELINE_TUI_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr


def test_help_keys_lists_every_id_with_its_default_and_the_users_keys(cli, config):
    from pipeline_tui.keymap import DEFAULT_KEYS

    config.write_text('[keys]\nwon = "W"\n', encoding="utf-8")
    result = cli("help", "keys", env={"PIPELINE_TUI_CONFIG": str(config)}, db=False)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}
    assert set(DEFAULT_KEYS) <= set(lines)
    assert lines["board.won"].split()[1:] == ["w", "W"]
    assert lines["board.lost"].split()[1:] == ["x"]


@pytest.mark.parametrize("args", [[], ["serve", "--port", "1"]], ids=["tui", "serve"])
def test_a_refusal_makes_no_database(cli, config, args, tmp_path):
    config.write_text('[keys]\nnope = "x"\n', encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    result = cli("--db", str(fresh), *args, env={"PIPELINE_TUI_CONFIG": str(config)}, db=False)
    assert_user_error(result, "keys.nope")
    assert not fresh.exists()
