"""``stancestream analyze``: the linking and stance code of the services, in one process, no Redis.

Reads articles as JSONL, writes one JSON line per article in the same order (or, with ``text``,
a block a reader can check against the article). Articles are handled in small groups so the
stance model sees large batches while output keeps streaming.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import IO, Any

from stancestream.shared.contracts import Article, LinkedArticle, StanceBatch, stable_id
from stancestream.shared.jsonl import json_object
from stancestream.shared.settings import Settings

GROUP = 8


class BadArticle(ValueError):
    """An input line that is not an article; the message names the line."""


def parse_article(lineno: int, line: str, max_chars: int) -> Article:
    obj = json_object(lineno, line, BadArticle)
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadArticle(f"line {lineno}: 'text' must be a non-empty string")
    if len(text) > max_chars:
        raise BadArticle(f"line {lineno}: text has {len(text)} characters, limit {max_chars}")
    art_id = str(obj.get("id") or stable_id(text, prefix="a_"))
    published = obj.get("published_at")
    try:
        published_at = datetime.fromisoformat(published) if published else None
    except (TypeError, ValueError) as exc:
        raise BadArticle(f"line {lineno}: published_at is not ISO-8601: {published!r}") from exc
    return Article(
        id=art_id,
        text=text,
        title=obj.get("title"),
        url=obj.get("url"),
        source=obj.get("source"),
        published_at=published_at,
        content_hash=stable_id(text, size=40),
    )


def render(linked: LinkedArticle, batch: StanceBatch | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": linked.article.id,
        "entities": [e.model_dump() for e in linked.entities],
        "claims": [
            {"id": c.id, "span": list(c.span), "text": c.text, "speaker": c.speaker, "kind": c.kind}
            for c in linked.claims
        ],
        "stances": [],
    }
    if linked.article.title:
        out["title"] = linked.article.title
    if batch is not None:
        out["stances"] = [
            {
                "claim": s.claim,
                "source": s.source,
                "target": s.target,
                "stance": s.stance,
                "score": s.score,
                "scores": s.scores,
                "basis": s.basis,
                "cue": s.cue,
            }
            for s in batch.stances
        ]
    for e in out["entities"]:
        e["mentions"] = [list(m) for m in e["mentions"]]
    return out


def render_text(linked: LinkedArticle, batch: StanceBatch | None, width: int = 160) -> str:
    """What a reader checks against the article: its actors, and each support or oppose with
    the claim it was read from (neutral pairs are counted, not listed)."""
    names = {e.id: e.name for e in linked.entities}
    claims = {c.id: c for c in linked.claims}
    first = " ".join(linked.claims[0].text.split()) if linked.claims else ""
    title = linked.article.title or (first[:70] + "..." if len(first) > 70 else first)
    lines = [
        f"== {linked.article.id}: {title}",
        f"   {len(linked.entities)} actors: "
        + ", ".join(f"{e.name} ({e.wikidata or e.type})" for e in linked.entities),
    ]
    stances = batch.stances if batch is not None else []
    shown = [s for s in stances if s.stance != "neutral"]
    for s in shown:
        why = s.basis + (f": {s.cue}" if s.cue else "") if s.basis else "unread claim"
        text = " ".join(claims[s.claim].text.split())
        quote = text if len(text) <= width else text[: width - 3] + "..."
        lines.append(f"   {names[s.source]} -> {names[s.target]}: {s.stance} {s.score:.2f} ({why})")
        lines.append(f'      "{quote}"')
    if batch is None:
        lines.append("   (stance not scored)")
    else:
        lines.append(f"   {len(shown)} support/oppose, {len(stances) - len(shown)} neutral pairs")
    return "\n".join(lines) + "\n\n"


def run_analyze(
    settings: Settings,
    src: IO[str],
    dst: IO[str],
    model: str | None = None,
    skip_bad: bool = False,
    with_stance: bool = True,
    text: bool = False,
) -> int:
    from stancestream.services.linking.link import link_articles
    from stancestream.services.linking.nlp import ParseCache, load_nlp
    from stancestream.services.linking.wiring import make_linker

    nlp = load_nlp(settings.linking.spacy_model)
    parses = ParseCache(settings.linking.parse_cache)
    linker = make_linker(settings)
    scorer = None
    if with_stance:
        from stancestream.services.stance.cache import CachedScorer
        from stancestream.services.stance.scorer import ModelLoadError, load_scorer

        try:
            scorer = CachedScorer(
                load_scorer(model or settings.stance.model, settings.stance.batch_size),
                settings.stance.cache_size,
            )
        except ModelLoadError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 3
    from stancestream.services.stance.stancing import score_articles

    def analyze(articles: list[Article]) -> None:
        linked = link_articles(nlp, articles, linker, settings.linking.max_claims, parses)
        cfg = settings.stance
        batches = (
            score_articles(
                scorer,
                linked,
                cfg.max_pairs_per_claim,
                cfg.skip_types,
                cfg.sources,
                cfg.threshold,
                cfg.support_threshold,
            )
            if scorer
            else [None] * len(linked)
        )
        for la, b in zip(linked, batches):
            if text:
                dst.write(render_text(la, b))
            else:
                dst.write(json.dumps(render(la, b), ensure_ascii=False, default=str) + "\n")
        dst.flush()

    return in_groups(src, settings.ingestion.max_article_chars, skip_bad, analyze)


def in_groups(
    src: IO[str], max_chars: int, skip_bad: bool, analyze: Callable[[list[Article]], None]
) -> int:
    """Parse ``src`` and hand its articles to ``analyze`` ``GROUP`` at a time, in order. A bad
    line stops there (exit 2, after the articles before it), or with ``skip_bad`` is reported
    and skipped."""
    pending: list[Article] = []
    bad = 0

    def flush() -> None:
        analyze(pending)
        pending.clear()

    for lineno, line in enumerate(src, 1):
        if not line.strip():
            continue
        try:
            pending.append(parse_article(lineno, line, max_chars))
        except BadArticle as exc:
            if not skip_bad:
                flush()
                print(f"error: {exc} (use --skip-bad to skip such lines)", file=sys.stderr)
                return 2
            print(f"skipped: {exc}", file=sys.stderr)
            bad += 1
            continue
        if len(pending) >= GROUP:
            flush()
    flush()
    if bad:
        print(f"{bad} bad line(s) skipped", file=sys.stderr)
    return 0
