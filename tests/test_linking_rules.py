"""Linking rules on sentences written for these tests: attribution, affiliation, clustering, ids."""

from __future__ import annotations

import pytest

from stancestream.services.linking import names as nm
from stancestream.services.linking.claims import quote_spans
from stancestream.services.linking.link import link_article
from stancestream.services.linking.nlp import load_nlp, paragraphs
from stancestream.shared.contracts import Article, LinkedArticle


@pytest.fixture(scope="module")
def nlp():
    return load_nlp("en_core_web_sm")


def run(nlp, text: str, article_id: str = "a_test") -> LinkedArticle:
    return link_article(nlp, Article(id=article_id, text=text, content_hash="h"))


def by_name(linked: LinkedArticle) -> dict[str, str]:
    return {e.name: e.id for e in linked.entities}


def speaker_of(linked: LinkedArticle, fragment: str) -> tuple[str | None, str]:
    """(speaker name, kind) of the claim whose text contains ``fragment``."""
    names = {e.id: e.name for e in linked.entities}
    claim = next(c for c in linked.claims if fragment in c.text)
    return names.get(claim.speaker) if claim.speaker else None, claim.kind


# ---- names ------------------------------------------------------------------------------------
def test_normalise_strips_article_possessive_brackets_and_titles() -> None:
    assert nm.normalise("the US State Department’s") == "US State Department"
    assert nm.normalise("[US] Department of State") == "US Department of State"
    assert nm.normalise("Major General Ivan Petrov", person=True) == "Ivan Petrov"


def test_department_of_x_matches_x_department() -> None:
    assert nm.key_tokens("Department of Energy") == nm.key_tokens("Energy Department")
    assert nm.key_tokens("US Department of State") == nm.key_tokens("the US State Department")


def test_org_types() -> None:
    assert nm.org_type("NATO") == "intl_org"
    assert nm.org_type("United Nations") == "intl_org"
    assert nm.org_type("Labour Party") == "party"
    assert nm.org_type("Ministry of Finance") == "gov"
    assert nm.org_type("Gazprom") == "org"


def test_quote_spans_straight_curly_and_unclosed() -> None:
    text = 'He said "yes" and “no”, then "maybe'
    assert [text[s:e] for s, e in quote_spans(text)] == ['"yes"', "“no”", '"maybe']


def test_paragraphs_keep_offsets() -> None:
    text = "  First one.\n\n\nSecond one.  \n"
    assert [text[s:e] for s, e in paragraphs(text)] == ["First one.", "Second one."]


# ---- quotes -----------------------------------------------------------------------------------
def test_straight_quote_attributed_to_named_speaker(nlp) -> None:
    linked = run(nlp, '"We will not accept these terms," Angela Merkel said on Tuesday.')
    assert speaker_of(linked, "these terms") == ("Angela Merkel", "quote")


def test_curly_quote_with_inverted_attribution(nlp) -> None:
    linked = run(nlp, "“The sanctions are illegal,” said Sergei Lavrov.")
    assert speaker_of(linked, "illegal") == ("Sergei Lavrov", "quote")


def test_multi_sentence_quote_is_one_claim_with_its_attribution(nlp) -> None:
    text = (
        "“The talks have failed. Nobody in Europe wants another war,” "
        "Emmanuel Macron told reporters in Paris."
    )
    linked = run(nlp, text)
    claim = next(c for c in linked.claims if "talks have failed" in c.text)
    assert "another war" in claim.text and "told reporters" in claim.text
    assert speaker_of(linked, "talks have failed") == ("Emmanuel Macron", "quote")


def test_he_stressed_resolves_to_last_named_speaker(nlp) -> None:
    text = (
        "Emmanuel Macron said on Monday that France would send aid.\n\n"
        '"Europe must defend itself," he stressed.'
    )
    linked = run(nlp, text)
    assert speaker_of(linked, "defend itself") == ("Emmanuel Macron", "quote")
    macron = next(e for e in linked.entities if e.name == "Emmanuel Macron")
    assert any(text[s:e] == "he" for s, e in macron.references)
    assert not any(text[s:e] == "he" for s, e in macron.mentions)  # not a name of Macron
    claim = next(c for c in linked.claims if "defend itself" in c.text)
    assert any(
        m.entity == macron.id and claim.text[m.span[0] : m.span[1]] == "he" for m in claim.mentions
    )


# ---- reported speech --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sentence, fragment, speaker",
    [
        (
            "Turkish President Recep Tayyip Erdogan accused Israel of violating the ceasefire.",
            "Israel",
            "Recep Tayyip Erdogan",
        ),
        ("Boris Johnson denied that he had misled parliament.", "misled", "Boris Johnson"),
        ("Angela Merkel warned that the euro was in danger.", "euro", "Angela Merkel"),
        ("Sergei Lavrov noted that Moscow had kept its promises.", "promises", "Sergei Lavrov"),
    ],
)
def test_reported_speech_cue_verbs(nlp, sentence: str, fragment: str, speaker: str) -> None:
    assert speaker_of(run(nlp, sentence), fragment) == (speaker, "reported")


def test_according_to(nlp) -> None:
    linked = run(
        nlp, "According to the World Health Organization, the outbreak is spreading in Nigeria."
    )
    assert speaker_of(linked, "outbreak") == ("World Health Organization", "reported")


def test_description_resolves_to_titled_person(nlp) -> None:
    text = (
        "Polish Prime Minister Donald Tusk met Olaf Scholz in Warsaw. "
        "The Polish prime minister said that Germany must do more."
    )
    assert speaker_of(run(nlp, text), "must do more") == ("Donald Tusk", "reported")


def test_sentence_without_speaker_is_the_outlets(nlp) -> None:
    linked = run(nlp, "The European Union imposed new sanctions on Belarus on Monday.")
    claim = linked.claims[0]
    assert claim.kind == "sentence" and claim.speaker is None
    ids = by_name(linked)
    assert {m.entity for m in claim.mentions} == {ids["European Union"], ids["Belarus"]}
    assert {e.name: e.type for e in linked.entities} == {
        "European Union": "intl_org",
        "Belarus": "country",
    }


# ---- affiliation ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "German Foreign Ministry Spokesman Martin Schaefer said the talks would continue.",
        "Martin Schaefer, a spokesman for the German Foreign Ministry, "
        "said the talks would continue.",
    ],
)
def test_title_or_apposition_gives_affiliation(nlp, text: str) -> None:
    linked = run(nlp, text)
    ids = by_name(linked)
    person = next(e for e in linked.entities if e.name == "Martin Schaefer")
    assert person.type == "person"
    assert person.affiliation == ids["German Foreign Ministry"]
    assert ids["German Foreign Ministry"] == "local:gov:german foreign ministry"


def test_demonym_title_gives_country_affiliation(nlp) -> None:
    linked = run(nlp, "Turkish President Recep Tayyip Erdogan accused Israel of lying.")
    person = next(e for e in linked.entities if e.type == "person")
    assert person.affiliation == "local:country:turkey"


# ---- clustering and ids -----------------------------------------------------------------------
def test_surname_joins_full_name(nlp) -> None:
    text = "Angela Merkel met Emmanuel Macron in Berlin. Merkel said the meeting had been useful."
    linked = run(nlp, text)
    merkel = [e for e in linked.entities if "Merkel" in e.name]
    assert len(merkel) == 1 and len(merkel[0].mentions) == 2
    assert speaker_of(linked, "useful") == ("Angela Merkel", "reported")


def test_state_department_variants_are_one_actor(nlp) -> None:
    text = (
        "The US State Department issued a statement on Iran. The US Department of State said "
        "Tehran had broken the deal. A Department of State official declined to comment, and "
        "the State Department later withdrew the statement."
    )
    linked = run(nlp, text)
    dept = [e for e in linked.entities if "State" in e.name]
    assert len(dept) == 1, [e.name for e in linked.entities]
    assert dept[0].type == "gov" and len(dept[0].mentions) == 4


def test_acronym_joins_full_name(nlp) -> None:
    text = "The United Nations called for a truce. The UN said aid could not reach the city."
    linked = run(nlp, text)
    assert [e.name for e in linked.entities if e.type == "intl_org"] == ["United Nations"]


def test_local_ids_stable_across_runs_and_articles(nlp) -> None:
    text = "Angela Merkel said Germany would help. Merkel spoke in Berlin."
    first, second = run(nlp, text, "a_1"), run(nlp, text + " More later.", "a_2")
    assert by_name(first)["Angela Merkel"] == "local:person:angela merkel"
    assert by_name(first) == by_name(second)
    assert [c.id for c in run(nlp, text, "a_1").claims] == [c.id for c in first.claims]


def test_claim_mentions_point_into_claim_text(nlp) -> None:
    text = (
        'Emmanuel Macron met Angela Merkel in Paris.\n\n"Germany and France agree," he said. '
        "The US State Department welcomed the meeting."
    )
    linked = run(nlp, text)
    names = {e.id: e.name for e in linked.entities}
    for c in linked.claims:
        assert text[c.span[0] : c.span[1]] == c.text
        for m in c.mentions:
            assert c.text[m.span[0] : m.span[1]]
            assert m.entity in names
    for e in linked.entities:
        assert all(0 <= s < t <= len(text) for s, t in e.mentions)
