"""The seed TASS article: Konashenkov's attributions, his affiliation, State Department variants."""

from __future__ import annotations

import pytest

from stancestream.services.linking.link import link_article
from stancestream.services.linking.nlp import load_nlp
from stancestream.shared.contracts import Article, LinkedArticle


@pytest.fixture(scope="module")
def seed(shared_data) -> tuple[str, LinkedArticle]:
    text = (shared_data / "seed" / "tass-2017-10-20-idlib.txt").read_text(encoding="utf-8")
    article = Article(id="a_seed", text=text, content_hash="seed")
    return text, link_article(load_nlp("en_core_web_sm"), article)


def _entity(linked: LinkedArticle, name: str):
    return next(e for e in linked.entities if e.name == name)


def _claim(linked: LinkedArticle, fragment: str):
    return next(c for c in linked.claims if fragment in c.text)


@pytest.mark.parametrize(
    "fragment",
    [
        "Konashenkov said on Friday",  # reported, named
        "he said that the document",  # pronoun
        "everything in place",  # quote + "he stressed"
        "Russia’s Aerospace Forces never target",  # reported + "he stressed"
        "The Russian general pointed out",  # description
        "Tomahawk missiles",  # two-sentence quote, "Konashenkov noted"
        "the Russian general added",  # quote + description
    ],
)
def test_konashenkov_is_the_speaker(seed, fragment: str) -> None:
    _, linked = seed
    kona = _entity(linked, "Igor Konashenkov")
    claim = _claim(linked, fragment)
    assert claim.speaker == kona.id, (fragment, claim.speaker)
    assert claim.kind in {"quote", "reported"}


def test_konashenkov_affiliated_with_the_defense_ministry(seed) -> None:
    _, linked = seed
    ministry = _entity(linked, "Russian Defense Ministry")
    kona = _entity(linked, "Igor Konashenkov")
    assert kona.type == "person" and ministry.type == "gov"
    assert kona.affiliation == ministry.id


def test_state_department_variants_are_one_entity(seed) -> None:
    text, linked = seed
    dept = [e for e in linked.entities if "State" in e.name and "Department" in e.name]
    assert len(dept) == 1
    surfaces = {text[s:e] for s, e in dept[0].mentions}
    assert {"US Department of State", "US State Department", "Department of State"} <= surfaces


def test_nusra_and_tahrir_al_sham_are_two_groups(seed) -> None:
    _, linked = seed
    nusra, hts = _entity(linked, "Jabhat al-Nusra"), _entity(linked, "Hayat Tahrir al-Sham")
    assert nusra.id != hts.id
    assert nusra.type == hts.type == "group"


def test_other_speakers_and_descriptions(seed) -> None:
    text, linked = seed
    dept = next(e for e in linked.entities if "Department" in e.name)
    assert _claim(linked, "said earlier that Russian and Syrian").speaker == dept.id
    dujarric = _entity(linked, "Stephane Dujarric")
    assert _claim(linked, "most part of Raqqa").speaker == dujarric.id
    assert dujarric.affiliation == _entity(linked, "United Nations").id
    kona = _entity(linked, "Igor Konashenkov")
    resolved = {text[s:e] for s, e in kona.references}
    assert {"he", "Russian general", "spokesman"} <= resolved
    assert not resolved & {text[s:e] for s, e in kona.mentions}  # names and references apart


def test_claim_texts_and_spans_agree(seed) -> None:
    text, linked = seed
    ids = {e.id for e in linked.entities}
    for c in linked.claims:
        assert text[c.span[0] : c.span[1]] == c.text
        assert c.speaker is None or c.speaker in ids
        assert all(m.entity in ids for m in c.mentions)
    assert len({c.id for c in linked.claims}) == len(linked.claims)
