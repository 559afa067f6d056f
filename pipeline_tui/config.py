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
    [currency]
    home = "EUR"            # what every figure is counted in
    [currency.rates]
    USD = 0.92              # what one unit is worth in the home currency
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
import sys
from datetime import tzinfo

from pipeline_tui.errors import UserError

TYPE_CHECKING = False  # as typing's, without importing typing: `due` finds the database here
if TYPE_CHECKING:  # the settings only when a file is read: finding the database needs none
    from pathlib import Path

    from pipeline_tui.core.dates import DateRules
    from pipeline_tui.core.money import Currencies
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
    "currency",
    "keys",
    "cadences",
    "templates",
)


def _user_dir(variable: str, default: str) -> str | None:
    """This program's directory under ``$XDG_…`` (``variable``) if that is absolute, else under
    ``default`` in an absolute ``$HOME``: platformdirs' answer on Linux, without importing it and
    pathlib (a third of what ``pipeline-tui agenda`` took). None where its rules say more (other
    systems, Android, no usable home): ask platformdirs then. tests/test_config_paths.py checks
    the two agree."""
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel") or "ANDROID_DATA" in os.environ:
        return None
    given = os.environ.get(variable, "")
    if os.path.isabs(given):
        return os.path.join(given, APP_NAME)
    if not os.path.isabs(os.environ.get("HOME", "")):
        return None
    return os.path.join(os.path.expanduser(default), APP_NAME)


def data_dir() -> Path:
    from pathlib import Path

    found = _user_dir("XDG_DATA_HOME", "~/.local/share")
    if found is None:
        from platformdirs import user_data_dir

        found = user_data_dir(APP_NAME, appauthor=False)
    return Path(found)


def default_db_path() -> Path:
    return data_dir() / "pipeline.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def config_file() -> str:
    """Where the config file is (it may not exist): ``$PIPELINE_TUI_CONFIG``, else config.toml
    in the user config directory."""
    override = os.environ.get("PIPELINE_TUI_CONFIG")
    if override:
        return os.path.expanduser(override)
    found = _user_dir("XDG_CONFIG_HOME", "~/.config")
    if found is None:
        from platformdirs import user_config_dir

        found = user_config_dir(APP_NAME, appauthor=False)
    return os.path.join(found, "config.toml")


def config_path() -> Path:
    from pathlib import Path

    return Path(config_file())


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

    _check_sections(data, path)
    # read in this order, so that of two mistakes the same one is named first as ever
    return Settings()._replace(
        thresholds=_section(Thresholds, data.get("thresholds", {}), "thresholds", path),
        score=_section(ScoreWeights, data.get("score", {}), "score", path),
        goals=_section(Goals, data.get("goals", {}), "goals", path),
        probabilities=_probabilities(data.get("probabilities", {}), path),
        rotting=_rotting(data.get("rotting", {}), path),
        theme=_theme(data.get("theme"), path),
        keys=_keys(data, path),
        dates=_locale(data.get("locale", {}), path),
        currency=_currency(data.get("currency", {}), path),
        **_follow_up_sections(data, path),
    )


def _check_sections(data: dict, path: Path) -> None:
    """Every key a known section, and every section but the theme a table."""
    for key in data:
        if key not in SECTIONS:
            raise UserError(f"{path}: unknown setting {key!r} (known: {', '.join(SECTIONS)})")
    for key in SECTIONS:
        if key not in ("theme", "keys") and key in data and not isinstance(data[key], dict):
            raise UserError(f"{path}: [{key}] must be a table")


def _probabilities(values: dict, path: Path) -> dict[str, float]:
    """``[probabilities]``: a stage's odds of closing, by stage name."""
    probabilities = {}
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise UserError(f"{path}: probabilities.{name} must be a number from 0 to 1")
        probabilities[name] = float(value)
    return probabilities


def _rotting(values: dict, path: Path) -> dict[str, int]:
    """``[rotting]``: the days after which a deal left in a stage is marked, by stage name."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UserError(f"{path}: rotting.{name} must be a whole number of days, 1 or more")
    return dict(values)


def _theme(theme: object, path: Path) -> str | None:
    if theme is not None and not isinstance(theme, str):
        raise UserError(f"{path}: theme must be a name in quotes")
    return theme


def _keys(data: dict, path: Path) -> dict:
    if "keys" not in data:
        return {}
    from pipeline_tui.keymap import parse_keys  # only for a file that rebinds keys

    return parse_keys(data["keys"], str(path))


def _currency(values: dict, path: Path) -> Currencies:
    """``[currency]``: the home currency (an ISO 4217 code) and ``[currency.rates]``, what one
    unit of each other currency is worth in it."""
    from types import MappingProxyType

    from pipeline_tui.core.money import CODE_RE, Currencies

    unknown = set(values) - {"home", "rates"}
    if unknown:
        raise UserError(f"{path}: unknown setting currency.{min(unknown)} (known: home, rates)")
    home = values.get("home", "")
    if not isinstance(home, str) or (home and not CODE_RE.match(home.upper())):
        raise UserError(f'{path}: currency.home must be an ISO 4217 code like "EUR", not {home!r}')
    rates = values.get("rates", {})
    if not isinstance(rates, dict):
        raise UserError(f"{path}: [currency.rates] must be a table")
    checked = {}
    for code, rate in rates.items():
        if not CODE_RE.match(code):
            raise UserError(f"{path}: currency.rates.{code} is not an ISO 4217 code like USD")
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate < 1e9:
            raise UserError(f"{path}: currency.rates.{code} must be a number above 0, not {rate!r}")
        if code == home.upper() and rate != 1:
            raise UserError(f"{path}: currency.rates.{code} is the home currency: its rate is 1")
        checked[code] = float(rate)
    return Currencies(home.upper(), MappingProxyType(checked))


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
    try:
        with open(config_file() if path is None else path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        from pipeline_tui.core.settings import Settings

        return Settings()
    except OSError as exc:
        raise UserError(f"cannot read {path or config_path()}: {exc.strerror}") from exc
    import tomllib  # only when there is a file to read

    path = path or config_path()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"{path}: not valid TOML ({exc})") from exc
    return parse_settings(data, path)
