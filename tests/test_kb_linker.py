"""KbLinker rules on a tiny index built from hand-written records (no shared data needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stancestream.services.linking.kb.build import merge, write_index
from stancestream.services.linking.kb.keys import alias_key
from stancestream.services.linking.kb.linker import KbLinker, Query
from stancestream.services.linking.kb.sources import Record, party_members
from stancestream.services.linking.kb.store import KbIndex


def _rec(
    qid: str,
    name: str,
    type_: str,
    *aliases: str,
    source: str = "wikidata",
    country: str | None = None,
    gold: float = 0.0,
    prior: float = 1.0,
) -> Record:
    rec = Record(qid, name, type_, source, country=country, prior=prior)
    for a in (name, *aliases):
        rec.aliases[a] = rec.aliases.get(a, 0.0) + 1.0
    if gold:
        return Record(qid, name, type_, "aida", aliases={name: gold}, prior=gold)
    return rec


RECORDS = [
    _rec("Q810", "Jordan", "country", source="countries", country="Q810", prior=20),
    _rec("Q41421", "Michael Jordan", "person", "Jordan"),
    _rec(
        "Q30",
        "United States of America",
        "country",
        "U.S.",
        "United States",
        source="countries",
        country="Q30",
        prior=20,
    ),
    _rec("Q38", "Italy", "country", source="countries", country="Q38", prior=20),
    _rec("Q29552", "Democratic Party", "party", "Democrats", source="parties", country="Q30"),
    _rec("Q47729", "Democratic Party", "party", "Democrats", source="parties", country="Q38"),
    _rec("Q1316", "Saddam Hussein", "person"),
    _rec("Q44294", "Ford Motor Company", "org", "Ford"),
    _rec("Q1065", "United Nations", "intl_org", "UN", source="intl_orgs"),
]


@pytest.fixture(scope="module")
def linker(tmp_path_factory: pytest.TempPathFactory) -> KbLinker:
    path = Path(tmp_path_factory.mktemp("kb")) / "index.sqlite"
    write_index(merge(RECORDS), path, {"test": True})
    return KbLinker(KbIndex(path))


def test_alias_key_normalises() -> None:
    assert alias_key("The U.S.") == alias_key("US") == "us"
    assert alias_key("Nouri al-Maliki’s") == "nouri al maliki"
    assert alias_key("Société Générale") == "societe generale"


def test_party_members() -> None:
    assert party_members("Democratic Party") == "Democrats"
    assert party_members("Republican Party") == "Republicans"
    assert party_members("Party of Regions") is None


def test_exact_and_normalised(linker: KbLinker) -> None:
    assert linker.link("U.S", "location", "") == "Q30"
    assert linker.link("the United Nations", "intl_org", "") == "Q1065"
    assert linker.link("UN", "intl_org", "") == "Q1065"


def test_type_agreement(linker: KbLinker) -> None:
    assert linker.link("Jordan", "country", "") == "Q810"
    assert linker.link("Michael Jordan", "person", "") == "Q41421"
    assert linker.link("Michael Jordan", "location", "") is None  # a person is not a place


def test_unknown_and_ambiguous_are_nil(linker: KbLinker) -> None:
    assert linker.link("Igor Konashenkov", "person", "") is None
    assert linker.link("Democratic Party", "party", "") is None  # two countries, no context


def test_fuzzy_near_spelling(linker: KbLinker) -> None:
    assert linker.link("Sadam Hussein", "person", "") == "Q1316"
    assert linker.link("Saddam Hussain Jr", "person", "") is None


def test_document_country_disambiguates_party(linker: KbLinker) -> None:
    doc = [Query("U.S", "location", ["U.S."]), Query("Democrats", "group", ["Democrats"])]
    assert linker.link_queries(doc) == ["Q30", "Q29552"]
    doc = [Query("Italy", "country", ["Italy"]), Query("Democratic Party", "party")]
    assert linker.link_queries(doc) == ["Q38", "Q47729"]


def test_surname_links_to_the_person_of_the_document(linker: KbLinker) -> None:
    doc = [Query("Hussein", "person", ["Hussein"]), Query("Saddam Hussein", "person")]
    assert linker.link_queries(doc) == ["Q1316", "Q1316"]
    assert linker.link_queries([Query("Hussein", "person", ["Hussein"])]) == [None]


def test_surname_of_an_unlinked_person_shadows_other_entities(linker: KbLinker) -> None:
    assert linker.link_queries([Query("Ford", "org", ["Ford"])]) == ["Q44294"]
    doc = [Query("Gerald Ford", "person"), Query("Ford", "org", ["Ford"])]
    assert linker.link_queries(doc) == [None, None]


def _places_linker(tmp_path: Path) -> KbLinker:
    recs = [
        _rec("Q16567", "Columbus", "location", "Columbus, Ohio", country="Q30", prior=6),
        _rec("Q239870", "Columbus", "location", "Columbus, Ga.", country="Q30", prior=5),
        _rec("Q131335", "Sioux Falls", "location", "Sioux Falls, S.D.", country="Q30"),
        _rec("Q2990068", "CTS", "org", "cts"),
    ]
    path = tmp_path / "index.sqlite"
    write_index(merge(recs), path, {"test": True})
    return KbLinker(KbIndex(path))


def test_state_qualified_form_picks_the_place(tmp_path: Path) -> None:
    linker = _places_linker(tmp_path)
    assert linker.decide(Query("Columbus", "location", ["Columbus"]), {}).qid is None
    q = Query("Columbus", "location", ["Columbus", "Columbus, Ohio"])
    assert linker.decide(q, {}).qid == "Q16567"
    # NER took the town for a person; the text's "Sioux Falls, S.D." says it is the place
    q = Query("Sioux Falls", "person", ["Sioux Falls", "Sioux Falls, S.D."])
    assert linker.decide(q, {}).qid == "Q131335"
    assert linker.decide(Query("Sioux Falls", "person", ["Sioux Falls"]), {}).qid is None


def test_a_lowercase_word_is_no_name(tmp_path: Path) -> None:
    linker = _places_linker(tmp_path)
    assert linker.decide(Query("cts", "org", ["cts"]), {}).why == "not a name"
    assert linker.decide(Query("CTS", "org", ["CTS"]), {}).qid == "Q2990068"


def test_known_full_names_ner_misses(tmp_path: Path) -> None:
    recs = [
        _rec("Q1", "Jan Pieter Example", "person"),
        _rec("Q2", "Great Example Lake", "location"),
    ]
    path = tmp_path / "index.sqlite"
    write_index(merge(recs), path, {"test": True})
    linker = KbLinker(KbIndex(path))
    text = "Critics met Jan Pieter Example by Great Example Lake."
    s = text.index("Jan")
    assert linker.known_names(text) == [(s, s + len("Jan Pieter Example"))]  # people only


def test_an_org_named_in_full_as_a_country_is_the_country(tmp_path: Path) -> None:
    recs = [
        _rec("Q16641", "American Samoa", "location", source="countries", prior=2),
        _rec("Q2787872", "White House", "location", prior=1),  # a town in Tennessee
        _rec("Q1297", "Chicago", "location", prior=10),
    ]
    recs[0].description = "country, Oceania"
    recs[1].description = "place in Tennessee, US"
    path = tmp_path / "index.sqlite"
    write_index(merge(recs), path, {"test": True})
    linker = KbLinker(KbIndex(path))
    assert linker.decide(Query("American Samoa", "org", ["American Samoa"]), {}).qid == "Q16641"
    assert linker.decide(Query("White House", "org", ["White House"]), {}).qid is None  # no town
    assert linker.decide(Query("Chicago", "org", ["Chicago"]), {}).qid is None  # one word
