#!/usr/bin/env python3
"""End-to-end load figures of the embedded stack (`stancestream up` in-process supervisor).

Builds N articles of ~600 words from real news sentences (DSE + NewsMTSC), publishes them to
``articles.v1`` of a fresh embedded stack, and waits until storage holds every article's claims.
Prints articles/s, p50/p95/p99 ingest->stored latency (article's ingested_at to the last stance
row stored), each stage's share of the CPU time, and the speed-up from 1 to 2 stance workers.

With ``--corpus DIR|FILE`` the articles are real texts instead (a JSONL file of {"id", "text"}
lines such as eval/news/texts.jsonl, or a folder of .txt files such as the news_html
*.expected.txt pages), each used once (``--n`` caps their number). The same articles also go
through spaCy ``en_core_web_sm`` alone (``nlp.pipe``, one process per core) as the reference:
``ratio_to_spacy_sm`` = pipeline articles/s over spaCy's as installed (thinc's BLIS kernel);
``ratio_to_spacy_sm_numpy_blas`` over spaCy with numpy's BLAS, as the linking service runs it.
``--half-load`` runs again publishing at half the measured rate and reports the latency there.
``--linking`` defaults to the linking workers ``stancestream up`` starts here (2 on 2+ cores).
``--profile DIR`` attaches py-spy to every worker (raw stacks in DIR, one file per worker) and
prints, per stage, where its busy time went. ``--copies K`` publishes each story K times, as K
outlets carry a wire story (another first line, the same body): the workers' parse and stance
caches answer the repeats. The clock starts when every worker reads its stream (models loaded).

Usage: python bench/pipeline.py [--n 200] [--data ../shared/data] [--workers 1,2] [--linking N]
                                [--sources all|holders] [--corpus DIR|FILE] [--half-load]
                                [--copies K] [--profile DIR]
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
from profiles import Profiles  # noqa: E402

from stancestream.services.cli.stack import DEFAULT_WORKERS, Stack  # noqa: E402
from stancestream.shared.contracts import Article, stable_id  # noqa: E402
from stancestream.shared.settings import Settings  # noqa: E402
from stancestream.shared.streams import ARTICLES  # noqa: E402


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


def corpus_articles(path: Path, n: int) -> list[Article]:
    """Real article texts: JSONL lines with "text", or the .txt files of a folder."""
    texts: list[tuple[str, str]] = []
    if path.is_dir():
        for f in sorted(path.rglob("*.txt")):
            texts.append((f.stem, f.read_text(encoding="utf-8")))
    else:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                texts.append((str(d.get("id", len(texts))), d["text"]))
    texts = [(name, t) for name, t in texts if t.strip()][:n]
    if not texts:
        raise SystemExit(f"no article texts in {path}")
    return [
        Article(
            id=stable_id(f"bench-corpus-{name}-{i}", prefix="a_"),
            title=name,
            text=t,
            content_hash=stable_id(t, size=40),
        )
        for i, (name, t) in enumerate(texts)
    ]


def syndicated(articles: list[Article], copies: int) -> list[Article]:
    """Each story as ``copies`` outlets carry it: the same body under another outlet's first
    line, the copies of a round published after every story's previous copy (wire copy spreads
    over minutes, not back to back)."""
    out = list(articles)
    for j in range(1, copies):
        for a in articles:
            text = f"Published by outlet {j}.\n\n{a.text}"
            out.append(
                Article(
                    id=stable_id(a.id, str(j), prefix="a_"),
                    title=a.title,
                    text=text,
                    content_hash=stable_id(text, size=40),
                )
            )
    return out


def spacy_reference(articles: list[Article], blis: bool = True) -> float:
    """Articles/s of spaCy ``en_core_web_sm`` alone over the same texts, all its components,
    one process per core (the reference the pipeline is measured against). ``blis``: with the
    BLIS kernel thinc uses by default (spaCy as installed), else with numpy's BLAS as the
    linking service runs it (``linking/nlp.py``)."""
    from stancestream.services.linking.nlp import build_nlp

    nlp = build_nlp("en_core_web_sm", blis=blis)
    texts = [a.text for a in articles]
    list(nlp.pipe(texts[:2]))  # warm up
    t0 = time.monotonic()
    for _ in nlp.pipe(texts, n_process=os.cpu_count() or 1, batch_size=8):
        pass
    return len(texts) / (time.monotonic() - t0)


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


async def publish(url: str, articles: list[Article], rate: float | None = None) -> None:
    """Publish all articles at once, or ``rate`` articles per second."""
    broker = RedisBroker(url)
    await broker.connect()
    t0 = time.monotonic()
    for i, a in enumerate(articles):
        if rate:
            await asyncio.sleep(max(0.0, t0 + i / rate - time.monotonic()))
        a.trace.ingested_at = datetime.now(UTC)
        await broker.publish(a, stream=ARTICLES)
    await broker.stop()


def wait_consuming(logs: dict[str, Path], timeout: float = 180.0) -> None:
    """Until every worker (label -> its log file) has logged that it consumes (its model and
    spaCy loaded): the API answering says storage is up, not that linking and stance are, and
    their seconds of loading must not count as the pipeline's time or CPU."""
    deadline = time.monotonic() + timeout
    waiting = list(logs)
    while waiting and time.monotonic() < deadline:
        waiting = [label for label in waiting if ": consuming" not in _read(logs[label])]
        time.sleep(0.3)
    if waiting:
        raise SystemExit(f"{', '.join(waiting)} did not start consuming within {timeout:.0f}s")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def run(
    arts: list[Article],
    stance_workers: int,
    linking_workers: int = 1,
    rate: float | None = None,
    profile: Path | None = None,
) -> dict:
    n = len(arts)
    profiles = None
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
        wait_consuming({c.label: tmp / "logs" / c.log_name for c in stack.children if c.proc})
        arts = [a.model_copy(deep=True) for a in arts]
        procs = {c.label: psutil.Process(c.proc.pid) for c in stack.children if c.proc}
        if profile is not None:
            profiles = Profiles(profile / f"stance{stance_workers}-linking{linking_workers}")
            profiles.start({k: p.pid for k, p in procs.items() if not k.startswith("redis")})
        cpu0 = {k: sum(p.cpu_times()[:2]) for k, p in procs.items()}
        t0 = time.monotonic()
        asyncio.run(publish(stack.redis_url, arts, rate))
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
        if profiles is not None:
            profiles.stop()
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
        "words_per_s": sum(len(a.text.split()) for a in arts) / elapsed,
        "rate": rate,
        "p50": pct(lat, 50),
        "p95": pct(lat, 95),
        "p99": pct(lat, 99),
        "cpu_share": {k: v / total_cpu for k, v in sorted(by_stage.items())},
        "cpu_s_per_article": total_cpu / n,
        "profile": profiles.summary() if profiles is not None else [],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap.add_argument("--workers", default="1,2", help="stance worker counts to compare")
    ap.add_argument(
        "--linking",
        type=int,
        default=DEFAULT_WORKERS["linking"],
        help="linking workers in every run (default: as many as `up` starts on this machine)",
    )
    ap.add_argument("--sources", default="all", help="STANCESTREAM_STANCE__SOURCES: all|holders")
    ap.add_argument("--corpus", type=Path, help="real texts: a JSONL file or a folder of .txt")
    ap.add_argument("--half-load", action="store_true", help="also run at half the rate")
    ap.add_argument(
        "--copies", type=int, default=1, help="outlets carrying each story (syndicated copy)"
    )
    ap.add_argument(
        "--profile", type=Path, help="py-spy each worker into DIR and print where time goes"
    )
    args = ap.parse_args()
    os.environ["STANCESTREAM_STANCE__SOURCES"] = args.sources
    arts = (
        corpus_articles(args.corpus, args.n)
        if args.corpus
        else make_articles(args.n, Path(args.data))
    )
    arts = syndicated(arts, args.copies)
    words = sum(len(a.text.split()) for a in arts) / len(arts)
    what = f"from {args.corpus}" if args.corpus else "of DSE/NewsMTSC sentences"
    print(
        f"machine: {cpu_model()}, {os.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB; {len(arts)} articles {what}, "
        f"{words:.0f} words on average; stance sources: {args.sources}"
        + (f"; each story {args.copies} times (syndicated copy)" if args.copies > 1 else "")
    )
    results = [run(arts, int(w), args.linking, None, args.profile) for w in args.workers.split(",")]
    if args.half_load:
        best = max(results, key=lambda r: r["articles_per_s"])
        results.append(run(arts, best["stance_workers"], args.linking, best["articles_per_s"] / 2))
    for r in results:
        share = ", ".join(f"{k} {v:.0%}" for k, v in r["cpu_share"].items())
        load = f" at {r['rate']:.1f} articles/s offered" if r["rate"] else ""
        print(
            f"stance workers {r['stance_workers']}, linking workers {r['linking_workers']}{load}: "
            f"{r['articles_per_s']:.1f} articles/s, {r['words_per_s']:.0f} words/s; "
            f"ingest->stored p50 {r['p50']:.1f}s p95 {r['p95']:.1f}s p99 {r['p99']:.1f}s; "
            f"CPU {r['cpu_s_per_article']:.2f}s/article ({share})"
        )
        for line in r["profile"]:
            print(line)
    full = [r for r in results if not r["rate"]]
    if len(full) > 1:
        print(
            f"speed-up {full[0]['stance_workers']} -> {full[-1]['stance_workers']} "
            f"stance workers: {full[-1]['articles_per_s'] / full[0]['articles_per_s']:.2f}x"
        )
    ref = spacy_reference(arts)
    same_blas = spacy_reference(arts, blis=False)
    best_rate = max(r["articles_per_s"] for r in full)
    print(
        f"spacy_sm_articles_per_s={ref:.2f} spacy_sm_numpy_blas_articles_per_s={same_blas:.2f} "
        f"pipeline_articles_per_s={best_rate:.2f} ratio_to_spacy_sm={best_rate / ref:.2f} "
        f"ratio_to_spacy_sm_numpy_blas={best_rate / same_blas:.2f}"
    )


def cpu_model() -> str:
    """The CPU's model name (``lscpu``'s), for the figures' record."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    main()
