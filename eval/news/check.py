"""Check gold files of the news dev set against their texts (the checks of stance-annotation.md).

Every file parses; every key used exists; every regex compiles and fullmatches a string that
occurs in the text; every evidence_span lies in the text; no pair is both a stance and a
no_stance. With --show, prints each stance with its evidence, for re-reading.

Usage: python eval/news/check.py [GOLD_FILES...] [--texts eval/news/texts.jsonl] [--show]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent


def occurrences(pattern: re.Pattern, text: str) -> list[str]:
    """Strings of the text, at word boundaries, that the actor pattern fullmatches."""
    found = []
    for m in re.finditer(rf"(?<!\w)(?:{pattern.pattern})(?!\w)", text):
        if pattern.fullmatch(m.group(0)):
            found.append(m.group(0))
    return found


def check(gold: dict, text: str) -> list[str]:
    """Problems of one gold file; empty when it passes."""
    errs = []
    actors = gold.get("actors", {})
    for key, a in actors.items():
        try:
            rx = re.compile(a["regex"])
        except (re.error, KeyError) as e:
            errs.append(f"actor {key}: bad regex: {e}")
            continue
        if not occurrences(rx, text):
            errs.append(f"actor {key}: regex {a['regex']!r} matches nothing in the text")
        if rx.fullmatch("he") or rx.fullmatch("she") or rx.fullmatch("they"):
            errs.append(f"actor {key}: regex matches a pronoun")
    for person, body in gold.get("speaks_for", {}).items():
        for k in (person, body):
            if k not in actors:
                errs.append(f"speaks_for: unknown key {k}")
    pairs = set()
    for i, s in enumerate(gold.get("stances", [])):
        for k in (s.get("source"), s.get("target")):
            if k not in actors:
                errs.append(f"stance {i}: unknown key {k}")
        if s.get("stance") not in ("support", "oppose"):
            errs.append(f"stance {i}: label {s.get('stance')!r}")
        if s.get("source") == s.get("target"):
            errs.append(f"stance {i}: an actor toward itself")
        span = s.get("evidence_span")
        if not (isinstance(span, list) and len(span) == 2 and 0 <= span[0] < span[1] <= len(text)):
            errs.append(f"stance {i}: evidence_span {span} not inside the text ({len(text)})")
        if "evidence" in s:
            errs.append(f"stance {i}: copied evidence text; use evidence_span")
        pairs.add((s.get("source"), s.get("target")))
    for p in gold.get("no_stance", []):
        for k in p:
            if k not in actors:
                errs.append(f"no_stance: unknown key {k}")
        if tuple(p) in pairs:
            errs.append(f"no_stance {p} is also a stance")
    return errs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=pathlib.Path)
    ap.add_argument("--texts", type=pathlib.Path, default=HERE / "texts.jsonl")
    ap.add_argument("--show", action="store_true")
    a = ap.parse_args()
    if not a.texts.exists():
        print(f"{a.texts} is missing: run python eval/news/texts.py first", file=sys.stderr)
        return 1
    texts = {}
    for line in a.texts.open(encoding="utf-8"):
        d = json.loads(line)
        texts[d["id"]] = d["text"]
    files = a.files or sorted((HERE / "gold").glob("*.gold.json"))
    bad = 0
    for f in files:
        try:
            gold = json.loads(f.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            print(f"{f.name}: does not parse: {e}")
            bad += 1
            continue
        doc = str(gold.get("doc_id"))
        if doc not in texts:
            print(f"{f.name}: no text for doc_id {doc!r}")
            bad += 1
            continue
        text = texts[doc]
        errs = check(gold, text)
        bad += bool(errs)
        for e in errs:
            print(f"{f.name}: {e}")
        if a.show:
            print(f"== {doc}: {len(gold.get('stances', []))} stances")
            for s in gold.get("stances", []):
                lo, hi = s.get("evidence_span", [0, 0])
                ev = text[lo:hi].replace("\n", " ")
                mixed = " (mixed)" if s.get("mixed") else ""
                print(f"  {s['source']} -> {s['target']} {s['stance']}{mixed}: {ev}")
    print(f"checked {len(files)} files, {bad} with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
