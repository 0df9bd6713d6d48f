"""Bylines, reporting and photo credits name the outlet's staff, not actors of the story."""

from __future__ import annotations

import pytest

from stancestream.services.linking.credits import credit_spans
from stancestream.services.linking.link import link_article
from stancestream.services.linking.nlp import load_nlp
from stancestream.shared.contracts import Article


@pytest.fixture(scope="module")
def nlp():
    return load_nlp("en_core_web_sm")


def _names(nlp, text: str) -> set[str]:
    linked = link_article(nlp, Article(id="t", text=text, content_hash="t"))
    return {e.name for e in linked.entities}


def test_reporting_and_editing_credits_name_no_actors(nlp) -> None:
    text = (
        "Indonesia's navy said it had found debris from the plane.\n"
        "(Additional reporting by Wilda Asmarini in JAKARTA; Writing by Dean Yates;"
        " Editing by Michael Perry)"
    )
    names = _names(nlp, text)
    assert "Indonesia" in names
    assert not {"Wilda Asmarini", "Dean Yates", "Michael Perry"} & names


def test_contact_lines_contributors_and_bylines_are_credits() -> None:
    text = (
        "By Steve Matthews\n"
        "The economy grew, the Labor Department said.\n"
        "To contact the reporter on this story: Steve Matthews in Atlanta at sm@example.com\n"
        "CNN's Jason Carroll and Greg Botelho contributed to this report."
    )
    spans = credit_spans(text)
    covered = [text[s:e] for s, e in spans]
    assert covered[0] == "By Steve Matthews"
    assert any(c.startswith("To contact the reporter") for c in covered)
    assert any(c.endswith("contributed to this report.") for c in covered)
    assert not any("Labor Department" in c for c in covered)


def test_photo_credits_glued_to_text_are_credits(nlp) -> None:
    text = "Shamil Zhumatov/REUTERSThe UK may impose new sanctions on Russia, Britain said."
    names = _names(nlp, text)
    assert "Shamil Zhumatov" not in names
    assert "Russia" in names
