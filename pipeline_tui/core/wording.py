"""Counts said in words, one rule wherever a count is printed: ``1 prospect``, ``2 prospects``,
``1,200 prospects``, ``1 entry``, ``3 entries``."""

from __future__ import annotations


def word_for(count: int, word: str, many: str | None = None) -> str:
    """``word`` as ``count`` of it reads: the word itself for one, else ``many`` (by default the
    word with an s), so that a table can lay the number out itself."""
    return word if count == 1 else many or f"{word}s"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 prospect``, ``0 prospects``, ``1,200 prospects``; ``many`` for a word whose plural is
    not the word with an s (``plural(n, "entry", "entries")``)."""
    return f"{count:,} {word_for(count, word, many)}"
