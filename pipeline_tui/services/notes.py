"""Notes on a prospect: dated lines appended to its notes field."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.core.fields import MAX_TEXT, parse_text
from pipeline_tui.errors import UserError
from pipeline_tui.services.base import action, save, set_undo_label
from pipeline_tui.store.models import Prospect


@action("note")
def add_note(prospect_id: int, text: str, now: datetime) -> Prospect:
    """Append ``YYYY-MM-DD: text`` to the prospect's notes, newest last."""
    prospect = Prospect.get_or_none(Prospect.id == prospect_id)
    if prospect is None:
        raise UserError(f"no prospect with id {prospect_id}")
    line = parse_text(text, "note")
    if not line:
        raise UserError("the note is empty")
    notes = f"{prospect.notes}\n{now:%Y-%m-%d}: {line}".strip()
    if len(notes) > MAX_TEXT:  # the note may be short: it is what the notes hold already that is long
        held = len(prospect.notes or "")
        raise UserError(
            f"the notes would be longer than {MAX_TEXT:,} characters with this note"
            f" (they hold {held:,} already: shorten them first)"
        )
    save(prospect, notes=notes, updated_at=now)
    set_undo_label(f"noted on {prospect.name}")
    return prospect
