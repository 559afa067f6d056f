"""Text as a terminal may show it: what acts on a terminal is replaced, everything else kept."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from pipeline_tui.core.printable import (
    REPLACEMENT,
    is_printable,
    printable,
    printable_lines,
    without_controls,
)

# written out here, not taken from the module: every C0, DEL, every C1, and the bidi embeddings,
# overrides and isolates with their pops, plus the Unicode line and paragraph separators
ACTING = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
hostile = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from([chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]),
        st.sampled_from(list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")),
    ),
    max_size=60,
)


@given(hostile)
def test_nothing_that_acts_is_left_and_each_character_stays_one(text):
    shown = printable(text)
    assert ACTING.search(shown) is None
    assert len(shown) == len(text)  # an input field's cursor keeps its place
    assert is_printable(shown)
    assert printable(shown) == shown


@given(hostile)
def test_what_does_not_act_is_kept_as_it_was(text):
    shown = printable(text)
    for given_char, shown_char in zip(text, shown, strict=True):
        if ACTING.match(given_char) is None:
            assert shown_char == given_char
        else:
            assert shown_char in (" ", REPLACEMENT)


@given(hostile)
def test_lines_keep_their_breaks_and_lose_the_rest(text):
    shown = printable_lines(text)
    assert ACTING.search(shown.replace("\n", "")) is None
    assert shown.replace("\n", " ") == printable(text.replace("\r\n", "\n"))


@given(hostile)
def test_stripped_text_has_no_control_character_and_keeps_the_rest_in_order(text):
    for stripped in (without_controls(text), without_controls(text, lines=True)):
        assert ACTING.search(stripped.replace("\n", "")) is None
        kept = [c for c in text if ACTING.match(c) is None and c != " "]
        assert [c for c in stripped if c not in " \n"] == kept


def test_what_the_corpus_shows():
    assert printable("Evil\x1b]0;PWNED\x07Co") == "Evil\ufffd]0;PWNED\ufffdCo"
    assert printable("invoice\u202egpj.exe") == "invoice\ufffdgpj.exe"
    assert printable("Honest Co\rEvil Co\tx\ny") == "Honest Co Evil Co x y"
    assert printable("eight \u009b2J") == "eight \ufffd2J"
    assert printable_lines("a\r\nb\rc\n\x1b[2J") == "a\nb\nc\n\ufffd[2J"
    assert without_controls("Acme\x1b[31m red\x07\u202e") == "Acme[31m red"
    assert without_controls("one\r\ntwo\u2028three", lines=True) == "one\ntwo\nthree"


def test_text_from_anywhere_in_the_world_is_kept_whole():
    for text in (
        "株式会社テスト 🍣",
        "Zoe\u0301 n\u0303",
        "\u200fשלום עולם\u200f",  # right-to-left marks are typed by right-to-left writers
        "مرحبا",
        "👩\u200d💻 👨\u200d👩\u200d👧 🇫🇷",
        "a\u200bb\u200cc\u200dd\u2060e\ufefff",
        "[@click=app.quit]x[/] \\[b]",  # markup is not the terminal's business
    ):
        assert printable(text) == text
        assert printable_lines(text) == text
        assert without_controls(text) == text
        assert is_printable(text)
