"""The pre-check spares ``may_start_tail_sentence`` a call unless the character before the offset is in
``MAY_PRECEDE_TAIL_SENTENCE``: that set must hold every character the function can accept there."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.normalize.text import MAY_PRECEDE_TAIL_SENTENCE, WHITESPACE, may_start_tail_sentence


def test_whitespace_is_every_character_isspace_holds_for() -> None:
    assert frozenset(ch for ch in map(chr, range(0x110000)) if ch.isspace()) == WHITESPACE


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Word", "word", "In", "da", " ", "\u3000", ". ", "! ", "\n", "。", "”", "」", "(", "“",
                         "2024", "É", "é", "x" * 40, "Fin.", "来源", "：", "?", "\xa0"]),
        max_size=25,
    )
)
def test_a_last_sentence_starts_only_after_a_character_of_the_set(parts: list[str]) -> None:
    text = "".join(parts)
    for pos in range(1, len(text)):
        if may_start_tail_sentence(text, pos):
            assert text[pos - 1] in MAY_PRECEDE_TAIL_SENTENCE, (text, pos)
