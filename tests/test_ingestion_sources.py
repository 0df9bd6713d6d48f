"""Inputs -> Articles: text/HTML/JSONL files, the seed layout, URLs (httpx MockTransport)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import httpx
import pytest

from stancestream.services.ingestion.errors import (
    BadInput,
    EmptyArticle,
    FetchError,
    IngestError,
    TooLarge,
)
from stancestream.services.ingestion.normalize import content_hash
from stancestream.services.ingestion.sources import (
    expand_inputs,
    fetch_article,
    make_article,
    read_path,
    split_title,
)
from stancestream.shared.contracts import Article
from stancestream.shared.settings import IngestionSettings

CFG = IngestionSettings(max_html_bytes=50_000, max_article_chars=2_000)
BODY = (
    "<html><body><article>"
    + "".join(
        f"<p>Paragraph {i}: the minister said the talks in Geneva would resume next week after "
        f"a pause of several days, according to officials familiar with the plan.</p>"
        for i in range(4)
    )
    + "</article></body></html>"
)


# ---- title heuristic ---------------------------------------------------------------------------
def test_seed_file_headline_is_title_and_kicker_dropped(shared_data):
    [art] = list(read_path(shared_data / "seed" / "tass-2017-10-20-idlib.txt", IngestionSettings()))
    assert isinstance(art, Article)
    assert art.title == (
        "US confirms terrorists in Syria use chemical weapons — Russian Defense Ministry"
    )
    assert not art.text.startswith("All news")
    assert art.text.startswith("The Russian Defense Ministry refutes")
    assert "MOSCOW, October 20. /TASS/." in art.text
    assert art.id.startswith("a_") and art.url is None


def test_split_title_first_short_line_then_blank():
    assert split_title("Headline here\n\nBody one.\nBody two.") == (
        "Headline here",
        "Body one.\nBody two.",
    )


def test_split_title_third_line_sentence_is_not_headline():
    # kicker, blank, a sentence ending in a period: only the first line can be the title
    title, body = split_title("World\n\nThe talks ended.\n\nMore text.")
    assert title == "World" and body.startswith("The talks ended.")


def test_split_title_none_for_wrapped_paragraph():
    text = "A long paragraph hard-wrapped\nat seventy columns goes on\nand on."
    assert split_title(text) == (None, text)


def test_split_title_long_first_line_is_body():
    first = "x" * 250
    assert split_title(f"{first}\n\nmore") == (None, f"{first}\n\nmore")


# ---- make_article ------------------------------------------------------------------------------
def test_make_article_limits_and_identity():
    with pytest.raises(TooLarge, match="max_article_chars"):
        make_article("word " * 1000, source_ref="x", settings=CFG)
    with pytest.raises(EmptyArticle, match="x: text is empty"):
        make_article(" \u200b\n\n ", source_ref="x", settings=CFG)
    a = make_article(
        "Hello  world",
        source_ref="x",
        settings=CFG,
        url="HTTPS://Site.org/a?utm_source=rss",
        published_at="2024-01-02",
    )
    b = make_article("hello world", source_ref="y", settings=CFG, url="https://site.org/a")
    assert a.id == b.id and a.url == "https://site.org/a"
    assert a.content_hash == content_hash("HELLO WORLD") and a.text == "Hello world"
    assert a.published_at is not None and a.published_at.year == 2024


# ---- files -------------------------------------------------------------------------------------
def test_text_file_in_cp1252(tmp_path: Path):
    p = tmp_path / "a.txt"
    p.write_bytes("Café talks\n\n“We agree,” he said.".encode("cp1252"))
    [art] = list(read_path(p, CFG))
    assert art.title == "Café talks" and art.text == "“We agree,” he said."


def test_html_file_and_too_large_html(tmp_path: Path):
    ok = tmp_path / "ok.html"
    ok.write_text(BODY, encoding="utf-8")
    [art] = list(read_path(ok, CFG))
    assert isinstance(art, Article) and art.text.count("\n\n") == 3
    big = tmp_path / "big.htm"
    big.write_bytes(b"<p>x</p>" * 10_000)
    [err] = list(read_path(big, CFG))
    assert isinstance(err, TooLarge) and str(big) in str(err)


def test_fields_over_the_storage_limits_are_refused_at_ingestion(tmp_path: Path):
    """The same limits as the storage columns, so SQLite and PostgreSQL never disagree."""
    p = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "x" * 65, "text": "An article with a long id."}),
        json.dumps({"source": "S" * 256, "text": "An article with a long source."}),
        json.dumps({"id": "x" * 64, "source": "S" * 255, "text": "Just within the limits."}),
        json.dumps({"url": "javascript:alert(1)", "text": "An article with a script link."}),
    ]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_path(p, CFG))
    assert [type(i).__name__ for i in items] == ["BadInput", "BadInput", "Article", "BadInput"]
    assert 'invalid field "url"' in str(items[3])
    assert 'invalid field "id"' in str(items[0]) and "64 characters" in str(items[0])
    assert 'invalid field "source"' in str(items[1]) and "255 characters" in str(items[1])


def test_binary_junk_is_refused_and_prose_in_any_script_is_not(tmp_path: Path):
    junk = tmp_path / "random.txt"
    junk.write_bytes(random.Random(7).randbytes(200_000))
    [err] = list(read_path(junk, IngestionSettings()))
    assert isinstance(err, BadInput) and "not text" in str(err) and str(junk) in str(err)
    for name, prose in [
        ("en.txt", "The minister said on Tuesday that talks would resume in Geneva. " * 20),
        ("ru.txt", "Министр заявил во вторник, что переговоры возобновятся в Женеве. " * 20),
        ("zh.txt", "部长周二表示，谈判将在日内瓦恢复。" * 40),
        ("figures.txt", "Revenue rose 4.5% to $12.3 billion (2023: $11.8 billion), it said. " * 20),
    ]:
        p = tmp_path / name
        p.write_text(prose, encoding="utf-8")
        [art] = list(read_path(p, IngestionSettings()))
        assert isinstance(art, Article), (name, art)


def test_jsonl_lines_that_break_the_json_decoder_are_bad_lines_not_a_crash(tmp_path: Path):
    p = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"text": "First article text."}),
        "[" * 100_000,  # RecursionError inside json
        '{"text": "x", "n": ' + "7" * 5000 + "}",  # ValueError: too many digits
        json.dumps({"text": "Last article text."}),
    ]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_path(p, CFG))
    assert [type(i).__name__ for i in items] == ["Article", "BadInput", "BadInput", "Article"]
    assert "nested too deep" in str(items[1]) and f"{p}:2" in str(items[1])
    assert "digits" in str(items[2]) and f"{p}:3" in str(items[2])


def test_jsonl_good_and_bad_lines_each_reported(tmp_path: Path):
    p = tmp_path / "in.jsonl"
    lines = [
        json.dumps(
            {
                "id": "mine-1",
                "text": "First article text.",
                "title": "One",
                "url": "https://e.org/1",
                "published_at": "2024-05-01T10:00:00Z",
                "source": "E",
            }
        ),
        "",
        "{not json",
        json.dumps({"title": "no body"}),
        json.dumps({"html": BODY}),
        json.dumps(["a", "list"]),
        json.dumps({"text": "x", "published_at": "someday"}),
        json.dumps({"text": 5}),
    ]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_path(p, CFG))
    assert [type(i).__name__ for i in items] == [
        "Article",
        "BadInput",
        "BadInput",
        "Article",
        "BadInput",
        "BadInput",
        "BadInput",
    ]
    assert items[0].id == "mine-1" and items[0].source == "E" and items[0].title == "One"
    assert f"{p}:3" in str(items[1]) and "not valid JSON" in str(items[1])
    assert f"{p}:4" in str(items[2]) and '"text" or "html"' in str(items[2])
    assert all(
        isinstance(i, IngestError) and i.source.startswith(f"{p}:")
        for i in items
        if not isinstance(i, Article)
    )


def test_unsupported_and_missing_inputs(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("Title\n\nBody.")
    (tmp_path / "sub" / "b.HTML").write_text(BODY)
    (tmp_path / "sub" / "skip.pdf").write_bytes(b"%PDF")
    targets, errors = expand_inputs(
        [str(tmp_path / "sub"), str(tmp_path / "nope.txt"), "https://e.org/x"]
    )
    assert [Path(t).name if isinstance(t, Path) else t for t in targets] == [
        "a.txt",
        "b.HTML",
        "https://e.org/x",
    ]
    assert len(errors) == 1 and isinstance(errors[0], BadInput)
    assert "no such file" in str(errors[0])
    [err] = list(read_path(tmp_path / "sub" / "skip.pdf", CFG))
    assert isinstance(err, BadInput) and "unsupported file type" in err.reason


# ---- URLs --------------------------------------------------------------------------------------
def _client(handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_fetch_article_uses_user_agent_and_requested_url():
    seen = {}

    def handler(req: httpx.Request) -> httpx.Response:
        seen["ua"] = req.headers["user-agent"]
        return httpx.Response(200, text=BODY, headers={"content-type": "text/html"})

    async with _client(handler) as c:
        art = await fetch_article(
            c, "https://news.example/a?utm_campaign=x", CFG, title="Feed title"
        )
    assert seen["ua"] == CFG.user_agent
    assert art.url == "https://news.example/a" and art.title == "Feed title"
    assert art.source == "news.example"


async def test_fetch_refuses_big_pages_while_streaming():
    async def chunks():
        for _ in range(10):
            yield b"<p>" + b"x" * 10_000 + b"</p>"

    def handler(req: httpx.Request) -> httpx.Response:  # no content-length: chunked
        return httpx.Response(200, content=chunks())

    async with _client(handler) as c:
        with pytest.raises(TooLarge, match="https://big.example/"):
            await fetch_article(c, "https://big.example/", CFG)


async def test_fetch_http_error_and_timeout_are_typed():
    def handler(req: httpx.Request) -> httpx.Response:
        if req.url.path == "/slow":
            raise httpx.ReadTimeout("slow", request=req)
        return httpx.Response(404)

    async with _client(handler) as c:
        with pytest.raises(FetchError, match="HTTP 404"):
            await fetch_article(c, "https://e.org/gone", CFG)
        with pytest.raises(FetchError, match="timed out"):
            await fetch_article(c, "https://e.org/slow", CFG)
