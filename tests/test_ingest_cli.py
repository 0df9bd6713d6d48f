"""`stancestream ingest` as a user reads it: which input each id came from (`input -> id`, or one
JSON object per input with `--json`), and `--force` to put known articles through again under the
same ids. A real `ingest` process against an embedded Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import text

from stancestream.services.storage.db import create_engine, create_sessionmaker, migrate
from stancestream.services.storage.repository import Repository
from stancestream.shared.consumer import decode_entry
from stancestream.shared.contracts import Article
from stancestream.shared.redis import EmbeddedRedis
from stancestream.shared.streams import ARTICLES
from tests.stack_helpers import ROOT

pytestmark = pytest.mark.integration

STORY = "Senator Warren condemned Governor Abbott over the border policy on {day}.\n"


@pytest.fixture
def redis_of_own(tmp_path: Path) -> Iterator[str]:
    """A Redis of this test alone: `ingest` writes to the real stream names."""
    server = EmbeddedRedis(tmp_path / "redis")
    yield server.start()
    server.stop()


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    d = tmp_path / "in"
    (d / "folder").mkdir(parents=True)
    files = {
        "text": d / "monday.txt",
        "in_folder": d / "folder" / "tuesday.txt",
        "jsonl": d / "wire.jsonl",
    }
    files["text"].write_text(STORY.format(day="Monday"))
    files["in_folder"].write_text(STORY.format(day="Tuesday"))
    files["jsonl"].write_text(
        json.dumps({"url": "https://news.example/wed", "text": STORY.format(day="Wednesday")})
        + "\n{not json\n"
    )
    return files


def _ingest(url: str, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "stancestream", "ingest", "--redis-url", url, "-q", *args],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _stream_ids(url: str) -> Counter[str]:
    client = redis.Redis.from_url(url)
    try:
        entries = client.xrange(ARTICLES)
    finally:
        client.close()
    return Counter(Article.model_validate(decode_entry(f)).id for _, f in entries)


def _args(files: dict[str, Path]) -> list[str]:
    return [str(files["text"]), str(files["in_folder"].parent), str(files["jsonl"])]


def test_ingest_prints_which_input_each_id_came_from(redis_of_own, inputs) -> None:
    proc = _ingest(redis_of_own, *_args(inputs))
    assert proc.returncode == 0, proc.stderr
    pairs = dict(line.split(" -> ") for line in proc.stdout.splitlines())
    assert set(pairs) == {str(inputs["text"]), str(inputs["in_folder"]), f"{inputs['jsonl']}:1"}
    assert Counter(pairs.values()) == _stream_ids(redis_of_own)  # each id is its input's
    assert "3 published, 0 duplicates, 1 rejected" in proc.stderr

    again = _ingest(redis_of_own, *_args(inputs))
    assert again.returncode == 1  # nothing new, and the bad line refused again
    assert again.stdout.splitlines() == [f"{i} -> {a} (duplicate)" for i, a in pairs.items()]


def test_ingest_json_gives_one_object_per_input(redis_of_own, inputs) -> None:
    proc = _ingest(redis_of_own, "--json", *_args(inputs), str(inputs["text"].parent / "nope"))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    by_input = {r["input"]: r for r in rows}
    assert len(rows) == len(by_input) == 5
    assert by_input[str(inputs["text"].parent / "nope")]["status"] == "rejected"
    bad_line = by_input[f"{inputs['jsonl']}:2"]
    assert bad_line["status"] == "rejected" and "not valid JSON" in bad_line["error"]
    published = [r for r in rows if r["status"] == "published"]
    assert len(published) == 3 and all(r["id"].startswith("a_") for r in published)


async def test_ingest_force_publishes_known_articles_again_under_the_same_ids(
    redis_of_own, inputs, tmp_path: Path
) -> None:
    first = _ingest(redis_of_own, "--json", *_args(inputs))
    ids = {r["input"]: r["id"] for r in map(json.loads, first.stdout.splitlines()) if "id" in r}
    client = redis.Redis.from_url(redis_of_own)
    seen_keys = sorted(client.scan_iter(match="stancestream:seen:*"))
    client.close()

    forced = _ingest(redis_of_own, "--json", "--force", *_args(inputs))
    assert forced.returncode == 0, forced.stderr
    assert "3 published, 0 duplicates, 1 rejected" in forced.stderr
    rows = [r for r in map(json.loads, forced.stdout.splitlines()) if "id" in r]
    assert {r["input"]: (r["status"], r["id"]) for r in rows} == {
        i: ("published", a) for i, a in ids.items()
    }
    entries = _stream_ids(redis_of_own)
    assert entries == Counter({a: 2 for a in ids.values()})  # through the pipeline once more
    client = redis.Redis.from_url(redis_of_own)
    assert sorted(client.scan_iter(match="stancestream:seen:*")) == seen_keys
    client.close()

    # storage upserts the second pass: one row per article
    url = f"sqlite+aiosqlite:///{tmp_path / 'storage.db'}"
    await migrate(url)
    engine = create_engine(url)
    try:
        repo = Repository(create_sessionmaker(engine))
        raw = redis.Redis.from_url(redis_of_own)
        articles = [Article.model_validate(decode_entry(f)) for _, f in raw.xrange(ARTICLES)]
        raw.close()
        for a in articles:
            await repo.store_articles([a])
        async with engine.connect() as conn:
            n = (await conn.execute(text("SELECT count(*) FROM articles"))).scalar()
        assert n == len(ids) == 3
    finally:
        await engine.dispose()
