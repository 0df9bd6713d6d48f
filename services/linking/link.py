"""``link_article``: one article in, its actors and claims out — no Redis, no I/O.

The service, ``stancestream analyze`` and the tests all call this one pure function. KB linking
is a pluggable :class:`Linker`; the default links nothing, so every actor keeps its stable local
id until a knowledge base is configured.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Protocol

from spacy.language import Language

from stancestream.services.linking import names as nm
from stancestream.services.linking.actors import (
    Actor,
    ActorIndex,
    Mention,
    cluster,
    extract_mentions,
    local_id,
)
from stancestream.services.linking.claims import Unit, find_units
from stancestream.services.linking.credits import credit_spans, inside
from stancestream.services.linking.matching import add_string_matches
from stancestream.services.linking.nlp import Chunk, ParseCache, parse, parse_many
from stancestream.services.linking.readings import ClaimReader
from stancestream.services.linking.spans import THING_LABELS, common_noun_acronyms, name_extent
from stancestream.services.linking.speakers import Resolver, find_affiliations, title_orgs
from stancestream.shared.contracts import (
    Article,
    Claim,
    ClaimMention,
    ClaimPair,
    Entity,
    EntityType,
    LinkedArticle,
    stable_id,
)


class Linker(Protocol):
    """Maps an actor to a Wikidata QID, or None when it cannot verify one."""

    def link(self, name: str, type: EntityType, context: str) -> str | None: ...


class NullLinker:
    """The v1 default: no knowledge base, every actor stays local."""

    def link(self, name: str, type: EntityType, context: str) -> str | None:
        return None


HOLDER_DEPS = {"nsubj", "poss"}
# labels the resolver gives the pronouns and descriptions it reads as an actor (speakers._add)
_REFS = frozenset({"PRON", "DESC"})


def holder_offsets(chunks) -> list[int]:
    """Start offsets of tokens in stance-holding positions: subjects, possessors, and the object
    of a passive "by" (the agent)."""
    out = []
    for ch in chunks:
        for tok in ch.doc:
            if tok.dep_ in HOLDER_DEPS or (tok.dep_ == "pobj" and tok.head.dep_ == "agent"):
                out.append(ch.offset + tok.idx)
    return sorted(out)


def find_actors(
    nlp: Language, text: str, linker: Linker | None = None, chunks: list[Chunk] | None = None
) -> tuple[list[Actor], list[Unit], list[int], list[str | None]]:
    """Actors (clustered, typed, with affiliations and resolved mentions), claim units, the
    offsets of stance-holding tokens and each actor's QID. A linker with ``known_names`` adds
    the full names of people it knows that NER missed ("Recep Tayyip Erdoğan"). Actors are
    linked before the claims are read, so that a linked actor reads with the type its KB entry
    gives (``type_of``: a town NER took for a person is a place, a ministry taken for a company
    a government body). ``chunks``: the text already parsed (``parse_many``)."""
    if chunks is None:
        chunks = parse(nlp, text)
    credits = credit_spans(text)  # bylines, reporting and photo credits name no actors
    spelled = common_noun_acronyms(text)  # "the integrated services digital network, or ISDN"
    mentions = [
        m
        for m in extract_mentions(chunks)
        if not inside(credits, m.start, m.end) and m.text not in spelled
    ]
    known = getattr(linker, "known_names", None)
    if known is not None:
        taken = [(m.start, m.end) for m in mentions]
        mentions += [
            Mention(s, e, text[s:e], "PERSON", nm.normalise(text[s:e], person=True))
            for s, e in known(text)
            if not any(a < e and s < b for a, b in taken) and not inside(credits, s, e)
        ]
        mentions.sort(key=lambda m: m.start)
    taken = [(m.start, m.end) for m in mentions]
    mentions += [
        m
        for m in title_orgs(chunks)
        if not any(s < m.end and m.start < e for s, e in taken)
        and not inside(credits, m.start, m.end)
    ]
    actors = cluster(mentions, getattr(linker, "is_place", None))
    things = [
        (ch.offset + e.start_char, ch.offset + e.end_char)
        for ch in chunks
        for e in ch.doc.ents
        if e.label_ in THING_LABELS
    ] + credits
    add_string_matches(text, actors, things)
    find_affiliations(chunks, ActorIndex(actors))
    qids = _link_all(actors, text, linker or NullLinker())
    type_of = getattr(linker, "type_of", None)
    for a, qid in zip(actors, qids):
        kb_type = type_of(qid) if qid and type_of is not None else None
        if kb_type:
            a.type = kb_type
    index = ActorIndex(actors)
    resolver = Resolver(actors, index)
    units = find_units(chunks, resolver, ClaimReader(text, actors, index, resolver))
    return actors, units, holder_offsets(chunks), qids


def _link_all(actors: list[Actor], text: str, linker: Linker) -> list[str | None]:
    """QIDs per actor; a linker with ``link_actors`` sees the whole document at once."""
    whole = getattr(linker, "link_actors", None)
    if whole is not None:
        return list(whole(actors, text))
    out = []
    for a in actors:
        first = min(m.start for m in a.mentions)
        context = text[max(0, first - 200) : first + 200]
        out.append(linker.link(a.name, a.type, context))  # type: ignore[arg-type]
    return out


def _entities(
    actors: list[Actor], text: str, qids: list[str | None]
) -> tuple[list[Entity], dict[int, str]]:
    """Contract entities; actors that end up with the same id (same QID or local name) merge."""
    ids: dict[int, str] = {}
    merged: dict[str, Entity] = {}
    for a, qid in zip(actors, qids):
        eid = qid or local_id(a.type, a.name)
        ids[id(a)] = eid
        ent = merged.setdefault(eid, Entity(id=eid, name=a.name, type=a.type, wikidata=qid))
        # names, and apart from them what the resolver read as the actor ("he", "the company");
        # modifier uses ("American officials") stay in the claims' mentions, where they drive
        # stance scoring, but are not names of the entity
        named = {
            name_extent(text, m.start, m.end)
            for m in a.mentions
            if not m.adjectival and m.label not in _REFS
        }
        refs = {(m.start, m.end) for m in a.mentions if m.label in _REFS}
        ent.mentions = sorted({*ent.mentions, *named})
        ent.references = sorted({*ent.references, *refs})
    for a in actors:
        if a.affiliation is not None:
            ent = merged[ids[id(a)]]
            aff = ids.get(id(a.affiliation))
            if aff and aff != ent.id:
                ent.affiliation = ent.affiliation or aff
    return list(merged.values()), ids


def _claims(
    article: Article,
    units: list[Unit],
    actors: list[Actor],
    ids: dict[int, str],
    max_claims: int,
    holders: list[int] | None = None,
) -> list[Claim]:
    index = ActorIndex(actors)
    holders = holders or []
    text = article.text
    claims: list[Claim] = []
    for u in units:
        seen: set[tuple[str, int, int]] = set()
        mentions = []
        for a, m in index.within(u.start, u.end):
            key = (ids[id(a)], m.start - u.start, m.end - u.start)
            if key not in seen:
                seen.add(key)
                k = bisect.bisect_left(holders, m.start)
                holder = k < len(holders) and holders[k] < m.end
                mentions.append(ClaimMention(entity=key[0], span=(key[1], key[2]), holder=holder))
        speaker = ids[id(u.speaker)] if u.speaker is not None else None
        if not mentions and speaker is None:
            continue  # no actor, nothing to score or attribute
        present = {m.entity for m in mentions} | {speaker}
        pairs: dict[tuple[str, str], ClaimPair] = {}
        for r in u.readings:
            src, tgt = ids.get(id(r.source)), ids.get(id(r.target))
            if src is None or tgt is None or src == tgt or tgt not in present:
                continue  # merged into one entity, or not mentioned in this claim's text
            if src not in present and r.basis != "context":
                continue  # only an act read from the context may come from outside the claim
            pairs.setdefault(
                (src, tgt),
                ClaimPair(source=src, target=tgt, basis=r.basis, cue=r.cue, polarity=r.polarity),
            )
        claims.append(
            Claim(
                id=stable_id(article.id, str(u.start), str(u.end), prefix="c_"),
                span=(u.start, u.end),
                text=text[u.start : u.end],
                speaker=speaker,
                kind=u.kind,
                mentions=sorted(mentions, key=lambda cm: cm.span),
                pairs=list(pairs.values()),
            )
        )
        if len(claims) >= max_claims:
            break
    return claims


def link_articles(
    nlp: Language,
    articles: Sequence[Article],
    linker: Linker | None = None,
    max_claims: int = 400,
    cache: ParseCache | None = None,
) -> list[LinkedArticle]:
    """``link_article`` for each article, with all their paragraphs parsed in one spaCy call
    (but those ``cache`` holds)."""
    parsed = parse_many(nlp, [a.text for a in articles], cache=cache)
    return [
        link_article(nlp, a, linker, max_claims, chunks)
        for a, chunks in zip(articles, parsed, strict=True)
    ]


def link_article(
    nlp: Language,
    article: Article,
    linker: Linker | None = None,
    max_claims: int = 400,
    chunks: list[Chunk] | None = None,
) -> LinkedArticle:
    """Actors and claims of ``article`` (see the package modules for the rules)."""
    actors, units, holders, qids = find_actors(nlp, article.text, linker, chunks)
    entities, ids = _entities(actors, article.text, qids)
    claims = _claims(article, units, actors, ids, max_claims, holders)
    return LinkedArticle(
        article=article.meta(),
        entities=entities,
        claims=claims,
        trace=article.trace.model_copy(deep=True),
    )
