"""Text normalisation, canonical URLs, content hashes and article ids (pure functions)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from stancestream.services.ingestion.normalize import (
    article_id,
    canonical_url,
    content_hash,
    normalize_text,
    paragraphs_to_blocks,
)
from stancestream.shared.contracts import stable_id


def test_normalize_strips_zero_width_and_controls_but_keeps_newlines():
    raw = "Mos\u200bcow\u00ad said\x07 \ufeffno.\r\nNext\x00 line"
    assert normalize_text(raw) == "Moscow said no.\nNext line"


def test_normalize_collapses_spaces_and_paragraph_breaks():
    raw = "  One \t  two\u00a0\u00a0three  \n\n\n\n  Second   para \n\n"
    assert normalize_text(raw) == "One two three\n\nSecond para"


def test_normalize_composes_to_nfc():
    assert normalize_text("Cafe\u0301") == "Caf\u00e9"
    # a zero-width char between base and accent must not leave the pair decomposed
    assert normalize_text("e\u200d\u0301") == "\u00e9"


def test_normalize_unicode_line_separators():
    assert normalize_text("a\u2028b\u2029c") == "a\nb\n\nc"


def test_paragraphs_to_blocks():
    assert paragraphs_to_blocks("one\ntwo\n\nthree\n") == "one\n\ntwo\n\nthree"


def test_canonical_url_drops_tracking_fragment_and_sorts():
    url = "HTTPS://WWW.Example.COM:443/News/Story?utm_source=x&b=2&fbclid=y&a=1&gclid=z#top"
    assert canonical_url(url) == "https://www.example.com/News/Story?a=1&b=2"


def test_canonical_url_keeps_nondefault_port_and_adds_root_path():
    assert canonical_url("http://Example.com:8080") == "http://example.com:8080/"
    assert canonical_url("http://example.com:80/x") == "http://example.com/x"


def test_canonical_url_equal_for_same_page():
    a = canonical_url("https://news.example/a?id=7&utm_medium=rss")
    b = canonical_url("https://NEWS.example/a?id=7#comments")
    assert a == b


def test_canonical_url_strips_like_urlsplit():
    assert canonical_url("\x00\xa0\x00http://e.org/a\tb ") == "http://e.org/ab"


def test_canonical_url_tolerates_garbage():
    assert canonical_url("  not a url  ") == "not a url"
    assert canonical_url("http://[::1") == "http://[::1"  # bad IPv6: returned as is


def test_content_hash_ignores_case_and_spacing():
    assert content_hash("Hello  World\n\nAgain") == content_hash("hello world again")
    assert content_hash("Hello World") != content_hash("Hello Word")


def test_article_id_from_url_else_content():
    h = content_hash("text")
    assert article_id("https://x.org/a?utm_source=1", h) == stable_id(
        "https://x.org/a", prefix="a_"
    )
    assert article_id(None, h) == stable_id(h, prefix="a_")


# ---- properties --------------------------------------------------------------------------------
_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=200)


@settings(max_examples=300, deadline=None)
@given(_text)
def test_normalize_idempotent_and_clean(s):
    once = normalize_text(s)
    assert normalize_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\n\n\n" not in once and once == once.strip(" \n")
    assert all(ch in "\n" or unicodedata.category(ch)[0] != "C" for ch in once)


@settings(max_examples=300, deadline=None)
@given(_text)
def test_content_hash_never_raises_and_is_stable(s):
    assert content_hash(s) == content_hash(normalize_text(s))


_url = st.builds(
    lambda scheme, host, port, path, query, frag: f"{scheme}://{host}{port}{path}{query}{frag}",
    st.sampled_from(["http", "https", "HTTP", "Https"]),
    st.from_regex(r"[A-Za-z0-9.-]{1,20}", fullmatch=True),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.text(st.characters(blacklist_characters="?#"), max_size=20).map(lambda t: "/" + t),
    st.lists(
        st.tuples(
            st.sampled_from(["a", "B", "utm_source", "fbclid", "q", "x y"]), st.text(max_size=5)
        ),
        max_size=4,
    ).map(lambda kv: ("?" + "&".join(f"{k}={v}" for k, v in kv)) if kv else ""),
    st.sampled_from(["", "#frag", "#"]),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_url, st.text(max_size=60)))
def test_canonical_url_idempotent_never_raises(u):
    once = canonical_url(u)
    assert canonical_url(once) == once


@settings(max_examples=200, deadline=None)
@given(_url)
def test_canonical_url_of_web_urls_has_no_fragment_or_tracking(u):
    out = canonical_url(u)
    assert "#" not in out
    assert "utm_source" not in out and "fbclid" not in out
    assert out.split("://", 1)[0] in ("http", "https")
