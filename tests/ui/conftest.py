"""UI fixtures: a demo database at a pinned time, and the app on top of it."""

from __future__ import annotations

import pytest

from tests.conftest import NOW


@pytest.fixture
def engine() -> str:
    """The screens are the same on every engine: their tests run on SQLite only."""
    return "sqlite"


@pytest.fixture
def demo_db(db, now):
    """The 60-prospect demo, built as `pipeline-tui demo` builds it, at the pinned time."""
    from pipeline_tui.io.demo import build_demo
    from pipeline_tui.services.importing import write_demo

    write_demo(build_demo(now, 60), now)
    return db


@pytest.fixture
def make_app():
    from pipeline_tui.ui.app import PipelineApp

    def make(**kwargs):
        kwargs.setdefault("now", NOW)
        kwargs.setdefault("poll", False)
        return PipelineApp(**kwargs)

    return make
