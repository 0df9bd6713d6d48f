"""``KbLinker``: an article's actors -> Wikidata QIDs from the alias index, NIL when unsure.

Precision first. Candidates come from every named surface form of an actor (exact and
normalised keys, then a near-spelling fallback); each is scored by how often the alias names it
(source names plus AIDA gold mentions, i.e. a prior), its popularity, type agreement with the
actor, and the rest of the document (entities already linked, their countries). A link needs
a clear winner with agreeing type; one-word person names link only to a person the document
already linked, or when the gold data says the word nearly always means one person.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from stancestream.services.linking.kb import US_STATE
from stancestream.services.linking.kb.context import names_a_seat, names_a_team, qualified_forms
from stancestream.services.linking.kb.keys import alias_key
from stancestream.services.linking.kb.store import Candidate, Entry, KbIndex
from stancestream.services.linking.names import DEMONYMS

_CLASS = {"person": "person", "country": "place", "location": "place", "other": "other"}
_NAMED = {"PERSON", "ORG", "GPE", "NORP", "LOC"}
_RETRY = {"ambiguous", "no local candidate"}
_LABEL_TYPE = {
    "PERSON": "person",
    "GPE": "location",
    "LOC": "location",
    "ORG": "org",
    "NORP": "group",
}


_LEGAL_FORM = re.compile(
    r"(?:,?\s+(?:co|corp|company)\.?|\s+(?:and|&)\s+co\.?)?,?\s+inc\.?$"  # "Best Buy Co Inc"
    r"|\s+(?:and|&)\s+co\.?$"  # "Merck and Co"
    r"|,?\s+(?:inc|corp|corporation|co|company|ltd|llc|plc|ag|sa|nv|group|holdings)\.?$",
    re.I,
)


_DEPARTMENT_FORMS = ("Department of ", "United States Department of ")
_DEPARTMENT_CUE = re.compile(r"\s+(?:Secretary|Undersecretary|Department|Dept\.?)\b")
_ACRONYM = re.compile(r"[A-Z][A-Z&.]{1,5}")
_FULL_NAME = re.compile(r"\b[A-Z][a-z\u00e0-\u024f]+(?: [A-Z][a-z\u00e0-\u024f'’-]+){2,3}\b")


def _people_of_a_country(name: str) -> bool:
    """ "Iraqis", "Syrians", "Americans": a demonym's plural names the people, not a body."""
    word = name.lower()
    return word.endswith("s") and (word[:-1] in DEMONYMS or word[:-2] in DEMONYMS)


def type_class(t: str) -> str:
    return _CLASS.get(t, "org")


def _place_named_in_full(q: Query, found: dict[str, list[Candidate]]) -> Query:
    """An organisation by NER whose whole name is the full name of the one country or territory
    found, in two words or more ("Cleveland; Baton Rouge, La.; and American Samoa", tagged ORG),
    is that country: the type the KB gives. Not towns ("the White House" is also a town in
    Tennessee) and not one word ("Chicago", "Georgia": teams, firms, brands)."""
    if type_class(q.type) != "org" or len(found) != 1:
        return q
    entry = next(iter(found.values()))[0].entry
    name = alias_key(q.name)
    country = entry.type == "country" or (entry.description or "").startswith("country")
    if country and len(name.split()) >= 2 and name == alias_key(entry.name):
        return replace(q, type=entry.type)
    return q


def type_factor(actor_type: str, entry_type: str) -> float:
    """How well an entry's type fits the actor's type; 0 never links (a person is not a
    place; a city named like its baseball team is not the team)."""
    if actor_type == entry_type:
        return 1.0
    a, e = type_class(actor_type), type_class(entry_type)
    if a == e:
        return 0.6 if "party" in (actor_type, entry_type) else 0.9
    if (a, e) == ("org", "other"):
        return 0.5  # stock indices, products: spaCy calls them ORG
    return 0.0


@dataclass
class Query:
    """One actor as the linker sees it."""

    name: str
    type: str
    forms: list[str] = field(default_factory=list)  # named surface forms, most specific first
    labels: set[str] = field(default_factory=set)  # spaCy labels of its named mentions
    country: str | None = None  # country name the text places it in ("Springfield, Ill.")
    team: bool = False  # its mentions stand in sports contexts: a team, not the place
    seat: bool = False  # named as an office holder's state ("Sen. X of New York")

    def fit(self, entry_type: str) -> float:
        """Type agreement with the actor's type, or (less) with a label spaCy gave a mention."""
        by_label = max(
            (
                0.8 * type_factor(_LABEL_TYPE[x], entry_type)
                for x in self.labels
                if x in _LABEL_TYPE
            ),
            default=0.0,
        )
        return max(type_factor(self.type, entry_type), by_label)

    @property
    def single_word_person(self) -> bool:
        return type_class(self.type) == "person" and len(alias_key(self.name).split()) < 2


@dataclass
class Decision:
    qid: str | None
    score: float = 0.0
    share: float = 0.0
    why: str = ""


@dataclass
class Settings:
    min_share: float = 0.7  # the winner's part of all candidates' score
    min_evidence: float = 1.0  # summed alias counts behind the winner
    fuzzy_cutoff: float = 92.0
    surname_min_gold: float = 2.0  # gold mentions needed to link a one-word person name alone


class KbLinker:
    """Implements the ``Linker`` protocol; ``link_actors`` adds in-document consistency."""

    def __init__(self, index: KbIndex, settings: Settings | None = None):
        self.index = index
        self.cfg = settings or Settings()

    @classmethod
    def open(cls, kb_dir: Path, shipped: bool = True) -> KbLinker | None:
        """The linker on the index in ``kb_dir``, else on the shipped one (``shipped``)."""
        index = KbIndex.open(kb_dir, shipped)
        return cls(index) if index else None

    # -- the Linker protocol: one actor, no document state -----------------------------------
    def link(self, name: str, type: str, context: str) -> str | None:
        return self.decide(Query(name, type, [name]), {}).qid

    def is_place(self, name: str) -> bool:
        """Whether the index knows a place or country by this name (a gazetteer for typing)."""
        return any(type_class(c.entry.type) == "place" for c in self.index.lookup(name))

    def known_names(self, text: str) -> list[tuple[int, int]]:
        """Spans of ``text`` that are the full name (three words or more, each capitalised) of
        a person the index holds under that name and no other entity: names NER can miss."""
        out = []
        for m in _FULL_NAME.finditer(text):
            cands = self.index.lookup(m.group(0))
            people = {c.entry.qid for c in cands if type_class(c.entry.type) == "person"}
            if len(people) == 1 and len(cands) == len([c for c in cands if c.entry.qid in people]):
                out.append(m.span())
        return out

    # -- a whole document ---------------------------------------------------------------------
    def link_queries(self, queries: Sequence[Query]) -> list[str | None]:
        """Link a document's actors: confident multi-word names first, then short names that
        may lean on them (a surname on its person, a party on the document's country)."""
        out: list[str | None] = [None] * len(queries)
        linked: dict[str, Entry] = {}
        # (query, where its answer goes, the words of its name), worked out once per document
        people = [
            (q, queries.index(q), alias_key(q.name).split())
            for q in queries
            if type_class(q.type) == "person" and len(alias_key(q.name).split()) > 1
        ]
        order = sorted(range(len(queries)), key=lambda i: queries[i].single_word_person)
        retry: list[int] = []
        for i in order:
            q = queries[i]
            if (
                len(alias_key(q.name).split()) == 1
                and type_class(q.type) != "place"
                and _shadowed(q, people, out)
            ):
                continue  # "Ford" after "Gerald Ford": the person, whom the KB may not hold
            d = self.decide(q, linked)
            out[i] = d.qid
            if d.qid:
                entry = self.index.entry(d.qid)
                if entry:
                    linked[d.qid] = entry
            elif d.why in _RETRY:
                retry.append(i)
        for i in retry:  # in-document consistency: what the whole document linked may settle it
            d = self.decide(queries[i], linked)
            out[i] = d.qid
        return out

    def type_of(self, qid: str) -> str | None:
        """The entity type the index gives a QID (what a linked actor is)."""
        entry = self.index.entry(qid)
        return entry.type if entry else None

    def link_actors(self, actors: Sequence, text: str) -> list[str | None]:
        """``linking.actors.Actor`` s of one article -> QIDs (None: unlinked)."""
        return self.link_queries([query_of(a, text) for a in actors])

    # -- one actor -------------------------------------------------------------------------
    def candidates(
        self, q: Query, countries: frozenset[str] = frozenset()
    ) -> dict[str, list[Candidate]]:
        """Entities the actor's name (exact key, else a near spelling) can denote; its other
        surface forms only add evidence ("Central California" is not "Calif."). A department
        named by its title ("Agriculture Secretary") must lie in one of the ``countries`` the
        document links: every government has a Department of Agriculture."""
        found: dict[str, list[Candidate]] = defaultdict(list)
        for c in self.index.lookup(q.name):
            found[c.entry.qid].append(c)
        bare = _LEGAL_FORM.sub("", q.name).strip(" ,")
        if not found and bare != q.name and type_class(q.type) == "org":
            for c in self.index.lookup(bare):  # "Target Corp." is "Target"
                found[c.entry.qid].append(c)
        if not found and type_class(q.type) == "org":
            for c in self._by_first_word(q, bare):  # "Ford Motor Co", also called "Ford"
                found[c.entry.qid].append(c)
        if not found and type_class(q.type) == "org":
            for form in q.forms:  # "Homeland Security Secretary": the Department of ...
                if form.startswith(_DEPARTMENT_FORMS):
                    for c in self.index.lookup(form):
                        if c.entry.country in countries:
                            found[c.entry.qid].append(c)
        if not found and len(q.name) >= 6:
            for c in self.index.fuzzy(q.name, self.cfg.fuzzy_cutoff):
                found[c.entry.qid].append(c)
        for form in dict.fromkeys(q.forms):
            if alias_key(form) != alias_key(q.name):
                for c in self.index.lookup(form):
                    if c.entry.qid in found:
                        found[c.entry.qid].append(c)
        return found

    def _by_first_word(self, q: Query, bare: str) -> list[Candidate]:
        """A company the article also names by its first word ("Ford Motor Co" ... "Ford
        said"): an entity that word names whose other alias spells out the whole name
        ("ford motor company"). The word's other namesakes (a Finnish burger chain called
        Rolls, a clothing store called Burlington) are no candidates of the full name."""
        stem = alias_key(bare)
        words = stem.split()
        if len(words) < 2 or not any(alias_key(f) == words[0] for f in q.forms):
            return []
        named = {c.entry.qid: c for c in self.index.lookup(words[0])}
        spelled = {c.entry.qid for c in self.index.prefixed(stem)}
        return [c for qid, c in named.items() if qid in spelled]

    def _local(
        self, q: Query, found: dict[str, list[Candidate]], countries: set[str]
    ) -> dict[str, list[Candidate]]:
        """Candidates the document allows. A place the text puts in a country ("X, Ala.") must
        be known to lie there; a party with no gold mention needs its country in the document
        (local politics: a foreign party's acronym in a story that never mentions its country
        is another thing of that name; one whose country the KB lacks counts as foreign where
        a namesake has one), and so does any national body named by an acronym in a document
        set in other countries ("SEC" in a US story is no Eswatini utility)."""
        if q.country:
            home = self._country_qid(q.country)
            found = {
                k: v
                for k, v in found.items()
                if type_class(v[0].entry.type) != "place"
                or (home is not None and home in {v[0].entry.country, k})
            }
        found = {k: v for k, v in found.items() if not _foreign_body(v[0].entry, q, countries)}
        acronym = _ACRONYM.fullmatch(q.name.strip()) is not None
        # a party whose country the KB lacks is as foreign as its namesakes with one: it does
        # not win "Republicans" because the US party of the name needs its country first
        namesakes = any(v[0].entry.type == "party" and v[0].entry.country for v in found.values())
        return {
            k: v
            for k, v in found.items()
            if (v[0].entry.type != "party" and not (acronym and countries))
            or (not v[0].entry.country and not (v[0].entry.type == "party" and namesakes))
            or v[0].entry.type in {"country", "intl_org"}
            or v[0].entry.country in countries
            or sum(c.gold for c in v) > 0
        }

    def _qualified(self, q: Query, found: dict[str, list[Candidate]]) -> set[str]:
        """Places among the candidates that a "Name, State" form of the actor names exactly."""
        return {
            c.entry.qid
            for form in q.forms
            if ", " in form
            for c in self.index.lookup(form)
            if c.entry.qid in found and type_class(c.entry.type) == "place"
        }

    def _country_qid(self, name: str) -> str | None:
        hits = [c.entry.qid for c in self.index.lookup(name) if c.entry.type == "country"]
        return hits[0] if len(set(hits)) == 1 else None

    def decide(self, q: Query, linked: dict[str, Entry]) -> Decision:
        if q.single_word_person:
            hit = _surname_of(q, linked)
            if hit:
                return Decision(hit, 1.0, 1.0, "surname of a linked person")
        if not any(ch.isupper() for f in [q.name, *q.forms] for ch in f):
            return Decision(None, why="not a name")  # "19 cts a share": a lowercase word
        if _people_of_a_country(q.name):
            return Decision(None, why="a people")  # "Iraqis" are no party called "The Iraqis"
        countries = {e.qid for e in linked.values() if e.type == "country"}
        countries |= {e.country for e in linked.values() if e.country}
        found = self.candidates(q, frozenset(countries))
        if q.team:  # "Alabama hasn't won the league": the team, which the place is not
            found = {k: v for k, v in found.items() if type_class(v[0].entry.type) != "place"}
            q = replace(q, type="org")
        if q.seat:  # "Sen. Charles Schumer of New York": the state, not the city
            states = {k: v for k, v in found.items() if v[0].entry.description == US_STATE}
            found = states or found
        pinned = self._qualified(q, found)
        if pinned:  # "Columbus, Ohio", "Sioux Falls, S.D.": the place the text says, whatever NER
            found = {k: v for k, v in found.items() if k in pinned}  # made of the name
            if type_class(q.type) != "place":
                q = replace(q, type="location")
        if not found:
            # a department named by its title waits for its country to be linked
            titled = any(f.startswith(_DEPARTMENT_FORMS) for f in q.forms)
            return Decision(None, why="no local candidate" if titled else "no candidate")
        found = self._local(q, found, countries)
        if not found:
            return Decision(None, why="no local candidate")
        q = _place_named_in_full(q, found)
        scores: dict[str, float] = {}
        evidence: dict[str, float] = {}
        gold: dict[str, float] = {}
        local = any(c[0].entry.country in countries for c in found.values())
        for qid, cands in found.items():
            entry = cands[0].entry
            fit = q.fit(entry.type)
            ev = sum(c.count * (1.0 if c.fuzzy >= 100 else 0.5) for c in cands) * fit
            s = ev * (1.0 + 0.25 * math.log1p(entry.prior))
            if qid in linked:
                s *= 3.0
            if local and entry.country and entry.type != "country":
                home = entry.country in countries  # the document's country
                if type_class(entry.type) == "place":  # a London of Kentucky is no London
                    s *= 1.5 if home else 1.0
                else:
                    s *= 2.0 if home else 0.05
            scores[qid], gold[qid] = s, sum(c.gold for c in cands)
            evidence[qid] = sum(c.count for c in cands)
        total = sum(scores.values())
        best = max(scores, key=lambda k: scores[k])
        if scores[best] <= 0:
            return Decision(None, why="type disagrees")
        # the winner against its runner-up; the tail of namesakes (thirty small towns called
        # Washington) counts half: it is not one rival but many weak ones
        second = max((v for k, v in scores.items() if k != best), default=0.0)
        share = scores[best] / (scores[best] + second + 0.5 * (total - scores[best] - second))
        if share < self.cfg.min_share:
            return Decision(None, scores[best], share, "ambiguous")
        entry = found[best][0].entry
        if _unplaced_chain(entry, q, countries):
            # it still counts as a rival above: "Delta" stays unlinked between a fuel brand
            # and a clothing brand, rather than going to whichever the article's country has
            return Decision(None, scores[best], share, "a small chain, not placed here")
        if evidence[best] < self.cfg.min_evidence:
            return Decision(None, scores[best], share, "too little evidence")
        if type_class(entry.type) not in _classes(q) and gold[best] < 1:
            return Decision(None, scores[best], share, "type disagrees, little gold")
        if q.single_word_person and (
            gold[best] < self.cfg.surname_min_gold or gold[best] < 0.8 * sum(gold.values())
        ):
            return Decision(None, scores[best], share, "bare surname")
        if all(c.fuzzy < 100 for c in found[best]) and len(found) > 1:
            return Decision(None, scores[best], share, "fuzzy and ambiguous")
        return Decision(best, scores[best], share, "linked")


def _foreign_body(entry: Entry, q: Query, countries: set[str]) -> bool:
    """A government body of a country the document does not link: in a story set in other
    countries ("the Department of Trade and Industry" in a British story is not the
    Philippine one), or named by one word of its name in a story that links no country
    ("Federal funds" are no Federal Police of Brazil)."""
    if entry.type != "gov" or not entry.country or entry.country in countries:
        return False
    if countries:
        return True
    key = alias_key(q.name)
    return len(key.split()) == 1 and key != alias_key(entry.name)


_CHAIN = ("brand (shop/", "brand (amenity/")


def _unplaced_chain(entry: Entry, q: Query, countries: set[str]) -> bool:
    """A small shop or service chain (one or two name-suggestion-index items) named by one
    word, in an article that does not link its country, is no link: "House Speaker Mike
    Johnson" names no clothing brand called House, "Rolls" no Finnish burger chain. A chain
    with no country links only by a longer name."""
    if entry.prior > 0.5 or not (entry.description or "").startswith(_CHAIN):
        return False
    if len(alias_key(q.name).split()) > 1:
        return False
    return entry.country is None or entry.country not in countries


def _classes(q: Query) -> set[str]:
    return {type_class(q.type)} | {type_class(_LABEL_TYPE[x]) for x in q.labels if x in _LABEL_TYPE}


def _shadowed(
    q: Query, people: Sequence[tuple[Query, int, list[str]]], out: list[str | None]
) -> bool:
    """A one-word name that is part of a person's name in this document, where that person
    is not the one this name would link to: leave it unlinked rather than guess. ``people``:
    (query, index of its answer in ``out``, the words of its name)."""
    word = alias_key(q.name)
    return any(
        word in words and p is not q
        for p, at, words in people
        if type_class(q.type) != "person" or out[at] is None
    )


def _surname_of(q: Query, linked: dict[str, Entry]) -> str | None:
    """The one linked person whose name contains this one-word name."""
    word = alias_key(q.name)
    hits = [
        qid
        for qid, e in linked.items()
        if type_class(e.type) == "person" and word in alias_key(e.name).split()
    ]
    return hits[0] if len(hits) == 1 else None


def _department_forms(text: str, mentions: Sequence) -> list[str]:
    """ "Department of Homeland Security" for "Homeland Security Secretary Michael Chertoff" or
    "the Homeland Security Department": a government department's name as its title or the
    word after it gives it (a fallback when the short name itself is no alias)."""
    out = []
    for m in mentions:
        short = m.text.removesuffix(" Department")
        if short != m.text or _DEPARTMENT_CUE.match(text, m.end):
            out += [f"{prefix}{short}" for prefix in _DEPARTMENT_FORMS]
    return out


def query_of(actor, text: str = "") -> Query:  # noqa: ANN001 - actors.Actor, duck-typed
    """The linker's view of an actor: its name, its distinct named surface forms (with the
    state or country the text puts after them), and whether the text makes it a team or an
    office holder's state."""
    forms = [actor.name]
    named = [m for m in actor.mentions if m.label in _NAMED]
    for m in sorted(named, key=lambda m: -len(m.text)):
        forms += [m.text, m.name] if m.name else [m.text]
    spans = [(m.start, m.end) for m in named]
    if text:
        forms += qualified_forms(text, spans)
        forms += _department_forms(text, named)
    country = next((m.country for m in actor.mentions if getattr(m, "country", None)), None)
    return Query(
        actor.name,
        actor.type,
        list(dict.fromkeys(f for f in forms if f)),
        {m.label for m in named},
        country,
        names_a_team(text, spans),
        names_a_seat(text, spans),
    )
