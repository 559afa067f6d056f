"""Regenerate the README's screenshots: ``python -m pipeline_tui.ui.screenshots [DIR]``.

Builds the demo at a pinned time in a temporary database, presses the keys of each scene and
saves an SVG per scene (120×40). The snapshot tests press the same scenes, at 80×24 too.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from rich.cells import cell_len

PINNED_NOW = datetime(2026, 11, 26, 9, 30)
SIZE = (120, 40)
SMALL = (80, 24)  # every screen must read well in the smallest usual terminal too (the tests)
SCENES: dict[str, tuple[str, ...]] = {
    "board": (),
    "detail": ("j", "enter"),
    "agenda": ("2",),
    "pane": ("2", "enter"),
    "report": ("3",),
    "help": ("question_mark",),
    "calls": ("b",),
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
        path = Path(app.save_screenshot(f"{name}.svg", path=str(out)))
    path.write_text(without_leading_blanks(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


# One run of text in Textual's SVG: <text ... x="…" y="…" textLength="…" …>text</text>
_RUN = re.compile(
    r'(<text [^>]*?x=")([\d.]+)("[^>]*?textLength=")([\d.]+)("[^>]*>)((?:&#160;)+)([^<]*)(</text>)'
)


def without_leading_blanks(svg: str) -> str:
    """The SVG with no run of text starting with blanks: librsvg (rsvg-convert, many image
    viewers) drops them, and draws the words after them where the blanks were: "43%of",
    "addedin Lead". Each such run starts at its first word instead, and a run of blanks only
    is left out (backgrounds are drawn apart)."""

    def shift(match: re.Match) -> str:
        start, x, middle, length, opening, blanks, words, closing = match.groups()
        count = blanks.count("&#160;")
        cells = count + cell_len(html.unescape(words))
        cell = float(length) / cells
        if not words:
            return ""
        moved = f"{float(x) + count * cell:g}"
        return f"{start}{moved}{middle}{float(length) - count * cell:g}{opening}{words}{closing}"

    return _RUN.sub(shift, svg)


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
