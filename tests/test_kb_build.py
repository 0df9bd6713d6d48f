"""Building the KB from ../shared/data/kb (into tmp), loading it fast, `kb ids`, dumps."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stancestream.services.cli.main import app
from stancestream.services.linking.kb.build import build
from stancestream.services.linking.kb.linker import KbLinker
from stancestream.services.linking.kb.store import KbIndex


@pytest.fixture(scope="module")
def kb_dir(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = Path(tmp_path_factory.mktemp("kb"))
    build(shared_data / "kb", out, shared_data / "el" / "aida-conll-dev.jsonl")
    return out


def test_build_holds_the_sources(kb_dir: Path) -> None:
    index = KbIndex.open(kb_dir)
    assert index is not None
    ids = set(index.ids())
    assert {"Q858", "Q159", "Q1065", "Q30", "Q29552"} <= ids
    assert len(ids) > 6000
    assert index.entry("Q1065").type == "intl_org"
    assert index.entry("Q159").type == "country"
    assert index.entry("Q22250").enwiki == "Maria Cantwell"  # a legislator
    meta = index.meta()
    assert set(meta["per_source"]) >= {"countries", "intl_orgs", "parties", "legislators", "aida"}


def test_no_invented_qids(kb_dir: Path, shared_data: Path) -> None:
    seen: set[str] = set()
    for f in [*(shared_data / "kb").iterdir(), shared_data / "el" / "aida-conll-dev.jsonl"]:
        seen |= set(re.findall(r"\bQ[1-9]\d*\b", f.read_text(encoding="utf-8")))
    assert set(KbIndex.open(kb_dir).ids()) <= seen


def test_loads_fast(kb_dir: Path) -> None:
    t0 = time.perf_counter()
    linker = KbLinker.open(kb_dir)
    assert linker is not None and linker.link("Syria", "country", "") == "Q858"
    assert time.perf_counter() - t0 < 0.5


def test_kb_ids_command(kb_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCESTREAM_LINKING__KB_PATH", str(kb_dir))
    res = CliRunner().invoke(app, ["kb", "ids"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.split()
    assert "Q858" in lines and all(re.fullmatch(r"Q\d+", x) for x in lines)
    assert lines == sorted(lines)


def test_kb_ids_without_index_says_how_to_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stancestream.services.linking.kb import store

    monkeypatch.setattr(store, "SHIPPED", tmp_path / "no-shipped-index.sqlite")
    res = CliRunner().invoke(app, ["kb", "ids", "--data-dir", str(tmp_path)])
    assert res.exit_code == 1
    assert "kb build" in res.output


def test_kb_ids_with_no_built_index_lists_the_shipped_one(tmp_path: Path) -> None:
    from stancestream.services.linking.kb.store import SHIPPED

    if not SHIPPED.is_file():
        pytest.skip("this checkout carries no shipped index")
    res = CliRunner().invoke(app, ["kb", "ids", "--data-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    lines = res.stdout.split()
    assert {"Q7747", "Q6279", "Q159"} <= set(lines)  # Putin, Biden, Russia


def test_build_command_with_a_wikidata_dump(shared_data: Path, tmp_path: Path) -> None:
    ent = {
        "id": "Q7747",
        "labels": {"en": {"value": "Vladimir Putin"}},
        "aliases": {"en": [{"value": "Putin"}]},
        "descriptions": {"en": {"value": "President of Russia"}},
        "claims": {
            "P31": [{"mainsnak": {"datavalue": {"value": {"id": "Q5"}}}}],
            "P17": [{"mainsnak": {"datavalue": {"value": {"id": "Q159"}}}}],
        },
        "sitelinks": {"enwiki": {"title": "Vladimir Putin"}},
    }
    dump = tmp_path / "dump.json"
    dump.write_text("[\n" + json.dumps(ent) + ",\n]\n", encoding="utf-8")
    res = CliRunner().invoke(
        app,
        [
            "kb",
            "build",
            "--data-dir",
            str(tmp_path),
            "--source-dir",
            str(shared_data / "kb"),
            "--wikidata-dump",
            str(dump),
        ],
    )
    assert res.exit_code == 0, res.output
    index = KbIndex.open(tmp_path / "kb")
    e = index.entry("Q7747")
    assert (e.type, e.country, e.enwiki) == ("person", "Q159", "Vladimir Putin")
    assert KbLinker(index).link("Vladimir Putin", "person", "") == "Q7747"


def test_build_without_sources_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["kb", "build", "--data-dir", str(tmp_path)])
    assert res.exit_code == 1
    assert "kb download" in res.output


def test_a_built_index_smaller_than_the_shipped_one_is_warned_about(
    shared_data: Path, tmp_path: Path
) -> None:
    """The four curated sources alone make a smaller index than the package's; since the user's
    index takes precedence, ``kb build`` says so and how to go back."""
    res = CliRunner().invoke(
        app, ["kb", "build", "--data-dir", str(tmp_path), "--source-dir", str(shared_data / "kb")]
    )
    assert res.exit_code == 0, res.output
    assert "fewer entities than the one the package ships" in res.output
    assert str(tmp_path / "kb" / "index.sqlite") in res.output.replace("\n", "")
