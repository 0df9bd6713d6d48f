"""Attribution rules on sentences written for these tests: closing attributions, "quoted as
saying", organisations behind plural officials and documents, company descriptions, and how a
pronoun finds its person (same sentence, story subject, gender the text states)."""

from __future__ import annotations

import pytest

from stancestream.services.linking.link import link_article
from stancestream.services.linking.nlp import load_nlp
from stancestream.shared.contracts import Article


@pytest.fixture(scope="module")
def nlp():
    return load_nlp("en_core_web_sm")


def speaker(nlp, text: str, fragment: str) -> str | None:
    linked = link_article(nlp, Article(id="a_test", text=text, content_hash="h"))
    names = {e.id: e.name for e in linked.entities}
    claim = next(c for c in linked.claims if fragment in c.text)
    return names.get(claim.speaker) if claim.speaker else None


@pytest.mark.parametrize(
    "text, fragment, expected",
    [
        # the attribution closing the sentence wins over a cue inside the reported clause
        (
            "Ana Ruiz flew home. An aide to Senator Paul Grant told the family that he was on a "
            "list, Ruiz said.",
            "on a list",
            "Ruiz",
        ),
        (
            "Some 40 wolves were counted in 2019, Lars Berg, a spokesman for the Swedish Forestry "
            "Agency, was quoted as saying by the Nordic Press Agency.",
            "wolves",
            "Lars Berg",
        ),
        (
            "Officials with the Federal Aviation Administration said the runway was closed.",
            "runway",
            "Federal Aviation Administration",
        ),
        (
            "Dozens of stores closed, according to a report in The Boston Globe.",
            "stores",
            "Boston Globe",
        ),
        (
            "The Springfield Transit Authority rejected the plan.\n"
            '"We strongly disagree with this study," the statement said.',
            "disagree",
            "Springfield Transit Authority",
        ),
        (
            "Acme Corp. cut jobs on Monday. The company said demand had collapsed.",
            "demand",
            "Acme Corp",
        ),
        (
            "Brightline Tools Inc. reported higher sales. "
            "The Ohio-based company said profits rose.",
            "profits",
            "Brightline Tools Inc",
        ),
    ],
)
def test_source_rules(nlp, text: str, fragment: str, expected: str) -> None:
    assert speaker(nlp, text, fragment) == expected


def test_pronoun_prefers_a_person_named_earlier_in_its_sentence(nlp) -> None:
    text = (
        '"The deal is done," said Paul Grant. Victor Okafor\'s exit was a surprise in that '
        "he told reporters in May that he would stay."
    )
    assert speaker(nlp, text, "surprise") == "Victor Okafor"


def test_she_prefers_the_woman_the_text_marks(nlp) -> None:
    text = (
        "Paul Grant's wife, Susan Grant, backed the move. Coach Tom Hale said Paul Grant had "
        'hired a new assistant.\n"We missed the family feeling," she said.'
    )
    assert speaker(nlp, text, "family feeling") == "Susan Grant"


def test_pronoun_follows_the_story_subject_not_a_person_named_as_object(nlp) -> None:
    text = (
        '"We knew it," said Tom Hale. Victor Okafor\'s frustration has grown this season.\n'
        "But he said the team's record did not matter."
    )
    assert speaker(nlp, text, "team's record") == "Victor Okafor"
    text = (
        "Paul Grant said the city would name a bridge after Victor Okafor.\n"
        '"It would be fitting," he said.'
    )
    assert speaker(nlp, text, "fitting") == "Paul Grant"


def test_quote_with_an_unnamed_source_does_not_inherit_the_last_speaker(nlp) -> None:
    text = (
        '"We will win," said Angela Merkel.\n'
        '"The vote was rigged," said an adviser to the prime minister, who asked not to be '
        "named by Reuters."
    )
    assert speaker(nlp, text, "rigged") != "Angela Merkel"


def test_a_statement_released_by_an_organisation_is_its_own(nlp) -> None:
    text = (
        "John Sargent, chief executive of Macmillan, said the deal was fair. Amazon released a"
        " separate statement saying, \u201cIt allows us to grow our business with Macmillan.\u201d"
    )
    linked = link_article(nlp, Article(id="t", text=text, content_hash="t"))
    names = {e.id: e.name for e in linked.entities}
    quote = next(c for c in linked.claims if c.kind == "quote")
    assert names[quote.speaker] == "Amazon"


def test_an_unnamed_spokeswoman_speaks_for_the_company_her_description_names(nlp) -> None:
    text = (
        "An audit found the costs too high, a Hollis Co spokeswoman said. The Hollis "
        "spokeswoman said the company feels the report by Brandt Partners is flawed. She said "
        "the report was released yesterday. Later, chairman Robert Kane told a news conference "
        "the audit was wrong, and Kane said he would appeal."
    )
    assert speaker(nlp, text, "feels the report") == "Hollis Co"
    # "she" goes on for the body whose spokeswoman spoke last
    assert speaker(nlp, text, "released yesterday") == "Hollis Co"


def test_a_person_who_speaks_only_later_is_no_antecedent_of_a_description(nlp) -> None:
    # the readings resolve subjects again once the whole article is attributed: a speaker
    # attributed after the description must not be taken for the one it refers back to
    text = (
        "The plant will cost more. The spokeswoman said the report by Brandt Partners is "
        "flawed and biased. Later, chairman Robert Kane told a news conference it was wrong."
    )
    linked = link_article(nlp, Article(id="a_test", text=text, content_hash="h"))
    kane = next(e for e in linked.entities if e.name == "Robert Kane")
    assert [text[s:e] for s, e in kane.mentions + kane.references if s < 100] == []


def test_an_act_and_a_statement_conjoined_are_two_claims(nlp) -> None:
    # the statement's stance is read from the statement alone, not from the thanks before it
    text = (
        "Ukrainian President Volodymyr Zelenskiy thanked Joe Biden for his support and said "
        "Russia would not stop at Ukraine."
    )
    linked = link_article(nlp, Article(id="a_test", text=text, content_hash="h"))
    names = {e.id: e.name for e in linked.entities}
    claims = {c.text: c for c in linked.claims}
    assert set(claims) == {
        "Ukrainian President Volodymyr Zelenskiy thanked Joe Biden for his support",
        "said Russia would not stop at Ukraine.",
    }
    said = claims["said Russia would not stop at Ukraine."]
    assert names.get(said.speaker) == "Volodymyr Zelenskiy"
    assert {names[p.target] for p in said.pairs or ()} == {"Russia"}


def test_a_statement_with_its_own_act_inside_is_one_claim(nlp) -> None:
    text = "Jane Roe said she thanked John Smith and praised his work."
    linked = link_article(nlp, Article(id="a_test", text=text, content_hash="h"))
    assert [c.text for c in linked.claims] == [text]
