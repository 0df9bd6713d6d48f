"""Mention policy on sentences written for these tests: an entity's linked mentions are names of
it; demonyms and places inside longer names stay claim evidence only; spans prefer longer names."""

from __future__ import annotations

import pytest
from spacy.tokens import Span as SpacySpan

from stancestream.services.linking.actors import (
    Mention,
    _defined_acronyms,
    _surnames_as_persons,
    _trim,
    cluster,
)
from stancestream.services.linking.link import link_article
from stancestream.services.linking.matching import add_string_matches
from stancestream.services.linking.nlp import load_nlp, parse
from stancestream.services.linking.spans import datelines
from stancestream.services.stance.pairs import article_pairs
from stancestream.shared.contracts import Article, LinkedArticle


@pytest.fixture(scope="module")
def nlp():
    return load_nlp("en_core_web_sm")


def run(nlp, text: str) -> LinkedArticle:
    return link_article(nlp, Article(id="a_test", text=text, content_hash="h"))


def surfaces(linked: LinkedArticle, text: str, name: str) -> list[str]:
    ent = next(e for e in linked.entities if e.name == name)
    return [text[s:e] for s, e in ent.mentions]


def test_demonym_is_claim_evidence_not_a_name(nlp) -> None:
    text = "German officials said the Iranian proposal was unacceptable. Germany left the talks."
    linked = run(nlp, text)
    assert surfaces(linked, text, "Germany") == ["Germany"]  # not "German"
    first = linked.claims[0]
    ids = {e.name: e.id for e in linked.entities}
    assert first.speaker == ids["Germany"]  # German officials speak for Germany
    assert {m.entity for m in first.mentions} == {ids["Germany"], ids["Iran"]}
    pairs = article_pairs(linked, max_pairs_per_claim=8)
    assert any(p.source == ids["Germany"] and p.target == ids["Iran"] for p in pairs)


@pytest.mark.parametrize(
    "text, place",
    [
        ("Germany rejected the plan, and U.S. military commanders agreed.", "United States"),
        ("Farmers protested in northern Italy on Tuesday.", "Italy"),
        ("Travellers waited for hours at Paris's Orly Airport on Friday.", "Paris"),
    ],
)
def test_place_inside_a_longer_name_is_not_linked(nlp, text: str, place: str) -> None:
    linked = run(nlp, text)
    ent = next(e for e in linked.entities if e.name == place)
    assert ent.mentions == []
    assert any(m.entity == ent.id for c in linked.claims for m in c.mentions)


def test_place_as_a_name_keeps_its_mention(nlp) -> None:
    text = "The United States imposed sanctions on Iraq on Monday."
    linked = run(nlp, text)
    assert surfaces(linked, text, "Iraq") == ["Iraq"]


def test_index_number_is_part_of_the_name_but_a_score_is_not(nlp) -> None:
    text = "The FTSE 100 index rose 1 percent on Monday. The Denver Falcons won 4-0 on Sunday."
    linked = run(nlp, text)
    names = {e.name for e in linked.entities}
    assert "FTSE 100" in names
    assert not any(n.endswith(("4", "4-0")) for n in names)


def test_part_of_a_place_name_is_another_place(nlp) -> None:
    text = "He moved from York to New York last year."
    linked = run(nlp, text)
    assert {"York", "New York"} <= {e.name for e in linked.entities}


def test_string_match_never_inside_a_longer_name() -> None:
    text = "Ford fell. The Ford Foundation gave money, and Ford gained."
    actors = cluster([Mention(0, 4, "Ford", "ORG", "Ford")])
    add_string_matches(text, actors)
    assert [text[m.start : m.end] for m in actors[0].mentions] == ["Ford", "Ford"]
    assert actors[0].mentions[1].start == text.rindex("Ford")


def test_string_match_finds_names_with_a_lowercase_particle() -> None:
    text = 'Hassan al-Amiri spoke. "We saw them," al-Amiri said.'
    actors = cluster([Mention(7, 15, "al-Amiri", "PERSON", "al-Amiri")])
    add_string_matches(text, actors)
    assert len(actors[0].mentions) == 2


def test_surname_tagged_org_joins_the_person() -> None:
    ms = [
        Mention(0, 11, "Lena Okafor", "PERSON", "Lena Okafor"),
        Mention(30, 36, "Okafor", "ORG", "Okafor"),
        Mention(50, 64, "Okafor Holdings", "ORG", "Okafor Holdings"),
    ]
    _surnames_as_persons(ms)
    assert [m.label for m in ms] == ["PERSON", "PERSON", "ORG"]
    assert len(cluster(ms)) == 2


def test_datelines() -> None:
    text = "Headline here\nSPRINGFIELD, Ill. - For years it rained.\nCAIRO (AP) - Prices rose."
    found = [(text[s:e], us) for s, e, us in datelines(text)]
    assert found == [("SPRINGFIELD", True), ("CAIRO", False)]


def test_line_break_ends_a_sentence(nlp) -> None:
    chunk = parse(nlp, "Talks stall in the capital\nLindqvist said there were 14 delegates.")[0]
    assert [s.text.strip() for s in chunk.doc.sents][0] == "Talks stall in the capital"


def test_a_name_never_straddles_an_editorial_bracket():
    from stancestream.services.linking.link import link_article
    from stancestream.services.linking.nlp import load_nlp
    from stancestream.shared.contracts import Article

    text = (
        'The State Department said so on Monday. "Sadly, the [US] Department of State has been '
        'misled," Senator Rand Paul said.'
    )
    la = link_article(load_nlp("en_core_web_sm"), Article(id="a", text=text, content_hash="h"))
    spans = [text[s:e] for ent in la.entities for s, e in ent.mentions]
    assert not any("[" in x or "]" in x for x in spans), spans


def test_name_extent_the_inside_a_sentence_and_an_abbreviation_dot() -> None:
    from stancestream.services.linking.spans import name_extent

    text = "Shares of The Acme Depot fell. The Acme Depot said so; Jane met The Donald."
    s = text.index("Acme Depot")
    assert text[slice(*name_extent(text, s, s + len("Acme Depot")))] == "The Acme Depot"
    s = text.index("Acme Depot", s + 1)  # the sentence's own "The" is no part of the name
    assert text[slice(*name_extent(text, s, s + len("Acme Depot")))] == "Acme Depot"
    s = text.index("Donald")
    assert text[slice(*name_extent(text, s, s + 6))] == "The Donald"
    headline = "Storm Hits The Acme Depot Again\nIt rained."
    s = headline.index("Acme")
    assert name_extent(headline, s, s + len("Acme Depot")) == (s, s + len("Acme Depot"))
    text = "They went to Laramie County, Wyo. The day after, Acme Inc. said so."
    s = text.index("Wyo")
    assert text[slice(*name_extent(text, s, s + 3))] == "Wyo."
    s = text.index("Acme Inc")
    assert text[slice(*name_extent(text, s, s + 8))] == "Acme Inc."
    # an ordinary word before a full stop keeps it out
    assert name_extent("in Laramie County. Then", 3, 17) == (3, 17)


def test_places_inside_compound_names_and_regions_are_not_named(nlp) -> None:
    text = (
        "The best scores went to San Diego; Minneapolis-St. Paul; and Denver. "
        "Fog at London's Heathrow Airport delayed flights from the Nevada desert to Denver."
    )
    linked = run(nlp, text)
    names = {text[s:e] for ent in linked.entities for s, e in ent.mentions}
    assert {"San Diego", "Denver"} <= names
    assert not names & {"Minneapolis", "St. Paul", "London", "Nevada"}


def test_a_name_with_a_defined_acronym_is_one_actor_and_the_acronym_names_it(nlp) -> None:
    text = (
        "Delegates of the Marsh Growers Federation (MGF) met in Lagos on Monday. "
        "The MGF wants higher prices, its chairman Tunde Bello said."
    )
    linked = run(nlp, text)
    assert surfaces(linked, text, "Marsh Growers Federation") == [
        "Marsh Growers Federation",
        "MGF",
        "MGF",
    ]


def test_a_defined_acronym_makes_a_name_of_words_ner_took_for_a_demonym(nlp) -> None:
    text = (
        "The town was retaken from militants of the Islamic State terror group "
        "(IS, outlawed in many countries). IS fighters fled north."
    )
    linked = run(nlp, text)
    assert surfaces(linked, text, "Islamic State") == ["Islamic State", "IS", "IS"]


def test_an_acronym_whose_initials_do_not_spell_the_name_defines_nothing(nlp) -> None:
    spelled = parse(nlp, "Delegates of the Marsh Growers Federation (MGF) met on Monday.")
    assert [m.name for m in _defined_acronyms(spelled[0])] == ["Marsh Growers Federation"]
    for text in (
        "Delegates of the Marsh Growers Federation (XYZ) met on Monday.",
        "Delegates of the Marsh Growers Federation (MG) met on Monday.",
        "Delegates of the marsh growers federation (MGF) met on Monday.",
    ):
        assert _defined_acronyms(parse(nlp, text)[0]) == []


def test_an_organisation_word_is_part_of_the_name_not_a_stance_noun(nlp) -> None:
    text = "The Northern Farmers Alliance said it would meet the minister in Accra."
    linked = run(nlp, text)
    assert "Northern Farmers Alliance" in {e.name for e in linked.entities}


def test_a_country_institution_speaks_for_the_country(nlp) -> None:
    text = "On Monday the Ghanaian army said the border with Togo was calm."
    linked = run(nlp, text)
    ids = {e.name: e.id for e in linked.entities}
    assert linked.claims[0].speaker == ids["Ghana"]


def test_a_country_ner_took_for_a_person_is_a_country(nlp) -> None:
    text = "On Monday the Nigerian government said the border with Benin was calm."
    linked = run(nlp, text)
    types = {e.name: e.type for e in linked.entities}
    assert types["Benin"] == "country"
    assert linked.claims[0].speaker == next(e.id for e in linked.entities if e.name == "Nigeria")


def test_a_person_named_like_a_country_stays_a_person(nlp) -> None:
    text = "Coach Michael Jordan praised Chad Smith on Monday. Jordan said Smith was ready."
    types = {e.name: e.type for e in run(nlp, text).entities}
    assert types == {"Michael Jordan": "person", "Chad Smith": "person"}


def _names(actors) -> list[list[str]]:
    return [[m.text for m in a.mentions] for a in actors]


def test_a_company_bare_name_ner_took_for_a_person_is_the_company() -> None:
    actors = cluster(
        [
            Mention(0, 10, "Paxar Corp", "ORG", "Paxar Corp"),
            Mention(40, 45, "Paxar", "PERSON", "Paxar"),
        ]
    )
    assert _names(actors) == [["Paxar Corp", "Paxar"]]
    assert actors[0].type == "org"


def test_a_surname_stays_the_person_even_beside_a_company_of_that_name() -> None:
    actors = cluster(
        [
            Mention(0, 12, "Dana Quorval", "PERSON", "Dana Quorval"),
            Mention(20, 32, "Quorval Corp", "ORG", "Quorval Corp"),
            Mention(50, 57, "Quorval", "PERSON", "Quorval"),
        ]
    )
    assert _names(actors) == [["Dana Quorval", "Quorval"], ["Quorval Corp"]]


def test_wire_possessive_of_a_company_short_name_is_the_company() -> None:
    actors = cluster(
        [
            Mention(0, 15, "Fleet Financial", "ORG", "Fleet Financial"),
            Mention(40, 46, "Fleets", "ORG", "Fleets"),
            Mention(60, 67, "Iraqis", "NORP", "Iraqis"),
            Mention(70, 92, "Iraqi National Congress", "ORG", "Iraqi National Congress"),
        ]
    )
    groups = _names(actors)
    assert ["Fleet Financial", "Fleets"] in groups
    assert ["Iraqi National Congress"] in groups  # a demonym's plural is not the party


def test_a_month_after_a_company_is_not_part_of_its_name(nlp) -> None:
    doc = parse(nlp, "They denied the claims in Advent Voice March lawsuit.")[0].doc
    start = next(t.i for t in doc if t.text == "Advent")
    span = _trim(SpacySpan(doc, start, start + 3, label="ORG"))
    assert span is not None and span.text == "Advent Voice"


def test_an_organisation_ner_split_in_pieces_is_one_name(nlp) -> None:
    text = (
        "The charity pays for insurance through the Blue Cross and Blue Shield of Texas plan. "
        "Shares of Coastal Outfitters of Oregon Inc. fell, while Microsoft and Google of "
        "Seattle rose."
    )
    names = {e.name for e in run(nlp, text).entities}
    assert "Blue Cross and Blue Shield of Texas" in names
    assert not {"Blue Shield", "Texas"} & names
    assert "Coastal Outfitters of Oregon Inc" in names
    assert {"Microsoft", "Google"} <= names  # two companies, not one name


def test_a_firm_named_for_its_partners_is_one_company_its_partners_name_names(nlp) -> None:
    # NER splits these into "Merck" / "Burns", "Pauli" and a company "Co Inc"
    text = "Merck and Co Inc said a merger would help. Burns, Pauli and Co Inc co-managed the deal."
    names = {e.name for e in run(nlp, text).entities}
    assert {"Merck and Co Inc", "Burns, Pauli and Co Inc"} <= names
    assert not {"Co Inc", "Merck", "Burns", "Pauli"} & names
    text = "Alan Quist and Co Inc said its profit rose. Quist said the issue sold well."
    linked = run(nlp, text)
    assert surfaces(linked, text, "Alan Quist and Co Inc") == ["Alan Quist and Co Inc", "Quist"]
    assert [e.type for e in linked.entities] == ["org"]


def test_a_bond_rating_is_no_organisation_but_the_motoring_club_is(nlp) -> None:
    rated = run(nlp, "Acme Corp said its outstanding issues are rated AAA/AA by the agencies.")
    assert not any(e.name.startswith("AAA") for e in rated.entities)
    club = run(nlp, "About 40 million people are expected by AAA to travel this weekend.")
    assert "AAA" in {e.name for e in club.entities}


def test_a_link_ends_a_name_and_an_earnings_table_names_no_one(nlp) -> None:
    linked = run(nlp, '"What a night!" – Jennifer Lawrence http://t.co/abc123XYZ on Friday.')
    assert "Jennifer Lawrence" in {e.name for e in linked.entities}
    assert not any("http" in e.name for e in linked.entities)
    table = run(nlp, "Acme Corp said. 4th qtr Shr loss 17 cts vs loss 22 cts Revs 27.3 mln vs 23.7")
    assert not any(e.type == "person" for e in table.entities), table.entities


def test_a_name_written_twice_without_a_space_is_that_name(nlp) -> None:
    text = (
        "Noranda Inc said the mine was not insured. The costs of insuring all of "
        "NorandaNoranda's underground operations would have been prohibitive, it said."
    )
    names = {e.name for e in run(nlp, text).entities}
    assert "NorandaNoranda" not in names and "Noranda Inc" in names


def test_a_name_right_after_a_persons_role_is_a_person(nlp) -> None:
    text = (
        '"It has always been my business," Riley said. Heat center Alonzo Mourning said he '
        "did not know. On Wednesday he deactivated forwards Antoine Walker and James Posey."
    )
    types = {e.name: e.type for e in run(nlp, text).entities}
    # NER's small model tags both names ORG here
    assert types["Alonzo Mourning"] == types["Antoine Walker"] == "person", types
    assert types["James Posey"] == "person"


def test_a_place_that_names_a_war_is_no_mention_of_the_place(nlp) -> None:
    text = (
        "Kerry, a Vietnam veteran, said the Vietnam-era draft and the Iraq war were mistakes. "
        "Vietnam and China later signed a trade pact."
    )
    linked = run(nlp, text)
    assert surfaces(linked, text, "Vietnam") == ["Vietnam"]
    assert (
        text.rfind("Vietnam and")
        == next(e for e in linked.entities if e.name == "Vietnam").mentions[0][0]
    )
    assert all(e.name != "Iraq" or not e.mentions for e in linked.entities)


def test_a_place_after_a_persons_name_and_of_is_the_place(nlp) -> None:
    text = '"We came to thank him," said Mary Holt of Lansing, who had waited all night.'
    actor = next(a for a in run(nlp, text).entities if a.name == "Lansing")
    assert actor.type == "location"


def test_a_company_is_named_by_the_first_word_of_its_full_name() -> None:
    # wire copy: "Burlington Industries Inc" once, then "Burlington said", "Burlington bought"
    ms = [
        Mention(0, 25, "Burlington Industries Inc", "ORG", "Burlington Industries Inc"),
        Mention(40, 50, "Burlington", "ORG", "Burlington"),
        Mention(60, 70, "Burlington", "ORG", "Burlington"),
        Mention(80, 106, "Continental Bank of Canada", "ORG", "Continental Bank of Canada"),
        Mention(120, 131, "Continental", "ORG", "Continental"),
    ]
    names = {a.name: len(a.mentions) for a in cluster(ms)}
    assert names == {"Burlington Industries Inc": 3, "Continental Bank of Canada": 2}


@pytest.mark.parametrize(
    "others",
    [
        # the word begins two companies' names: which one is meant is not said
        [Mention(80, 104, "Burlington Northern Inc", "ORG", "Burlington Northern Inc")],
        # the word is a person's name here
        [Mention(80, 96, "James Burlington", "PERSON", "James Burlington")],
    ],
)
def test_a_first_word_names_no_company_where_it_could_name_another(others) -> None:
    ms = [
        Mention(0, 25, "Burlington Industries Inc", "ORG", "Burlington Industries Inc"),
        Mention(40, 50, "Burlington", "ORG", "Burlington"),
        *others,
    ]
    company = next(a for a in cluster(ms) if a.name == "Burlington Industries Inc")
    assert len(company.mentions) == 1


def test_a_name_made_of_its_partners_names_leaves_each_partner_its_own_actor() -> None:
    text = "Fieldcrest Cannon Inc, the result of a merger of Fieldcrest and Cannon, rose."
    ms = [
        Mention(0, 21, "Fieldcrest Cannon Inc", "ORG", "Fieldcrest Cannon Inc"),
        Mention(49, 59, "Fieldcrest", "ORG", "Fieldcrest"),
        Mention(64, 70, "Cannon", "ORG", "Cannon"),
    ]
    assert [text[m.start : m.end] for m in ms] == ["Fieldcrest Cannon Inc", "Fieldcrest", "Cannon"]
    names = {a.name for a in cluster(ms)}
    assert names == {"Fieldcrest Cannon Inc", "Fieldcrest", "Cannon"}


def test_an_acronym_leaves_out_the_legal_form(nlp) -> None:
    text = (
        "CMS Enhancements Inc said it has introduced products for the new International "
        "Business Machines Corp IBM Personal System/2 computers. CMS said IBM would like them."
    )
    linked = run(nlp, text)
    assert surfaces(linked, text, "International Business Machines Corp") == [
        "International Business Machines Corp",
        "IBM",
        "IBM",
    ]


def test_a_firm_named_for_a_family_is_one_company(nlp) -> None:
    text = "Christopher Clark of the bankers Samuel Montagu and Sons Ltd said demand was strong."
    names = {e.name: e.type for e in run(nlp, text).entities}
    assert names.get("Samuel Montagu and Sons Ltd") == "org"
    assert not {"Sons Ltd", "Samuel Montagu"} & set(names)


@pytest.mark.parametrize(
    "text, junk",
    [
        ("Net profit was 19 cts a share against 12 cts a year earlier.", "cts"),
        ("The bill passed the senate and the navy said it agreed.", "senate"),
    ],
)
def test_a_name_has_a_capital_letter(nlp, text: str, junk: str) -> None:
    # a lowercase span NER labels is a common noun ("cts" for cents), never an actor
    assert all(any(ch.isupper() for ch in e.name) for e in run(nlp, text).entities), junk


def test_a_rank_before_a_name_is_no_part_of_it(nlp) -> None:
    doc = nlp("The 4th ranked Cardinals beat Kentucky.")
    span = doc.char_span(4, 24, label="ORG")
    assert span is not None and span.text == "4th ranked Cardinals"
    trimmed = _trim(span)
    assert trimmed is not None and trimmed.text == "Cardinals"


def test_a_name_with_a_legal_form_is_a_company_whatever_ner_said() -> None:
    ms = [Mention(0, 13, "Ameribanc Inc", "PERSON", "Ameribanc Inc")]
    assert cluster(ms)[0].type == "org"


def test_a_hashtag_names_no_actor(nlp) -> None:
    linked = run(nlp, "#TwoPaths The problem with Donald Trump's position is how often it shifts.")
    names = {e.name for e in linked.entities}
    assert "Donald Trump" in names and "TwoPaths" not in names, names
