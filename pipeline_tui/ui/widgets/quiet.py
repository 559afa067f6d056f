"""Updating a one-line Static only when its text or styles change.

Textual redraws the bounding box of everything marked dirty in a frame: a full-width strip at
the top marked dirty together with two columns makes the whole screen redraw. Most actions
leave the strip as it was, so comparing first keeps a frame to the columns that changed.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


def update_if_changed(widget: Static, content: Content) -> None:
    """Show ``content`` in ``widget`` (same size as before) unless it shows exactly that."""
    shown = widget.content
    if isinstance(shown, Content) and shown.is_same(content):
        return
    widget.update(content, layout=False)
