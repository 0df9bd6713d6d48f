"""Actor aliases are the names a text gives an actor, never the pronouns or descriptions the
linker resolved to it (``/actors?q=he`` must not find every man the articles quote)."""

from __future__ import annotations

from stancestream.services.storage.repository import _alias_rows, names_it
from stancestream.shared.contracts import ArticleMeta, Claim, ClaimMention, Entity, StanceBatch


def test_names_and_acronyms_are_aliases_pronouns_and_descriptions_are_not() -> None:
    assert names_it("Konashenkov", "Igor Konashenkov")
    assert names_it("U.S.", "United States")
    assert not names_it("he", "Igor Konashenkov")
    assert not names_it("the Russian general", "Igor Konashenkov")


def test_alias_rows_skip_resolved_pronouns() -> None:
    text = "He said Konashenkov was right."
    claim = Claim(
        id="c1",
        span=(0, len(text)),
        text=text,
        mentions=[
            ClaimMention(entity="p1", span=(0, 2)),
            ClaimMention(entity="p1", span=(8, 19)),
        ],
    )
    batch = StanceBatch(
        article=ArticleMeta(id="a1"),
        entities=[Entity(id="p1", name="Igor Konashenkov", type="person")],
        claims=[claim],
        stances=[],
        model="m",
    )
    assert {r["alias"] for r in _alias_rows(batch)} == {"Igor Konashenkov", "Konashenkov"}
