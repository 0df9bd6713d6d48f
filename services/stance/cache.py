"""A scorer that remembers its last answers: syndicated copy asks the same questions again.

The same wire story reaches many outlets, and the claims of one story come back with the same
text and actors; each repeated query is answered from memory instead of by the model. Exact for
the shipped ONNX models: a query's answer depends on the query alone, never on its batch-mates
(``OnnxStanceScorer``: one sequence per call, or fixed activation scales).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from stancestream.services.stance.queries import PairQuery, StanceScore
from stancestream.services.stance.scorer import StanceScorer
from stancestream.shared.lru import Lru


class CachedScorer:
    """``inner`` with its answers to the last ``size`` distinct queries kept (0: none kept);
    the queries it has not seen go to ``inner`` in one call. Thread-safe like ``inner``."""

    def __init__(self, inner: StanceScorer, size: int):
        self.inner = inner
        self.name = inner.name
        self._answers: Lru[PairQuery, StanceScore] = Lru(size)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def score(self, queries: Sequence[PairQuery]) -> list[StanceScore]:
        with self._lock:
            known = {q: a for q in queries if (a := self._answers.get(q)) is not None}
        todo = list(dict.fromkeys(q for q in queries if q not in known))
        fresh = dict(zip(todo, self.inner.score(todo), strict=True)) if todo else {}
        with self._lock:
            self.hits += sum(1 for q in queries if q in known)
            self.misses += len(todo)
            for q, a in fresh.items():
                self._answers.put(q, a)
        return [known.get(q) or fresh[q] for q in queries]
