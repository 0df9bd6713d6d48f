"""Export a trained checkpoint to the shipped runtime: ONNX, quantised to int8.

The weights are quantised per channel (``quantize_dynamic``). With a data folder, a claim-scheme
model then gets fixed activation scales calibrated on DSE train (``requantize.py``), so that a
query's answer never depends on what else is in the model call, and the logit biases are
re-calibrated on the validation file with the final int8 model itself (quantisation shifts
logits slightly); the valid metrics of the final artefact go into ``stance.json`` and the model
card. Without a data folder the activations stay dynamic (scaled per call) and the scorer runs
one sequence per call.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any


def export_onnx(
    checkpoint: Path, out: Path, data: Path | None = None, reduce_range: bool = True
) -> dict:
    """``reduce_range`` quantises weights to 7 bits. CPUs without VNNI (AVX2) multiply int8 with
    an instruction that saturates 16-bit sums of full-range weights, so the same model gave other
    answers there (DSE valid macro-F1 0.692 on an AVX2 EPYC, 0.675 on an AMX Xeon); with 7-bit
    weights no sum can saturate and every x86 CPU computes the same integers."""
    from stancestream.services.stance.torch_model import load_torch
    from stancestream.services.stance.training.graph_passes import split_file

    model, tokenizer, meta = load_torch(checkpoint, attn_implementation="eager")
    model.float().eval()
    out.mkdir(parents=True, exist_ok=True)
    fp32, fused = out / "model.fp32.onnx", out / "model.fused.onnx"
    scheme = meta.get("scheme", "pair")
    trace_fp32(model, tokenizer, scheme, fp32)
    # fuse attention, bias+GELU and skip+LayerNorm first (about 1.7x faster on CPU), then
    # quantise the weights per channel to int8 (7-bit range: see above); the head stays fp32;
    # then split skip+LayerNorm again (its fused kernel is the slow one: ``graph_passes``)
    fuse(fp32, model.encoder.config, fused)
    quantize_weights(fused, out / "model.onnx", reduce_range)
    split_file(out / "model.onnx")
    fp32.unlink()
    fused.unlink()
    tokenizer.backend_tokenizer.save(str(out / "tokenizer.json"))
    onnx_meta = {
        "format": "onnx",
        "scheme": scheme,
        "name": "stancestream-stance-minilm-" + _version(scheme, meta["train_config"]),
        "onnx": "model.onnx",
        "labels": meta["labels"],
        "max_length": meta["max_length"],
        "pad_id": tokenizer.pad_token_id or 0,
        "logit_bias": meta.get("logit_bias", [0.0, 0.0, meta.get("neutral_bias", 0.0)]),
        "train_config": meta["train_config"],
        "valid_torch": meta["valid"],
        "weights": "int8 per channel, 7-bit range" if reduce_range else "int8 per channel",
    }
    (out / "stance.json").write_text(json.dumps(onnx_meta, indent=2))
    if data is not None:
        if scheme == "claim":  # fixed activation scales: answers never depend on batch-mates
            from stancestream.services.stance.training.requantize import requantize

            onnx_meta = requantize(out, out, data, measure=False)
        onnx_meta.update(recalibrate(out, data))
        (out / "stance.json").write_text(json.dumps(onnx_meta, indent=2))
    return onnx_meta


def trace_fp32(model: Any, tokenizer: Any, scheme: str, path: Path) -> None:
    """Export ``model`` to an fp32 ONNX graph at ``path``, traced on a tiny marked input, with
    dynamic batch, sequence and pair axes; claim-scheme graphs take ``pair_row`` too."""
    import torch

    names = ["input_ids", "attention_mask", "source_index", "target_index"]
    dynamic = {
        "input_ids": {0: "batch", 1: "seq"},
        "attention_mask": {0: "batch", 1: "seq"},
        "source_index": {0: "pairs"},
        "target_index": {0: "pairs"},
        "logits": {0: "pairs"},
    }
    args: tuple[torch.Tensor, ...]
    if scheme == "claim":  # several pairs read one sequence: pair_row says which
        enc = tokenizer(["a @ b @ c @ d @ e @ f @"], return_tensors="pt")
        args = (
            enc["input_ids"],
            enc["attention_mask"],
            torch.tensor([2, 5, 2]),
            torch.tensor([5, 2, 8]),
            torch.tensor([0, 0, 0]),
        )
        names.append("pair_row")
        dynamic["pair_row"] = {0: "pairs"}
    else:
        enc = tokenizer(["a @ * b * @ c # ^ d ^ # e"], return_tensors="pt")
        args = (enc["input_ids"], enc["attention_mask"], torch.tensor([2]), torch.tensor([7]))
    torch.onnx.export(
        model,
        args,
        str(path),
        input_names=names,
        output_names=["logits"],
        dynamic_axes=dynamic,
        opset_version=17,
        dynamo=False,
    )


def fuse(fp32: Path, cfg: Any, path: Path) -> None:
    """ONNX Runtime's BERT fusions of ``fp32`` (``cfg``: the encoder's transformers config)."""
    from onnxruntime.transformers import optimizer

    fused = optimizer.optimize_model(
        str(fp32),
        model_type="bert",
        num_heads=cfg.num_attention_heads,
        hidden_size=cfg.hidden_size,
        opt_level=1,
    )
    stats = fused.get_fused_operator_statistics()
    print(f"fused operators: { {k: v for k, v in stats.items() if v} }", file=sys.stderr)
    fused.save_model_to_file(str(path))


def quantize_weights(fused: Path, path: Path, reduce_range: bool) -> None:
    """Int8 per-channel weights for the encoder; the head's nodes stay fp32."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(fused)).graph
    # the quantiser first rewrites each Gemm as "<name>_MatMul" + "<name>_Add": exclude those
    # names too, or the head gets quantised with per-call activation scales after all (and a
    # pair's answer would depend on the other pairs scored in the same call)
    head_nodes = [n.name for n in graph.node if "head" in n.name]
    head_nodes += [f"{name}_MatMul" for name in head_nodes] + [f"{name}_Add" for name in head_nodes]
    quantize_dynamic(
        str(fused),
        str(path),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=reduce_range,
        nodes_to_exclude=head_nodes,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def _version(scheme: str, train_config: dict) -> str:
    """v1: pair scheme; v2: claim scheme on DSE; v3: claim scheme with the pipeline's pairs, the
    joint 5-way term or distillation."""
    if scheme != "claim":
        return "v1"
    v3 = ("pipeline_pairs", "consistency", "distill")
    return "v3-claim" if any(train_config.get(k) for k in v3) else "v2-claim"


def recalibrate(out: Path, data: Path) -> dict:
    """Re-pick the logit biases on valid with the exported int8 model; return the new fields."""
    from stancestream.services.stance.backends.onnx import OnnxStanceScorer
    from stancestream.services.stance.queries import PairQuery
    from stancestream.services.stance.training.dse import directed, read_rows
    from stancestream.services.stance.training.train import calibrate, evaluate

    rows = read_rows(data / "valid.txt")
    ex = directed(rows)
    scorer = OnnxStanceScorer(out)
    t0 = time.perf_counter()
    logits = scorer.raw_logits([PairQuery(e.text, e.source, e.target) for e in ex])
    rate = len(ex) / (time.perf_counter() - t0)
    gold = [r.label for r in rows]
    raw = evaluate(logits, ex, gold, 0.0)
    bias, f1, acc = calibrate(logits, ex, gold)
    print(
        f"int8 valid raw macro_f1={raw[0]:.4f}; bias={bias} macro_f1={f1:.4f} acc={acc:.4f}; "
        f"{rate:.0f} pairs/s",
        file=sys.stderr,
    )
    return {
        "batch_size_calibrated": scorer.batch_size,
        "logit_bias": bias,
        "valid_onnx_int8": {
            "macro_f1": round(f1, 4),
            "accuracy": round(acc, 4),
            "raw_macro_f1": round(raw[0], 4),
        },
    }


def main(argv: list[str], reduce_range: bool = True) -> None:
    checkpoint, out = Path(argv[0]), Path(argv[1])
    data = Path(argv[2]) if len(argv) > 2 else None
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    meta = export_onnx(checkpoint, tmp, data, reduce_range)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
