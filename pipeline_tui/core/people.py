"""Who a deal is with: its contacts and their roles, and when two organization names are one.

The rules of the seed read one thing of a deal's people: whether someone who can buy is
confirmed (R2). A contact given the ``decision-maker`` role confirms it; contacts whose role is
known and is another say that nobody confirmed yet can; a contact without a role is the one to
ask.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from typing import NamedTuple

from pipeline_tui.errors import UserError

DECISION_MAKER_ROLE = "decision-maker"
CONTACT_ROLES = (DECISION_MAKER_ROLE, "influencer", "user", "gatekeeper", "other")
_ROLE_WORDS = {
    "dm": DECISION_MAKER_ROLE,
    "decision maker": DECISION_MAKER_ROLE,
    "decider": DECISION_MAKER_ROLE,
    "none": None,
    "unknown": None,
    "?": None,
    "": None,
}
# what a prospect's yes/no/unknown decision maker flag says of its one contact (schema 6 and the
# one-row-per-prospect CSV): "no" was "this contact cannot decide", a role other than deciding
ROLE_OF_FLAG = {"yes": DECISION_MAKER_ROLE, "no": "other", "unknown": None}


class Contact(NamedTuple):
    """A person on a deal, with what they do in its decision."""

    id: int
    name: str
    role: str | None = None  # one of CONTACT_ROLES, or None: not known yet
    title: str = ""
    email: str = ""
    phone: str = ""


def parse_role(text: str | None) -> str | None:
    """A role as typed (``decision-maker``, ``dm``, ``Gatekeeper``...); empty means not known."""
    value = " ".join((text or "").strip().lower().replace("_", " ").split())
    if value in _ROLE_WORDS:
        return _ROLE_WORDS[value]
    value = value.replace(" ", "-")
    if value not in CONTACT_ROLES:
        raise UserError(f"role {text!r} must be one of {', '.join(CONTACT_ROLES)} (or empty: not known)")
    return value


def primary_contact(contacts: Sequence[Contact]) -> Contact | None:
    """The contact a one-line view of the deal names: the first decision maker, else the first
    whose role is still to be confirmed, else the first."""
    for wanted in (lambda c: c.role == DECISION_MAKER_ROLE, lambda c: c.role is None, lambda c: True):
        found = next((c for c in contacts if wanted(c)), None)
        if found is not None:
            return found
    return None


def decision_maker_of(contacts: Sequence[Contact], own_flag: str = "unknown") -> str:
    """``yes`` when a contact decides, ``unknown`` when one is still to be asked, ``no`` when
    every contact's role is known and none decides; without contacts, the deal's own flag."""
    if not contacts:
        return own_flag
    roles = {c.role for c in contacts}
    if DECISION_MAKER_ROLE in roles:
        return "yes"
    return "unknown" if None in roles else "no"


# -- organizations ----------------------------------------------------------------------------

# legal forms and filler that make "Acme" and "Acme Inc." look different
_LEGAL_WORDS = frozenset(
    "inc incorporated corp corporation co company ltd limited llc llp plc gmbh ag sa sl slu sas sarl "
    "srl spa bv nv oy ab as aps kg the group holding holdings".split()
)
_NOT_WORD = re.compile(r"[^\w]+")


def organization_key(name: str) -> str:
    """What makes two spellings one organization: case, accents and spacing do not count
    ("Ròtul SA" and "rotul  sa" are one)."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


@lru_cache(maxsize=16384)
def _core_words(key: str) -> str:
    """A key without its legal forms: kept per key, as the pane compares one name with every
    organization's each time it opens."""
    words = [w for w in _NOT_WORD.split(key) if w and w not in _LEGAL_WORDS]
    return " ".join(words)


@lru_cache(maxsize=16384)
def _letters(core: str) -> dict[str, int]:
    """How many times each character is in a name's core words."""
    return dict(Counter(core))


def _common_letters(first: str, second: str) -> int:
    """Characters two texts share, each counted as often as both hold it: difflib's
    ``quick_ratio`` numerator, without building a matcher for a pair it rules out."""
    theirs = _letters(second)
    return sum(min(count, theirs.get(letter, 0)) for letter, count in _letters(first).items())


def looks_alike(first: str, second: str) -> bool:
    """Whether two organization names that are not the same may still be one ("Acme" and
    "Acme Inc.", "Globex" and "Globex Corp", a typo): offered to merge, never merged unasked."""
    return _keys_alike(organization_key(first), organization_key(second))


def alike_among(key: str, others: Iterable[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """Of ``others`` (id, name, key), those whose names look like the organization of ``key``."""
    core = _core_words(key)
    return [(oid, name) for oid, name, other in others if _keys_alike(key, other, core)]


class NameIndex:
    """Organizations (id, key) indexed by the pieces of three characters of their core words,
    so that a name is compared with the few that share enough pieces rather than with all:
    :meth:`alike` finds what :func:`alike_among` finds over every row, in the rows' order.

    Why enough pieces: two names the matcher rates 0.9 alike, the shorter of 5 characters or
    more, have ``M >= 0.45 T`` characters in matching blocks (``T`` both lengths), in at most
    ``T - 2M + 1`` blocks (a gap between two holds a character of one name or the other), so
    at least ``M - 2 × blocks >= 0.25 T - 2`` places of the first start a piece the second
    holds. Shorter names look alike only when their core words are the same."""

    def __init__(self, rows: Sequence[tuple[int, str]]) -> None:
        self.rows = list(rows)
        self.key_of = dict(self.rows)
        self._cores = [_core_words(key) for _, key in self.rows]
        self._same_core: dict[str, list[int]] = {}
        self._by_piece: dict[str, list[int]] = {}
        self._found: dict[str, list[int]] = {}  # alike(key), by key
        for at, core in enumerate(self._cores):
            self._same_core.setdefault(core, []).append(at)
            for piece in _pieces(core):
                self._by_piece.setdefault(piece, []).append(at)

    def alike(self, key: str) -> list[int]:
        """The ids of the organizations whose names look like the one of ``key``: worked out
        once per name (the index stands for one set of names, and the pane asks again for
        every deal of an organization it opens)."""
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._alike(key)
        return list(found)

    def _alike(self, key: str) -> list[int]:
        core = _core_words(key)
        if not core:
            return []
        found = set(self._same_core.get(core, ()))
        if len(core) >= 5:
            shared: dict[int, int] = {}
            for piece, times in _pieces(core).items():
                for at in self._by_piece.get(piece, ()):
                    shared[at] = shared.get(at, 0) + times
            cores = self._cores
            found.update(at for at, count in shared.items() if 4 * count > len(core) + len(cores[at]) - 12)
        rows = self.rows
        return [rows[at][0] for at in sorted(found) if _keys_alike(key, rows[at][1], core)]


@lru_cache(maxsize=16384)
def _pieces(core: str) -> dict[str, int]:
    """Each piece of three characters of ``core``, with how many places start it."""
    return dict(Counter(core[at : at + 3] for at in range(len(core) - 2)))


def _keys_alike(a: str, b: str, core_a: str | None = None) -> bool:
    if a == b or not a or not b:
        return False
    core_a = _core_words(a) if core_a is None else core_a
    core_b = _core_words(b)
    if core_a and core_a == core_b:
        return True
    shorter, longer = sorted((len(core_a), len(core_b)))
    # short names a letter apart are other companies; and a ratio of 0.9 needs lengths within
    # about a fifth of each other, which spares comparing most pairs at all
    if shorter < 5 or shorter < 0.81 * longer:
        return False
    if 2.0 * _common_letters(core_a, core_b) / (len(core_a) + len(core_b)) < 0.9:  # quick_ratio
        return False
    return SequenceMatcher(None, core_a, core_b).ratio() >= 0.9
