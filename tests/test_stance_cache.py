"""A repeated query is answered from memory, with exactly the answer the model gives it."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from stancestream.services.stance.cache import CachedScorer
from stancestream.services.stance.queries import PairQuery, StanceScore
from stancestream.services.stance.scorer import StanceScorer, load_scorer
from tests.test_stance_scorer import _many_claims


class Counting:
    """The real scorer, counting the queries that reach it."""

    def __init__(self, inner: StanceScorer):
        self.inner = inner
        self.name = inner.name
        self.asked: list[PairQuery] = []

    def score(self, queries: Sequence[PairQuery]) -> list[StanceScore]:
        self.asked += queries
        return self.inner.score(queries)


@pytest.fixture(scope="module")
def model() -> StanceScorer:
    return load_scorer()


def test_repeats_skip_the_model_and_get_its_answers(model: StanceScorer) -> None:
    queries = _many_claims()
    want = model.score(queries)
    counting = Counting(model)
    cached = CachedScorer(counting, 1000)
    half = queries[: len(queries) // 2]
    assert cached.score(half) == want[: len(half)]
    assert len(counting.asked) == len(half)
    counting.asked.clear()
    again = queries[::-1] + half  # all of them, in another order, some twice
    assert cached.score(again) == want[::-1] + want[: len(half)]
    assert counting.asked == list(dict.fromkeys(q for q in queries[::-1] if q not in half))
    assert (cached.hits, cached.misses) == (len(again) - len(counting.asked), len(queries))


def test_keeps_at_most_size_answers(model: StanceScorer) -> None:
    queries = _many_claims()[:6]
    counting = Counting(model)
    cached = CachedScorer(counting, 2)
    cached.score(queries)
    counting.asked.clear()
    cached.score(queries[-2:] + queries[:1])  # the last two kept, the first forgotten
    assert counting.asked == queries[:1]
    none = CachedScorer(Counting(model), 0)
    none.score(queries)
    assert none.score(queries) and none.hits == 0
