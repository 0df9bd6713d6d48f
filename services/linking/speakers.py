"""Who a subject phrase refers to, and whom a person speaks for.

News attributes most statements with a pronoun or a description after the first full mention
("he stressed", "the Russian general pointed out"), so the resolver remembers the named speakers
in order and picks the last compatible one, preferring a person whose title or affiliation
matches the description's words.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Token

from stancestream.services.linking import coref
from stancestream.services.linking import names as nm
from stancestream.services.linking.actors import Actor, ActorIndex, Mention
from stancestream.services.linking.nlp import Chunk

PERSON_PRONOUNS = {"he", "she", "him", "her"}
_PLACES = {"location", "country"}
_NOT_SOURCES = _PLACES | {"person"}
# title words news writes in lowercase before a name: "Police Department spokesman John Roe"
_LOWER_TITLES = {"of", "for", "spokesman", "spokeswoman", "spokesperson"}
_SPOKES = {"spokesman", "spokeswoman", "spokesperson"}
_WEAK_TITLES = {"of", "for", "the", "state", "senior", "top", "former", "acting", "special"}


def _abs(chunk: Chunk, tok: Token) -> tuple[int, int]:
    return chunk.offset + tok.idx, chunk.offset + tok.idx + len(tok.text)


class Resolver:
    """Resolves subject tokens to actors, adding DESC/PRON mentions to the actors it resolves."""

    def __init__(self, actors: list[Actor], index: ActorIndex):
        self.actors, self.index = actors, index
        # named speakers, in order of attribution, with where each statement starts
        self.history: list[tuple[int, Actor]] = []
        self.quoted: list[tuple[int, int]] = []  # quotations seen so far (article offsets)
        self.salient: list[tuple[int, Actor]] = []  # (position, person) speakers and subjects
        # bodies that spoke through an unnamed spokesperson ("the Southern spokeswoman"), with
        # the spokesperson's gender where the noun gives it: "she said" goes on for the body
        self.spokes: dict[int, str | None] = {}

    def note(self, actor: Actor, pos: int = -1) -> None:
        """``actor`` was attributed a statement at ``pos``."""
        self.history.append((pos, actor))
        self.salient.append((pos, actor))

    def scan(self, chunk: Chunk) -> None:
        """Remember who each sentence is about: the named subject of its main verb, with its
        apposition or possessor ("Ruiz's sister, Marta, objected ...")."""
        for sent in chunk.sents:
            for subj in (c for c in sent.root.children if c.dep_ in {"nsubj", "nsubjpass"}):
                for t in [subj, *(x for x in subj.children if x.dep_ in {"appos", "poss"})]:
                    a = self.index.at(*_abs(chunk, t))
                    if a is not None and a.type == "person":
                        self.salient.append((chunk.offset + t.idx, a))

    def _salient(self, pos: int, ok, score) -> Actor | None:
        """The person a pronoun most likely continues: the latest one who spoke or was the
        subject of a sentence before ``pos`` (a person only named as an object does not take
        over the story, "..., Okafor said, naming a bridge after Lindqvist. '...,' he said")."""
        cands = [(score(a), p, a) for p, a in self.salient if p < pos and ok(a)]
        return max(cands, key=lambda c: c[:2])[2] if cands else None

    def resolve(
        self, chunk: Chunk, tok: Token, quotes: Sequence[tuple[int, int]] = ()
    ) -> Actor | None:
        """The actor ``tok`` (a subject head or the object of "according to") refers to;
        ``quotes`` (chunk offsets) are skipped when looking for an antecedent."""
        found = self.index.at(*_abs(chunk, tok))
        if found:
            return found
        for child in tok.children:
            if child.dep_ == "appos" and (found := self.index.at(*_abs(chunk, child))):
                return found
        if tok.lower_ in PERSON_PRONOUNS:
            return self._person_pronoun(chunk, tok, quotes)
        if tok.lower_ == "it":
            pos = chunk.offset + tok.idx
            actor = self._last(pos, lambda a: a.type != "person", named_only=True)
            return self._add(actor, chunk, tok.i, tok.i + 1, "PRON")
        return self._description(chunk, tok)

    def _person_pronoun(
        self, chunk: Chunk, tok: Token, quotes: Sequence[tuple[int, int]]
    ) -> Actor | None:
        """ "he", "she": a person of that gender (or none known) in the pronoun's sentence, else
        the salient one before it, else the last one named."""
        pos = chunk.offset + tok.idx
        g = "f" if tok.lower_ in {"she", "her"} else "m"
        ok = lambda a: a.type == "person" and a.gender in {None, g}  # noqa: E731
        # "she" prefers a woman the text marked as one (most people carry no gender cue,
        # and news "he" is the unmarked case)
        score = lambda a: int(g == "f" and a.gender == g)  # noqa: E731
        actor = self._in_sentence(chunk, tok, quotes, g)
        if actor is None:
            actor = self._spokesperson(pos, g)
        if actor is None and not _unnamed_antecedent(tok):
            actor = self._salient(pos, ok, score) or self._last(pos, ok, score, recent_only=True)
        return self._add(actor, chunk, tok.i, tok.i + 1, "PRON")

    def _description(self, chunk: Chunk, tok: Token) -> Actor | None:
        """A noun phrase that describes its actor ("German officials", "the statement", "the
        US military", "the Russian general", "the company")."""
        pos = chunk.offset + tok.idx
        left = [t for t in tok.subtree if t.i < tok.i]
        inner = [a for t in left if (a := self.index.at(*_abs(chunk, t)))]
        phrase = [a for t in tok.subtree if t != tok and (a := self.index.at(*_abs(chunk, t)))]
        lemma = tok.lemma_.lower()
        start = _desc_start(chunk, tok, left)
        if lemma in nm.PERSON_NOUNS and tok.tag_ in {"NNS", "NNPS"}:
            # "officials with the Transport Ministry", "German officials":
            # they speak for it (a country only when it qualifies them directly)
            return next((a for a in phrase if a.type not in _NOT_SOURCES), None) or (
                self._qualifying_country(chunk, tok)
            )
        if lemma in coref.DOC_NOUNS:  # "a report in the Evening Courier", "the statement said"
            named = next((a for a in phrase if a.type not in _PLACES), None)
            if named or not any(c.lower_ in {"the", "this", "that"} for c in tok.children):
                return named  # "a report" is a new source; "the statement" refers back
            return self._last(pos, lambda a: a.type not in _NOT_SOURCES, recent_only=True)
        orgs = [a for a in inner if a.type not in _PLACES]  # not "the Ohio-based company"
        if lemma in nm.INSTITUTION_NOUNS and not orgs:
            # "the US military said", "the Syrian government said": the country speaks
            country = self._qualifying_country(chunk, tok)
            if country is not None:
                return country
        if any(c.dep_ == "det" and c.lower_ in {"a", "an", "another"} for c in tok.children):
            # "said an adviser to the prime minister": a new, unnamed source, not an anaphor
            return self._spoken_for(orgs[0], lemma) if orgs else None
        if lemma in _SPOKES and not orgs:
            # "The Southern spokeswoman" after "Southern Co": the company's, by its first word
            body = self._body_by_first_word(left)
            if body is not None:
                self._spoken_for(body, lemma)
                return self._add(body, chunk, start, tok.i + 1, "DESC")
        if lemma in nm.PERSON_NOUNS:
            words = {t.lower_ for t in left if t.pos_ in {"ADJ", "PROPN", "NOUN"}}
            actor = self._last(
                pos,
                lambda a: a.type == "person" and _compatible(a, words, inner),
                score=lambda a: _evidence(a, lemma, words, inner),
            )
            if actor is None and lemma in _SPOKES and orgs:
                # "the Hollis spokeswoman" with no named spokesperson: the company speaks
                return self._spoken_for(orgs[0], lemma)
            return self._add(actor, chunk, start, tok.i + 1, "DESC")
        kinds = coref.KIND_NOUNS.get(lemma, frozenset())
        if (lemma in nm.ORG_NOUNS or kinds) and not orgs:
            actor = self._last(
                pos, lambda a: a.type != "person" and (lemma in a.name.lower() or a.type in kinds)
            )
            return self._add(actor, chunk, start, tok.i + 1, "DESC")
        return inner[0] if inner else None

    def _spoken_for(self, body: Actor, lemma: str) -> Actor:
        """``body`` speaks through an unnamed spokesperson (of the gender the noun gives)."""
        if lemma in _SPOKES:
            self.spokes[id(body)] = "f" if lemma == "spokeswoman" else None
        return body

    def _spokesperson(self, pos: int, gender: str) -> Actor | None:
        """The body whose unnamed spokesperson made the article's last statement before
        ``pos``, where the pronoun's gender does not contradict the noun's."""
        before = [a for at, a in self.history if at < pos]
        if not before or id(before[-1]) not in self.spokes:
            return None
        return before[-1] if self.spokes[id(before[-1])] in {None, gender} else None

    def _body_by_first_word(self, left: list[Token]) -> Actor | None:
        """The one organisation whose name begins with a capitalised word before the noun."""
        words = {t.text for t in left if t.text[:1].isupper() and t.lower_ != "the"}
        hits = [
            a
            for a in self.actors
            if a.type not in _PLACES and a.type != "person" and a.name.split()[0] in words
        ]
        return hits[0] if len(hits) == 1 else None

    def _qualifying_country(self, chunk: Chunk, tok: Token) -> Actor | None:
        """The country a demonym or name right on the noun names ("German officials")."""
        for t in tok.children:
            if t.dep_ in {"amod", "compound"}:
                a = self.index.at(*_abs(chunk, t))
                if a is not None and a.type == "country":
                    return a
        return None

    def _in_sentence(
        self, chunk: Chunk, tok: Token, quotes: Sequence[tuple[int, int]], gender: str
    ) -> Actor | None:
        """The closest person named earlier in the pronoun's own sentence, outside quotes
        ("Okafor's exit surprised many, since he had told reporters ...")."""
        sent = tok.sent
        best: tuple[int, Actor] | None = None
        for t in chunk.doc[sent.start : tok.i]:
            if t.ent_type_ != "PERSON" or any(qs <= t.idx < qe for qs, qe in quotes):
                continue
            a = self.index.at(*_abs(chunk, t))
            if a is not None and a.type == "person" and a.gender in {None, gender}:
                best = (t.i, a)
        return best[1] if best else None

    def _last(
        self, pos: int, ok, score=None, named_only: bool = False, recent_only: bool = False
    ) -> Actor | None:
        """The best actor passing ``ok``: highest ``score`` (evidence such as a matching title),
        then a named speaker before a merely mentioned actor (unless ``recent_only``), then the
        most recent."""
        rank: dict[int, tuple[int, int, int]] = {}
        # a speaker attributed only later in the article is no antecedent: the readings
        # resolve subjects again once every statement of the article is attributed
        for n, (at, a) in enumerate([] if recent_only else self.history):
            if at < pos and ok(a):
                rank[id(a)] = (score(a) if score else 0, 1, n)
        if not named_only:
            for a in self.actors:
                before = [
                    m.start
                    for m in a.mentions
                    if m.start < pos
                    and (not recent_only or not any(qs <= m.start < qe for qs, qe in self.quoted))
                ]
                if before and id(a) not in rank and ok(a):
                    rank[id(a)] = (score(a) if score else 0, 0, max(before))
        if not rank:
            return None
        best = max(rank, key=rank.__getitem__)
        return next(a for a in self.actors if id(a) == best)

    def _add(self, actor: Actor | None, chunk: Chunk, i: int, j: int, label: str) -> Actor | None:
        if actor is not None:
            span = chunk.doc[i:j]
            s, e = chunk.offset + span.start_char, chunk.offset + span.end_char
            if not any(m.start == s and m.end == e for m in actor.mentions):
                actor.mentions.append(Mention(s, e, span.text, label, actor.name))
                actor.mentions.sort(key=lambda m: m.start)
        return actor


def _desc_start(chunk: Chunk, tok: Token, left: list[Token]) -> int:
    """Start of a description mention: after any named actor inside it, after determiners."""
    start = left[0].i if left else tok.i
    for t in left:
        if t.tag_ == "POS" or t.dep_ == "poss" or (t.ent_type_ and t.ent_type_ != "NORP"):
            start = t.i + 1
    while start < tok.i and (
        chunk.doc[start].lower_ in {"the", "a", "an", "this", "that"} or chunk.doc[start].is_punct
    ):
        start += 1
    return start


def _compatible(person: Actor, words: set[str], inner: list[Actor]) -> bool:
    """A description ("the Russian general", "the ministry's spokesman") fits a person unless the
    person's known affiliation contradicts its words or the organisation it names."""
    aff = person.affiliation
    if aff is None:
        return True
    if inner:
        return any(a is aff for a in inner)
    demonyms = {w for w in words if w in nm.DEMONYMS}
    if not demonyms:
        return True
    aff_words = set(aff.name.lower().split())
    return any(w in aff_words or nm.DEMONYMS[w] == aff.name for w in demonyms)


def _evidence(person: Actor, noun: str, words: set[str], inner: list[Actor]) -> int:
    """How much a description positively fits a person: its noun among the person's titles,
    its organisation or demonym matching the person's affiliation."""
    n = int(noun in person.titles)
    aff = person.affiliation
    if aff is not None:
        n += any(a is aff for a in inner)
        n += any(w in aff.name.lower().split() or nm.DEMONYMS.get(w) == aff.name for w in words)
    return n


def _title_scan(doc: Doc, i: int) -> tuple[list[str], int]:
    """Title words right before token ``i`` (walking left); returns them and the next index."""
    titles: list[str] = []
    j = i - 1
    while j >= 0:
        if doc[j].text == "." and j > 0 and doc[j - 1].lower_ + "." in nm.TITLES:
            titles.append(doc[j - 1].lower_ + ".")  # "Capt." split in two tokens
            j -= 2
            continue
        if doc[j].lower_ not in nm.TITLES or not (
            doc[j].text[:1].isupper() or doc[j].lower_ in _LOWER_TITLES
        ):
            break
        titles.append(doc[j].lower_)
        j -= 1
    return titles, j


def title_orgs(chunks: list[Chunk]) -> list[Mention]:
    """ORG mentions inside a person's title that NER missed ("Defense Ministry Spokesman X")."""
    out: list[Mention] = []
    for ch in chunks:
        doc = ch.doc
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            titles, j = _title_scan(doc, ent.start)
            if not titles or j < 0 or doc[j].ent_type_ or doc[j].lower_ not in nm.GOV_WORDS:
                continue
            k = j
            while k - 1 >= 0 and doc[k - 1].text[:1].isupper() and not doc[k - 1].is_sent_start:
                k -= 1
            span = doc[k : j + 1]
            if k < j + 1 and doc[k].text[:1].isupper():
                out.append(
                    Mention(
                        ch.offset + span.start_char,
                        ch.offset + span.end_char,
                        span.text,
                        "ORG",
                        nm.normalise(span.text),
                    )
                )
    return out


def find_affiliations(chunks: list[Chunk], index: ActorIndex) -> None:
    """Set ``affiliation`` (and ``titles``) of persons named with an organisation's title:
    "Russian Defense Ministry Spokesman Major General Igor Konashenkov", "Igor Konashenkov,
    spokesman for the Russian Defense Ministry,"."""
    for ch in chunks:
        doc = ch.doc
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            person = index.at(ch.offset + ent.start_char, ch.offset + ent.end_char)
            if person is None or person.type != "person":
                continue
            person.gender = person.gender or coref.mention_gender(ent)
            titles, j = _title_scan(doc, ent.start)
            titles += [t.lower_ for t in ent if t.lower_ in nm.TITLES]
            person.titles.update(t for t in titles if t not in _WEAK_TITLES)
            org = None
            if set(titles) - _WEAK_TITLES and j >= 0:
                org = index.at(*_abs(ch, doc[j]))
            if org is None and ent.end + 1 < len(doc) and doc[ent.end].text == ",":
                org = _apposition_org(ch, ent.end + 1, index, person)
            if org is not None and org is not person and org.type != "person":
                person.affiliation = person.affiliation or org


def _apposition_org(ch: Chunk, i: int, index: ActorIndex, person: Actor) -> Actor | None:
    doc = ch.doc
    window = []
    for t in doc[i : i + 10]:
        if t.text in {",", ";", ".", '"'} or t.is_sent_start:
            break
        window.append(t)
    if not any(t.lower_ in nm.PERSON_NOUNS or t.lower_ in nm.TITLES - _WEAK_TITLES for t in window):
        return None
    for t in window:
        a = index.at(*_abs(ch, t))
        if a is not None and a is not person:
            person.titles.update(x.lower_ for x in window if x.lower_ in nm.PERSON_NOUNS)
            return a
    return None


# People a story names by a common noun: a pronoun after one refers to it, not to someone named
_UNNAMED_PEOPLE = nm.words(
    "person man woman boy girl suspect gunman attacker victim driver passenger"
)


def _unnamed_antecedent(tok: Token) -> bool:
    """Whether the pronoun's sentence or the three before it in its paragraph have an unnamed
    person as a subject before it ("The person who filmed the execution has been arrested. ...
    He was arrested by Iraqi forces": "he" is that person, not the adviser named before)."""
    start = tok.sent.start
    for _ in range(3):
        if start == 0 or "\n" in tok.doc[start - 1].text_with_ws:
            break
        start = tok.doc[start - 1].sent.start
    return any(
        t.dep_ in {"nsubj", "nsubjpass"}
        and t.pos_ == "NOUN"
        and t.lemma_.lower() in _UNNAMED_PEOPLE
        and t.ent_type_ == ""
        for t in tok.doc[start : tok.i]
    )
