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


# issue 21: the people on a deal (a on the board) and the stage editor, at both sizes
MODALS = {"people": (("j", "a"),), "stages": (("ctrl+p",), tuple("Stages"), ("enter",))}


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("modal", list(MODALS))
def test_people_and_stages(modal, size, demo_db, snap_compare):
    from pipeline_tui.ui.app import PipelineApp

    async def open_it(pilot) -> None:
        for keys in MODALS[modal]:  # a pause after each group: the palette searches as typed
            await pilot.press(*keys)
            await pilot.pause(0.5)

    app = PipelineApp(now=PINNED_NOW, poll=False)
    assert snap_compare(app, terminal_size=size, run_before=open_it)
