"""The stage editor (command palette: "Stages"): add, rename, reorder and remove the stages of
the pipeline on the board, the same actions as ``pipeline-tui stage``."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from pipeline_tui.core.wording import plural
from pipeline_tui.errors import UserError
from pipeline_tui.services import stages
from pipeline_tui.ui.format import printable
from pipeline_tui.ui.screens.list_dialog import ListDialog
from pipeline_tui.ui.widgets.forms import ConfirmScreen, Field, FormScreen


class StagesScreen(ListDialog):
    """A pipeline's stages in board order; dismissed with whether anything changed."""

    DEFAULT_CSS = """
    StagesScreen > Vertical { width: 72; }
    StagesScreen OptionList { max-height: 18; }
    """
    LIST_ID = "stages"

    BINDINGS = [
        Binding("a", "add", "Add after", id="stages.add"),
        Binding("r", "rename", "Rename", id="stages.rename"),
        Binding("K,shift+up", "move(-1)", "Move up", id="stages.up"),
        Binding("J,shift+down", "move(1)", "Move down", id="stages.down"),
        Binding("d,delete", "remove", "Remove", id="stages.remove"),
        Binding("escape,q", "close", "Close", id="stages.close"),
        Binding("j", "cursor(1)", "Down", show=False, id="stages.cursor_down"),  # as in every list here
        Binding("k", "cursor(-1)", "Up", show=False, id="stages.cursor_up"),
    ]
    HINTS = [
        (("stages.add",), "a", "add after"),
        (("stages.rename",), "r", "rename"),
        (("stages.up", "stages.down"), "K/J", "move up/down"),
        (("stages.remove",), "d", "remove"),
        (("stages.close",), "esc", "close"),
    ]

    def __init__(self, pipeline: str | None) -> None:
        super().__init__()
        self.pipeline = pipeline
        self.rows = stages.list_stages(pipeline)

    def title_text(self) -> str:
        return "Stages"

    def on_mount(self) -> None:
        self._fill(0)

    def _fill(self, highlight: int) -> None:
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options([Option(_line(row)) for row in self.rows])
        listing.highlighted = max(0, min(highlight, len(self.rows) - 1))
        listing.focus()

    def current(self):
        index = self.query_one(OptionList).highlighted
        return self.rows[index] if index is not None else None

    def _run(self, action: Callable[[], object], name: str | None = None) -> None:
        """Run a stage action; a refusal is said, nothing changed."""
        try:
            action()
        except UserError as exc:
            self.notify(str(exc), severity="error", timeout=6, markup=False)
            return
        self._reload(name)

    def _reload(self, name: str | None) -> None:
        self.changed = True
        self.app.changed()
        self.rows = stages.list_stages(self.pipeline)
        names = [row.name.casefold() for row in self.rows]
        wanted = (name or "").casefold()
        self._fill(names.index(wanted) if wanted in names else 0)

    def action_add(self) -> None:
        after = self.current()

        def submit(values: dict[str, str]):
            return stages.add_stage(
                values["name"],
                values["after"] or None,
                pipeline=self.pipeline,
                probability=values["probability"],
                role=values["role"],
            )

        form = FormScreen(
            "New stage",
            [
                Field("name", "Name", "", "e.g. Negotiation"),
                Field(
                    "after", "After", after.name if after else "", "empty: first", [r.name for r in self.rows]
                ),
                Field("probability", "Probability", "", "e.g. 80% (empty: halfway between its neighbours)"),
                Field(
                    "role", "Role", "", " / ".join(stages.OPEN_ROLES) + " or empty", list(stages.OPEN_ROLES)
                ),
            ],
            submit,
        )
        self.app.push_screen(form, lambda stage: stage and self._reload(stage.name))

    def action_rename(self) -> None:
        row = self.current()
        if row is None:
            return
        form = FormScreen(
            f"Rename {row.name}",
            [Field("name", "New name", row.name)],
            lambda values: stages.rename_stage(row.name, values["name"], pipeline=self.pipeline),
            note="Its role, odds, prospects and history stay.",
        )
        self.app.push_screen(form, lambda stage: stage and self._reload(stage.name))

    def action_move(self, step: int) -> None:
        row = self.current()
        if row is None:
            return
        others = [r for r in self.rows if r.name != row.name]
        index = row.position - 1 + step  # where it goes among the others
        if index < 0 or index > len(others):
            return
        after = others[index - 1].name if index > 0 else None
        self._run(lambda: stages.move_stage(row.name, after, pipeline=self.pipeline), row.name)

    def action_remove(self) -> None:
        row = self.current()
        if row is None:
            return
        if row.count:
            heirs = [r.name for r in self.rows if r.kind == "open" and r.name != row.name]
            form = FormScreen(
                f"Remove {row.name}",
                [Field("to", "Move them to", heirs[0] if heirs else "", ", ".join(heirs), heirs)],
                lambda values: stages.remove_stage(
                    row.name, values["to"], self.app.now(), pipeline=self.pipeline
                ),
                note=f"It holds {plural(row.count, 'prospect')}; history keeps its name.",
            )
            self.app.push_screen(form, lambda stage: stage and self._reload(None))
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._run(lambda: stages.remove_stage(row.name, None, self.app.now(), pipeline=self.pipeline))

        self.app.push_screen(
            ConfirmScreen(f"Remove the stage {row.name}?", "It is empty; history keeps its name."), answer
        )


def _line(row) -> Content:
    """One stage as plain text (never markup), its name padded by the cells it takes."""
    role = row.role or "no role"
    name = printable(row.name)
    name += " " * max(0, 24 - cell_len(name))
    return Content(f"{row.position:>2}. {name} {row.probability:>4.0%}  {role:<12} {row.count:>6}")
