"""Entity-marked model input: the one place training and inference agree on how a query is encoded.

A directed query (text, source span, target span) becomes the text with typed punctuation markers
around both actors (Zhou & Chen 2022, "An Improved Baseline for Sentence-level Relation
Extraction"): ``@ * source * @`` and ``# ^ target ^ #``. The classifier pools the hidden states at
the two opening markers, so the token positions of those markers travel with the encoding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SOURCE_OPEN, SOURCE_CLOSE = "@ * ", " * @"
TARGET_OPEN, TARGET_CLOSE = "# ^ ", " ^ #"

# Characters of context kept on each side of the two actors when a sentence is too long for the
# model; the window always contains both actors.
CONTEXT_CHARS = 400


@dataclass(frozen=True)
class MarkedText:
    """Marked text and the character offsets of the two opening markers in it."""

    text: str
    source_char: int
    target_char: int


def mark(text: str, source: tuple[int, int], target: tuple[int, int]) -> MarkedText:
    """Insert the actor markers; spans are [start, end) character offsets into ``text``."""
    (s0, s1), (t0, t1) = source, target
    lo = max(0, min(s0, t0) - CONTEXT_CHARS)
    hi = min(len(text), max(s1, t1) + CONTEXT_CHARS)
    text, s0, s1, t0, t1 = text[lo:hi], s0 - lo, s1 - lo, t0 - lo, t1 - lo
    inserts = sorted(
        [(s0, 0, SOURCE_OPEN), (s1, 1, SOURCE_CLOSE), (t0, 0, TARGET_OPEN), (t1, 1, TARGET_CLOSE)],
        key=lambda x: (
            x[0],
            -x[1],
        ),  # at the same offset a closing marker goes before an opening one
    )
    out: list[str] = []
    prev = 0
    length = 0
    src_char = tgt_char = 0
    for pos, _, marker in inserts:
        out.append(text[prev:pos])
        length += pos - prev
        if marker == SOURCE_OPEN:
            src_char = length
        elif marker == TARGET_OPEN:
            tgt_char = length
        out.append(marker)
        length += len(marker)
        prev = pos
    out.append(text[prev:])
    return MarkedText("".join(out), src_char, tgt_char)


def marker_token(encoding, char: int) -> int:
    """Token index of the marker at ``char``; 0 (the [CLS] token) if truncation cut it off."""
    idx = encoding.char_to_token(char)
    return 0 if idx is None else int(idx)


# The claim scheme (one encoder pass per claim): every actor of the claim is wrapped in the same
# marker; which one is the source and which the target is said by the classifier head, which
# reads the hidden states at the two actors' opening markers in that order.
ACTOR_OPEN, ACTOR_CLOSE = "@ ", " @"


@dataclass(frozen=True)
class MarkedActors:
    """Marked text and the character offset of each actor's opening marker, in input order."""

    text: str
    open_chars: tuple[int, ...]


def mark_actors(text: str, spans: Sequence[tuple[int, int]]) -> MarkedActors:
    """Wrap every span in ``@ … @``. Spans must not overlap; their order is kept in the output."""
    order = sorted(range(len(spans)), key=lambda i: spans[i])
    out: list[str] = []
    opens = [0] * len(spans)
    prev = length = 0
    for i in order:
        s0, s1 = spans[i]
        out.append(text[prev:s0])
        length += s0 - prev
        opens[i] = length
        piece = ACTOR_OPEN + text[s0:s1] + ACTOR_CLOSE
        out.append(piece)
        length += len(piece)
        prev = s1
    out.append(text[prev:])
    return MarkedActors("".join(out), tuple(opens))
