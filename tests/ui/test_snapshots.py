"""SVG snapshots of the main screens at 120×40 and 80×24, demo data, pinned clock.

Update after an intended change with ``pytest tests/ui/test_snapshots.py --snapshot-update``
and look at the report before committing.
"""

from __future__ import annotations

import pytest

from pipeline_tui.ui.screenshots import PINNED_NOW, SCENES, SIZE, SMALL


@pytest.mark.parametrize("scene", list(SCENES))
def test_main_screens(scene, demo_db, snap_compare):
    from pipeline_tui.ui.app import PipelineApp

    app = PipelineApp(now=PINNED_NOW, poll=False)
    assert snap_compare(app, press=list(SCENES[scene]), terminal_size=SIZE)


@pytest.mark.parametrize("scene", list(SCENES))
def test_main_screens_at_80_by_24(scene, demo_db, snap_compare):
    from pipeline_tui.ui.app import PipelineApp

    app = PipelineApp(now=PINNED_NOW, poll=False)
    assert snap_compare(app, press=list(SCENES[scene]), terminal_size=SMALL)
