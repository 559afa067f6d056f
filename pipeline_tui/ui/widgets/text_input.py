"""A text field that holds exactly what it is given and shows it safely.

Textual's ``Input`` draws its value, its placeholder and its suggestion as they are: a name
with an ESC in it, opened for editing, would send its escape sequence to the terminal. This
one draws every character that would act on the terminal as � (see ``core.printable``) while
its value stays exact, so that a field left alone saves back what it held.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Input

from pipeline_tui.core.printable import is_printable, printable
from pipeline_tui.ui.textual_internals import ContentWidthWithoutLayout


class TextInput(Input, ContentWidthWithoutLayout):
    """Textual's ``Input``, shown safely, whose typing lays nothing out (see
    ``ContentWidthWithoutLayout``)."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if all(is_printable(segment.text) for segment in strip):
            return strip
        # a control character measures no cell and � one: cut back to the width drawn before
        shown = Strip(Segment(printable(text), style, control) for text, style, control in strip)
        return shown.crop_extend(0, strip.cell_length, self.rich_style)
