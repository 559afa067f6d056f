"""Regenerate the README's screenshots: ``python -m pipeline_tui.ui.screenshots [DIR]``.

Builds the demo at a pinned time in a temporary database, presses the keys of each scene and
saves an SVG per scene (120×40). The snapshot tests press the same scenes.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime
from pathlib import Path

PINNED_NOW = datetime(2026, 11, 26, 9, 30)
SIZE = (120, 40)
SCENES: dict[str, tuple[str, ...]] = {
    "board": (),
    "detail": ("j", "enter"),
    "agenda": ("2",),
    "report": ("3",),
    "help": ("question_mark",),
}


def build_demo_database(path: Path, now: datetime = PINNED_NOW) -> None:
    from pipeline_tui.io.demo import build_demo
    from pipeline_tui.services.importing import write_demo
    from pipeline_tui.store.db import open_database

    open_database(path)
    write_demo(build_demo(now, 60), now)


async def _shoot(name: str, keys: tuple[str, ...], out: Path) -> Path:
    from pipeline_tui.ui.app import PipelineApp

    app = PipelineApp(now=PINNED_NOW, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause()
        return Path(app.save_screenshot(f"{name}.svg", path=str(out)))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        build_demo_database(Path(tmp) / "demo.db")
        for name, keys in SCENES.items():
            print(asyncio.run(_shoot(name, keys, out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
