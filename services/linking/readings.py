"""Which directed pairs of a claim a reader could defend as a stance, read from its syntax.

Scoring every ordered pair of actors in a claim is what made the pipeline say that a spokesman
"opposes" his own ministry: most co-mentioned pairs express nothing. A pair is a candidate only
when the text gives it a reading:

- **speaker**: the claim's speaker toward the actors of their own quote or reported statement —
  not toward the actors of the attribution phrase ("Russian Defense Ministry Spokesman X said"),
  not toward their own side (their organisation, its country, bodies of that country), not
  toward actors inside brackets or parentheses (editorial inserts), not toward places.
- **predicate**: the holder of a stance-bearing verb or noun (its subject, passive agent or
  possessor, or the subject of a light verb: "waged a battle with") toward its object ("A
  accused B", "B was praised by A", "A's criticism of B", "A refuted B's allegations"). A word
  that states a polarity ("sued", "praised") carries it; agreements and deals bind both ways.

Everything else (list members toward each other, appositions, mere co-mentions) is not scored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from services.linking import names as nm
from services.linking.actors import Actor, ActorIndex
from services.linking.nlp import Chunk
from services.linking.speakers import Resolver

OPPOSE, SUPPORT = "oppose", "support"

# Verbs whose subject takes a stance toward their object. Lemmas as spaCy gives them.
VERB_POLARITY: dict[str, str] = {
    **dict.fromkeys(
        """accuse blame criticize criticise condemn denounce attack sue sanction reject refute
        oppose fight threaten slam blast mock ridicule dismiss challenge rebuke reprimand lambaste
        castigate vilify disparage undermine obstruct veto resist confront counter contradict
        indict prosecute fine ban outlaw expel boycott punish oust impeach bomb raid invade
        accuse assail berate chastise deride decry scold insult defy deny discredit
        target arrest detain jail kill ambush shell sideline snub harass intimidate""".split(),
        OPPOSE,
    ),
    **dict.fromkeys(
        """praise support back endorse thank welcome applaud commend defend help aid assist
        fund finance sponsor congratulate hail laud embrace champion rescue protect reward
        honor honour nominate elect reinstate acquit exonerate salute celebrate admire
        cooperate ally partner befriend""".split(),
        SUPPORT,
    ),
}
# Verbs that bind both ways: "A cooperates with B", "A allied with B", "A settled with B".
SYMMETRIC_VERBS = frozenset({"cooperate", "ally", "partner", "collaborate", "settle", "agree"})
# Prepositions that introduce a verb's target ("fought against", "sided with").
VERB_PREPS: dict[str, frozenset[str]] = {
    "default": frozenset({"against"}),
    "with": frozenset({"with"}),
}
_WITH_VERBS = frozenset(
    {"side", "cooperate", "ally", "partner", "collaborate", "settle", "agree", "clash", "stand"}
)
_PHRASAL: dict[tuple[str, str], str] = {  # verb + particle/preposition: polarity
    ("side", "with"): SUPPORT,
    ("stand", "with"): SUPPORT,
    ("stand", "by"): SUPPORT,
    ("clash", "with"): OPPOSE,
    ("crack", "on"): OPPOSE,
    ("lash", "at"): OPPOSE,
    ("hit", "at"): OPPOSE,
    ("turn", "on"): OPPOSE,
    ("vote", "for"): SUPPORT,
    ("vote", "against"): OPPOSE,
    ("campaign", "for"): SUPPORT,
    ("campaign", "against"): OPPOSE,
    ("object", "to"): OPPOSE,
    ("settle", "with"): SUPPORT,
    ("agree", "with"): SUPPORT,
}

# Nouns of stance: "X's criticism of Y", "US allegations", "a lawsuit against Y".
NOUN_POLARITY: dict[str, str] = {
    **dict.fromkeys(
        """criticism attack attacks lawsuit suit complaint allegation allegations accusation
        accusations sanction sanctions war battle fight feud opposition condemnation protest
        boycott ban crackdown offensive strike strikes airstrike airstrikes assault campaign
        charges indictment investigation probe case challenge rebuke threat threats
        denunciation hostility""".split(),
        OPPOSE,
    ),
    **dict.fromkeys(
        """support praise backing endorsement aid help funding assistance alliance partnership
        agreement deal settlement pact treaty merger cooperation accord friendship solidarity
        sponsorship contract""".split(),
        SUPPORT,
    ),
}
SYMMETRIC_NOUNS = frozenset(
    """alliance partnership agreement deal settlement pact treaty merger cooperation accord
    friendship contract""".split()
)
NOUN_PREPS = frozenset({"against", "on", "of", "with", "toward", "towards", "to", "for", "over"})
# Light verbs: their subject holds the stance of their object noun ("waged a battle with B").
LIGHT_VERBS = frozenset(
    """wage launch file make level bring sign reach announce strike seal conclude have hold win
    lead mount press express voice give offer lend pledge provide extend renew step""".split()
)
# A document noun whose possessor/modifier is its author: "refuted US allegations" -> the US.
_AUTHORED = frozenset(
    """allegation allegations accusation accusations claim claims statement statements report
    charges criticism policy policies position demands demand remarks comments version
    assertion assertions argument arguments decision plan proposal""".split()
)
_LOCATIVE = frozenset(
    {"in", "at", "near", "inside", "across", "throughout", "within", "around", "outside", "into"}
)
_PLACE_NOUNS = frozenset(
    """province city town village region border territory airbase airfield base capital
    district area coast soil streets street island islands waters airspace"""
    .split()
)
_FIRST_PERSON = frozenset({"we", "us", "i", "me", "our", "my"})
_OPEN_CLOSE = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True)
class Reading:
    """A candidate stance pair of one claim (actors, why, and the cue word's polarity)."""

    source: Actor
    target: Actor
    basis: str  # "speaker" | "predicate"
    cue: str | None = None
    polarity: str | None = None


def bracketed(text: str) -> list[tuple[int, int]]:
    """[start, end) of every bracketed or parenthesised stretch of a text (editorial inserts,
    asides, abbreviations): what is inside is not the claim's own assertion."""
    out, stack = [], []
    for i, ch in enumerate(text):
        if ch in _OPEN_CLOSE:
            stack.append((ch, i))
        elif stack and ch == _OPEN_CLOSE[stack[-1][0]]:
            out.append((stack.pop()[1], i + 1))
    return out


def country_of(actor: Actor, text: str) -> str | None:
    """The country an organisation belongs to, read from its name or the words right before its
    mentions ("Russian Defense Ministry", "Russia's Aerospace Forces", "the US military")."""
    if actor.type == "country":
        return actor.name
    cands = [actor.name]
    for m in actor.mentions:
        before = text[max(0, m.start - 30) : m.start]
        w = re.search(r"([A-Z][\w.]*)(?:['’]s)?\s+$", before)
        if w:
            cands.append(w.group(1))
    for cand in cands:
        first = cand.split()[0] if cand.split() else ""
        for word in (first, first.rstrip("’'s"), cand):
            low = word.lower()
            country = nm.DEMONYMS.get(low) or nm.country_name(word)
            if country:
                return country
    return None


class ClaimReader:
    """Reads the candidate pairs of each claim unit of one article (see the module doc)."""

    def __init__(self, text: str, actors: list[Actor], index: ActorIndex, resolver: Resolver):
        self.text, self.actors, self.index, self.resolver = text, actors, index, resolver
        self._country = {id(a): country_of(a, text) for a in actors}
        by_name = {a.name: a for a in actors if a.type == "country"}
        self._country_actor = by_name
        self._brackets = bracketed(text)

    # -- what an actor is ----------------------------------------------------------------
    def own_side(self, speaker: Actor) -> set[int]:
        """Ids of the speaker, the bodies they speak for, and the country of those bodies."""
        side = {id(speaker)}
        a: Actor | None = speaker
        countries = set()
        for _ in range(4):
            if a is None:
                break
            side.add(id(a))
            if self._country.get(id(a)):
                countries.add(self._country[id(a)])
            a = a.affiliation
        for b in self.actors:  # the country itself and its state bodies
            if b.type == "country" and b.name in countries:
                side.add(id(b))
            elif b.type in {"gov", "org", "group"} and self._country.get(id(b)) in countries:
                if b.type == "gov" or _is_state_body(b):
                    side.add(id(b))
        return side

    def _in_brackets(self, start: int) -> bool:
        return any(s < start < e for s, e in self._brackets)

    def actor(self, chunk: Chunk, tok: Token) -> Actor | None:
        s = chunk.offset + tok.idx
        return self.index.at(s, s + len(tok.text))

    def _place_use(self, chunk: Chunk, tok: Token, actor: Actor) -> bool:
        """A country named as where something happens, or as a modifier of a place ("the
        Syrian province of Idlib", "Syria's Shayrat airbase", "in this part of Syria")."""
        if actor.type == "location":
            return True
        if actor.type != "country":
            return False
        head = tok
        while head.dep_ in {"compound", "flat"} and head.head is not head:
            head = head.head
        if head.dep_ == "pobj" and head.head.lower_ in _LOCATIVE:
            return True
        if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.lemma_ in {
            "part", "province", "city", "region", "north", "south", "east", "west"
        }:
            return True
        if head.dep_ in {"amod", "compound", "poss", "nmod"}:
            return head.head.lemma_.lower() in _PLACE_NOUNS
        return False

    # -- readings -------------------------------------------------------------------------
    def read(
        self,
        chunk: Chunk,
        start: int,
        end: int,
        speaker: Actor | None,
        attribution: tuple[int, int] | None,
        kind: str,
    ) -> list[Reading]:
        """Candidate pairs of the claim unit [start, end) (article offsets)."""
        span = chunk.doc.char_span(start - chunk.offset, end - chunk.offset, "expand")
        if span is None:
            return []
        out: list[Reading] = []
        if speaker is not None and kind in {"quote", "reported"}:
            out += self._speaker_pairs(chunk, span, speaker, attribution)
        out += self._predicate_pairs(chunk, span, speaker)
        # one reading per ordered pair: a predicate's cue is more specific than "the speaker"
        best: dict[tuple[int, int], Reading] = {}
        for r in out:
            if r.source is r.target:
                continue
            key = (id(r.source), id(r.target))
            if key not in best or (best[key].basis == "speaker" and r.basis == "predicate"):
                best[key] = r
        return list(best.values())

    def _speaker_pairs(
        self,
        chunk: Chunk,
        span: SpacySpan,
        speaker: Actor,
        attribution: tuple[int, int] | None,
    ) -> list[Reading]:
        side = self.own_side(speaker)
        out, seen = [], set()
        for tok in span:
            a = self.actor(chunk, tok)
            if a is None or id(a) in side or id(a) in seen:
                continue
            pos = chunk.offset + tok.idx
            if attribution and attribution[0] <= pos < attribution[1]:
                continue
            if self._in_brackets(pos) or self._place_use(chunk, tok, a):
                continue
            if a.type == "person" and _appositive_of_speaker(tok, speaker, self, chunk):
                continue
            seen.add(id(a))
            out.append(Reading(speaker, a, "speaker"))
        return out

    def _subject_actors(
        self, chunk: Chunk, verb: Token, speaker: Actor | None
    ) -> list[Actor]:
        """Who holds the stance of a verb: its subject (or a conjoined verb's, or the noun a
        relative clause hangs on), the agent of a passive; pronouns resolved."""
        for c in verb.children:
            if c.dep_ == "agent":
                return self._np_actors(chunk, [o for o in c.children if o.dep_ == "pobj"], speaker)
        subj = [c for c in verb.children if c.dep_ == "nsubj"]
        if not subj and verb.dep_ in {"conj", "xcomp"} and verb.head is not verb:
            return self._subject_actors(chunk, verb.head, speaker)
        if subj and subj[0].tag_ in {"WDT", "WP"} and verb.dep_ == "relcl":
            return self._np_actors(chunk, [verb.head], speaker)
        return self._np_actors(chunk, subj, speaker, resolve=True)

    def _np_actors(
        self,
        chunk: Chunk,
        heads: Iterable[Token],
        speaker: Actor | None,
        resolve: bool = False,
        authored: bool = False,
    ) -> list[Actor]:
        """Actors a noun phrase names: its head's actor, its conjuncts'; for a document noun
        ("US allegations", "the claims of X"), its author."""
        out: list[Actor] = []
        for h in heads:
            for t in [h, *(c for c in h.children if c.dep_ == "conj")]:
                if self._in_brackets(chunk.offset + t.idx):
                    continue
                a = self.actor(chunk, t)
                if a is None and t.lower_ in _FIRST_PERSON and speaker is not None:
                    a = speaker
                if a is None and resolve and t.pos_ == "PRON":
                    a = self.resolver.resolve(chunk, t)
                if a is None and (authored or t.lemma_.lower() in _AUTHORED):
                    a = self._author(chunk, t, speaker)
                if a is not None and a.type != "location" and a not in out:
                    out.append(a)
        return out

    def _author(self, chunk: Chunk, noun: Token, speaker: Actor | None) -> Actor | None:
        for c in noun.children:
            if c.dep_ in {"poss", "compound", "amod", "nmod"}:
                a = self.actor(chunk, c)
                if a is None and c.lower_ in _FIRST_PERSON:
                    a = speaker
                if a is not None:
                    return a
            if c.dep_ == "prep" and c.lower_ in {"of", "by", "from"}:
                for o in c.children:
                    if o.dep_ == "pobj" and (a := self.actor(chunk, o)):
                        return a
        return None

    def _predicate_pairs(
        self, chunk: Chunk, span: SpacySpan, speaker: Actor | None
    ) -> list[Reading]:
        out: list[Reading] = []
        for tok in span:
            lemma = tok.lemma_.lower()
            if tok.pos_ == "VERB" and (lemma in VERB_POLARITY or _phrasal(tok)):
                out += self._verb_readings(chunk, tok, lemma, speaker)
            elif tok.pos_ in {"NOUN", "PROPN"} and tok.lower_ in NOUN_POLARITY | {
                lemma: None for lemma in ()
            } or lemma in NOUN_POLARITY and tok.pos_ == "NOUN":
                out += self._noun_readings(chunk, tok, speaker)
        return out

    def _verb_readings(
        self, chunk: Chunk, verb: Token, lemma: str, speaker: Actor | None
    ) -> list[Reading]:
        if _negated(verb):
            return []
        phrasal = _phrasal(verb)
        polarity = phrasal[1] if phrasal else VERB_POLARITY.get(lemma)
        holders = self._subject_actors(chunk, verb, speaker)
        passive = any(c.dep_ in {"nsubjpass", "auxpass"} for c in verb.children)
        objs = [c for c in verb.children if c.dep_ in {"dobj", "dative"}]
        if passive:
            objs += [c for c in verb.children if c.dep_ == "nsubjpass"]
        preps = VERB_PREPS["with"] | VERB_PREPS["default"] if lemma in _WITH_VERBS else (
            VERB_PREPS["default"]
        )
        if phrasal:
            preps = preps | {phrasal[0]}
        for c in verb.children:
            if c.dep_ == "prep" and c.lower_ in preps:
                objs += [o for o in c.children if o.dep_ == "pobj"]
            if c.dep_ == "prt" and phrasal:  # "cracked down on X"
                for p in verb.children:
                    if p.dep_ == "prep" and p.lower_ == phrasal[0]:
                        objs += [o for o in p.children if o.dep_ == "pobj"]
        targets = self._np_actors(chunk, objs, speaker, resolve=passive, authored=True)
        symmetric = lemma in SYMMETRIC_VERBS
        return self._pairs(holders, targets, polarity, lemma, symmetric)

    def _noun_readings(self, chunk: Chunk, noun: Token, speaker: Actor | None) -> list[Reading]:
        key = noun.lower_ if noun.lower_ in NOUN_POLARITY else noun.lemma_.lower()
        polarity = NOUN_POLARITY[key]
        holders: list[Actor] = []
        targets: list[Actor] = []
        for c in noun.children:
            if c.dep_ in {"poss", "compound", "amod", "nmod"}:
                a = self.actor(chunk, c)
                if a is None and c.lower_ in _FIRST_PERSON:
                    a = speaker
                if a is not None and a.type != "location":
                    holders.append(a)
            elif c.dep_ == "prep" and c.lower_ == "by":
                holders += self._np_actors(chunk, [o for o in c.children if o.dep_ == "pobj"],
                                           speaker)
            elif c.dep_ == "prep" and c.lower_ in NOUN_PREPS:
                targets += self._np_actors(
                    chunk, [o for o in c.children if o.dep_ == "pobj"], speaker, authored=True
                )
            elif c.dep_ == "prep" and c.lower_ == "between":
                both = self._np_actors(chunk, [o for o in c.children if o.dep_ == "pobj"],
                                       speaker)
                if key in SYMMETRIC_NOUNS:
                    holders += both
                    targets += both
        if not holders and noun.dep_ in {"dobj", "attr"} and noun.head.lemma_.lower() in (
            LIGHT_VERBS
        ) and not _negated(noun.head):
            holders = self._subject_actors(chunk, noun.head, speaker)
        if not holders and noun.dep_ in {"nsubj", "nsubjpass"}:
            # "Similar agreements were reached with X": the deal binds its parties; the
            # holder is unknown, so only a symmetric noun with two named sides reads
            pass
        targets = [t for t in targets if t not in holders or key in SYMMETRIC_NOUNS]
        return self._pairs(holders, targets, polarity, key, key in SYMMETRIC_NOUNS)

    @staticmethod
    def _pairs(
        holders: list[Actor],
        targets: list[Actor],
        polarity: str | None,
        cue: str,
        symmetric: bool,
    ) -> list[Reading]:
        out = []
        for h in holders:
            for t in targets:
                if h is t:
                    continue
                out.append(Reading(h, t, "predicate", cue, polarity))
                if symmetric:
                    out.append(Reading(t, h, "predicate", cue, polarity))
        return out


def _is_state_body(actor: Actor) -> bool:
    words = set(actor.name.lower().split())
    return bool(words & (nm.GOV_WORDS | {"forces", "aircraft", "troops", "military", "air"}))


def _negated(tok: Token) -> bool:
    return any(c.dep_ == "neg" for c in tok.children) or any(
        c.dep_ == "neg" for c in tok.head.children if tok.dep_ == "xcomp"
    )


def _phrasal(verb: Token) -> tuple[str, str] | None:
    """(preposition, polarity) of a phrasal stance verb ("sided with", "cracked down on")."""
    lemma = verb.lemma_.lower()
    for c in verb.children:
        if c.dep_ in {"prep", "prt"} and (lemma, c.lower_) in _PHRASAL:
            return c.lower_, _PHRASAL[(lemma, c.lower_)]
        if c.dep_ == "prt":
            for p in verb.children:
                if p.dep_ == "prep" and (lemma, p.lower_) in _PHRASAL:
                    return p.lower_, _PHRASAL[(lemma, p.lower_)]
    return None


def _appositive_of_speaker(tok: Token, speaker: Actor, reader: ClaimReader, chunk: Chunk) -> bool:
    """A person inside an apposition to the speaker ("X, the aide of Y,") is a description."""
    head = tok
    while head.dep_ in {"compound", "flat"}:
        head = head.head
    return head.dep_ == "appos" and reader.actor(chunk, head.head) is speaker
