"""Where things live, and the config file that tunes thresholds, weights, probabilities, how
dates read, and keys.

``config.toml`` in the user config directory (``PIPELINE_TUI_CONFIG`` overrides the path)::

    theme = "textual-dark"
    [thresholds]
    stale_after_days = 30
    [score]
    decision_maker_yes = 25
    [probabilities]
    Proposal = 0.8
    [rotting]
    Lead = 7
    [goals]
    calls_per_week = 30
    [locale]
    date_order = "DMY"      # or "MDY", "YMD": how 03/04/2026 reads
    working_hour = "08:30"  # where a day typed without a time lands
    [cadences]
    after-demo = ["call +2d", "email +3d", "call +5d"]
    [templates.proposal]
    subject = "Your proposal, {first_name}"
    body = "Hello {first_name}, ..."
    [keys]
    won = "W"
    board.move_right = "ctrl+l"
"""

from __future__ import annotations

import os
from datetime import tzinfo
from pathlib import Path

from pipeline_tui.errors import UserError

TYPE_CHECKING = False  # as typing's, without importing typing: `due` finds the database here
if TYPE_CHECKING:  # the settings only when a file is read: finding the database needs none
    from pipeline_tui.core.dates import DateRules
    from pipeline_tui.core.settings import Settings

APP_NAME = "pipeline-tui"
SECTIONS = (
    "theme",
    "thresholds",
    "score",
    "probabilities",
    "rotting",
    "goals",
    "locale",
    "keys",
    "cadences",
    "templates",
)


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "pipeline.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def config_path() -> Path:
    override = os.environ.get("PIPELINE_TUI_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def _section(cls, values: dict, prefix: str, path: Path):
    known = cls._fields
    result = cls()
    changes = {}
    for key, value in values.items():
        if key not in known:
            raise UserError(f"{path}: unknown setting {prefix}.{key} (known: {', '.join(known)})")
        default = getattr(result, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UserError(f"{path}: {prefix}.{key} must be a number, not {value!r}")
        if isinstance(default, int) and not isinstance(value, int):
            raise UserError(f"{path}: {prefix}.{key} must be a whole number, not {value!r}")
        if prefix in ("thresholds", "goals") and value < 0:
            raise UserError(f"{path}: {prefix}.{key} must not be negative")
        changes[key] = value
    return result._replace(**changes)


def parse_settings(data: dict, path: Path) -> Settings:
    """Check a parsed config file and turn it into :class:`Settings`; errors name the key."""
    from pipeline_tui.core.settings import Goals, ScoreWeights, Settings, Thresholds

    settings = Settings()
    for key in data:
        if key not in SECTIONS:
            raise UserError(f"{path}: unknown setting {key!r} (known: {', '.join(SECTIONS)})")
    for key in (
        "thresholds",
        "score",
        "probabilities",
        "rotting",
        "goals",
        "locale",
        "cadences",
        "templates",
    ):
        if key in data and not isinstance(data[key], dict):
            raise UserError(f"{path}: [{key}] must be a table")
    thresholds = _section(Thresholds, data.get("thresholds", {}), "thresholds", path)
    score = _section(ScoreWeights, data.get("score", {}), "score", path)
    goals = _section(Goals, data.get("goals", {}), "goals", path)
    probabilities = {}
    for name, value in data.get("probabilities", {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise UserError(f"{path}: probabilities.{name} must be a number from 0 to 1")
        probabilities[name] = float(value)
    rotting = {}
    for name, value in data.get("rotting", {}).items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UserError(f"{path}: rotting.{name} must be a whole number of days, 1 or more")
        rotting[name] = value
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise UserError(f"{path}: theme must be a name in quotes")
    keys = {}
    if "keys" in data:
        from pipeline_tui.keymap import parse_keys  # only for a file that rebinds keys

        keys = parse_keys(data["keys"], str(path))
    return settings._replace(
        thresholds=thresholds,
        score=score,
        probabilities=probabilities,
        theme=theme,
        rotting=rotting,
        goals=goals,
        dates=_locale(data.get("locale", {}), path),
        keys=keys,
        **_follow_up_sections(data, path),
    )


def _locale(values: dict, path: Path) -> DateRules:
    """``[locale]``: the order numeric dates are written in, and the working hour."""
    from datetime import time

    from pipeline_tui.core.date_order import ORDERS
    from pipeline_tui.core.dates import DateRules, parse_time

    rules = DateRules()
    for key, value in values.items():
        if key == "date_order":
            order = value.upper() if isinstance(value, str) else None
            if order not in ORDERS:
                raise UserError(f'{path}: locale.date_order must be "DMY", "MDY" or "YMD", not {value!r}')
            rules = rules._replace(order=order)
        elif key == "working_hour":
            # TOML's own 09:00:00, or text as a date field takes it ("09:00", "8:30am")
            hour = value if isinstance(value, time) else parse_time(value) if isinstance(value, str) else None
            if hour is None or hour.tzinfo is not None:
                raise UserError(f'{path}: locale.working_hour must be a time like "09:00", not {value!r}')
            rules = rules._replace(working_hour=hour.replace(second=0, microsecond=0))
        else:
            raise UserError(f"{path}: unknown setting locale.{key} (known: date_order, working_hour)")
    return rules


def local_zone() -> tzinfo | None:
    """The machine's zone (``TZ``, else ``/etc/localtime``), whose daylight-saving changes
    typed dates are counted across; None where neither names one (plain clock arithmetic)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if os.environ.get("TZ") == "":
        return None  # TZ set but empty is UTC, which never changes its clocks
    name = os.environ.get("TZ", "").removeprefix(":")
    try:
        if name and not name.startswith("/"):
            return ZoneInfo(name)
        with open(name or "/etc/localtime", "rb") as file:
            return ZoneInfo.from_file(file, key=name or "localtime")
    except (OSError, ValueError, ZoneInfoNotFoundError):
        return None


def date_rules(settings: Settings) -> DateRules:
    """How the user's typed dates read: the config's rules, in the machine's zone unless a
    zone is already given (tests pin one)."""
    if settings.dates.zone is not None:
        return settings.dates
    return settings.dates._replace(zone=local_zone())


def _follow_up_sections(data: dict, path: Path) -> dict:
    """``[cadences]`` and ``[templates]``, checked step by step and field by field (only read
    when the file has them: the defaults need no checking)."""
    found = {}
    if data.get("cadences"):
        from pipeline_tui.core.cadences import parse_cadence

        found["cadences"] = {
            name: parse_cadence(name, steps, f"{path}: cadences") for name, steps in data["cadences"].items()
        }
    if data.get("templates"):
        from pipeline_tui.core.templates import parse_template

        found["templates"] = {
            name: parse_template(name, table, f"{path}: templates")
            for name, table in data["templates"].items()
        }
    return found


def load_settings(path: Path | None = None) -> Settings:
    """The settings from the config file, or the defaults when there is none."""
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        from pipeline_tui.core.settings import Settings

        return Settings()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from exc
    import tomllib  # only when there is a file to read

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"{path}: not valid TOML ({exc})") from exc
    return parse_settings(data, path)
