"""A running linking service picks up a rebuilt knowledge base between batches."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stancestream.services.linking.kb import INDEX_NAME
from stancestream.services.linking.kb.build import build
from stancestream.services.linking.kb.linker import KbLinker
from stancestream.services.linking.kb.reload import ReloadingLinker
from stancestream.services.linking.link import NullLinker, link_article
from stancestream.services.linking.nlp import load_nlp
from stancestream.shared.contracts import Article


def test_the_linker_is_made_again_only_when_the_index_file_changes(tmp_path: Path) -> None:
    made: list[int] = []

    def factory() -> NullLinker:
        made.append(1)
        return NullLinker()

    linkers = ReloadingLinker(tmp_path, factory)
    linkers.current()
    linkers.current()
    assert len(made) == 1  # no index, nothing changed
    (tmp_path / INDEX_NAME).write_bytes(b"one")
    linkers.current()
    assert len(made) == 2  # it appeared
    linkers.current()
    assert len(made) == 2
    new = tmp_path / "index.tmp"
    new.write_bytes(b"two")
    os.replace(new, tmp_path / INDEX_NAME)  # what `kb build` does
    linkers.current()
    assert len(made) == 3
    (tmp_path / INDEX_NAME).unlink()
    linkers.current()
    assert len(made) == 4


def test_articles_link_with_an_index_built_after_start(shared_data: Path, tmp_path: Path) -> None:
    kb_dir = tmp_path / "kb"
    # the service's case with no index at all: no user index, none shipped
    linkers = ReloadingLinker(kb_dir, lambda: KbLinker.open(kb_dir, shipped=False) or NullLinker())
    nlp = load_nlp("en_core_web_sm")
    art = Article(id="t", text="Russia criticised NATO on Monday.", content_hash="t")
    before = link_article(nlp, art, linkers.current())
    assert all(e.wikidata is None for e in before.entities)
    build(shared_data / "kb", kb_dir)  # while the service runs
    after = link_article(nlp, art, linkers.current())
    assert {e.name: e.wikidata for e in after.entities}["Russia"] is not None


def test_the_users_index_wins_over_the_shipped_one(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stancestream.services.linking.kb import store

    shipped_dir, user_dir = tmp_path / "shipped", tmp_path / "user"
    build(shared_data / "kb", shipped_dir)
    monkeypatch.setattr(store, "SHIPPED", shipped_dir / INDEX_NAME)
    assert store.index_path(user_dir) == shipped_dir / INDEX_NAME  # nothing built: shipped
    assert store.index_path(user_dir, shipped=False) is None
    linkers = ReloadingLinker(user_dir, lambda: KbLinker.open(user_dir) or NullLinker())
    assert isinstance(linkers.current(), KbLinker)
    assert linkers.current().index.path == shipped_dir / INDEX_NAME
    build(shared_data / "kb", user_dir)  # the user builds one: it is picked up and wins
    assert linkers.current().index.path == user_dir / INDEX_NAME
    (user_dir / INDEX_NAME).unlink()  # and removed: back to the shipped one
    assert linkers.current().index.path == shipped_dir / INDEX_NAME
