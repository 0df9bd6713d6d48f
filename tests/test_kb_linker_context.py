"""KbLinker document rules on a tiny hand-written index: places the text puts in the US, parties
that need their country in the document, and a second pass once the whole document is linked."""

from __future__ import annotations

from pathlib import Path

import pytest

from stancestream.services.linking.kb.build import merge, write_index
from stancestream.services.linking.kb.linker import KbLinker, Query
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
