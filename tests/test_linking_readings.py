"""Which pairs of a claim are read as candidate stances: one test per rule, on sentences written
for it (the rules of ``services/linking/readings.py`` and the README's "How a stance is read")."""

from __future__ import annotations

import pytest

from services.linking.link import link_article
from services.linking.nlp import load_nlp
from services.stance.pairs import ScoredPair
from services.stance.scorer import PairQuery, StanceScore
from services.stance.stancing import confidence, decide
from shared.contracts import Article, ClaimPair, LinkedArticle


@pytest.fixture(scope="module")
def nlp():
    return load_nlp("en_core_web_sm")


def _link(nlp, text: str) -> LinkedArticle:
    return link_article(nlp, Article(id="t", text=text, content_hash="t"))


def _pairs(linked: LinkedArticle) -> set[tuple[str, str, str, str | None]]:
    """(source name, target name, basis, polarity) of every candidate pair of the article."""
    names = {e.id: e.name for e in linked.entities}
    return {
        (names[p.source], names[p.target], p.basis, p.polarity)
        for c in linked.claims
        for p in c.pairs or ()
    }


def _directed(linked: LinkedArticle) -> set[tuple[str, str]]:
    return {(s, t) for s, t, _, _ in _pairs(linked)}


def test_a_stance_verb_reads_its_subject_toward_its_object(nlp) -> None:
    got = _pairs(_link(nlp, "Senator Elizabeth Warren accused Governor Greg Abbott of lying."))
    assert ("Elizabeth Warren", "Greg Abbott", "predicate", "oppose") in got
    assert not any(s == "Greg Abbott" for s, *_ in got)  # the object holds no stance


def test_a_passive_agent_holds_the_stance(nlp) -> None:
    got = _pairs(_link(nlp, "Greg Abbott was praised by Elizabeth Warren on Monday."))
    assert ("Elizabeth Warren", "Greg Abbott", "predicate", "support") in got


def test_a_negated_stance_verb_is_not_read(nlp) -> None:
    got = _pairs(_link(nlp, "Elizabeth Warren did not criticize Greg Abbott on Monday."))
    assert not any(p == "oppose" for *_, p in got)


def test_a_stance_noun_reads_its_possessor_toward_its_object(nlp) -> None:
    got = _pairs(_link(nlp, "Oracle's lawsuit against Google went to trial in May."))
    assert ("Oracle", "Google", "predicate", "oppose") in got


def test_a_document_noun_stands_for_its_author(nlp) -> None:
    got = _pairs(_link(nlp, "The Kremlin dismissed the allegations of Britain as absurd."))
    assert ("Russia", "United Kingdom", "predicate", "oppose") in got


def test_an_agreement_binds_both_sides(nlp) -> None:
    got = _pairs(_link(nlp, "Macmillan announced a settlement with Amazon on Thursday."))
    assert ("Macmillan", "Amazon", "predicate", "support") in got
    assert ("Amazon", "Macmillan", "predicate", "support") in got


def test_a_dismissive_adjective_opposes_the_author(nlp) -> None:
    text = "The Pentagon's allegations are untrue, Igor Konashenkov said."
    got = _pairs(_link(nlp, text))
    assert ("Igor Konashenkov", "Pentagon", "predicate", "oppose") in got


def test_the_speaker_is_read_toward_the_actors_of_the_quote(nlp) -> None:
    text = (
        '"The US State Department has been misled," Russian Defense Ministry Spokesman Igor '
        "Konashenkov said on Friday."
    )
    got = _pairs(_link(nlp, text))
    assert ("Igor Konashenkov", "US State Department", "speaker", None) in got


def test_a_spokesman_is_not_read_toward_his_own_ministry_or_country(nlp) -> None:
    text = (
        "Russian Defense Ministry Spokesman Igor Konashenkov said on Friday that Russia never "
        "targets civilians, unlike NATO."
    )
    got = _directed(_link(nlp, text))
    assert ("Igor Konashenkov", "NATO") in got
    assert ("Igor Konashenkov", "Russia") not in got
    assert ("Igor Konashenkov", "Russian Defense Ministry") not in got


def test_bracketed_editorial_inserts_hold_no_actor_of_a_stance(nlp) -> None:
    text = (
        "Igor Konashenkov said Jabhat al-Nusra [a terror group outlawed in Russia - TASS] "
        "uses chemical weapons."
    )
    got = _directed(_link(nlp, text))
    assert not any("Russia" in (s, t) for s, t in got)
    assert not any(s == "Jabhat al-Nusra" for s, _ in got)


def test_places_are_not_targets_of_the_speaker(nlp) -> None:
    text = (
        "Russian Defense Ministry Spokesman Igor Konashenkov said on Friday that the attack in "
        "Syria was staged by NATO."
    )
    got = _directed(_link(nlp, text))
    assert ("Igor Konashenkov", "Syria") not in got
    assert ("Igor Konashenkov", "NATO") in got


def test_list_members_and_co_mentions_are_not_read(nlp) -> None:
    got = _pairs(_link(nlp, "Elizabeth Warren, Greg Abbott and Ted Cruz attended the dinner."))
    assert got == set()


def test_a_seat_of_government_that_acts_is_its_country(nlp) -> None:
    linked = _link(nlp, "Washington accused Moscow of meddling. Talks were held in Geneva.")
    assert ("United States", "Russia", "predicate", "oppose") in _pairs(linked)
    types = {e.name: e.type for e in linked.entities}
    assert types["United States"] == "country" and types["Russia"] == "country"


def test_a_seat_of_government_as_a_place_stays_a_place(nlp) -> None:
    linked = _link(nlp, "Diplomats met in Moscow on Tuesday.")
    assert all(e.type != "country" for e in linked.entities)


def test_a_led_coalition_is_a_group_actor(nlp) -> None:
    text = (
        '"Russian warplanes never bomb towns, unlike the US-led coalition," Russian Defense '
        "Ministry Spokesman Igor Konashenkov said on Friday."
    )
    linked = _link(nlp, text)
    types = {e.name: e.type for e in linked.entities}
    assert types.get("US-led coalition") == "group"
    assert ("Igor Konashenkov", "US-led coalition", "predicate", "oppose") in _pairs(linked)


def test_an_authority_reporting_an_act_holds_it(nlp) -> None:
    text = (
        "Manuel Aguilar and Carlos Osorio were charged with theft, Houston Police Department "
        "spokesman John Cannon said on Monday."
    )
    got = _pairs(_link(nlp, text))
    assert ("John Cannon", "Manuel Aguilar", "predicate", "oppose") in got
    assert ("John Cannon", "Carlos Osorio", "predicate", "oppose") in got


def _scored(polarity: str | None, basis: str = "predicate") -> ScoredPair:
    reading = ClaimPair(source="a", target="b", basis=basis, cue="accuse", polarity=polarity)
    return ScoredPair("c", "a", "b", PairQuery("A accused B.", (0, 1), (10, 11)), reading)


def test_a_polar_cue_decides_the_label_and_the_score_says_how_far_the_model_agrees() -> None:
    result = StanceScore("neutral", {"support": 0.1, "oppose": 0.2, "neutral": 0.7})
    assert decide(_scored("oppose"), result) == "oppose"
    assert confidence(_scored("oppose"), result, "oppose") == pytest.approx(0.9)


def test_the_model_decides_speaker_pairs_above_the_threshold_only() -> None:
    unsure = StanceScore("oppose", {"support": 0.1, "oppose": 0.55, "neutral": 0.35})
    sure = StanceScore("oppose", {"support": 0.05, "oppose": 0.85, "neutral": 0.1})
    assert decide(_scored(None, "speaker"), unsure, threshold=0.6) == "neutral"
    assert decide(_scored(None, "speaker"), sure, threshold=0.6) == "oppose"
