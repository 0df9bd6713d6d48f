"""Faults, end to end with real processes and a real (embedded) Redis: 300 articles in, a stance
worker and a linking worker killed with SIGKILL mid-run, Redis restarted once, 5 poison messages
injected. Afterwards storage holds every good article's stances exactly once (the same stances
`stancestream analyze` computes offline) and the dead-letter streams hold exactly the 5 poison
messages, each with its reason."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import IO

import httpx
import psutil
import pytest
import redis

from stancestream.shared.streams import ARTICLES, CLAIMS, STANCES, dlq
from tests.stack_helpers import (
    ROOT,
    free_port,
    own_stack_env,
    run_ingest,
    stop_up,
    up_command,
    wait_until,
)
from tests.test_e2e_up import analyze

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

N = 300
PEOPLE = [
    "Senator Elizabeth Warren",
    "Governor Greg Abbott",
    "Chancellor Olaf Scholz",
    "President Emmanuel Macron",
    "Prime Minister Justin Trudeau",
    "Speaker Nancy Pelosi",
]
PLACES = ["Germany", "Russia", "China", "Canada", "Mexico", "Japan"]
VERBS = ["sharply criticised", "praised", "met", "accused", "thanked", "condemned"]


def article(i: int, rng: random.Random) -> dict:
    sents = []
    for _ in range(4):
        a, b = rng.sample(PEOPLE + PLACES, 2)
        sents.append(f"{a} {rng.choice(VERBS)} {b} over plan {rng.randint(1, 10**6)}.")
    q = rng.choice(PEOPLE)
    sents.append(f'"We will not accept this from {rng.choice(PLACES)}," {q} said on Monday.')
    return {"id": f"a_fault_{i:04d}", "title": f"Fault article {i}", "text": " ".join(sents)}


POISON = [
    (ARTICLES, {"__data__": b"{not json"}),
    (ARTICLES, {"unexpected": b"field"}),
    (CLAIMS, {"__data__": json.dumps({"schema_version": 1, "article": {"id": "x"}}).encode()}),
    (CLAIMS, {"__data__": b"\xff\xfe\x00garbage"}),
    (STANCES, {"__data__": json.dumps({"schema_version": 9}).encode()}),
]


def children(up: psutil.Process, service: str) -> list[psutil.Process]:
    out = []
    for p in up.children(recursive=True):
        try:
            cmd = p.cmdline()
        except psutil.Error:
            continue
        if "service" in cmd and cmd[-1] == service:
            out.append(p)
    return out


def stored_stances(db: Path) -> dict[str, set[tuple[str, str, str]]]:
    con = sqlite3.connect(db, timeout=10)
    try:
        rows = con.execute("SELECT article_id, claim_id, source, target FROM stances").fetchall()
        dup = con.execute("SELECT count(*) - count(DISTINCT id) FROM stances").fetchone()[0]
    finally:
        con.close()
    assert dup == 0
    out: dict[str, set] = {}
    for a, c, s, t in rows:
        out.setdefault(a, set()).add((c, s, t))
    return out


def articles_done(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(db, timeout=10)
        try:
            return con.execute("SELECT count(DISTINCT article_id) FROM claims").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


def start_stack(data_dir: Path, port: int, env: dict[str, str], log: IO[bytes]) -> subprocess.Popen:
    """``stancestream up`` with two stance and two linking workers, API on ``port``."""
    return subprocess.Popen(
        up_command(data_dir, port, "--workers", "stance=2", "--workers", "linking=2"),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def kill_workers_and_restart_redis(up: subprocess.Popen, url: str) -> None:
    """SIGKILL one stance and one linking worker mid-batch, then restart Redis once (graceful:
    AOF flushed); ``up`` brings it back from its AOF."""
    proc = psutil.Process(up.pid)
    for service in ("stance", "linking"):
        victims = children(proc, service)
        assert victims, f"no {service} worker found"
        victims[0].send_signal(signal.SIGKILL)
    redis_proc = [p for p in proc.children() if p.name() == "redis-server"]
    assert redis_proc, [p.name() for p in proc.children()]
    redis_proc[0].send_signal(signal.SIGTERM)
    redis_proc[0].wait(30)
    wait_until(lambda: ping(url), 60, "Redis back")


def drained(r: redis.Redis) -> bool:
    """Every group has nothing pending and the poison messages are dead-lettered."""
    for stream, group in ((ARTICLES, "linking"), (CLAIMS, "stance"), (STANCES, "storage")):
        g = {x["name"].decode(): x for x in r.xinfo_groups(stream)}[group]
        if g["pending"]:
            return False
    return len(letters(r)) >= len(POISON)


def assert_stored_as_analyze_reads(db: Path, docs: list[dict], data_dir: Path) -> None:
    """Storage holds, for every article, exactly the stances ``stancestream analyze`` reads."""
    stored = stored_stances(db)
    expected = analyze(docs, data_dir)
    assert len(expected) == N
    missing = [
        d["id"]
        for d in expected
        if {(s["claim"], s["source"], s["target"]) for s in d["stances"]}
        != stored.get(d["id"], set())
    ]
    assert not missing, f"{len(missing)} articles differ, e.g. {missing[:3]}"
    assert sum(len(v) for v in stored.values()) == sum(len(d["stances"]) for d in expected)


def test_kill_workers_restart_redis_poison_messages(tmp_path):
    data_dir = Path(tempfile.mkdtemp(prefix="ss-fault-", dir="/tmp"))
    rng = random.Random(5)
    docs = [article(i, rng) for i in range(N)]
    src = tmp_path / "articles.jsonl"
    src.write_text("".join(json.dumps(d) + "\n" for d in docs))

    env = own_stack_env()
    env.update(
        {
            "STANCESTREAM_WORKER__CLAIM_IDLE_MS": "3000",
            "STANCESTREAM_WORKER__RECLAIM_EVERY_S": "1",
            "STANCESTREAM_WORKER__MAX_RECORDS": "8",
        }
    )
    port = free_port()
    log = open(data_dir / "up.log", "wb")  # noqa: SIM115 - closed in finally
    up = start_stack(data_dir, port, env, log)
    db = data_dir / "stancestream.db"
    try:
        wait_until(lambda: (data_dir / "redis.url").exists() and health(port), 180, "stack up")
        url = (data_dir / "redis.url").read_text().strip()
        r = redis.Redis.from_url(url)
        for stream, fields in POISON[:3]:
            r.xadd(stream, fields)
        run_ingest(data_dir, str(src), env=env, timeout=300)
        for stream, fields in POISON[3:]:
            r.xadd(stream, fields)

        wait_until(lambda: articles_done(db) >= N // 5, 300, "a fifth of the articles stored")
        kill_workers_and_restart_redis(up, url)
        wait_until(lambda: articles_done(db) >= N, 600, f"all {N} articles stored", every=1.0)
        r = redis.Redis.from_url(url)
        wait_until(
            lambda: drained(r), 120, "every group drained and the 5 poison messages dead-lettered"
        )
        got = letters(r)
        assert len(got) == 5, got
        assert all(x["error"] and x["service"] for x in got)
    finally:
        stop_up(up, 90)
        log.close()

    assert_stored_as_analyze_reads(db, docs, data_dir)


def letters(r: redis.Redis) -> list[dict]:
    from stancestream.shared.consumer import decode_entry

    out = []
    for stream in (ARTICLES, CLAIMS, STANCES):
        out += [decode_entry(f) for _, f in r.xrange(dlq(stream))]
    return out


def ping(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except (redis.ConnectionError, OSError):
        return False


def health(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
