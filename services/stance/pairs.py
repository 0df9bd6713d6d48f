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

from stancestream.services.stance.queries import PairQuery
from stancestream.shared.contracts import Claim, ClaimPair, LinkedArticle, Span


@dataclass(frozen=True)
class ScoredPair:
    claim: str
    source: str
    target: str
    query: PairQuery
    reading: ClaimPair | None = None  # why the linker chose the pair; None for an unread claim


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


def _choose_spans(text: str, spans: dict[str, list[Span]], names: dict[str, str]) -> dict:
    """One mention per actor: its first named mention, else its first mention; never one that
    overlaps a mention chosen for an actor before it (in order of first mention)."""
    chosen: dict[str, Span] = {}
    for actor, cands in spans.items():
        free = [c for c in cands if not any(c[0] < o[1] and o[0] < c[1] for o in chosen.values())]
        if free:
            chosen[actor] = _best_source(text, free, names.get(actor, actor))
    return chosen


def _named_text(text: str, chosen: dict[str, Span], names: dict[str, str]) -> tuple[str, dict]:
    """The claim text with each chosen pronoun or description mention replaced by the actor's
    name (the model learned stance between named actors, so "he said" reads better as "Igor
    Konashenkov said"), and the chosen spans moved to the new text."""
    out, pos, length, new = [], 0, 0, {}
    for actor, span in sorted(chosen.items(), key=lambda kv: kv[1]):
        name = names.get(actor, actor)
        surface = text[span[0] : span[1]]
        piece = name if _is_reference(surface, name) else surface
        out.append(text[pos : span[0]])
        length += span[0] - pos
        new[actor] = (length, length + len(piece))
        out.append(piece)
        length += len(piece)
        pos = span[1]
    out.append(text[pos:])
    return "".join(out), new


def _best_source(text: str, spans: list[Span], name: str) -> Span:
    """The actor's first named mention in the claim, else its first mention."""
    named = [sp for sp in spans if not _is_reference(text[sp[0] : sp[1]], name)]
    return (named or spans)[0]


def claim_pairs(
    claim: Claim,
    names: dict[str, str],
    max_pairs: int,
    skip: frozenset[str] = frozenset(),
    holders_only: bool = False,
) -> list[ScoredPair]:
    """Pairs of one claim: the pairs the linker read (``claim.pairs``), else, for a claim from an
    older linker, every ordered pair; entities in ``skip`` (e.g. places) are neither source nor
    target; with ``holders_only`` only the speaker and holder mentions are sources. All pairs
    share one model input (the claim text, names for pronouns, every actor once), so a
    claim-scheme model scores them all in one pass."""
    spans = {e: s for e, s in _first_spans(claim).items() if e not in skip}
    chosen = _choose_spans(claim.text, spans, names)
    actors = list(chosen)
    others = [a for a in actors if a != claim.speaker]
    holders = [a for a in others if _is_holder(claim, a)] if holders_only else others
    if holders_only and claim.speaker is None and not holders:
        holders = actors  # no syntax to go by: every actor may hold a stance
    text, where = _named_text(claim.text, chosen, names)
    # the speaker (or the authority whose account a sentence continues, see readings), named
    # outside this claim's text: say who speaks, as reported speech does
    outside = claim.speaker or next(
        (p.source for p in claim.pairs or () if p.source not in where), None
    )
    if outside and outside not in where and actors:
        name = names.get(outside, outside)
        prefix = f"{name} said: "
        text = prefix + text
        where = {a: (s + len(prefix), e + len(prefix)) for a, (s, e) in where.items()}
        where[outside] = (0, len(name))
    sources = ([claim.speaker] if claim.speaker in where else []) + holders
    context = tuple(sorted(where.values()))
    out: list[ScoredPair] = []
    if claim.pairs is not None:  # the linker read which pairs carry a stance: only those
        for p in claim.pairs:
            if p.source in where and p.target in where and len(out) < max_pairs:
                query = PairQuery(text, where[p.source], where[p.target], context)
                out.append(ScoredPair(claim.id, p.source, p.target, query, p))
        return out
    for src in sources:
        for tgt in actors:
            if tgt == src or len(out) >= max_pairs:
                continue
            out.append(
                ScoredPair(claim.id, src, tgt, PairQuery(text, where[src], where[tgt], context))
            )
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
