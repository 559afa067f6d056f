"""Word-wrapping styled text for the detail pane (pure: no app runs)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from pipeline_tui.ui.widgets.virtual_list import wrap_parts


def plain(lines) -> list[str]:
    return ["".join(text for text, _ in line) for line in lines]


def test_words_wrap_at_the_width_and_a_wrapped_line_starts_at_its_next_word():
    lines = wrap_parts([("the quick brown fox jumps", None)], 10)
    assert plain(lines) == ["the quick ", "brown fox ", "jumps"]


def test_a_newline_ends_a_line_and_the_spaces_after_it_indent():
    assert plain(wrap_parts([("Notes\n  indented\n\nafter a blank", None)], 40)) == [
        "Notes",
        "  indented",
        "",
        "after a blank",
    ]


def test_a_word_in_two_styles_stays_whole_and_keeps_both_styles():
    lines = wrap_parts([("value ", None), ("10,550", "bold"), ("k", "dim"), (" more", None)], 10)
    assert lines[0] == [("value ", None)]
    assert lines[1][:2] == [("10,550", "bold"), ("k", "dim")]  # not "10,5" on the first line


def test_a_word_longer_than_a_line_is_cut_across_lines():
    assert plain(wrap_parts([("an.address.far.too.long@example.com", None)], 12)) == [
        "an.address.f",
        "ar.too.long@",
        "example.com",
    ]


def test_wide_characters_count_two_cells():
    lines = wrap_parts([("ab 全角全角全角", None)], 5)
    assert plain(lines) == ["ab ", "全角", "全角", "全角"]
    assert all(cell_len(line) <= 5 for line in plain(lines))


def test_tabs_become_spaces():
    assert plain(wrap_parts([("a\tb", None)], 20)) == ["a    b"]


# CJK, an emoji with a skin tone, a combining accent, a glue (no-break) space, controls
some_text = st.lists(
    st.sampled_from(
        ["a", "b", " ", "c", "\n", "全", "é", "-", "\t", "\r", "\x1b", "e\u0301", "👍🏽", "\xa0"]
    ),
    max_size=30,
).map("".join)
styled_text = st.lists(st.tuples(some_text, st.sampled_from([None, "x", "y"])), max_size=8)


def as_shown(text: str) -> str:
    """What the pane shows of a text, characters for characters: control characters as �."""
    return text.replace("\x1b", "\ufffd")


@given(styled_text, st.integers(min_value=1, max_value=30))
def test_no_line_is_wider_than_the_width_and_no_word_is_lost(parts, width):
    lines = wrap_parts(parts, width)
    assert all(cell_len(line) <= max(width, 2) for line in plain(lines))  # one wide char in a 1-cell line
    words = [word for text, _ in parts for word in as_shown(text).split()]
    assert "".join("".join(plain(lines)).split()) == "".join(words)


@given(styled_text, st.integers(min_value=1, max_value=30))
def test_every_character_keeps_its_style(parts, width):
    def styled_characters(pairs):
        return [(character, style) for text, style in pairs for character in text if not character.isspace()]

    wrapped = [pair for line in wrap_parts(parts, width) for pair in line]
    assert styled_characters(wrapped) == styled_characters((as_shown(text), style) for text, style in parts)


@given(styled_text, st.integers(min_value=1, max_value=30))
def test_adjacent_parts_of_a_line_differ_in_style(parts, width):
    for line in wrap_parts(parts, width):
        assert all(a[1] != b[1] for a, b in zip(line, line[1:], strict=False))


def test_a_parts_leading_blanks_are_a_run_of_their_own():
    """Joined to the words after them, leading blanks are drawn askew by SVG renderers (the
    screenshots): they get a style of their own, which draws nothing more."""
    from rich.style import Style

    from pipeline_tui.ui.widgets.virtual_list import APART, make_strip

    base = Style(bgcolor="blue")
    strip = make_strip([(" ", None), ("26k", None), ("  weighted", Style(dim=True))], 20, base)
    assert strip.text == " 26k  weighted" + " " * 6 and strip.cell_length == 20
    runs = [(segment.text, segment.style) for segment in strip]
    assert runs[:4] == [
        (" ", base + APART),
        ("26k", base),
        ("  ", base + APART),
        ("weighted", base + Style(dim=True)),
    ]
    assert all(style.bgcolor == base.bgcolor for _, style in runs)


def test_blanks_past_the_end_of_a_line_end_it_and_join_no_words():
    assert plain(wrap_parts([("Budget:\t\t5000 EUR", None)], 12)) == ["Budget:", "5000 EUR"]
    assert plain(wrap_parts([("abc      d", None)], 8)) == ["abc", "d"]


def test_line_breaks_of_any_kind_end_a_line_and_controls_show_as_drawn():
    assert plain(wrap_parts([("one\r\ntwo\rthree\x1b[31m", None)], 20)) == ["one", "two", "three\ufffd[31m"]


@given(styled_text, st.integers(min_value=1, max_value=30))
def test_words_that_fit_a_line_come_out_whole_and_apart(parts, width):
    import re

    from hypothesis import assume

    # what may not be broken: words, and words glued by no-break spaces (drawn as spaces)
    units = [unit for unit in re.split(r"[^\S\xa0]+", as_shown("".join(text for text, _ in parts))) if unit]
    assume(all(cell_len(unit) <= width for unit in units))
    words = [word for unit in units for word in unit.split()]
    assert [word for line in plain(wrap_parts(parts, width)) for word in line.split()] == words


def test_a_glue_space_keeps_a_phone_number_on_one_line_and_is_drawn_as_a_space():
    lines = wrap_parts([("call +34\xa0600\xa0111\xa0222 now", None)], 16)
    assert plain(lines) == ["call ", "+34 600 111 222 ", "now"]


@given(
    st.lists(
        st.tuples(st.text(alphabet=st.sampled_from("a 全👍\u0301"), max_size=12), st.none()), max_size=4
    ),
    st.frozensets(st.integers(1, 20)).map(
        lambda cuts: frozenset(2 * cut for cut in cuts)
    ),  # 2 cells apart at least
)
def test_no_wide_character_straddles_a_cut_and_nothing_but_blanks_is_added(parts, cuts):
    from rich.cells import get_character_cell_size

    from pipeline_tui.ui.widgets.wide import clear_of_cuts

    cleared = clear_of_cuts(parts, cuts)
    offset = 0
    for character in "".join(text for text, _ in cleared):
        size = get_character_cell_size(character)
        assert not (size == 2 and offset + 1 in cuts), (cleared, cuts)
        offset += size
    assert "".join(text for text, _ in cleared).replace(" ", "") == "".join(t for t, _ in parts).replace(
        " ", ""
    )
    assert cell_len("".join(t for t, _ in cleared)) <= cell_len("".join(t for t, _ in parts)) + len(cuts)
