"""Page furniture stays out of the body text: photo credits and captions, "Trending"/"Related"
boxes and teasers of other stories; checked on made-up pages and on 12 real news pages."""

from __future__ import annotations

import difflib
import re

import pytest

from stancestream.services.ingestion.extract import extract_html
from stancestream.services.ingestion.furniture import drop_furniture_lines

P1 = (
    "The UK may be forced to review its Falkland Islands air defenses to face a renewed threat "
    "in the South Atlantic, officials in London said on Monday."
)
P2 = (
    "According to a report in a Sunday newspaper, the air force is set to get a dozen attack "
    "planes in return for foodstuff, a deal the ministry would not confirm."
)
P3 = (
    "Critics in parliament said the review came too late and asked the defence secretary to "
    "explain why the threat had not been assessed before the summer."
)


def _extract(body: str) -> str:
    page = f"<html><head><title>Air defenses</title></head><body>{body}</body></html>"
    return extract_html(page, source="t.html", max_bytes=100_000).text


# ---- credits glued to a sentence ---------------------------------------------------------------
GLUED_CREDIT = re.compile(r"/[A-Z]{2,}(?=[A-Z][a-z])|[a-z]/(?:Reuters|Getty Images|Bloomberg)\w")
CREDIT_LINE = re.compile(
    r"^(?:photo|photographer|image|credit|mandatory credit)\s*:|^[\w .'’-]+/(?:REUTERS|AP|AFP)$",
    re.I,
)
BOX_LINE = re.compile(r"^(?:trending|related)\b", re.I)


def test_credit_inside_the_first_paragraph_is_not_glued_to_it():
    text = _extract(
        "<article><p><strong><span class='image-container'><span class='image'>"
        "<img src='a.jpg'><span class='source'><span>Shamil Zhumatov/REUTERS</span></span>"
        "<span class='caption'>A jet fighter drops flares during an exercise</span></span>"
        f"</span>{P1}</strong></p><p>{P2}</p><p>{P3}</p></article>"
    )
    assert text.split("\n\n") == [P1, P2, P3]


def test_figure_captions_and_credit_lines_are_dropped():
    text = _extract(
        f"<article><p>{P1}</p><figure><img src='a.jpg'><figcaption>People walk past the stock "
        "exchange building in Mumbai. <span class='credit'>Photo: Getty Images</span>"
        f"</figcaption></figure><p>{P2}</p><div class='wp-caption-text'>The minister, "
        f"pictured in May.</div><p>{P3}</p></article>"
    )
    assert text.split("\n\n") == [P1, P2, P3]


def test_a_related_box_inside_a_short_article_goes_and_the_article_stays():
    text = _extract(
        f"<article><p>{P1}</p><div class='box'><h3>Related Coverage</h3><ul>"
        "<li><a href='/x'>Argentina buys jets from Russia</a></li>"
        "<li><a href='/y'>Falklands vote on status</a></li></ul></div>"
        f"<p>{P2}</p><h3>Related</h3><ul><li><a href='/z'>Typhoons scrambled</a></li></ul>"
        f"<p>{P3}</p></article>"
    )
    assert text.split("\n\n") == [P1, P2, P3]


def test_a_trending_sidebar_with_teasers_of_other_stories_goes():
    text = _extract(
        f"<div class='main'><article><p>{P1}</p><p>{P2}</p><p>{P3}</p></article></div>"
        "<div class='rail'><div class='module'><div class='header'><h3>Trending On Reuters</h3>"
        "</div><ul><li><a href='/a'>Obama authorizes more sanctions against North Korea</a></li>"
        "</ul></div><div class='package'><h3>Banking</h3><p>India needs to conceive several "
        "reforms in the banking sector, the finance minister told reporters at a retreat. "
        "<a href='/b'>Full Article</a></p></div></div>"
    )
    assert text.split("\n\n") == [P1, P2, P3]


def test_text_pass_drops_credit_lines_and_box_headings_but_keeps_sentences():
    text = "\n\n".join(
        [
            "LONDON",
            "Kim Kyung-Hoon/REUTERSLONDON (Reuters) - The minister said the plan would work.",
            "Photo: Barcroft",
            "Related charges were filed against him in May, his lawyer said.",
            "Trending Now in News",
            "AirAsia used unauthorized route",
            "Shark attacks surfer",
            "The report was published on Tuesday by the ministry in London and Paris.",
        ]
    )
    assert drop_furniture_lines(text).split("\n\n") == [
        "LONDON (Reuters) - The minister said the plan would work.",
        "Related charges were filed against him in May, his lawyer said.",
        "The report was published on Tuesday by the ministry in London and Paris.",
    ]


def test_a_body_whose_class_names_credit_cards_is_kept():
    text = _extract(f"<article class='credit-cards'><p>{P1}</p><p>{P2}</p><p>{P3}</p></article>")
    assert text.split("\n\n") == [P1, P2, P3]


# ---- the 12 real pages -------------------------------------------------------------------------
# Word-sequence match (difflib ratio over lower-cased word lists) with *.expected.txt, measured
# before credits and boxes were dropped (trafilatura 2.3.1, rounded down); no page may fall
# below it. After: businessinsider.com1 1.000, reuters.com1 0.944, reuters.com2 0.981,
# reuters.com3 0.982, reuters.com4 0.968, the rest unchanged. dailycaller.com2 and reuters.com1
# stay lowest because their expected texts keep photo captions, "Sports" and "Follow ... on
# Twitter" lines, which are furniture too.
MATCH_BEFORE = {
    "bloomberg.com1": 0.967,
    "businessinsider.com1": 0.991,
    "cnn": 0.984,
    "dailycaller.com2": 0.908,
    "foxnews.com2": 0.985,
    "globalnews.ca2": 0.931,
    "nypost.com1": 1.0,
    "nypost.com2": 0.988,
    "reuters.com1": 0.876,
    "reuters.com2": 0.966,
    "reuters.com3": 0.979,
    "reuters.com4": 0.966,
}


def _words(s: str) -> list[str]:
    return re.findall(r"\w+", s.lower())


def sequence_match(got: str, want: str) -> float:
    return difflib.SequenceMatcher(None, _words(got), _words(want), autojunk=False).ratio()


@pytest.fixture(scope="module")
def pages(shared_data) -> dict[str, tuple[str, str]]:
    """name -> (extracted text, expected text) for every page of news_html/."""
    d = shared_data / "news_html"
    out = {}
    for html in sorted(d.glob("*.html")):
        name = html.name.removesuffix(".html")
        got = extract_html(html.read_bytes(), source=name, max_bytes=5_000_000).text
        out[name] = (got, (d / f"{name}.expected.txt").read_text(encoding="utf-8"))
    return out


def test_real_pages_match_expected_text_no_worse_than_before(pages):
    assert set(pages) == set(MATCH_BEFORE)
    scores = {name: sequence_match(got, want) for name, (got, want) in pages.items()}
    for name, score in scores.items():
        print(f"{name:22s} word-sequence match {score:.4f} (before {MATCH_BEFORE[name]:.3f})")
    worse = {n: round(s, 4) for n, s in scores.items() if s < MATCH_BEFORE[n]}
    assert not worse, worse


def test_real_pages_have_no_credit_glued_or_on_its_own_line(pages):
    for name, (got, _) in pages.items():
        assert not GLUED_CREDIT.search(got), (name, GLUED_CREDIT.search(got))
        lines = [p for p in got.split("\n\n") if CREDIT_LINE.search(p)]
        assert not lines, (name, lines)


def test_real_pages_have_no_trending_or_related_block(pages):
    for name, (got, _) in pages.items():
        boxes = [p for p in got.split("\n\n") if BOX_LINE.match(p) and len(p.split()) <= 8]
        assert not boxes, (name, boxes)
        assert "Full Article" not in got, name  # a teaser of another story
