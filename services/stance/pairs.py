"""Which (source -> target) pairs of a claim get scored, and the model input for each.

A claim's stance source is its speaker; actors in stance-holding positions inside the claim
are scored toward the other actors too: by default every actor ("all"); with the ``holders``
policy only those in stance-holding positions (subjects, passive agents, possessors:
``ClaimMention.holder`` — "A accused B" carries A's stance toward B, rarely B's toward A), which
scores about a quarter fewer pairs on DSE while keeping 90% of the gold stance directions.
When the speaker is not mentioned in the claim text (a quote attributed several sentences
earlier), the input says who speaks: ``<speaker> said: <claim text>``, the form reported speech
takes in the training data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from services.stance.scorer import PairQuery
from shared.contracts import Claim, LinkedArticle, Span


@dataclass(frozen=True)
class ScoredPair:
    claim: str
    source: str
    target: str
    query: PairQuery


def _first_spans(claim: Claim) -> dict[str, list[Span]]:
    spans: dict[str, list[Span]] = {}
    for m in sorted(claim.mentions, key=lambda m: m.span):
        spans.setdefault(m.entity, []).append(m.span)
    return spans


def _is_holder(claim: Claim, entity: str) -> bool:
    return any(m.holder for m in claim.mentions if m.entity == entity)


_PRONOUN_START = {"the", "he", "she", "his", "her", "they", "their", "it", "its", "him", "them"}


def _is_reference(mention: str, name: str) -> bool:
    """A pronoun or description ("he", "the Russian general") rather than a name of the actor."""
    words = mention.split()
    if not words:
        return False
    shares = {w.lower() for w in re.findall(r"[A-Za-z]{2,}", name)} & {
        w.lower() for w in re.findall(r"[A-Za-z]{2,}", mention)
    }
    return not shares and (mention[0].islower() or words[0].lower() in _PRONOUN_START)


def _with_names(text: str, s_span: Span, t_span: Span, s_name: str, t_name: str) -> PairQuery:
    """The query, with a pronoun or description mention replaced by the actor's name: the model
    learned stance between named actors, so "he said" reads better as "Igor Konashenkov said"."""
    edits = {
        s_span: s_name if _is_reference(text[s_span[0] : s_span[1]], s_name) else None,
        t_span: t_name if _is_reference(text[t_span[0] : t_span[1]], t_name) else None,
    }
    out, pos, new = [], 0, {}
    for span in sorted(edits):
        piece = edits[span] or text[span[0] : span[1]]
        out.append(text[pos : span[0]])
        start = sum(len(x) for x in out)
        out.append(piece)
        new[span] = (start, start + len(piece))
        pos = span[1]
    out.append(text[pos:])
    return PairQuery("".join(out), new[s_span], new[t_span])


def _best_source(text: str, spans: list[Span], name: str) -> Span:
    """The actor's first named mention in the claim, else its first mention."""
    named = [sp for sp in spans if not _is_reference(text[sp[0] : sp[1]], name)]
    return (named or spans)[0]


def _nearest(candidates: list[Span], anchor: Span) -> Span | None:
    """The target mention closest to the source mention that does not overlap it."""
    free = [c for c in candidates if c[1] <= anchor[0] or c[0] >= anchor[1]]
    return min(free, key=lambda c: abs(c[0] - anchor[0])) if free else None


def claim_pairs(
    claim: Claim,
    names: dict[str, str],
    max_pairs: int,
    skip: frozenset[str] = frozenset(),
    holders_only: bool = False,
) -> list[ScoredPair]:
    """Pairs of one claim; entities in ``skip`` (e.g. places) are neither source nor target;
    with ``holders_only`` only the speaker and holder mentions are sources."""
    spans = {e: s for e, s in _first_spans(claim).items() if e not in skip}
    actors = list(spans)
    out: list[ScoredPair] = []
    others = [a for a in actors if a != claim.speaker]
    holders = [a for a in others if _is_holder(claim, a)] if holders_only else others
    if holders_only and claim.speaker is None and not holders:
        holders = actors  # no syntax to go by: every actor may hold a stance
    sources = ([claim.speaker] if claim.speaker else []) + holders
    for src in sources:
        for tgt in actors:
            if tgt == src or len(out) >= max_pairs:
                continue
            if src in spans:
                s_span = _best_source(claim.text, spans[src], names.get(src, src))
                t_span = _nearest(spans[tgt], s_span)
                if t_span is None:
                    continue
                query = _with_names(
                    claim.text, s_span, t_span, names.get(src, src), names.get(tgt, tgt)
                )
            else:  # the speaker, named outside this claim's text
                name = names.get(src, src)
                prefix = f"{name} said: "
                t0, t1 = spans[tgt][0]
                query = PairQuery(
                    prefix + claim.text, (0, len(name)), (t0 + len(prefix), t1 + len(prefix))
                )
            out.append(ScoredPair(claim.id, src, tgt, query))
    return out


def article_pairs(
    linked: LinkedArticle,
    max_pairs_per_claim: int,
    skip_types: Sequence[str] = (),
    holders_only: bool = False,
) -> list[ScoredPair]:
    names = {e.id: e.name for e in linked.entities}
    skip = frozenset(e.id for e in linked.entities if e.type in skip_types)
    pairs: list[ScoredPair] = []
    for claim in linked.claims:
        if claim.speaker in skip:
            continue
        pairs.extend(claim_pairs(claim, names, max_pairs_per_claim, skip, holders_only))
    return pairs
