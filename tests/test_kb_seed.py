"""The seed TASS article, linked with the KB built from ../shared: Syria, Russia, the UN."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from stancestream.services.linking.kb.build import build
from stancestream.services.linking.kb.linker import KbLinker
from stancestream.services.linking.link import link_article
from stancestream.services.linking.nlp import load_nlp
from stancestream.services.linking.wiring import make_linker
from stancestream.shared.contracts import Article
from stancestream.shared.settings import Settings


@pytest.fixture(scope="module")
def kb_dir(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = Path(tmp_path_factory.mktemp("kb"))
    build(shared_data / "kb", out, shared_data / "el" / "aida-conll-dev.jsonl")
    return out


def test_seed_links_syria_russia_un(shared_data: Path, kb_dir: Path) -> None:
    text = (shared_data / "seed" / "tass-2017-10-20-idlib.txt").read_text(encoding="utf-8")
    linker = make_linker(Settings(data_dir=kb_dir.parent, linking={"kb_path": kb_dir}))
    assert isinstance(linker, KbLinker)
    nlp = load_nlp("en_core_web_sm")
    article = Article(id="a_seed", text=text, content_hash="seed")
    link_article(nlp, article, linker)  # warm caches
    t0 = time.perf_counter()
    linked = link_article(nlp, article, linker)
    assert time.perf_counter() - t0 < 5
    by_qid = {e.wikidata: e for e in linked.entities if e.wikidata}
    assert {"Q858", "Q159", "Q1065"} <= set(by_qid)
    assert by_qid["Q858"].id == "Q858"
    kona = next(e for e in linked.entities if e.name == "Igor Konashenkov")
    assert kona.wikidata is None and kona.id.startswith("local:person:")


def test_no_built_index_links_with_the_shipped_one(tmp_path: Path) -> None:
    from stancestream.services.linking.kb.store import SHIPPED

    if not SHIPPED.is_file():
        pytest.skip("this checkout carries no shipped index")
    linker = make_linker(Settings(data_dir=tmp_path))
    assert isinstance(linker, KbLinker)
    assert linker.link("Syria", "country", "") == "Q858"


def test_missing_index_keeps_actors_local(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stancestream.services.linking.kb import store

    monkeypatch.setattr(store, "SHIPPED", tmp_path / "no-shipped-index.sqlite")
    linker = make_linker(Settings(data_dir=tmp_path))
    assert not isinstance(linker, KbLinker)
    assert "stancestream kb build" in caplog.text
    assert linker.link("Syria", "country", "") is None
