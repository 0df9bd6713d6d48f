#!/usr/bin/env python3
"""End-to-end load figures of the embedded stack (`stancestream up` in-process supervisor).

Builds N articles of ~600 words from real news sentences (DSE + NewsMTSC), publishes them to
``articles.v1`` of a fresh embedded stack, and waits until storage holds every article's claims.
Prints articles/s, p50/p95/p99 ingest->stored latency (article's ingested_at to the last stance
row stored), each stage's share of the CPU time, and the speed-up from 1 to 2 stance workers.

Usage: python bench/pipeline.py [--n 200] [--data ../shared/data] [--workers 1,2] [--linking 1]
                                [--sources all|holders]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faststream.redis import RedisBroker  # noqa: E402

from services.stack import Stack  # noqa: E402
from shared.contracts import Article, stable_id  # noqa: E402
from shared.settings import Settings  # noqa: E402
from shared.streams import ARTICLES  # noqa: E402


def sentences(data: Path) -> list[str]:
    out = []
    for name in ("train.txt", "valid.txt"):
        for line in (data / "dse" / name).read_text(encoding="utf-8").splitlines():
            out.append(line.split("\t")[0].replace("[", "").replace("]", ""))
    for line in (data / "newsmtsc" / "train.jsonl").read_text(encoding="utf-8").splitlines():
        out.append(json.loads(line)["sentence_normalized"])
    return out


def make_articles(n: int, data: Path, words: int = 600, seed: int = 7) -> list[Article]:
    pool = sentences(data)
    rng = random.Random(seed)
    arts = []
    for i in range(n):
        paras, count = [], 0
        while count < words:
            para = " ".join(rng.choice(pool) for _ in range(4))
            paras.append(para)
            count += len(para.split())
        text = "\n\n".join(paras)
        arts.append(
            Article(
                id=stable_id(f"bench-{seed}-{i}", prefix="a_"),
                title=f"Bench article {i}",
                text=text,
                content_hash=stable_id(text, size=40),
            )
        )
    return arts


def stored(db: Path) -> tuple[int, list[float]]:
    """(articles whose claims are stored, ingest->stored latencies in seconds)."""
    if not db.exists():
        return 0, []
    con = sqlite3.connect(db, timeout=5)
    try:
        done = con.execute("SELECT count(DISTINCT article_id) FROM claims").fetchone()[0]
        rows = con.execute(
            "SELECT a.ingested_at, max(s.stored_at) FROM stances s JOIN articles a "
            "ON a.id = s.article_id GROUP BY s.article_id"
        ).fetchall()
    except sqlite3.OperationalError:
        return 0, []
    finally:
        con.close()
    lat = []
    for ing, st in rows:
        if ing and st:
            t0 = datetime.fromisoformat(ing).replace(tzinfo=UTC)
            t1 = datetime.fromisoformat(st).replace(tzinfo=UTC)
            lat.append((t1 - t0).total_seconds())
    return done, lat


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


async def publish(url: str, articles: list[Article]) -> None:
    broker = RedisBroker(url)
    await broker.connect()
    for a in articles:
        a.trace.ingested_at = datetime.now(UTC)
        await broker.publish(a, stream=ARTICLES)
    await broker.stop()


def run(n: int, data: Path, stance_workers: int, linking_workers: int = 1) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="ss-bench-", dir="/tmp"))
    env_backup = {k: os.environ.pop(k, None) for k in ("REDIS_URL", "DATABASE_URL")}
    settings = Settings(data_dir=tmp)
    settings.storage.port = free_port()
    # the Stack gives each stance worker an equal share of the cores
    stack = Stack(settings, {"stance": stance_workers, "linking": linking_workers})
    try:
        stack.start()
        if not stack.wait_ready(180):
            raise SystemExit(f"stack did not come up; see {tmp}/logs")
        arts = make_articles(n, data)
        procs = {c.label: psutil.Process(c.proc.pid) for c in stack.children if c.proc}
        cpu0 = {k: sum(p.cpu_times()[:2]) for k, p in procs.items()}
        t0 = time.monotonic()
        asyncio.run(publish(stack.redis_url, arts))
        db = tmp / "stancestream.db"
        last = -1
        while True:
            done, lat = stored(db)
            if done != last:
                print(f"  {done}/{n} stored, {time.monotonic() - t0:.1f}s", file=sys.stderr)
                last = done
            if done >= n:
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - t0
        cpu = {k: sum(p.cpu_times()[:2]) - cpu0[k] for k, p in procs.items()}
    finally:
        stack.stop()
        for k, v in env_backup.items():
            if v is not None:
                os.environ[k] = v
        shutil.rmtree(tmp, ignore_errors=True)
    total_cpu = sum(cpu.values()) or 1.0
    by_stage: dict[str, float] = {}
    for label, c in cpu.items():
        stage = label.split("#")[0]
        by_stage[stage] = by_stage.get(stage, 0.0) + c
    return {
        "stance_workers": stance_workers,
        "linking_workers": linking_workers,
        "articles_per_s": n / elapsed,
        "p50": pct(lat, 50),
        "p95": pct(lat, 95),
        "p99": pct(lat, 99),
        "cpu_share": {k: v / total_cpu for k, v in sorted(by_stage.items())},
        "cpu_s_per_article": total_cpu / n,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap.add_argument("--workers", default="1,2", help="stance worker counts to compare")
    ap.add_argument("--linking", type=int, default=1, help="linking workers in every run")
    ap.add_argument("--sources", default="all", help="STANCESTREAM_STANCE__SOURCES: all|holders")
    args = ap.parse_args()
    os.environ["STANCESTREAM_STANCE__SOURCES"] = args.sources
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB; {args.n} articles of ~600 words; "
        f"stance sources: {args.sources}"
    )
    results = [run(args.n, Path(args.data), int(w), args.linking) for w in args.workers.split(",")]
    for r in results:
        share = ", ".join(f"{k} {v:.0%}" for k, v in r["cpu_share"].items())
        print(
            f"stance workers {r['stance_workers']}, linking workers {r['linking_workers']}: "
            f"{r['articles_per_s']:.1f} articles/s; "
            f"ingest->stored p50 {r['p50']:.1f}s p95 {r['p95']:.1f}s p99 {r['p99']:.1f}s; "
            f"CPU {r['cpu_s_per_article']:.2f}s/article ({share})"
        )
    if len(results) > 1:
        print(
            f"speed-up {results[0]['stance_workers']} -> {results[-1]['stance_workers']} "
            f"stance workers: {results[-1]['articles_per_s'] / results[0]['articles_per_s']:.2f}x"
        )


if __name__ == "__main__":
    main()
