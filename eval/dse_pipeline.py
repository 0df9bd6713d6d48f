"""DSE sentences through the whole reading: linking (NER, claims, pair reading) and stance.

``eval_dse.py`` hands the model the two marked entities; the pipeline must find them itself and
decide whether the pair is a stance at all. Each DSE sentence goes through ``link_article``
(with the KB the linking service would use) and ``score_articles`` as a one-sentence article;
the entities whose mentions overlap the gold p and q spans give the directed labels, which
fold back into DSE's five classes (0 neutral, 1 p+q, 2 q+p, 3 p-q, 4 q-p; the most confident
non-neutral stance wins). Reports 5-way macro-F1.

Usage: python eval/dse_pipeline.py [--data ../shared/data/dse/valid.txt] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
from collections.abc import Iterable

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stancestream.services.linking.link import Linker, link_articles  # noqa: E402
from stancestream.services.linking.nlp import load_nlp  # noqa: E402
from stancestream.services.linking.wiring import make_linker  # noqa: E402
from stancestream.services.stance.scorer import load_scorer  # noqa: E402
from stancestream.services.stance.stancing import score_articles  # noqa: E402
from stancestream.services.stance.training.dse import DseRow, parse_row  # noqa: E402
from stancestream.shared.contracts import Article, LinkedArticle  # noqa: E402
from stancestream.shared.settings import Settings  # noqa: E402

_FOLD = {("p", "support"): 1, ("q", "support"): 2, ("p", "oppose"): 3, ("q", "oppose"): 4}


def rows(path: pathlib.Path, limit: int | None = None) -> list[DseRow]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = parse_row(line)
            if r is not None:
                out.append(r)
            if limit and len(out) >= limit:
                break
    return out


def _side(mentions: Iterable[tuple[int, int]], row: DseRow) -> str | None:
    for s, e in mentions:
        if s < row.p[1] and row.p[0] < e:
            return "p"
        if s < row.q[1] and row.q[0] < e:
            return "q"
    return None


def claim_mentions(linked: LinkedArticle) -> dict[str, list[tuple[int, int]]]:
    """Each actor's mentions in the claims, in article offsets: besides names and references
    these hold the adjectival ones ("the Syrian government" names Syria), which DSE marks too."""
    out: dict[str, list[tuple[int, int]]] = {}
    for claim in linked.claims:
        for m in claim.mentions:
            span = (claim.span[0] + m.span[0], claim.span[0] + m.span[1])
            out.setdefault(m.entity, []).append(span)
    return out


def predict(
    nlp,
    scorer,
    batch: list[DseRow],
    threshold: float,
    support_threshold: float | None,
    linker: Linker | None = None,
) -> list[int]:
    """The pipeline's 5-way label for each row."""
    arts = [Article(id=str(i), text=r.text, content_hash=str(i)) for i, r in enumerate(batch)]
    linked = link_articles(nlp, arts, linker)
    out = []
    for row, la, sb in zip(
        batch,
        linked,
        score_articles(scorer, linked, threshold=threshold, support_threshold=support_threshold),
    ):
        adj = claim_mentions(la)
        side = {
            e.id: _side([*e.mentions, *e.references, *adj.get(e.id, [])], row) for e in la.entities
        }
        best, label = 0.0, 0
        for st in sb.stances:
            src, tgt = side.get(st.source), side.get(st.target)
            if st.stance == "neutral" or src is None or tgt is None or src == tgt:
                continue
            if st.score > best:
                best, label = st.score, _FOLD[(src, st.stance)]
        out.append(label)
    return out


def macro_f1(gold: list[int], pred: list[int], classes: int = 5) -> float:
    f1s = []
    for c in range(classes):
        tp = sum(1 for g, p in zip(gold, pred) if g == p == c)
        fp = sum(1 for g, p in zip(gold, pred) if p == c and g != c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / classes


def evaluate(
    path: pathlib.Path,
    limit: int | None = None,
    model: str | None = None,
    threshold: float | None = None,
    support_threshold: float | None = None,
) -> dict:
    settings = Settings()
    if threshold is None:  # the service's own defaults
        threshold = settings.stance.threshold
        support_threshold = settings.stance.support_threshold
    linker = make_linker(settings)  # the KB the linking service would use (the shipped one)
    nlp = load_nlp()
    scorer = load_scorer(model)
    data = rows(path, limit)
    pred: list[int] = []
    for i in range(0, len(data), 64):
        pred += predict(nlp, scorer, data[i : i + 64], threshold, support_threshold, linker)
    gold = [r.label for r in data]
    acc = sum(g == p for g, p in zip(gold, pred)) / len(gold)
    return {"macro_f1": macro_f1(gold, pred), "accuracy": acc, "n": len(gold)}


def main() -> int:
    shared = os.environ.get("STANCESTREAM_SHARED_DATA") or str(ROOT.parent / "shared" / "data")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=pathlib.Path, default=pathlib.Path(shared) / "dse" / "valid.txt")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--model", default=None)
    ap.add_argument("--threshold", type=float, default=None, help="default: the service's")
    ap.add_argument("--support-threshold", type=float, default=None, help="with --threshold")
    a = ap.parse_args()
    r = evaluate(a.data, a.limit, a.model, a.threshold, a.support_threshold)
    print(f"dse_pipeline_macro_f1={r['macro_f1']:.4f} accuracy={r['accuracy']:.4f} n={r['n']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
