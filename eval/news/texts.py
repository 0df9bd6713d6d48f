"""Write the news dev set's article texts (TEXTS.jsonl for eval_news.py) from ../shared.

The gold files under eval/news/gold/ hold only offsets into these texts, never the texts
themselves: the texts stay in ../shared/data, and this script reassembles them at eval time.

Usage: python eval/news/texts.py [--shared DIR] [-o eval/news/texts.jsonl]
Ids: msnbc-<n> (el/msnbc-updated.jsonl), reuters-<n> (el/reuters-128.jsonl),
<page> (news_html/<page>.expected.txt), tass-2017-10-20-idlib (seed/).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent


def default_shared() -> pathlib.Path:
    """The data folder handed to the project: $STANCESTREAM_SHARED_DATA or ../shared/data."""
    env = os.environ.get("STANCESTREAM_SHARED_DATA")
    return pathlib.Path(env) if env else HERE.parents[2] / "shared" / "data"


def iter_texts(data: pathlib.Path):
    """Yield (id, text) for every article the dev set may use, in a stable order."""
    for name, prefix in (("msnbc-updated.jsonl", "msnbc"), ("reuters-128.jsonl", "reuters")):
        with open(data / "el" / name, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    yield f"{prefix}-{row['id']}", row["text"]
    for page in sorted((data / "news_html").glob("*.expected.txt")):
        yield page.name.removesuffix(".expected.txt"), page.read_text(encoding="utf-8")
    for seed in sorted((data / "seed").glob("*.txt")):
        yield seed.stem, seed.read_text(encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=pathlib.Path, default=None, help="../shared/data")
    ap.add_argument("-o", "--output", type=pathlib.Path, default=HERE / "texts.jsonl")
    a = ap.parse_args()
    data = a.shared or default_shared()
    if not (data / "el").is_dir():
        print(
            f"no evaluation data at {data} (set --shared or STANCESTREAM_SHARED_DATA)",
            file=sys.stderr,
        )
        return 1
    n = 0
    with open(a.output, "w", encoding="utf-8") as out:
        for doc_id, text in iter_texts(data):
            out.write(json.dumps({"id": doc_id, "text": text}) + "\n")
            n += 1
    print(f"wrote {n} texts to {a.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
