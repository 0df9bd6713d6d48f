"""What the stance model is asked and what it answers: ``PairQuery`` (a directed pair in a text),
``StanceScore`` (the label and its three probabilities), ``LABELS`` (their order everywhere: the
model's logits, the training data, the exports), and how claim-scheme queries share one encoder
pass (``claim_groups``). Serving, the backends and training all read these; they import nothing
else of the stance service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LABELS = ("support", "oppose", "neutral")
# claim scheme: texts longer than this are cut to a window around each pair instead of being
# encoded whole (the model reads at most max_length tokens)
CLAIM_WINDOW_CHARS = 600


@dataclass(frozen=True)
class PairQuery:
    """One directed query: spans are [start, end) character offsets into ``text``.

    ``context`` lists the other actors of the claim. Claim-scheme models mark them all and score
    every query with the same text and actors from one encoder pass; the answer to a query depends
    on the query alone (its text, pair and context), never on what else is in the batch.
    """

    text: str
    source: tuple[int, int]
    target: tuple[int, int]
    context: tuple[tuple[int, int], ...] = ()

    def validate(self) -> None:
        """Raise ValueError with a readable reason when the query cannot be scored."""
        if not self.text or not self.text.strip():
            raise ValueError("text is empty")
        n = len(self.text)
        for name, (s, e) in (("source", self.source), ("target", self.target)):
            if not (0 <= s < e <= n):
                raise ValueError(f"{name} span [{s}, {e}] is outside the text (length {n})")
        (s0, s1), (t0, t1) = self.source, self.target
        if s0 < t1 and t0 < s1:
            raise ValueError("source and target spans overlap")


@dataclass(frozen=True)
class StanceScore:
    stance: str  # support | oppose | neutral
    scores: dict[str, float]  # the three probabilities, summing to 1


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def actor_spans(q: PairQuery) -> tuple[tuple[int, int], ...]:
    """The spans a claim-scheme model marks for ``q``: its pair and the context spans that lie
    inside the text and overlap no span kept before them; sorted."""
    kept = [q.source, q.target]
    for sp in q.context:
        if 0 <= sp[0] < sp[1] <= len(q.text) and not any(_overlaps(sp, k) for k in kept):
            kept.append(sp)
    return tuple(sorted(kept))


@dataclass(frozen=True)
class ClaimGroup:
    """Queries answered by one encoder pass: ``text`` is ``queries[i].text[offset:]`` cut to
    its length, ``spans`` (relative to ``text``) are the actors it marks."""

    text: str
    offset: int
    spans: tuple[tuple[int, int], ...]
    queries: list[int]


def claim_groups(queries: Sequence[PairQuery]) -> list[ClaimGroup]:
    """Group queries that share text and marked actors. A text longer than the model reads is
    cut to a window around each pair instead, so each of its queries gets a pass of its own."""
    groups: dict[tuple, ClaimGroup] = {}
    for i, q in enumerate(queries):
        spans = actor_spans(q)
        if len(q.text) <= CLAIM_WINDOW_CHARS:
            groups.setdefault((q.text, spans), ClaimGroup(q.text, 0, spans, [])).queries.append(i)
            continue
        lo = max(0, min(q.source[0], q.target[0]) - CLAIM_WINDOW_CHARS // 3)
        hi = min(len(q.text), max(q.source[1], q.target[1]) + CLAIM_WINDOW_CHARS // 3)
        inside = tuple((a - lo, b - lo) for a, b in spans if a >= lo and b <= hi)
        groups[(i,)] = ClaimGroup(q.text[lo:hi], lo, inside, [i])
    return list(groups.values())
