"""``stancestream dlq``: list, show, replay, purge on a real Redis with uid-prefixed streams."""

from __future__ import annotations

import json

import pytest
import redis
from faststream.redis import RedisBroker
from typer.testing import CliRunner

from stancestream.services.cli.dlq import dlq_streams, get_letter, list_letters, purge, replay
from stancestream.services.cli.main import app
from stancestream.services.ingestion.errors import BadInput
from stancestream.services.ingestion.publisher import dead_letter_for, publish_articles
from stancestream.shared.consumer import ReliableConsumer, decode_entry
from stancestream.shared.contracts import Article
from stancestream.shared.metrics import ServiceMetrics
from stancestream.shared.settings import WorkerSettings
from stancestream.shared.streams import dlq

pytestmark = pytest.mark.integration


def _consumer(aredis, stream: str) -> ReliableConsumer:
    async def process(items):  # never called: we dead-letter by hand
        raise AssertionError

    return ReliableConsumer(
        service="linking",
        stream=stream,
        group="g",
        consumer="c",
        model=Article,
        process=process,
        client=aredis,
        settings=WorkerSettings(),
        metrics=ServiceMetrics("t"),
    )


async def _letters(aredis, stream: str, n: int) -> list[str]:
    """Dead-letter ``n`` articles the way the consumer does; returns the letter ids."""
    rc = _consumer(aredis, stream)
    for i in range(n):
        art = Article(id=f"a{i}", text=f"text {i}", content_hash=f"h{i}")
        fields = {b"__data__": art.model_dump_json().encode()}
        await rc.dead_letter(f"{i + 1}-0".encode(), fields, f"ValueError: boom {i}", attempts=3)
    return [i.decode() for i, _ in await aredis.xrange(dlq(stream))]


async def test_list_show_and_streams(aredis, uid):
    stream = f"{uid}.articles.v1"
    ids = await _letters(aredis, stream, 3)
    await aredis.xadd(dlq(stream), {"junk": "x"})  # a third party wrote into the DLQ
    assert await dlq_streams(aredis, uid) == {dlq(stream): 4}
    letters = await list_letters(aredis, stream)
    assert [lt.id for lt in letters[:3]] == ids
    assert letters[0].letter.service == "linking" and letters[0].letter.attempts == 3
    assert letters[3].letter is None and "no __data__" in letters[3].problem
    got = await get_letter(aredis, f"{stream}.dlq", ids[1])
    assert json.loads(got.letter.payload)["id"] == "a1"
    assert await get_letter(aredis, stream, "not-an-id") is None
    assert await get_letter(aredis, stream, "999-0") is None
    await _cleanup(aredis, stream)


async def test_letters_written_by_ingestion_and_by_the_workers_read_the_same(
    redis_url, aredis, uid
):
    """One format whoever writes: the consumer's letters, ingestion's (published through a
    FastStream broker) and a letter an older ingestion wrote in FastStream's binary envelope."""
    stream = f"{uid}.articles.v1"
    await _letters(aredis, stream, 1)
    broker = RedisBroker(redis_url)
    await broker.connect()
    try:
        await publish_articles(
            broker, [BadInput("feed.xml#7", "entry has neither a link nor content")], stream=stream
        )
        old = dead_letter_for(BadInput("old.txt", "file is empty"), stream)
        await broker.publish(old, stream=dlq(stream))  # the binary envelope
    finally:
        await broker.stop()
    letters = await list_letters(aredis, stream)
    assert [lt.problem for lt in letters] == ["", "", ""]
    assert [lt.letter.service for lt in letters] == ["linking", "ingestion", "ingestion"]
    assert "neither a link nor content" in letters[1].letter.error
    assert "file is empty" in letters[2].letter.error
    replayed, skipped = await replay(aredis, stream)
    assert len(replayed) == 3 and skipped == []
    await _cleanup(aredis, stream)


async def _cleanup(aredis, stream: str) -> None:
    """The stream, its DLQ and the consumer's once-only markers of its letters."""
    keys = [k async for k in aredis.scan_iter(match=f"{dlq(stream)}:*")]
    await aredis.delete(stream, dlq(stream), *keys)


async def test_replay_republishes_decodable_entries_and_deletes_letters(aredis, uid):
    stream = f"{uid}.articles.v1"
    ids = await _letters(aredis, stream, 3)
    done, skipped = await replay(aredis, stream, [ids[0], "5-5"])
    assert [d[0] for d in done] == [ids[0]] and skipped == [("5-5", "no such letter")]
    entries = await aredis.xrange(stream)
    assert len(entries) == 1
    body = decode_entry(entries[0][1])  # the consumer's decoder accepts the replayed entry
    assert Article.model_validate(body).id == "a0"
    assert await aredis.xlen(dlq(stream)) == 2
    # --all; a letter whose payload is not JSON stays where it is
    rc = _consumer(aredis, stream)
    await rc.dead_letter(b"9-0", {b"__data__": b"\xff not json"}, "BadMessage: body", 1)
    done, skipped = await replay(aredis, stream)
    assert len(done) == 2 and len(skipped) == 1 and "not JSON" in skipped[0][1]
    assert [Article.model_validate(decode_entry(f)).id for _, f in await aredis.xrange(stream)] == [
        "a0",
        "a1",
        "a2",
    ]
    assert await purge(aredis, stream) == 1
    assert not await aredis.exists(dlq(stream))
    await _cleanup(aredis, stream)


def test_cli_commands(redis_url, uid, tmp_path):
    stream = f"{uid}.claims.v1"
    r = redis.Redis.from_url(redis_url)
    letter = {
        "stream": stream,
        "message_id": "1-0",
        "service": "stance",
        "error": "ValidationError: text\nmissing",
        "attempts": 2,
        "payload": json.dumps({"id": "x1", "text": "t", "content_hash": "h"}),
    }
    lid = r.xadd(dlq(stream), {"__data__": json.dumps(letter)}).decode()
    run = CliRunner().invoke
    env = {"REDIS_URL": redis_url}
    try:
        res = run(app, ["dlq", "list"], env=env)
        assert res.exit_code == 0 and f"{dlq(stream)}\t1" in res.output
        res = run(app, ["dlq", "list", "--stream", stream], env=env)
        assert lid in res.output and "stance" in res.output and "attempts=2" in res.output
        res = run(app, ["dlq", "show", dlq(stream), lid], env=env)
        assert res.exit_code == 0 and json.loads(res.output)["payload"]["id"] == "x1"
        assert run(app, ["dlq", "show", stream, "1-1"], env=env).exit_code == 1
        assert run(app, ["dlq", "replay", stream], env=env).exit_code == 2  # ids or --all
        res = run(app, ["dlq", "replay", stream, lid], env=env)
        assert res.exit_code == 0 and f"replayed {lid}" in res.output
        assert r.xlen(stream) == 1 and r.xlen(dlq(stream)) == 0
        r.xadd(dlq(stream), {"__data__": json.dumps(letter)})
        assert run(app, ["dlq", "purge", stream], env=env, input="n\n").exit_code == 1
        res = run(app, ["dlq", "purge", stream, "--yes"], env=env)
        assert "purged 1" in res.output and not r.exists(dlq(stream))
        # no REDIS_URL and no embedded Redis in the data dir: a clear error, exit 2
        res = run(app, ["dlq", "list", "--data-dir", str(tmp_path)], env={"REDIS_URL": ""})
        assert res.exit_code == 2 and "no REDIS_URL" in res.output
    finally:
        r.delete(stream, dlq(stream))
        r.close()
