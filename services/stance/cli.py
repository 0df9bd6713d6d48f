"""``stancestream stance …``: score JSONL queries, train, export, benchmark."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated

import typer

app = typer.Typer(help="The directed stance model: score, train, export.", no_args_is_help=True)


@contextlib.contextmanager
def open_io(input: Path | None, output: Path | None) -> Iterator[tuple[IO[str], IO[str]]]:
    """The input file or stdin, the output file or stdout; files are closed afterwards."""
    with contextlib.ExitStack() as stack:
        src = stack.enter_context(open(input, encoding="utf-8")) if input else sys.stdin
        dst = stack.enter_context(open(output, "w", encoding="utf-8")) if output else sys.stdout
        yield src, dst


class BadLine(ValueError):
    """An input line that is not a valid query; the message names the line."""


def parse_query(lineno: int, line: str):
    """One JSONL query -> (id, PairQuery); raise BadLine with the reason."""
    from stancestream.services.stance.queries import PairQuery
    from stancestream.shared.jsonl import json_object

    obj = json_object(lineno, line, BadLine)
    try:
        text = obj["text"]
        source = tuple(int(x) for x in obj["source"])
        target = tuple(int(x) for x in obj["target"])
    except KeyError as exc:
        raise BadLine(f"line {lineno}: missing field {exc.args[0]!r}") from exc
    except (TypeError, ValueError) as exc:
        raise BadLine(f"line {lineno}: source/target must be [start, end] integers") from exc
    if not isinstance(text, str):
        raise BadLine(f"line {lineno}: text must be a string")
    if len(source) != 2 or len(target) != 2:
        raise BadLine(f"line {lineno}: source/target must be [start, end] integers")
    try:  # optional: the claim's other actors, marked by claim-scheme models
        context = tuple((int(a), int(b)) for a, b in obj.get("context") or ())
    except (TypeError, ValueError) as exc:
        raise BadLine(f"line {lineno}: context must be a list of [start, end] integers") from exc
    q = PairQuery(text, source, target, context)
    try:
        q.validate()
    except ValueError as exc:
        raise BadLine(f"line {lineno}: {exc}") from exc
    return obj.get("id"), q


def score_stream(
    src: IO[str], dst: IO[str], model: str | None, batch_size: int, skip_bad: bool
) -> int:
    """Read every query, then score and write answers in input order. Returns the exit code."""
    ids, queries, bad = [], [], 0
    for lineno, line in enumerate(src, 1):
        if not line.strip():
            continue
        try:
            qid, q = parse_query(lineno, line)
        except BadLine as exc:
            if not skip_bad:
                print(f"error: {exc} (use --skip-bad to skip such lines)", file=sys.stderr)
                return 2
            print(f"skipped: {exc}", file=sys.stderr)
            bad += 1
            continue
        ids.append(qid)
        queries.append(q)

    from stancestream.services.stance.scorer import ModelLoadError, load_scorer

    try:
        scorer = load_scorer(model, batch_size=batch_size)
    except ModelLoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    chunk = 4096
    for k in range(0, len(queries), chunk):
        for qid, r in zip(ids[k : k + chunk], scorer.score(queries[k : k + chunk])):
            scores = {key: round(v, 6) for key, v in r.scores.items()}
            dst.write(json.dumps({"id": qid, "stance": r.stance, "scores": scores}) + "\n")
    dst.flush()
    if bad:
        print(f"{bad} bad line(s) skipped", file=sys.stderr)
    return 0


@app.command()
def score(
    input: Annotated[
        Path | None, typer.Option("--input", "-i", help="JSONL file (default stdin)")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="JSONL file (default stdout)")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="'shipped' (default), a local path or a Hugging Face id")
    ] = None,
    batch_size: Annotated[
        int,
        typer.Option(
            min=1,
            help="most sequences per model call for models with fixed activation scales, whose "
            "scores never depend on it (models with per-call scales run one per call)",
        ),
    ] = 16,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="report and skip bad lines instead of failing")
    ] = False,
) -> None:
    """Score directed stance queries: {"id","text","source":[s,e],"target":[s,e]} per line in,
    {"id","stance","scores":{"support","oppose","neutral"}} per line out, same order."""
    with open_io(input, output) as (src, dst):
        code = score_stream(src, dst, model, batch_size, skip_bad)
    raise typer.Exit(code)


@app.command()
def train(
    data: Annotated[Path, typer.Option(help="folder with DSE train.txt and valid.txt")],
    out: Annotated[Path, typer.Option(help="run folder: torch checkpoint, logs")],
    export_to: Annotated[
        Path | None, typer.Option(help="also export the int8 ONNX model here")
    ] = None,
    epochs: int = 5,
    seed: int = 13,
    base: str = "minilm",
    limit: Annotated[int, typer.Option(help="train on N rows only (smoke test)")] = 0,
    layers: Annotated[
        int, typer.Option(help="keep the encoder's first N layers (0: all): smaller and faster")
    ] = 0,
    scheme: Annotated[
        str,
        typer.Option(
            help="pair: one encoder pass per directed pair (v1); claim: one pass per claim "
            "scores all its actor pairs (v2)"
        ),
    ] = "claim",
    pipeline_pairs: Annotated[
        bool,
        typer.Option(
            help="claim scheme: also train on the pairs the pipeline asks about, read from DSE "
            "train sentences by the linker (v3)"
        ),
    ] = False,
    pipeline_unannotated: Annotated[
        bool,
        typer.Option(
            help="with --pipeline-pairs: pairs no DSE annotation covers are trained as no "
            "stance (--no-pipeline-unannotated: left out)"
        ),
    ] = True,
    consistency: Annotated[
        float,
        typer.Option(
            help="claim scheme: weight of the joint 5-way term that makes a sentence's p->q and "
            "q->p answers agree with its one DSE label (0: off)"
        ),
    ] = 0.0,
    teacher: Annotated[
        str,
        typer.Option(
            help="claim scheme: distil from this model (pair: the shipped v1; or a model folder)"
        ),
    ] = "",
    distill: Annotated[
        float, typer.Option(help="with --teacher: weight of the distillation term")
    ] = 0.0,
    newsmtsc: Annotated[
        Path | None,
        typer.Option(
            help="claim scheme: NewsMTSC train.jsonl; each target becomes a speaker's question "
            "(NAME said: sentence), labelled by the sentence's sentiment toward it"
        ),
    ] = None,
    newsmtsc_max: Annotated[
        int, typer.Option(help="with --newsmtsc: at most this many targets (0: all)")
    ] = 0,
) -> None:
    """Fine-tune the stance classifier (needs the [train] extra). Logs progress with ETA."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from stancestream.services.stance.training.train import TrainConfig
    from stancestream.services.stance.training.train import train as train_pairs
    from stancestream.services.stance.training.train_claims import train_claims

    if scheme not in ("pair", "claim"):
        raise typer.BadParameter("must be pair or claim", param_hint="--scheme")
    run_train = train_claims if scheme == "claim" else train_pairs
    best = run_train(
        TrainConfig(
            data=str(data),
            out=str(out),
            epochs=epochs,
            seed=seed,
            base=base,
            limit=limit,
            layers=layers,
            pipeline_pairs=pipeline_pairs,
            pipeline_unannotated=pipeline_unannotated,
            consistency=consistency,
            teacher=teacher,
            distill=distill,
            newsmtsc=str(newsmtsc) if newsmtsc else "",
            newsmtsc_max=newsmtsc_max,
        )
    )
    typer.echo(json.dumps(best))
    if export_to:
        from stancestream.services.stance.training.export import main as export_main

        export_main([str(out / "torch"), str(export_to), str(data)])


@app.command()
def export(
    checkpoint: Annotated[Path, typer.Argument(help="the run's torch/ folder")],
    out: Annotated[Path, typer.Argument(help="folder for the ONNX int8 model")],
    data: Annotated[Path | None, typer.Option(help="DSE folder: recalibrate on valid.txt")] = None,
    reduce_range: Annotated[
        bool,
        typer.Option(
            help="7-bit int8 weights: the same answers on CPUs with and without VNNI "
            "(--no-reduce-range: 8-bit, which AVX2-only CPUs compute with saturation)"
        ),
    ] = True,
) -> None:
    """Export a checkpoint to ONNX int8 (the shipped runtime)."""
    from stancestream.services.stance.training.export import main as export_main

    export_main([str(checkpoint), str(out)] + ([str(data)] if data else []), reduce_range)


@app.command()
def requantize(
    src: Annotated[Path, typer.Argument(help="an exported model folder (dynamic int8)")],
    out: Annotated[Path, typer.Argument(help="folder for the batch-independent model")],
    data: Annotated[Path, typer.Option(help="DSE folder: calibrate on train.txt")] = Path(
        "../shared/data/dse"
    ),
    calibration: Annotated[int, typer.Option(help="DSE train sentences to calibrate on")] = 1000,
    dequantize: Annotated[
        bool,
        typer.Option(
            help="float matmuls keep int8 weights, dequantised at load (--no-dequantize: fp32 "
            "weights in the file, bigger, faster on AVX2)"
        ),
    ] = True,
) -> None:
    """Give a claim-scheme int8 model fixed activation scales, so that a query's answer never
    depends on the other claims in the model call (what `export --data` does after quantising)."""
    from stancestream.services.stance.training.requantize import requantize as run

    typer.echo(json.dumps(run(src, out, data, calibration, dequantize=dequantize), indent=2))
