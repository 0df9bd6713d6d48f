"""The seed TASS article read as a user would check it: the stances the issue names, against the
text (a spokesman never opposes his own side; editorial inserts hold no stance; TASS is no actor).
Runs the shipped model, so the labels are the product's own."""

from __future__ import annotations

import pytest

from stancestream.services.linking.link import link_article
from stancestream.services.linking.nlp import load_nlp
from stancestream.services.stance.scorer import load_scorer
from stancestream.services.stance.stancing import score_articles
from stancestream.shared.contracts import Article, StanceBatch


@pytest.fixture(scope="module")
def batch(shared_data) -> StanceBatch:
    text = (shared_data / "seed" / "tass-2017-10-20-idlib.txt").read_text(encoding="utf-8")
    linked = link_article(
        load_nlp("en_core_web_sm"), Article(id="seed", text=text, content_hash="s")
    )
    return score_articles(load_scorer(None), [linked])[0]


def _labels(batch: StanceBatch) -> dict[tuple[str, str], set[str]]:
    names = {e.id: e.name for e in batch.entities}
    out: dict[tuple[str, str], set[str]] = {}
    for s in batch.stances:
        if s.stance != "neutral":
            out.setdefault((names[s.source], names[s.target]), set()).add(s.stance)
    return out


SPEAKERS = ("Igor Konashenkov", "Russian Defense Ministry")


@pytest.mark.parametrize("own", ["Russia", "Syria", "Aerospace Forces"])
def test_the_spokesman_never_opposes_his_own_side(batch, own: str) -> None:
    got = _labels(batch)
    assert all("oppose" not in got.get((s, own), set()) for s in SPEAKERS)


@pytest.mark.parametrize(
    "target", ["US Department of State", "Jabhat al-Nusra", "US-led coalition", "United States"]
)
def test_the_spokesman_opposes_whom_he_attacks(batch, target: str) -> None:
    got = _labels(batch)
    assert any("oppose" in got.get((s, target), set()) for s in SPEAKERS), got


def test_the_editorial_insert_is_no_stance_of_nusra(batch) -> None:
    assert not any(s == "Jabhat al-Nusra" and t == "Russia" for s, t in _labels(batch))


def test_the_outlet_is_not_an_actor(batch) -> None:
    assert not any("TASS" in e.name for e in batch.entities)
