"""``stancestream subscribe`` on a real Redis, ``export`` (JSON lines, CSV, GraphML re-read by
networkx) on SQLite and PostgreSQL, ``docs``, and examples/subscriber.py."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faststream.redis import RedisBroker
from typer.testing import CliRunner, Result

from stancestream.services.cli.downstream import parse_when, subscribe_events
from stancestream.services.cli.main import app
from stancestream.services.storage.live import StanceFilter
from stancestream.services.storage.repository import Repository
from stancestream.shared.contracts import Trace
from tests.storage_factories import make_batch, make_repeated_batch

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.storage_fixtures"]  # db_url, sessionmaker, repo

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


async def _publish(redis_url: str, stream: str, *aids: str) -> None:
    broker = RedisBroker(redis_url)
    await broker.connect()
    try:
        for aid in aids:
            await broker.publish(make_batch(aid), stream=stream)
    finally:
        await broker.stop()


async def _invoke(args: list[str]) -> Result:
    """The CLI in-process, on a thread (it runs its own event loop)."""
    return await asyncio.to_thread(runner.invoke, app, args)


def _lines(text: str) -> list[dict]:
    return [json.loads(x) for x in text.splitlines() if x.strip()]


async def test_subscribe_prints_live_stances_with_its_own_group(redis_url, uid, aredis) -> None:
    stream = f"{uid}.stances"
    await _publish(redis_url, stream, "a_old")  # before the group exists: not for it
    args = ["subscribe", "--redis-url", redis_url, "--stream", stream, "--group", "g"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "stancestream", *args, "--count", "3"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert "from now" in proc.stderr.readline()  # the group exists: publish
        await _publish(redis_url, stream, "a_1")
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    got = _lines(out)
    assert [e["article_id"] for e in got] == ["a_1"] * 3
    assert got[0]["source_name"] == "Russia" and got[0]["stance"] == "oppose"
    # acked after printing: the group goes on where it stopped
    await _publish(redis_url, stream, "a_2")
    r = await _invoke([*args, "--count", "1", "--stance", "support"])
    assert r.exit_code == 0, r.output
    assert "where it stopped" in r.stderr
    assert [(e["article_id"], e["stance"]) for e in _lines(r.stdout)] == [("a_2", "support")]
    assert (await aredis.xpending(stream, "g"))["pending"] == 0
    # another group from the start sees everything
    r = await _invoke([*args[:-1], "other", "--from-start", "--count", "6", "--actor", "nato"])
    assert r.exit_code == 0, r.output
    assert [e["article_id"] for e in _lines(r.stdout)] == ["a_old"] * 2 + ["a_1"] * 2 + ["a_2"] * 2


async def test_unacked_entries_come_again(redis_url, uid, aredis) -> None:
    stream = f"{uid}.stances"
    await aredis.xgroup_create(stream, "g", id="0", mkstream=True)
    await _publish(redis_url, stream, "a_1", "a_2")
    events = subscribe_events(aredis, stream, "g", StanceFilter(), consumer="c")
    first_id, first = await anext(events)  # read, never acked ("crash")
    await events.aclose()
    again = subscribe_events(aredis, stream, "g", StanceFilter(), consumer="c")
    eid, evs = await anext(again)
    assert eid == first_id and evs == first
    await aredis.xack(stream, "g", eid)
    eid, evs = await anext(again)
    assert evs[0]["article_id"] == "a_2"
    await again.aclose()


def test_subscribe_bad_args() -> None:
    r = runner.invoke(app, ["subscribe", "--stance", "angry"])
    assert r.exit_code == 2 and "--stance must be" in r.stderr


@pytest.fixture
async def stored(repo: Repository, db_url: str) -> str:
    may = datetime(2024, 5, 6, 12, tzinfo=UTC)
    await repo.store_stance_batches(
        [
            make_batch("a_1", published_at=may),
            make_batch("a_2", published_at=may.replace(day=9), stance="support"),
        ]
    )
    return db_url


def _export(db_url: str, *args: str, tmp: Path) -> str:
    out = tmp / "out"
    r = runner.invoke(app, ["export", "--database-url", db_url, "-o", str(out), *args])
    assert r.exit_code == 0, r.output
    assert "exported" in r.stderr
    return out.read_text(encoding="utf-8")


def test_export_jsonl_and_csv(stored: str, tmp_path: Path) -> None:
    rows = _lines(_export(stored, "--format", "jsonl", "--view", "claim", tmp=tmp_path))
    assert len(rows) == 6 and rows[0]["article_id"] == "a_1"  # oldest first
    assert {"source_name", "target_name", "claim_text", "article_url", "basis"} <= set(rows[0])
    rows = _lines(_export(stored, "--since", "2024-05-08", "--view", "claim", tmp=tmp_path))
    assert {r["article_id"] for r in rows} == {"a_2"}
    out = _export(stored, "--format", "csv", "--view", "claim", tmp=tmp_path)
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) == 6 and table[0]["source_name"] == "Russia"
    out = _export(
        stored,
        "--format",
        "csv",
        "--until",
        "2024-05-07T00:00:00Z",
        "--view",
        "claim",
        tmp=tmp_path,
    )
    assert len(list(csv.DictReader(io.StringIO(out)))) == 3


@pytest.mark.parametrize("view", ["article", "claim"])
def test_export_csv_has_its_header_even_when_empty(stored: str, view: str, tmp_path: Path) -> None:
    columns = list(_lines(_export(stored, "--view", view, tmp=tmp_path))[0])
    empty = _export(
        stored, "--format", "csv", "--view", view, "--since", "2030-01-01", tmp=tmp_path
    )
    assert empty.splitlines() == [",".join(columns)]  # the same columns as a row has
    full = _export(stored, "--format", "csv", "--view", view, tmp=tmp_path)
    assert full.splitlines()[0] == ",".join(columns)


@pytest.fixture
async def ingested_late(repo: Repository, db_url: str) -> str:
    """a_1 published and ingested on May 6; a_2 published on May 9 but ingested just now."""
    may = datetime(2024, 5, 6, 12, tzinfo=UTC)
    early = make_batch("a_1", published_at=may)
    early.trace = Trace(ingested_at=may)
    late = make_batch("a_2", published_at=may.replace(day=9), stance="support")
    late.trace = Trace(ingested_at=datetime.now(UTC))
    await repo.store_stance_batches([early, late])
    return db_url


def _ids(db_url: str, tmp: Path, *args: str) -> set[str]:
    return {r["article_id"] for r in _lines(_export(db_url, *args, tmp=tmp))}


def test_export_time_is_publication_by_default_or_ingestion(
    ingested_late: str, tmp_path: Path
) -> None:
    db, hour = ingested_late, ("--since", "1h")
    assert _ids(db, tmp_path, *hour) == set()  # nothing was published in the last hour
    assert _ids(db, tmp_path, *hour, "--time", "published") == set()
    assert _ids(db, tmp_path, *hour, "--time", "ingested") == {"a_2"}  # a_2 came in just now
    assert _ids(db, tmp_path, *hour, "--time", "ingested", "--view", "claim") == {"a_2"}
    may = ("--since", "2024-05-01", "--until", "2024-05-08")
    assert _ids(db, tmp_path, *may) == _ids(db, tmp_path, *may, "--time", "ingested") == {"a_1"}
    _export(db, *hour, "--format", "graphml", tmp=tmp_path)
    assert "<edge" not in (tmp_path / "out").read_text()
    _export(db, *hour, "--time", "ingested", "--format", "graphml", tmp=tmp_path)
    assert 'source="Q2575" target="Q159"' in (tmp_path / "out").read_text()


@pytest.fixture
async def repeated(repo: Repository, db_url: str) -> str:
    labels = ["neutral", "oppose", "neutral", "oppose", "support"]
    await repo.store_stance_batches([make_repeated_batch("a_7", labels)])
    return db_url


def test_export_defaults_to_one_row_per_article_and_pair(repeated: str, tmp_path: Path) -> None:
    db_url = repeated
    rows = _lines(_export(db_url, "--format", "jsonl", tmp=tmp_path))
    pair = next(r for r in rows if (r["source"], r["target"]) == ("Q159", "Q7184"))
    assert (pair["stance"], pair["support"], pair["oppose"], pair["neutral"]) == ("oppose", 1, 2, 2)
    assert [e["stance"] for e in pair["evidence"]] == ["support", "oppose", "oppose"]
    assert pair["score"] == 0.65  # the strongest oppose claim
    assert len(rows) == 1  # five claims of one pair: one article-level row
    table = list(csv.DictReader(io.StringIO(_export(db_url, "--format", "csv", tmp=tmp_path))))
    assert len(table) == 1 and len(json.loads(table[0]["evidence"])) == 3


def test_export_graphml_reimports_in_networkx(stored: str, tmp_path: Path) -> None:
    nx = pytest.importorskip("networkx")
    _export(stored, "--format", "graphml", tmp=tmp_path)
    g = nx.read_graphml(tmp_path / "out")
    assert g.is_directed()
    assert set(g.nodes) == {"Q159", "Q7184", "Q2575"}
    assert g.nodes["Q159"]["name"] == "Russia" and g.nodes["Q159"]["activity"] == 4
    assert set(g.edges) == {("Q159", "Q7184"), ("Q2575", "Q159"), ("Q2575", "Q7184")}
    e = g.edges["Q159", "Q7184"]
    assert (e["count"], e["oppose"], e["support"]) == (2, 1, 1)
    assert e["mean_score"] == pytest.approx(0.9)
    _export(stored, "--format", "graphml", "--min-count", "3", tmp=tmp_path)
    assert nx.read_graphml(tmp_path / "out").number_of_edges() == 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--format", "xml"], "--format must be"),
        (["--since", "last tuesday"], "bad time"),
        (["--since", "2024-05-09", "--until", "2024-05-01"], "empty window"),
        (["--time", "stored"], "--time must be published or ingested"),
    ],
)
def test_export_bad_args(args: list[str], needle: str, tmp_path: Path) -> None:
    r = runner.invoke(app, ["export", "--data-dir", str(tmp_path), *args])
    assert r.exit_code == 2 and needle in r.stderr


def test_export_without_database_says_so(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    r = runner.invoke(app, ["export", "--data-dir", str(tmp_path)], env=env)
    assert r.exit_code == 2 and "no database" in r.stderr


def test_parse_when() -> None:
    now = datetime(2024, 5, 9, tzinfo=UTC)
    assert parse_when("7d", now) == datetime(2024, 5, 2, tzinfo=UTC)
    assert parse_when("2024-05-06") == datetime(2024, 5, 6, tzinfo=UTC)
    with pytest.raises(ValueError, match="span back from now"):
        parse_when("soon")


def test_docs_exports_asyncapi(tmp_path: Path) -> None:
    r = runner.invoke(app, ["docs", "--output", str(tmp_path / "asyncapi.json")])
    assert r.exit_code == 0, r.output
    doc = json.loads((tmp_path / "asyncapi.json").read_text())
    addresses = {c["address"] for c in doc["channels"].values()}
    assert addresses == {
        "articles.v1",
        "claims.v1",
        "stances.v1",
        "articles.v1.dlq",
        "claims.v1.dlq",
        "stances.v1.dlq",
    }
    for op in doc["operations"].values():  # every reference resolves
        assert op["channel"]["$ref"].removeprefix("#/channels/") in doc["channels"]
    schemas = doc["components"]["schemas"]
    assert {"Article", "LinkedArticle", "StanceBatch", "DeadLetter", "Stance"} <= set(schemas)


async def test_example_subscriber_receives_a_batch(redis_url, uid) -> None:
    stream = f"{uid}.stances"
    proc = subprocess.Popen(
        [sys.executable, "examples/subscriber.py"],
        cwd=ROOT,
        env={**os.environ, "REDIS_URL": redis_url, "STANCES_STREAM": stream, "EXIT_AFTER": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        head = [proc.stdout.readline()]  # FastStream's log lines, then ours
        while "ready" not in head[-1] and head[-1] and len(head) < 50:
            head.append(proc.stdout.readline())
        assert "ready" in head[-1], head
        await _publish(redis_url, stream, "a_1")
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert "Russia opposes NATO" in out, out


async def test_subscribe_prints_a_batch_published_twice_once(redis_url, uid, aredis) -> None:
    stream = f"{uid}.stances"
    await aredis.xgroup_create(stream, "g", id="0", mkstream=True)
    await _publish(redis_url, stream, "a_1", "a_1", "a_2")  # a zombie worker's second copy
    r = await _invoke(
        ["subscribe", "--redis-url", redis_url, "--stream", stream, "--group", "g", "--count", "6"]
    )
    assert r.exit_code == 0, r.output
    assert [e["article_id"] for e in _lines(r.stdout)] == ["a_1"] * 3 + ["a_2"] * 3
    assert (await aredis.xpending(stream, "g"))["pending"] == 0  # the copy is acked too
