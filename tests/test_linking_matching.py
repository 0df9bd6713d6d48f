"""``_occurrences`` finds a form as a whole word exactly where the regex it replaced did."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from stancestream.services.linking.matching import _occurrences

ALPHABET = "Ab -_.é1'\n"


def _regex(text: str, form: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?!\w)", text)]


@given(st.text(alphabet=ALPHABET, max_size=40), st.text(alphabet=ALPHABET, min_size=1, max_size=4))
def test_same_spans_as_the_whole_word_regex(text: str, form: str) -> None:
    assert _occurrences(text, form) == _regex(text, form)


def test_whole_words_only() -> None:
    text = "Ford, the Ford-Foundation man, met Fordham and al-Ford and Ford_x; Ford"
    assert [text[s:e] for s, e in _occurrences(text, "Ford")] == ["Ford", "Ford", "Ford"]
    assert _occurrences(text, "Ford")[-1] == (len(text) - 4, len(text))
    assert _occurrences("AAA", "AA") == []  # "AA" sits inside a longer word either way
