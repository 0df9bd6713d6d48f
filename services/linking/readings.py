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

Everything else (list members toward each other, appositions, mere co-mentions, what an actor
buys or owns) is not scored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from stancestream.services.linking import names as nm
from stancestream.services.linking import stance_words as sw
from stancestream.services.linking import syntax as syn
from stancestream.services.linking.actors import Actor, ActorIndex, Mention, same_company
from stancestream.services.linking.nlp import Chunk
from stancestream.services.linking.spans import is_ticker
from stancestream.services.linking.speakers import Resolver

_OPEN_CLOSE = {"(": ")", "[": "]", "{": "}"}
# A verb with no subject of its own takes its head's: participles, infinitives, conjuncts.
_SUBJECT_FROM_HEAD = frozenset({"conj", "xcomp", "advcl"})
_SECOND_PERSON = frozenset({"you", "y'all", "ya"})
# Prepositions whose gerund the subject of the verb above does ("by attacking B", "after
# meeting B"); "of" and "for" take the object's act instead (see ``_controller``).
_GERUND_PREPS = frozenset({"by", "after", "before", "without", "despite", "since", "upon", "while"})


@dataclass(frozen=True)
class Reading:
    """A candidate stance pair of one claim (actors, why, and the cue word's polarity)."""

    source: Actor
    target: Actor
    basis: str  # "speaker" | "predicate" | "context"
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
    if actor.type == "person":  # "senior Polish government spokesman Jerzy Urban"
        for m in actor.mentions:
            title = re.split(r"[,.;:\n\"“”()]", text[max(0, m.start - 60) : m.start])[-1]
            for w in title.split():
                country = nm.DEMONYMS.get(w.lower()) or nm.country_name(w.rstrip("’'s"))
                if country and w[:1].isupper():
                    return country
        return None
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
        # a whole sentence in parentheses ("(Sure, X criticized Y.)") is the outlet's aside,
        # read like any sentence; only inserts into a sentence are set apart
        self._brackets = [
            (s, e)
            for s, e in bracketed(text)
            if text[s + 1 : e - 1].rstrip()[-1:] not in {".", "!", "?"}
        ]

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
        members = [x for x in self.actors if id(x) in side]
        for b in self.actors:  # the country itself and its state bodies; the company's units
            if any(same_company(x, b) for x in members) or (
                b.type == "country"
                and b.name in countries
                or (
                    b.type in {"gov", "org", "group"}
                    and self._country.get(id(b)) in countries
                    and (b.type == "gov" or syn.is_state_body(b))
                )
            ):
                side.add(id(b))
        return side

    def _in_brackets(self, start: int) -> bool:
        return any(s < start < e for s, e in self._brackets)

    def actor(self, chunk: Chunk, tok: Token) -> Actor | None:
        s = chunk.offset + tok.idx
        found = self.index.at(s, s + len(tok.text))
        if found is None and tok.i > 0 and is_ticker(tok.text):
            prev = tok.doc[tok.i - 1]  # "Motorola Inc MOT": the parse makes the ticker the head
            if prev.head == tok and prev.dep_ == "compound":
                return self.actor(chunk, prev)
        return found

    def _place_use(self, chunk: Chunk, tok: Token, actor: Actor) -> bool:
        """A country named as where something happens, or as a modifier of a place ("the
        Syrian province of Idlib", "Syria's Shayrat airbase", "in this part of Syria")."""
        if actor.type == "location":
            return True
        if actor.type != "country":
            return False
        head = tok
        while head.dep_ in {"compound", "flat"} and head.head != head:
            head = head.head
        if head.dep_ == "pobj" and head.head.lower_ in sw.LOCATIVE:
            return True
        if (
            head.dep_ == "pobj"
            and head.head.lower_ == "of"
            and head.head.head.lemma_
            in {"part", "province", "city", "region", "north", "south", "east", "west"}
        ):
            return True
        if head.dep_ in {"amod", "compound", "poss", "nmod"}:
            return head.head.lemma_.lower() in sw.PLACE_NOUNS
        return False

    # -- readings -------------------------------------------------------------------------
    def read(
        self,
        chunk: Chunk,
        start: int,
        end: int,
        speaker: Actor | None,
        attribution: list[tuple[int, int]],
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
            if key not in best or _rank(r) > _rank(best[key]):
                best[key] = r
        return list(best.values())

    def _speaker_pairs(
        self,
        chunk: Chunk,
        span: SpacySpan,
        speaker: Actor,
        attribution: list[tuple[int, int]],
    ) -> list[Reading]:
        side = self.own_side(speaker)
        out, seen = [], set()
        start, end = chunk.offset + span.start_char, chunk.offset + span.end_char
        for a, m in self.index.within(start, end):
            if id(a) in side or id(a) in seen:
                continue
            if any(a0 <= m.start < a1 for a0, a1 in attribution):
                continue
            ment = chunk.doc.char_span(m.start - chunk.offset, m.end - chunk.offset, "expand")
            if ment is None or self._in_brackets(m.start):
                continue
            tok = ment.root
            if self._place_use(chunk, tok, a):
                continue
            if _modifier_use(a, m) and not syn.agent_or_author(tok):
                continue  # "Syrian civilians" (but "the Iranian proposal", "Iraqi warplanes")
            if a.type == "person" and _appositive_of_speaker(tok, speaker, self, chunk):
                continue
            if syn.addressee(tok):
                continue  # "A urged B to reject C": B is asked to act, not what A holds
            if syn.on_platform(tok):
                continue  # "posted on Facebook": where the speaker said it
            if self._describes_other(chunk, tok, a):
                continue  # "Senate Democrats", "Fox News anchor Megyn Kelly": who they are
            if self._patient_of_other(chunk, tok, speaker, side):
                continue  # "blamed on Syrian forces by the US": the US's stance, not the speaker's
            if syn.object_of_negated_stance(tok):
                continue  # "I am not accusing X"
            if syn.in_description(tok):
                continue  # "the Nusra group, affiliated with Al-Qaeda": who Nusra is
            if syn.acquired(tok):
                continue  # "it purchased a majority interest in X": a transaction
            seen.add(id(a))
            out.append(Reading(speaker, a, "speaker"))
        return out

    def _describes_other(self, chunk: Chunk, tok: Token, actor: Actor) -> bool:
        """Whether a name is a compound modifier in another actor's name or title ("Senate
        Democrats", "Fox News anchor Megyn Kelly"): it says who that actor is, the affiliation
        the issue keeps out of the stance pairs, not whom the speaker speaks of."""
        head = tok
        while head.dep_ == "compound" and head.head != head:
            head = head.head
            other = self.actor(chunk, head)
            if other is not None and other is not actor:
                return True
        return False

    def _patient_of_other(self, chunk: Chunk, tok: Token, speaker: Actor, side: set[int]) -> bool:
        """Whether the actor at ``tok`` stands in another actor's clause: what another named
        actor's verb acts on or speaks of ("the incident was blamed on the Syrian government
        forces by the US", "the attack, which the US carried out citing the use of weapons by
        the Syrian forces"). The speaker reports that actor's act, which says nothing of their
        own stance toward the ones it names. The clause of a pronoun subject ("X said it had
        suspended Y") is the speaker's; so is what another actor's stance noun is aimed at
        ("Brennan's partisan criticism of Trump")."""
        here = self.actor(chunk, tok)
        for verb in tok.ancestors:  # ``side``: the speaker's own side, whose acts are theirs
            if verb.pos_ == "NOUN" and verb.lemma_.lower() in sw.NOUN_POLARITY:
                author = self._author(chunk, verb, speaker)
                if author not in (None, here, speaker) and id(author) not in side:
                    return True
                continue
            if verb.pos_ != "VERB":
                continue
            subject = {
                t.i
                for c in verb.children
                if c.dep_ in {"nsubj", "nsubjpass", "agent", "csubj"}
                for t in c.subtree
            }
            if tok.i in subject:
                continue  # the actor is who acts here: look further up
            you = [c for c in verb.children if c.dep_ == "nsubj" and c.lower_ in _SECOND_PERSON]
            if you and (verb.tag_ in {"VBD", "VBN"} or you[0].conjuncts):
                return True  # "you have misled Kentuckians": the act of whom the speaker
                # addresses (not a generic "you can't trust X", which is the speaker's view)
            if any(
                c.dep_ == "nsubj" and c.pos_ == "PRON" and c.tag_ not in {"WP", "WDT"}
                for c in verb.children
            ):
                return False  # "X said it had suspended Y": mostly the speaker itself (not
                # "Trump, who feuded with Kelly": a relative pronoun is the noun it hangs on)
            holders = self._subject_actors(chunk, verb, speaker) or self._controller(
                chunk, verb, speaker
            )
            if speaker in holders:
                return False  # the speaker's own act or words
            if any(h is not speaker and id(h) not in side for h in holders):
                return True
        return False

    def _controller(self, chunk: Chunk, verb: Token, speaker: Actor | None) -> list[Actor]:
        """Who does what a gerund after "of" or "for" says: the object of the verb above
        ("accused Republicans of blocking aid to Ukraine", "skewered Cruz for attacking
        Trump"), or its subject where that verb is passive ("Cruz was criticised for
        attacking Trump"). It tells whose act names an actor, and holds the stance of a
        stance verb there (Cruz -> Trump), never the stance of any other verb."""
        prep = verb.head
        if verb.dep_ != "pcomp" or prep.lower_ not in {"of", "for"} or prep.head.pos_ != "VERB":
            return []
        above = prep.head
        passive = any(c.dep_ == "auxpass" for c in above.children)
        objs = [c for c in above.children if c.dep_ == ("nsubjpass" if passive else "dobj")]
        return self._np_actors(chunk, objs, speaker, resolve=passive)

    def _subject_actors(
        self, chunk: Chunk, verb: Token, speaker: Actor | None, depth: int = 0
    ) -> list[Actor]:
        """Who holds the stance of a verb: its subject (or a conjoined verb's, or the noun a
        relative clause hangs on), the agent of a passive; pronouns resolved."""
        for c in verb.children:
            if c.dep_ == "agent":
                return self._np_actors(chunk, [o for o in c.children if o.dep_ == "pobj"], speaker)
        subj = [c for c in verb.children if c.dep_ == "nsubj"]
        if not subj and syn.controlled_infinitive(verb):
            if verb.head.lemma_.lower() in sw.REQUESTING and depth < 4:
                # "Nixon asked Richardson to fire Cox": the act is only asked for, so the
                # stance is the asker's (Richardson refused)
                return self._subject_actors(chunk, verb.head, speaker, depth + 1)
            # "prompting Democrats to accuse them": who is prompted does the accusing
            objs = [c for c in verb.head.children if c.dep_ == "dobj"]
            if objs:
                return self._np_actors(chunk, objs, speaker, resolve=True)
        if (
            not subj
            and verb.dep_ == "pcomp"
            and verb.head.lower_ in _GERUND_PREPS
            and verb.head.head.pos_ in {"VERB", "AUX"}
            and depth < 4
        ):
            # "Democrats breached the comity by attacking Sessions": who breached attacked
            return self._subject_actors(chunk, verb.head.head, speaker, depth + 1)
        if not subj and verb.dep_ in _SUBJECT_FROM_HEAD and verb.head != verb:
            # "A ..., accusing B", "A is sure to accuse B", "A began to push back, criticising B"
            head = verb.head
            while head.pos_ == "ADJ" and head.dep_ == "acomp" and head.head != head:
                head = head.head
            return self._subject_actors(chunk, head, speaker, depth + 1) if depth < 4 else []
        if not subj and verb.dep_ == "acl" and verb.tag_ == "VBG" and depth < 4:
            # "Obama released a statement criticizing B", "a report accusing B": the
            # document's author, or who issues it
            doc = verb.head
            if doc.pos_ == "NOUN" and doc.lemma_.lower() in sw.AUTHORED:
                author = self._author(chunk, doc, speaker)
                if author is not None:
                    return [author]
                if doc.dep_ == "dobj" and doc.head.pos_ == "VERB":
                    return self._subject_actors(chunk, doc.head, speaker, depth + 1)
            return []
        if subj and subj[0].tag_ in {"WDT", "WP"} and verb.dep_ == "relcl":
            return self._np_actors(chunk, [verb.head], speaker)
        found = self._np_actors(chunk, subj, speaker, resolve=True)
        if not found:  # "Mrs. Clinton's advisers accused X": they act for Clinton
            found = [
                a
                for h in subj
                if h.lemma_.lower() not in sw.NOT_ACTING_FOR  # "Walker's parents fought X"
                and (a := self._author(chunk, h, speaker)) is not None
            ]
        return [a for a in found if a.type != "location"]

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
            later = [c for c in h.conjuncts if c.i > h.i] or self._coordinated(chunk, h)
            later += self._listed_as_apposition(chunk, h)
            for t in [h, *later]:
                if self._in_brackets(chunk.offset + t.idx):
                    continue
                if syn.on_platform(t):
                    continue  # "attacks Baldwin on Twitter": where it was said
                if t.lower_ in sw.QUANTIFIERS:  # "attacked one of B's strong points"
                    parts = [o for c in t.children if c.lower_ == "of" for o in c.children]
                    out += [
                        a
                        for a in self._np_actors(chunk, parts, speaker, resolve, authored)
                        if a not in out
                    ]
                    continue
                a = self.actor(chunk, t)
                if a is None and t.lower_ in sw.FIRST_PERSON and speaker is not None:
                    a = speaker
                if a is None and resolve and (t.pos_ == "PRON" or syn.definite_description(t)):
                    a = self.resolver.resolve(chunk, t)  # "he", "the company", "the minister"
                if a is None and sw.STATE_AGENT_NOUNS & {t.lemma_.lower(), t.lower_}:
                    # "Iraqi warplanes destroyed", "praised House Republican leaders"
                    agents = self._agents_of(chunk, t)
                    a = agents[0] if agents else None
                    out += [x for x in agents[1:] if x not in out]
                if a is None and t.lemma_.lower() in sw.ACTING_FOR:
                    a = self._author(chunk, t, speaker)  # "the Trump administration", "X's office"
                if a is None and t.pos_ == "NOUN":  # "the militant cleric Moqtada al-Sadr"
                    a = next(
                        (
                            x
                            for c in t.children
                            if c.dep_ == "appos" and (x := self.actor(chunk, c))
                        ),
                        None,
                    )
                if a is None:  # "a French intellectual named Charles Maurras": Maurras
                    a = next(
                        (
                            x
                            for c in t.children
                            if c.dep_ == "acl" and c.lemma_.lower() in {"name", "call", "dub"}
                            for o in c.children
                            if o.dep_ in {"oprd", "attr", "dobj", "xcomp"}
                            and (x := self.actor(chunk, o))
                        ),
                        None,
                    )
                noun = t.lemma_.lower()
                if a is None and (
                    noun in sw.AUTHORED or (authored and noun not in sw.PEOPLE_NOUNS)
                ):
                    a = self._author(chunk, t, speaker)  # "criticised the efforts of X"
                if a is not None and a.type != "location" and a not in out:
                    out.append(a)
        return out

    def _listed_as_apposition(self, chunk: Chunk, head: Token) -> list[Token]:
        """The people of a list the parse took for an apposition: in "filmmaker Michael Moore,
        feminist icon Gloria Steinem, musician Alicia Keys and other speakers attacked Trump"
        Steinem hangs on Moore as an apposition and Keys on Steinem; a person is not described
        by another person's name, so both are Moore's conjuncts."""
        a = self.actor(chunk, head)
        if a is None or a.type != "person":
            return []
        out: list[Token] = []
        for c in head.children:
            b = self.actor(chunk, c) if c.dep_ == "appos" else None
            if b is not None and b is not a and b.type == "person":
                out += [c, *(x for x in c.conjuncts if x.i > c.i)]
        return out

    def _coordinated(self, chunk: Chunk, head: Token) -> list[Token]:
        """Actors the text coordinates with ``head`` where the parse did not ("the merger of
        A Corp and B Corp", "a venture between A Ltd NT and B Inc MOT"): the words after the
        head's actor, past a stock ticker, are "and" and another actor's name that does not
        begin a clause of its own."""
        a = self.actor(chunk, head)
        m = self.index.mention_at(chunk.offset + head.idx, chunk.offset + head.idx + 1)
        if a is None or m is None:
            return []
        doc = head.doc
        i = head.i + 1
        while i < len(doc) and doc[i].idx + chunk.offset < m.end:
            i += 1  # the rest of the actor's name
        if i < len(doc) and is_ticker(doc[i].text):
            i += 1
        if i + 1 >= len(doc) or doc[i].lower_ != "and":
            return []
        nxt = doc[i + 2] if doc[i + 1].lower_ == "the" and i + 2 < len(doc) else doc[i + 1]
        other = self.actor(chunk, nxt)
        if other is None or other is a:
            return []
        root = nxt
        while root.head != root and root.dep_ in {"compound", "flat", "amod"}:
            root = root.head
        top = root
        while top.head != top and top.dep_ == "conj":
            top = top.head
        if top.dep_ in {"nsubj", "nsubjpass"}:
            return []  # "A sanctioned B XON and C condemned it": C opens a clause
        return [root]

    def _agents_of(self, chunk: Chunk, noun: Token) -> list[Actor]:
        """The countries, parties and bodies whose agents a noun names by its modifiers
        ("Iraqi warplanes", "Republican lawmakers", "Russian and Syrian aircraft", "House
        Republican leaders", "Obama administration officials"); not places ("Texas officials"
        stay unread) nor a country's name as a place ("the Syria envoy")."""
        out: list[Actor] = []
        for c in noun.children:
            if c.dep_ not in {"amod", "compound", "nmod"}:
                continue
            for t in [c, *c.conjuncts]:
                a = self.actor(chunk, t)
                if a is None or a in out or a.type == "location":
                    continue
                m = self.index.mention_at(chunk.offset + t.idx, chunk.offset + t.idx + 1)
                if m is not None and (_modifier_use(a, m) or a.type != "country"):
                    out.append(a)  # "Trump administration officials": a person's agents
        return out

    def _author(
        self, chunk: Chunk, noun: Token, speaker: Actor | None, depth: int = 0
    ) -> Actor | None:
        for c in noun.children:
            if c.dep_ in {"poss", "compound", "amod", "nmod"}:
                a = self.actor(chunk, c)
                if a is None and c.lower_ in sw.FIRST_PERSON:
                    a = speaker
                if a is not None:
                    return a
            if c.dep_ == "prep" and (
                c.lower_ in {"of", "by"}
                or (c.lower_ == "from" and noun.lemma_.lower() in sw.AUTHORED)  # not "a man from X"
            ):
                for o in c.children:
                    if o.dep_ == "pobj" and (a := self.actor(chunk, o)):
                        return a
            if c.dep_ == "acl" and c.tag_ == "VBN" and depth < 2:
                # "the tax increase proposed by B", "... called for in B's budget proposal"
                for p in c.children:
                    objs = [o for o in p.children if o.dep_ == "pobj"]
                    if p.dep_ == "agent":
                        found = self._np_actors(chunk, objs, speaker)
                        if found:
                            return found[0]
                    if p.dep_ == "prep" and p.lower_ == "in":
                        for o in objs:
                            if o.lemma_.lower() in sw.AUTHORED and (
                                a := self._author(chunk, o, speaker, depth + 1)
                            ):
                                return a
        return None

    def _predicate_pairs(
        self, chunk: Chunk, span: SpacySpan, speaker: Actor | None
    ) -> list[Reading]:
        out: list[Reading] = []
        for tok in span:
            lemma = tok.lemma_.lower()
            if (
                tok.pos_ == "ADJ"
                and tok.lower_ in sw.ADJ_POLARITY
                and tok.dep_ in {"acomp", "amod"}
            ):
                out += self._adjective_readings(chunk, tok, speaker)
                continue
            if tok.lower_ in sw.STANCE_PREFIXES and tok.i + 2 < len(tok.doc):
                out += self._prefix_readings(chunk, tok, speaker)
                continue
            if tok.lower_ == "unlike" and tok.dep_ == "prep" and speaker is not None:
                # "we never target civilians, unlike the coalition": an invidious contrast
                objs = [c for c in tok.children if c.dep_ == "pobj"]
                for a in self._np_actors(chunk, objs, speaker):
                    if a is not speaker:
                        out.append(Reading(speaker, a, "predicate", "unlike", sw.OPPOSE))
                continue
            if tok.lower_ in sw.DISMISSIVE and speaker is not None and not syn.negated(tok):
                # "the US allegations are untrue": the speaker rejects their author
                subj = (
                    [c for c in tok.head.children if c.dep_ == "nsubj"]
                    if (tok.dep_ == "acomp")
                    else []
                )
                for a in self._np_actors(chunk, subj, speaker, authored=True):
                    out.append(Reading(speaker, a, "predicate", tok.lower_, sw.OPPOSE))
                continue
            if tok.pos_ == "NOUN" and lemma in sw.STATEMENT_NOUNS:
                out += self._statement_readings(chunk, tok, speaker)
            if tok.pos_ in {"NOUN", "PROPN"} and tok.lower_ in sw.ROLE_POLARITY:
                out += self._role_readings(chunk, tok, speaker)
                continue
            if tok.pos_ == "VERB" and (
                lemma in sw.VERB_POLARITY or syn.phrasal(tok) or syn.to_death(tok)
            ):
                out += self._verb_readings(chunk, tok, lemma, speaker)
            elif tok.pos_ == "VERB" and speaker is None:
                # in a quote or report the speaker's stance is the reading; in the outlet's own
                # sentence the subject's toward its complements ("A described B as ...")
                out += self._clause_readings(chunk, tok, lemma, speaker)
            elif (tok.pos_ in {"NOUN", "PROPN"} and tok.lower_ in sw.NOUN_POLARITY) or (
                tok.pos_ == "NOUN" and lemma in sw.NOUN_POLARITY
            ):
                out += self._noun_readings(chunk, tok, speaker)
        return out

    def _verb_readings(
        self, chunk: Chunk, verb: Token, lemma: str, speaker: Actor | None
    ) -> list[Reading]:
        phrasal = syn.phrasal(verb)
        polarity = phrasal[1] if phrasal else sw.VERB_POLARITY.get(lemma)
        if polarity is None and syn.to_death(verb):
            polarity = sw.OPPOSE  # "beat B to death", "kicked B to death"
        if syn.negated(verb):
            # "X has not endorsed Y" says something of X's stance, but not which: the model
            # decides; a negated or disowned attack ("I am not accusing Y") is no reading
            if polarity != sw.SUPPORT or not syn.directly_negated(verb):
                return []
            polarity = None
        holders = self._subject_actors(chunk, verb, speaker) or self._controller(
            chunk, verb, speaker
        )
        passive = any(c.dep_ in {"nsubjpass", "auxpass"} for c in verb.children)
        if (
            passive
            and not holders
            and lemma in sw.AUTHORITY_VERBS
            and speaker is not None
            and syn.is_authority(speaker)
            and not any(c.dep_ == "agent" for c in verb.children)
        ):
            holders = [speaker]  # "X was charged, police said": the authority that reports it
        basis = "predicate"
        if passive and not holders and lemma in sw.AUTHORITY_VERBS and speaker is None:
            holders, basis = self._recent_authority(chunk, verb), "context"
        objs = [c for c in verb.children if c.dep_ in {"dobj", "dative"}]
        if verb.dep_ == "acl" and verb.tag_ == "VBN" and holders and _set_off(verb):
            # "the Khans, criticized strongly by McCain": the agent's stance toward the noun
            # the participle describes (set off by a comma: unmarked, "a meeting on reforming
            # the United Nations sponsored by the US" may hang on the wrong noun)
            passive, objs = True, [verb.head]
            if verb.head.dep_ == "appos":  # "the Khans, a family criticized by McCain"
                objs.append(verb.head.head)
        if passive:
            objs += [c for c in verb.children if c.dep_ == "nsubjpass"]
            if not any(c.dep_ == "nsubjpass" for c in verb.children):
                # "Charged with fraud were A, B and C": the inverted subject parses as attr
                for v in [verb, *(c for c in verb.children if c.dep_ == "auxpass")]:
                    objs += [c for c in v.children if c.dep_ == "attr"]
        preps = {"against", "with"} if lemma in sw.WITH_VERBS else {"against"}
        if phrasal:
            preps = preps | {phrasal[0]}
        idiom = syn.idiom_object(verb)  # "took issue with B": "with" may hang on "issue"
        if idiom is not None:
            objs.remove(idiom)
        for c in [*verb.children, *(idiom.children if idiom is not None else ())]:
            if c.dep_ == "prep" and c.lower_ in preps:
                objs += [o for o in c.children if o.dep_ == "pobj"]
            if c.dep_ == "prt" and phrasal:  # "cracked down on X"
                for p in verb.children:
                    if p.dep_ == "prep" and p.lower_ == phrasal[0]:
                        objs += [o for o in p.children if o.dep_ == "pobj"]
        targets = self._np_actors(chunk, objs, speaker, resolve=passive, authored=True)
        symmetric = lemma in sw.SYMMETRIC_VERBS or (
            phrasal is not None and (lemma, phrasal[0]) in sw.SYMMETRIC_PHRASAL
        )
        if symmetric and lemma == "agree" and not _agreed_on_something(verb):
            symmetric = False  # "Durbin agreed with Stevens": a view shared, one way
        if symmetric and not targets and len(holders) >= 2:
            targets = list(holders)  # "A and B have been feuding"
        return self._pairs(holders, targets, polarity, lemma, symmetric, basis)

    def _statement_readings(
        self, chunk: Chunk, noun: Token, speaker: Actor | None
    ) -> list[Reading]:
        """ "Rove's claim that Ginsburg did not answer questions": the author of a statement
        noun speaks the clause it introduces, toward its actors, as a speaker does (the model
        decides the label)."""
        author = self._author(chunk, noun, speaker)
        if author is None:
            return []
        out: list[Reading] = []
        for clause in noun.children:
            if clause.dep_ in {"acl", "ccomp"} and any(
                c.dep_ == "mark" and c.lower_ == "that" for c in clause.children
            ):
                content = noun.doc[clause.left_edge.i : clause.right_edge.i + 1]
                out += self._speaker_pairs(chunk, content, author, [])
        return out

    def _clause_subject(self, chunk: Chunk, tok: Token, speaker: Actor | None) -> Actor | None:
        """The non-person subject of the clause a token sits in (what "its" refers to there)."""
        verb = next((v for v in tok.ancestors if v.pos_ in {"VERB", "AUX"}), None)
        if verb is None:
            return None
        return next(
            (a for a in self._subject_actors(chunk, verb, speaker) if a.type != "person"), None
        )

    def _recent_authority(self, chunk: Chunk, verb: Token) -> list[Actor]:
        """The authority whose account an outlet sentence continues ("Police said ... . Charged
        were A and B."): the latest authority speaker of the article's preceding two
        paragraphs; none when no authority spoke."""
        pos = chunk.offset + verb.idx
        recent = [
            a for p, a in self.resolver.salient if pos - 1500 < p < pos and syn.is_authority(a)
        ]
        body: Actor | None = recent[-1] if recent else None
        while body is not None and body.type != "gov":  # Capt. X speaks for the police
            body = body.affiliation
        return [body] if body is not None else []

    def _adjective_readings(self, chunk: Chunk, adj: Token, speaker: Actor | None) -> list[Reading]:
        """ "A has been highly critical of B", "A, loyal to B,"."""
        if syn.negated(adj) or syn.negated(adj.head):
            return []
        if adj.dep_ == "acomp":
            holders = self._subject_actors(chunk, adj.head, speaker)
        else:
            a = self.actor(chunk, adj.head)
            holders = [a] if a is not None else []
        objs = [
            o
            for c in adj.children
            if c.dep_ == "prep" and c.lower_ in {"of", "to", "toward", "towards", "with", "about"}
            for o in c.children
            if o.dep_ == "pobj"
        ]
        targets = self._np_actors(chunk, objs, speaker, authored=True)
        return self._pairs(holders, targets, sw.ADJ_POLARITY[adj.lower_], adj.lower_, False)

    def _clause_readings(
        self, chunk: Chunk, verb: Token, lemma: str, speaker: Actor | None
    ) -> list[Reading]:
        """Any other verb: its subject toward the actors of its object and complements ("A
        described B as reckless", "A wants B out"); no polarity, so the model decides."""
        if lemma in sw.REPORTING:
            return []  # "Reuters quoted an Egyptian security source": no stance of the outlet
        holders = self._subject_actors(chunk, verb, speaker)
        if not holders:
            return []
        if (lemma in sw.RECEIVING or lemma == "have") and any(
            c.dep_ == "dobj" and c.lemma_.lower() in sw.NOUN_POLARITY for c in verb.children
        ):
            return []  # "had the support of B": the noun is read, the other way (``_received``)
        subj_toks = {
            t.i
            for c in verb.children
            if c.dep_ in {"nsubj", "nsubjpass", "agent"}
            for t in c.subtree
        }
        targets: list[Actor] = []
        for c in verb.children:
            if c.dep_ not in sw.COMPLEMENT_DEPS or (c.dep_ == "prep" and c.lower_ in sw.LOCATIVE):
                continue  # "increased profits at B": where, not toward whom
            for t in c.subtree:
                if t.i in subj_toks or self._in_brackets(chunk.offset + t.idx):
                    continue
                a = self.actor(chunk, t)
                if a is None or a in targets or a in holders or self._place_use(chunk, t, a):
                    continue
                m = self.index.mention_at(chunk.offset + t.idx, chunk.offset + t.idx + 1)
                if m is not None and _modifier_use(a, m):
                    continue
                if syn.acquired(t):
                    continue  # "made a bid for X": a transaction, not a stance
                if self._in_other_clause(chunk, t, verb, holders):
                    continue  # "was referring to the exchange when Romney questioned Obama"
                targets.append(a)
        return self._pairs(holders, targets, None, lemma, False)

    def _in_other_clause(self, chunk: Chunk, tok: Token, verb: Token, holders: list[Actor]) -> bool:
        """Whether ``tok`` lies in an adverbial or relative clause below ``verb`` with a
        subject of its own that names another actor (the subject included): that actor's act
        or words, not the holders' stance ("was referring to the exchange when Romney
        questioned Obama"); a complement clause is the verb's content and stays."""
        for v in tok.ancestors:
            if v == verb:
                return False
            if v.pos_ not in {"VERB", "AUX"} or v.dep_ not in {"advcl", "relcl"}:
                continue  # a complement clause is the content ("questioned whether B", "the
                # accusation that Russia was trying ...")
            own = [c for c in v.children if c.dep_ in {"nsubj", "nsubjpass"}]
            if any(a not in holders for a in self._np_actors(chunk, own, None, resolve=True)):
                return True
        return False

    def _noun_readings(self, chunk: Chunk, noun: Token, speaker: Actor | None) -> list[Reading]:
        key = noun.lower_ if noun.lower_ in sw.NOUN_POLARITY else noun.lemma_.lower()
        polarity = sw.NOUN_POLARITY[key]
        if polarity == sw.OPPOSE and _being_ended(noun):
            return []  # "an agreement to resolve a territorial dispute with B": it is ending
        holders: list[Actor] = []
        targets: list[Actor] = []
        of_objects: list[Actor] = []
        for c in noun.children:
            if c.dep_ in {"poss", "compound", "amod", "nmod"}:
                a = self.actor(chunk, c)
                if a is None and c.lower_ in sw.FIRST_PERSON:
                    a = speaker
                if a is None and c.dep_ == "poss" and c.lower_ in {"its", "their"}:
                    a = self._clause_subject(chunk, noun, speaker)  # "A ..., arguing its deal"
                if a is not None and a.type != "location":
                    holders.append(a)
            elif c.dep_ == "acl" and c.tag_ == "VB" and key in sw.SYMMETRIC_NOUNS:
                # "its agreement to buy B": the deal is with B; "an agreement to resolve a
                # dispute with B": the other party of what it ends
                objs = [o for o in c.children if o.dep_ == "dobj"]
                objs += [
                    p
                    for o in objs
                    if _being_ended(o)
                    for w in o.children
                    if w.dep_ == "prep" and w.lower_ == "with"
                    for p in w.children
                    if p.dep_ == "pobj"
                ]
                targets += self._np_actors(chunk, objs, speaker)
            elif c.dep_ == "prep" and c.lower_ == "by":
                holders += self._np_actors(
                    chunk, [o for o in c.children if o.dep_ == "pobj"], speaker
                )
            elif c.dep_ == "prep" and c.lower_ in sw.NOUN_PREPS:
                found = self._np_actors(
                    chunk, [o for o in c.children if o.dep_ == "pobj"], speaker, authored=True
                )
                (of_objects if c.lower_ == "of" else targets).extend(found)
            elif c.dep_ == "prep" and c.lower_ == "between":
                both = self._np_actors(chunk, [o for o in c.children if o.dep_ == "pobj"], speaker)
                if key in sw.SYMMETRIC_NOUNS:
                    holders += both
                    targets += both
        if not targets and noun.dep_ == "pobj" and noun.head.lower_ == "of":
            # "the lifting of US sanctions against B": the parse hangs "against B" on "lifting"
            above = noun.head.head
            for c in above.children if above.pos_ == "NOUN" else ():
                if c.dep_ == "prep" and c.lower_ in sw.NOUN_PREPS - {"of"} and c.i > noun.i:
                    targets += self._np_actors(
                        chunk, [o for o in c.children if o.dep_ == "pobj"], speaker, authored=True
                    )
        if not targets and key in sw.MUTUAL_NOUNS and (pair := self._hyphen_parties(chunk, noun)):
            # "the U.S.-Japanese semiconductor pact", "the Israel-Hamas war": both parties
            return self._pairs(pair[:1], pair[1:], polarity, key, True)
        if of_objects and targets and not holders and key not in sw.SYMMETRIC_NOUNS:
            holders = of_objects  # "the campaign of A against B"
        else:
            targets = of_objects + targets
        for rel in (c for c in noun.children if c.dep_ in {"relcl", "acl"}):
            if holders or rel.lemma_.lower() not in sw.LIGHT_VERBS or syn.negated(rel):
                continue
            # "the case that A had leveled against B", "the suit A filed against B"
            holders = self._subject_actors(chunk, rel, speaker)  # "which was filed": none
            for c in rel.children:
                if c.dep_ == "prep" and c.lower_ in {"against", "with", "on", "over"}:
                    targets += self._np_actors(
                        chunk, [o for o in c.children if o.dep_ == "pobj"], speaker, authored=True
                    )
        received = self._received(chunk, noun, key, holders, of_objects, speaker)
        if received is not None:
            return received
        if noun.dep_ in {"dobj", "attr"} and noun.head.lemma_.lower() in sw.LIGHT_VERBS:
            light = noun.head
            if not holders and not syn.negated(light):
                holders = self._subject_actors(chunk, light, speaker)
            # "signed an agreement [with B]", "a memorandum of understanding [with B]"
            preps = [
                c for c in light.children if c.dep_ == "prep" and c.lower_ in {"with", "against"}
            ]
            preps += [
                p
                for c in noun.children
                if c.dep_ == "prep" and c.lower_ == "of"
                for o in c.children
                if o.dep_ == "pobj"
                for p in o.children
                if p.dep_ == "prep" and p.lower_ in {"with", "against"}
            ]
            for c in preps:
                targets += self._np_actors(
                    chunk, [o for o in c.children if o.dep_ == "pobj"], speaker, authored=True
                )
        symmetric = key in sw.SYMMETRIC_NOUNS
        if symmetric and not holders:
            if len(targets) >= 2 and of_objects:  # "the merger of A and B" ("A with B"), not
                holders = list(targets)  # "a conflict with A and B": those are one side
            elif targets and (owner := self._owner_above(chunk, noun, speaker)) is not None:
                holders = [owner]  # "A's bond in the legal dispute with B"
            elif targets and speaker is not None:
                holders = [speaker]  # "it said it signed an agreement with B"
        if symmetric and not targets and len(holders) >= 2:
            targets = list(holders)  # "the friendship he and Ford developed"
        targets = [t for t in targets if t not in holders or symmetric]
        return self._pairs(holders, targets, polarity, key, symmetric)

    def _received(
        self,
        chunk: Chunk,
        noun: Token,
        key: str,
        holders: list[Actor],
        of_objects: list[Actor],
        speaker: Actor | None,
    ) -> list[Reading] | None:
        """A stance the verb's subject receives: "Warren had the strong support of Reid",
        "won Obama's endorsement", "drew criticism from Democrats": the giver toward the
        subject. None where the noun is not received (then it is read as usual)."""
        verb, polarity = noun.head, sw.NOUN_POLARITY[key]
        lemma = verb.lemma_.lower()
        if noun.dep_ != "dobj" or verb.pos_ not in {"VERB", "AUX"} or syn.negated(verb):
            return None
        if lemma not in sw.RECEIVING and not (lemma == "have" and polarity == sw.SUPPORT):
            return None
        sources = [
            o
            for p in (*noun.children, *verb.children)
            if p.dep_ == "prep" and p.lower_ == "from"
            for o in p.children
            if o.dep_ == "pobj"
        ]
        givers = [*holders, *self._np_actors(chunk, sources, speaker)]
        if polarity == sw.SUPPORT:
            givers += of_objects  # "the support of Reid"; "criticism of the plan" is its topic
        receivers = self._subject_actors(chunk, verb, speaker)
        if not givers or not receivers:
            return None
        return self._pairs(givers, [r for r in receivers if r not in givers], polarity, key, False)

    def _hyphen_parties(self, chunk: Chunk, noun: Token) -> list[Actor]:
        """The two actors a hyphenated modifier of ``noun`` joins ("U.S.-Japanese",
        "Israel-Hamas"): each part a name of an actor of the article or a country's demonym,
        recorded as a mention of its actor."""
        doc = noun.doc
        for t in noun.subtree:
            if t.i >= noun.i:
                break
            if t.text == "-" and 0 < t.i < noun.i - 1:  # the tokenizer split "Israel-Hamas"
                words = [doc[t.i - 1], doc[t.i + 1]]
                parts = [(w.text, chunk.offset + w.idx) for w in words]
            elif t.text.count("-") == 1 and not t.text.startswith("-"):  # "U.S.-Japanese"
                left, right = t.text.split("-")
                start = chunk.offset + t.idx
                parts = [(left, start), (right, start + len(left) + 1)]
            else:
                continue
            found = [self._named(part) for part, _ in parts]
            if None in found or found[0] is found[1]:
                continue
            for a, (part, start) in zip(found, parts):
                if a is not None and self.index.mention_at(start, start + len(part)) is None:
                    self._add_modifier_mention(a, start, part)
            return [a for a in found if a is not None]
        return []

    @staticmethod
    def _add_modifier_mention(actor: Actor, start: int, word: str) -> None:
        """Record a word NER left untagged as a modifier use of ``actor`` in this claim."""
        actor.mentions.append(
            Mention(start, start + len(word), word, "NORP", actor.name, adjectival=True)
        )

    def _named(self, word: str) -> Actor | None:
        """The actor (not a place) of the article a word names, or whose country it is the
        demonym of."""
        for a in self.actors:
            if a.type != "location" and (word == a.name or any(m.text == word for m in a.mentions)):
                return a
        return self._demonym_of(word)

    def _demonym_of(self, word: str) -> Actor | None:
        """The article's country actor a demonym names ("American": the United States)."""
        country = nm.DEMONYMS.get(word.lower())
        return next((a for a in self.actors if a.type == "country" and a.name == country), None)

    def _owner_above(self, chunk: Chunk, noun: Token, speaker: Actor | None) -> Actor | None:
        """The possessor of the noun a prepositional phrase hangs on: "Texaco's bond in the
        dispute with Pennzoil" (Texaco is the party to the dispute)."""
        head = noun.head if noun.dep_ == "pobj" else None
        if head is None or head.lower_ not in {"in", "over", "during"}:
            return None
        owner = head.head
        if owner.pos_ in {"VERB", "AUX"}:  # "cut Texaco's bond in the dispute": the object's
            owner = next((c for c in owner.children if c.dep_ == "dobj"), owner)
        for c in owner.children:
            if c.dep_ in {"poss", "compound"}:  # "Texaco's bond", wire copy's "Texacos bond"
                a = self.actor(chunk, c)
                if a is not None and a.type != "location":
                    return a
        return None

    def _prefix_readings(self, chunk: Chunk, prefix: Token, speaker: Actor | None) -> list[Reading]:
        """ "Sadr, the radical anti-American cleric": the described actor toward the country."""
        doc = prefix.doc
        if doc[prefix.i + 1].text != "-":
            return []
        word = doc[prefix.i + 2]
        target = self.actor(chunk, word)
        if target is None and word.lower_ in nm.DEMONYMS:  # NER often leaves "anti-American"
            target = self._demonym_of(word.text)  # untagged: the demonym names the country
            if target is not None:
                self._add_modifier_mention(target, chunk.offset + word.idx, word.text)
        noun = prefix.head
        while noun.dep_ in {"amod", "compound"} and noun.head != noun:
            noun = noun.head
        if target is None or noun.pos_ not in {"NOUN", "PROPN"}:
            return []
        holders = self._np_actors(chunk, [noun], speaker)
        if not holders and noun.dep_ == "appos":
            holders = self._np_actors(chunk, [noun.head], speaker)
        elif not holders and noun.dep_ == "attr":
            holders = self._subject_actors(chunk, noun.head, speaker)
        polarity = sw.STANCE_PREFIXES[prefix.lower_]
        return self._pairs(holders, [target], polarity, prefix.lower_ + "-", False)

    def _role_readings(self, chunk: Chunk, noun: Token, speaker: Actor | None) -> list[Reading]:
        """ "A is a critic of B", "A, a key B backer,", "A, one of B's allies": the actor the
        noun describes holds its stance toward the noun's possessor or object."""
        head = noun
        if noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.lower_ == "one":
            head = noun.head.head  # "one of the most vocal critics of B"
        holders: list[Actor] = []
        if head.dep_ == "attr":
            holders = self._subject_actors(chunk, head.head, speaker)
        elif head.dep_ in {"appos", "compound"} and head.head != head:
            holders = self._np_actors(chunk, [head.head], speaker)
        targets: list[Actor] = []
        for c in noun.children:
            if c.dep_ in {"poss", "compound", "nmod"}:
                targets += self._np_actors(chunk, [c], speaker)
            elif c.dep_ == "prep" and c.lower_ in {"of", "to"}:
                targets += self._np_actors(
                    chunk, [o for o in c.children if o.dep_ == "pobj"], speaker, authored=True
                )
        polarity = sw.ROLE_POLARITY[noun.lower_]
        return self._pairs(holders, targets, polarity, noun.lemma_.lower(), False)

    @staticmethod
    def _pairs(
        holders: list[Actor],
        targets: list[Actor],
        polarity: str | None,
        cue: str,
        symmetric: bool,
        basis: str = "predicate",
    ) -> list[Reading]:
        out = []
        for h in holders:
            for t in targets:
                if h is t:
                    continue
                out.append(Reading(h, t, basis, cue, polarity))
                if symmetric:
                    out.append(Reading(t, h, basis, cue, polarity))
        return out


def _agreed_on_something(verb: Token) -> bool:
    """Whether "agree" makes an agreement, which binds both parties ("agreed with Iran on a
    framework", "agreed with B to cut output", "the two agreed"), not only a view shared with
    someone ("agreed with Stevens that ...", "agrees with Stevens")."""
    return any(
        (c.dep_ == "prep" and c.lower_ in {"on", "to", "over"}) or c.dep_ == "xcomp"
        for c in verb.children
    ) or not any(c.dep_ == "prep" and c.lower_ == "with" for c in verb.children)


def _set_off(tok: Token) -> bool:
    """Whether a phrase opens after a comma (a non-restrictive modifier)."""
    return tok.i > 0 and tok.doc[tok.i - 1].text == ","


def _being_ended(noun: Token) -> bool:
    """A conflict noun that is the object of a verb that ends it ("resolve a dispute with B",
    "settle the lawsuit", "end the feud")."""
    return (
        noun.dep_ == "dobj"
        and noun.lemma_.lower() in sw.NOUN_POLARITY
        and noun.head.lemma_.lower() in sw.ENDING_VERBS
    )


def _modifier_use(actor: Actor, mention: Mention) -> bool:
    """A country's demonym or a party's adjective modifying a noun ("Syrian civilians",
    "Republican voters"): the actor only where that noun acts or authors."""
    return mention.adjectival and actor.type in {"country", "party", "group"}


def _rank(r: Reading) -> int:
    """Of two readings of one pair the more specific wins: a cue with a polarity, then any
    predicate, then the speaker's."""
    return 2 if r.polarity else int(r.basis != "speaker")


def _appositive_of_speaker(tok: Token, speaker: Actor, reader: ClaimReader, chunk: Chunk) -> bool:
    """A person inside an apposition to the speaker ("X, the aide of Y,") is a description."""
    head = tok
    while head.dep_ in {"compound", "flat"}:
        head = head.head
    return head.dep_ == "appos" and reader.actor(chunk, head.head) is speaker
