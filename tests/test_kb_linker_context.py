"""KbLinker document rules on a tiny hand-written index: places the text puts in the US, parties
that need their country in the document, and a second pass once the whole document is linked."""

from __future__ import annotations

from pathlib import Path

import pytest

from stancestream.services.linking.actors import Mention
from stancestream.services.linking.kb import US_STATE
from stancestream.services.linking.kb.build import merge, write_index
from stancestream.services.linking.kb.context import names_a_seat
from stancestream.services.linking.kb.linker import KbLinker, Query, _department_forms
from stancestream.services.linking.kb.sources import Record
from stancestream.services.linking.kb.store import KbIndex


def _rec(
    qid: str,
    name: str,
    type_: str,
    *aliases: str,
    country: str | None = None,
    prior: float = 1.0,
    source: str = "wikidata",
) -> Record:
    rec = Record(qid, name, type_, source, country=country, prior=prior)
    for a in (name, *aliases):
        rec.aliases[a] = rec.aliases.get(a, 0.0) + 1.0
    return rec


BASE = [
    _rec(
        "Q30",
        "United States of America",
        "country",
        "U.S.",
        "United States",
        country="Q30",
        prior=20,
        source="countries",
    ),
    _rec("Q241", "Cuba", "country", country="Q241", prior=20, source="countries"),
    _rec("Q900010", "Springfield", "location", prior=4),  # no country known
    _rec("Q900001", "PNR", "party", country="Q241", prior=0.5, source="parties"),
    _rec("Q29552", "Democratic Party", "party", "Democrats", country="Q30", source="parties"),
    _rec("Q47729", "Democratic Party", "party", "Democrats", country="Q38", source="parties"),
]


def _linker(tmp_path: Path, records: list[Record]) -> KbLinker:
    path = tmp_path / "index.sqlite"
    write_index(merge(records), path, {"test": True})
    return KbLinker(KbIndex(path))


@pytest.fixture()
def linker(tmp_path: Path) -> KbLinker:
    return _linker(tmp_path, BASE)


def test_place_the_text_puts_in_the_us_needs_a_us_entry(linker: KbLinker, tmp_path: Path) -> None:
    plain = Query("Springfield", "location", ["Springfield"], {"GPE"})
    qualified = Query("Springfield", "location", ["Springfield"], {"GPE"}, "United States")
    assert linker.link_queries([plain]) == ["Q900010"]
    assert linker.link_queries([qualified]) == [None]  # "SPRINGFIELD, Ill.": not verifiable
    (tmp_path / "us").mkdir()
    us = _rec("Q900011", "Springfield", "location", country="Q30", prior=1)
    assert _linker(tmp_path / "us", [*BASE, us]).link_queries([qualified]) == ["Q900011"]


def test_party_needs_its_country_in_the_document(linker: KbLinker) -> None:
    pnr = Query("PNR", "org", ["PNR"], {"ORG"})
    assert linker.link_queries([pnr]) == [None]
    assert linker.link_queries([Query("Cuba", "country", ["Cuba"]), pnr]) == ["Q241", "Q900001"]


def test_second_pass_uses_what_the_document_linked_later(linker: KbLinker) -> None:
    doc = [
        Query("Democrats", "group", ["Democrats"], {"NORP"}),
        Query("U.S", "location", ["U.S."], {"GPE"}),
    ]
    assert linker.link_queries(doc) == ["Q29552", "Q30"]


def test_party_the_kb_gives_no_country_does_not_win_a_tie_by_default(tmp_path: Path) -> None:
    """ "Republicans criticized Donald Trump": two parties of the name with the same alias
    count, one in the US and one whose country the KB lacks; the US person decides, and
    with nothing in the document to decide the name stays unlinked."""
    records = [
        *BASE,
        _rec("Q900020", "Republican Party", "party", "Republicans", country="Q30", prior=0.5),
        _rec("Q900021", "Republican Party", "party", "Republicans", prior=0.5),
        _rec("Q900022", "Donald Trump", "person", country="Q30", prior=5),
    ]
    linker = _linker(tmp_path, records)
    republicans = Query("Republicans", "group", ["Republicans"], {"NORP"})
    trump = Query("Donald Trump", "person", ["Donald Trump"], {"PERSON"})
    assert linker.link_queries([republicans, trump]) == ["Q900020", "Q900022"]
    assert linker.link_queries([republicans]) == [None]


def test_department_named_by_its_title_is_the_one_of_the_documents_country(
    tmp_path: Path,
) -> None:
    """ "Homeland Security Secretary Jane Roe spoke in the U.S.": the short name is no alias,
    the department's full name is, and only the department of a country the document links."""
    records = [
        *BASE,
        _rec("Q900030", "Department of Homeland Security", "gov", country="Q30"),
        _rec("Q900031", "Department of Agriculture", "gov", country="Q241"),
    ]
    linker = _linker(tmp_path, records)
    text = "Homeland Security Secretary Jane Roe and Agriculture Secretary John Doe spoke."

    def org(name: str) -> Query:
        start = text.index(name)
        mention = Mention(start, start + len(name), name, "ORG", name)
        return Query(name, "org", [name, *_department_forms(text, [mention])], {"ORG"})

    us = Query("U.S", "location", ["U.S."], {"GPE"})
    assert linker.link_queries([org("Homeland Security"), us]) == ["Q900030", "Q30"]
    assert linker.link_queries([org("Homeland Security")]) == [None]
    assert linker.link_queries([org("Agriculture"), us]) == [None, "Q30"]  # Cuba's


def test_an_office_holders_of_place_is_the_state_not_its_namesake_city(tmp_path: Path) -> None:
    state = _rec("Q1384", "New York", "location", country="Q30", prior=5)
    state.description = US_STATE
    city = _rec("Q60", "New York City", "location", *["New York"] * 3, country="Q30", prior=11)
    linker = _linker(tmp_path, [*BASE, state, city])
    text = "Sen. Charles Schumer of New York said so. Prices in New York rose."
    seat, town = text.index("New York"), text.rindex("New York")
    assert names_a_seat(text, [(seat, seat + 8)])
    assert not names_a_seat(text, [(town, town + 8)])
    assert linker.link_queries([Query("New York", "location", ["New York"], seat=True)]) == [
        "Q1384"
    ]
    assert linker.link_queries([Query("New York", "location", ["New York"])]) == ["Q60"]


def test_a_company_named_in_full_links_through_its_first_word_only_to_its_own_entity(
    tmp_path: Path,
) -> None:
    # the KB spells the carmaker "Ford Motor Company"; "Burlington" is only a clothing store
    records = [
        _rec("Q44294", "Ford", "org", "Ford Motor Company", source="nsi"),
        _rec("Q4999220", "Burlington", "org", "Burlington Stores", country="Q30", source="nsi"),
        _rec("Q35349", "Kia", "org", "Kia Motors", source="nsi"),
    ]
    linker = _linker(tmp_path, records)
    ford = Query("Ford Motor Co", "org", ["Ford Motor Co", "Ford"], {"ORG"})
    kia = Query("Kia Motor Corp", "org", ["Kia Motor Corp", "Kia"], {"ORG"})
    burlington = Query(
        "Burlington Industries Inc", "org", ["Burlington Industries Inc", "Burlington"], {"ORG"}
    )
    assert linker.link_queries([ford, kia, burlington]) == ["Q44294", "Q35349", None]
    # without the first word among its names, the full name alone finds no candidate
    assert linker.link_queries([Query("Ford Motor Co", "org", ["Ford Motor Co"], {"ORG"})]) == [
        None
    ]


def test_a_government_body_needs_its_country_in_the_document(tmp_path: Path) -> None:
    records = [
        *BASE,
        _rec("Q145", "United Kingdom", "country", "Britain", country="Q145", source="countries"),
        _rec("Q3545667", "Department of Trade and Industry", "gov", "DTI", country="Q928"),
        _rec("Q2289697", "Federal Police of Brazil", "gov", "Federal", country="Q155"),
        _rec("Q8333", "Federal Bureau of Investigation", "gov", "FBI", country="Q30"),
    ]
    linker = _linker(tmp_path, records)
    britain = Query("Britain", "country", ["Britain"], {"GPE"})
    dti = Query("Department of Trade and Industry", "gov", ["Department of Trade and Industry"])
    # a British story: the Philippine department of that name is not the one meant
    assert linker.link_queries([britain, dti]) == ["Q145", None]
    # a story that links no country: its full name may link, one word of it may not
    assert linker.link_queries([dti]) == ["Q3545667"]
    assert linker.link_queries([Query("Federal", "org", ["Federal"], {"ORG"})]) == [None]
    us = Query("U.S.", "country", ["U.S."], {"GPE"})
    assert linker.link_queries([us, Query("FBI", "gov", ["FBI"], {"ORG"})]) == ["Q30", "Q8333"]


def test_a_small_chain_named_by_one_word_links_only_where_its_country_is(tmp_path: Path) -> None:
    records = [
        *BASE,
        _rec("Q900020", "Rolls", "org", country="Q33", prior=0.25, source="nsi"),
        _rec("Q900021", "House", "org", prior=0.25, source="nsi"),
        _rec("Q900022", "Delta", "org", country="Q30", prior=0.5, source="nsi"),
        _rec("Q900023", "Delta", "org", country="Q801", prior=0.25, source="nsi"),
    ]
    for r in records[-4:]:
        r.description = "brand (shop/clothes)"
    linker = _linker(tmp_path, records)
    us = Query("U.S.", "country", ["U.S."], {"GPE"})
    rolls = Query("Rolls", "org", ["Rolls"], {"ORG"})
    house = Query("House", "org", ["House"], {"ORG"})
    delta = Query("Delta", "org", ["Delta"], {"ORG"})
    # a Finnish chain in a story that links no Finland; a chain with no country at all
    assert linker.link_queries([us, rolls, house]) == ["Q30", None, None]
    # neither chain is placed by the article; each stays a rival of the other's
    assert linker.link_queries([delta]) == [None]
    finland = _rec("Q33", "Finland", "country", country="Q33", prior=20, source="countries")
    (tmp_path / "fi").mkdir()
    fi = Query("Finland", "country", ["Finland"], {"GPE"})
    assert _linker(tmp_path / "fi", [*records, finland]).link_queries([fi, rolls]) == [
        "Q33",
        "Q900020",
    ]


def test_a_us_style_double_legal_form_is_dropped_whole_but_not_a_british_one(
    tmp_path: Path,
) -> None:
    # Reuters writes "Best Buy Co Inc" and "Morgan Stanley and Co Inc"; the KB has "Best Buy".
    # "General Electric Co Plc" is the British GEC, not the American General Electric
    records = [
        _rec("Q533415", "Best Buy", "org", source="nsi"),
        _rec("Q334204", "Morgan Stanley", "org", source="nsi"),
        _rec("Q54173", "General Electric", "org", source="nsi"),
    ]
    linker = _linker(tmp_path, records)
    names = ["Best Buy Co Inc", "Morgan Stanley and Co Inc", "General Electric Co Plc"]
    got = linker.link_queries([Query(n, "org", [n], {"ORG"}) for n in names])
    assert got == ["Q533415", "Q334204", None]
