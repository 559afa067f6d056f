"""The pure core imports neither peewee nor textual and never reads the clock; the CLI, the views
and the queries do not drag textual in (a CLI call should not pay for the TUI)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline_tui

PACKAGE = Path(pipeline_tui.__file__).parent
CORE = PACKAGE / "core"
CORE_MODULES = sorted(
    f"pipeline_tui.core.{path.stem}" for path in CORE.glob("*.py") if path.stem != "__init__"
)


def _loaded_after_import(modules: list[str], watched: tuple[str, ...]) -> list[str]:
    """Import ``modules`` in a fresh interpreter; the watched top-level packages it loaded."""
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({watched!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip())


def test_the_core_modules_are_all_there():
    assert {"dates", "money", "fields", "domain", "settings", "figures", "score", "advice", "report"} <= {
        name.rsplit(".", 1)[1] for name in CORE_MODULES
    }


def test_the_core_imports_neither_peewee_nor_textual():
    assert _loaded_after_import(CORE_MODULES, ("peewee", "playhouse", "textual", "rich")) == []


@pytest.mark.parametrize("module", CORE_MODULES)
def test_each_core_module_alone_imports_neither_peewee_nor_textual(module):
    assert _loaded_after_import([module], ("peewee", "playhouse", "textual")) == []


def test_the_watch_itself_sees_an_import():
    # the check above would be worthless if it could not see a package being loaded
    assert _loaded_after_import(["pipeline_tui.store.queries"], ("peewee",)) == ["peewee"]


@pytest.mark.parametrize(
    "module", ["pipeline_tui.cli", "pipeline_tui.services.views", "pipeline_tui.store.queries"]
)
def test_cli_views_and_queries_do_not_import_textual(module):
    assert _loaded_after_import([module], ("textual",)) == []


CLOCK_READS = ("datetime.now(", "date.today(", "time.time(")


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: p.name)
def test_the_core_never_reads_the_clock(path):
    text = path.read_text(encoding="utf-8")
    for needle in CLOCK_READS + ("datetime.utcnow(", "time.monotonic(", "time.localtime("):
        assert needle not in text, f"{path.name} reads the clock with {needle}"
    # nor through an alias such as ``from datetime import datetime as dt; dt.now()``
    assert not re.search(r"\b\w+\.(now|today|utcnow)\(\)", text), f"{path.name} calls now()/today()"


ZONE_READS = ("tzlocal", "gettz(", "/etc/localtime", "os.environ", "getenv(", "time.timezone", "astimezone()")


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: p.name)
def test_the_core_never_reads_the_machines_zone(path):
    """The zone of typed dates is given to the core (tests pin one), never looked up in it."""
    text = path.read_text(encoding="utf-8")
    for needle in ZONE_READS:
        assert needle not in text, f"{path.name} reads the machine's zone with {needle}"
