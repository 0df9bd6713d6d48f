"""A linked actor takes the type its KB entry gives, before its claims are read; the plural of a
demonym names a people and links to no body (with the index the package ships)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stancestream.services.linking.kb.linker import KbLinker
from stancestream.services.linking.kb.store import SHIPPED
from stancestream.services.linking.link import link_article
from stancestream.services.linking.nlp import load_nlp
from stancestream.shared.contracts import Article

pytestmark = pytest.mark.skipif(not SHIPPED.is_file(), reason="no shipped KB index here")


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory):
    linker = KbLinker.open(Path(tmp_path_factory.mktemp("empty-data-dir")))
    assert linker is not None

    def run(text: str):
        return link_article(
            load_nlp("en_core_web_sm"), Article(id="t", text=text, content_hash="t"), linker
        )

    return run


def test_a_linked_actor_takes_the_type_of_its_entry(linked) -> None:
    doc = linked(
        "The FBI said on Monday it had opened an inquiry. Officials in Sioux Falls, S.D., said "
        "the plant would close."
    )
    types = {e.name: (e.type, e.wikidata) for e in doc.entities}
    assert types["FBI"] == ("gov", "Q8333")
    assert types["Sioux Falls"] == ("location", "Q131335")


def test_the_plural_of_a_demonym_links_to_no_body(linked) -> None:
    doc = linked("Many Iraqis said the vote was unfair, and Democrats in Congress agreed.")
    iraqis = next(e for e in doc.entities if e.name == "Iraqis")
    assert iraqis.wikidata is None


def test_a_name_taken_for_a_place_that_the_kb_knows_no_place_by_acts_as_a_person(linked) -> None:
    doc = linked("Buhari has accused the UN and aid agencies of exaggerating the crisis.")
    buhari = next(e for e in doc.entities if e.name == "Buhari")
    assert buhari.type == "person"
    names = {e.id: e.name for e in doc.entities}
    assert any(
        (names[p.source], names[p.target], p.polarity) == ("Buhari", "UN", "oppose")
        for c in doc.claims
        for p in c.pairs or ()
    )
    # a place the KB knows keeps its type when it acts as its government
    hk = linked("Hong Kong condemned the decision on Monday, officials said.")
    assert next(e for e in hk.entities if e.name == "Hong Kong").type == "location"
