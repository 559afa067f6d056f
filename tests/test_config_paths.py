"""Where the config file and the default database are: platformdirs' directories, found on
Linux without importing it (pipeline_tui.config._user_dir). These must agree with platformdirs
for every way the environment can name them; run this file after upgrading platformdirs."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from pipeline_tui import config

VARIABLES = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "HOME", "PIPELINE_TUI_CONFIG", "ANDROID_DATA")
ENVIRONMENTS = [
    {"HOME": "/home/ana"},
    {"HOME": "/home/ana/"},  # a trailing slash
    {"HOME": "/home/ana", "XDG_CONFIG_HOME": "/etc/mine", "XDG_DATA_HOME": "/srv/data/"},
    {"HOME": "/home/ana", "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": ""},  # empty: as unset
    {"HOME": "/home/ana", "XDG_CONFIG_HOME": "relative/cfg", "XDG_DATA_HOME": "~/data"},  # not absolute
    {"HOME": "/home/ana", "XDG_CONFIG_HOME": "/home/ana/.config/../cfg"},
    {"HOME": "/home/zoë 日本", "XDG_DATA_HOME": "/tmp/[bold]x"},
    {"HOME": "relative"},  # no usable home: platformdirs looks the user up
    {},
]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the quick lookup is Linux's")
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_config_file_and_the_database_are_where_platformdirs_puts_them(monkeypatch, environment):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    expected_config = Path(platformdirs.user_config_dir("pipeline-tui", appauthor=False)) / "config.toml"
    expected_data = Path(platformdirs.user_data_dir("pipeline-tui", appauthor=False))
    assert config.config_path() == expected_config
    assert config.config_file() == str(expected_config)
    assert config.data_dir() == expected_data
    assert config.default_db_path() == expected_data / "pipeline.db"


def test_a_config_file_named_in_the_environment_is_read_from_there(monkeypatch, tmp_path):
    named = tmp_path / "mine.toml"
    named.write_text("[thresholds]\nagenda_days = 3\n", encoding="utf-8")
    monkeypatch.setenv("PIPELINE_TUI_CONFIG", str(named))
    assert config.config_file() == str(named)
    assert config.load_settings().thresholds.agenda_days == 3
    monkeypatch.setenv("PIPELINE_TUI_CONFIG", "~/cfg.toml")
    assert config.config_path() == Path.home() / "cfg.toml"


def test_a_config_path_that_cannot_be_read_is_said_with_its_name(monkeypatch, tmp_path):
    monkeypatch.setenv("PIPELINE_TUI_CONFIG", str(tmp_path))  # a directory
    with pytest.raises(config.UserError, match=f"cannot read {tmp_path}: Is a directory"):
        config.load_settings()
    monkeypatch.delenv("PIPELINE_TUI_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no file there: the defaults
    assert config.load_settings() == config.load_settings(tmp_path / "none.toml")
