#!/usr/bin/env python3
"""Speaker-attribution evaluation on hand-annotated quotes and reported statements.

Gold (``eval/speakers-msnbc.jsonl``, offsets only, into the texts of
``../shared/data/el/msnbc-updated.jsonl``): one record per statement, ``{"doc", "claim": [s, e],
"speaker": [s, e], "kind": "quote" | "reported"}``; the speaker span is the named mention in the
attribution, or the nearest named mention before a pronoun/description ("he said"). Statements
whose source is never named ("police said", "a spokesman said") are not annotated.

Each document goes through ``link_article``. A gold statement is *found* when an attributed
predicted claim (one with a speaker) overlaps it (the one overlapping it most is used); its speaker
is *correct* when the predicted speaker entity has a mention overlapping the gold speaker span.
 - precision = correct / found  (a found statement with a wrong speaker is a false attribution)
 - recall    = correct / gold statements
Attributed claims overlapping no gold statement are counted apart ("unmatched"): the annotation
covers named sources only, so they are not scored as errors.

    python eval/speakers.py [--gold eval/speakers-msnbc.jsonl] [--docs PATH] [--kb]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "speakers-msnbc.jsonl"
DOCS = ROOT.parent / "shared" / "data" / "el" / "msnbc-updated.jsonl"

Span = tuple[int, int]


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass
class Scores:
    gold: int = 0
    found: int = 0
    correct: int = 0
    unmatched: int = 0
    seconds: float = 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (
            f"speaker_f1={self.f1:.4f} precision={self.precision:.4f} "
            f"recall={self.recall:.4f} gold={self.gold} found={self.found} "
            f"correct={self.correct} unmatched_attributed={self.unmatched} "
            f"seconds={self.seconds:.1f}"
        )


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(x) for x in fh if x.strip()]


def score(
    texts: dict[str, str],
    gold: list[dict],
    linker=None,  # noqa: ANN001 - a Linker
    verbose: bool = False,
) -> Scores:
    """Run the linking on every annotated document and compare attributions with ``gold``."""
    from stancestream.services.linking.link import link_article
    from stancestream.services.linking.nlp import load_nlp
    from stancestream.shared.contracts import Article

    nlp = load_nlp("en_core_web_sm")
    by_doc: dict[str, list[dict]] = {}
    for g in gold:
        by_doc.setdefault(str(g["doc"]), []).append(g)
    out = Scores()
    t0 = time.perf_counter()
    for doc, golds in by_doc.items():
        text = texts[doc]
        linked = link_article(nlp, Article(id=f"msnbc-{doc}", text=text, content_hash=doc), linker)
        mentions = {e.id: e.mentions for e in linked.entities}
        attributed = [c for c in linked.claims if c.speaker is not None]
        used: set[str] = set()
        for g in golds:
            out.gold += 1
            claim, spk = tuple(g["claim"]), tuple(g["speaker"])
            hits = [c for c in attributed if _overlap(c.span, claim)]
            if not hits:
                if verbose:
                    print(f"MISS {doc} {text[claim[0] : claim[1]][:60]!r}", file=sys.stderr)
                continue
            best = max(hits, key=lambda c: _overlap(c.span, claim))
            used.update(c.id for c in hits)
            out.found += 1
            ok = any(_overlap(m, spk) for m in mentions.get(best.speaker or "", []))
            out.correct += ok
            if verbose and not ok:
                print(
                    f"WRONG {doc} {text[claim[0] : claim[1]][:50]!r} gold={text[spk[0] : spk[1]]!r}"
                    f" got={best.speaker}",
                    file=sys.stderr,
                )
        out.unmatched += sum(c.id not in used for c in attributed)
    out.seconds = time.perf_counter() - t0
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--docs", type=Path, default=DOCS, help="the ELEVANT-format texts")
    ap.add_argument("--kb", action="store_true", help="link with the configured KB as well")
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses and wrong speakers")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    texts = {str(d["id"]): d["text"] for d in load_jsonl(args.docs)}
    linker = None
    if args.kb:
        from stancestream.services.linking.wiring import make_linker
        from stancestream.shared.settings import load_settings

        linker = make_linker(load_settings())
    print(score(texts, load_jsonl(args.gold), linker, args.verbose).line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
