"""What a search looks in, and how its words are compared: without case or accents.

``bergstrom`` finds Bergström and ``jorg`` finds Jörg: both sides are folded the same way
(case folded, accents and other combining marks taken off) before one is looked for in the
other. A prospect's text to search is kept folded on its row (see ``services.scores``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def fold(text: str) -> str:
    """``text`` without case or accents: ``Jörg Ærøskøbing`` → ``jorg æroskobing``. Letters
    that are not a base letter with marks (æ, ø, ß) keep their own folded form."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_text(fields: Iterable[str], follow_up_texts: Iterable[str] = ()) -> str:
    """The folded text a prospect is found by: its name, organization, contact and notes
    (``fields``), then the notes and outcomes of its follow-ups, one line each."""
    return fold("\n".join(filter(None, (*fields, *follow_up_texts))))  # (filter: an import calls it per row)
