"""Training examples shaped like the pipeline's questions (stance model v3).

DSE hands the model two marked entities per sentence; the pipeline instead marks every actor of a
claim, names a speaker outside the sentence as ``<speaker> said: ...`` and asks only about the
pairs its reading chose (``stancestream.services.linking.readings``). Here each DSE training
sentence goes through the same ``link_article`` and ``claim_pairs`` as a one-sentence article, and
each pair the pipeline would ask about becomes a training pair: the DSE label where its two actors
are the annotated p and q (either direction), else ``neutral`` — a pair the reading asks about that
the annotators did not mark as a stance is the "no stance" the model must learn to say.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from stancestream.services.stance.queries import LABELS, claim_groups
from stancestream.services.stance.training.dse import _DIRECTED, DseRow


@dataclass(frozen=True)
class PipelineClaim:
    """One encoder input: text, the actors it marks, and (source, target, label index) pairs
    given as indexes into ``spans``."""

    text: str
    spans: tuple[tuple[int, int], ...]
    pairs: tuple[tuple[int, int, int], ...]


def _sides(mentions: Iterable[tuple[int, int]], spans: list[tuple[int, int]]) -> set[int]:
    """Indexes of the annotated entity spans an actor's mentions overlap."""
    return {i for i, (a, b) in enumerate(spans) for s, e in mentions if s < b and a < e}


def _label(notes: list[DseRow], src: set[int], tgt: set[int]) -> int | None:
    """The directed label of a pair from every annotation of its sentence (DSE annotates some
    sentences several times, one entity pair a row, so a pair one row leaves out another may
    label); None when no annotation covers the pair."""
    for k, row in enumerate(notes):
        pq, qp = _DIRECTED[row.label]
        p, q = 2 * k, 2 * k + 1
        if p in src and q in tgt:
            return LABELS.index(pq)
        if q in src and p in tgt:
            return LABELS.index(qp)
    return None


def pipeline_claims(
    rows: list[DseRow], log=print, batch: int = 256, unannotated: bool = True
) -> list[PipelineClaim]:
    """The pipeline's questions about the sentences of ``rows`` with their labels (see the
    module doc); each distinct sentence once, with all its annotations. A pair no annotation
    covers is "no stance" with ``unannotated``, else left out."""
    from stancestream.services.linking.link import link_article
    from stancestream.services.linking.nlp import load_nlp
    from stancestream.services.stance.pairs import article_pairs
    from stancestream.shared.contracts import Article

    by_text: dict[str, list[DseRow]] = {}
    for r in rows:
        by_text.setdefault(r.text, []).append(r)
    sentences = list(by_text.items())
    nlp = load_nlp()
    out: list[PipelineClaim] = []
    for start in range(0, len(sentences), batch):
        for i, (text, notes) in enumerate(sentences[start : start + batch]):
            spans = [sp for r in notes for sp in (r.p, r.q)]
            art = Article(id=str(start + i), text=text, content_hash=str(start + i))
            linked = link_article(nlp, art)
            side = {e.id: _sides([*e.mentions, *e.references], spans) for e in linked.entities}
            pairs = article_pairs(linked, 30, ("location",))
            queries = [p.query for p in pairs]
            for g in claim_groups(queries):
                index = {sp: k for k, sp in enumerate(g.spans)}
                labelled = []
                for qi in g.queries:
                    q, p = queries[qi], pairs[qi]
                    s = index.get((q.source[0] - g.offset, q.source[1] - g.offset))
                    t = index.get((q.target[0] - g.offset, q.target[1] - g.offset))
                    if s is not None and t is not None:
                        lab = _label(notes, side.get(p.source, set()), side.get(p.target, set()))
                        if lab is None and unannotated:
                            lab = LABELS.index("neutral")
                        if lab is not None:
                            labelled.append((s, t, lab))
                if labelled:
                    out.append(PipelineClaim(g.text, g.spans, tuple(labelled)))
        log(
            f"pipeline-shaped data: {min(start + batch, len(sentences))}/{len(sentences)} sentences"
        )
    return out


def cached_pipeline_claims(
    rows: list[DseRow], path: Path, log=print, unannotated: bool = True
) -> list[PipelineClaim]:
    """``pipeline_claims`` read from ``path`` when present (linking 13 k sentences takes
    minutes), else computed and written there."""
    if path.exists():
        data = json.loads(path.read_text())
        return [
            PipelineClaim(d["text"], tuple(map(tuple, d["spans"])), tuple(map(tuple, d["pairs"])))
            for d in data
        ]
    got = pipeline_claims(rows, log, unannotated=unannotated)
    path.write_text(json.dumps([c.__dict__ for c in got]))
    return got
