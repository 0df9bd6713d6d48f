"""Splitting fused skip+LayerNorm keeps what the node computed; the shipped model is split."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper
from onnx import numpy_helper as nh

from stancestream.services.stance.training.graph_passes import split_skip_layernorm

SHIPPED = Path(__file__).resolve().parents[1] / "services" / "stance" / "model"
H = 16


def _model(extra_output_used: bool = False) -> onnx.ModelProto:
    rng = np.random.default_rng(3)
    inits = [
        nh.from_array(rng.normal(size=H).astype(np.float32), n) for n in ("gamma", "beta", "bias")
    ]
    outs = ["y", "", "", "sum"] if extra_output_used else ["y"]
    nodes = [
        helper.make_node(
            "SkipLayerNormalization",
            ["x", "s", "gamma", "beta", "bias"],
            outs,
            domain="com.microsoft",
            epsilon=1e-5,
            name="sln",
        ),
        helper.make_node("Relu", ["y"], ["z"], name="after"),
    ]
    graph_outputs = [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["b", "t", H])]
    if extra_output_used:
        graph_outputs.append(helper.make_tensor_value_info("sum", TensorProto.FLOAT, ["b", "t", H]))
    graph = helper.make_graph(
        nodes,
        "g",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "t", H]),
            helper.make_tensor_value_info("s", TensorProto.FLOAT, ["b", "t", H]),
        ],
        graph_outputs,
        inits,
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    return helper.make_model(graph, opset_imports=opsets)


def _run(model: onnx.ModelProto, x: np.ndarray, s: np.ndarray) -> np.ndarray:
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(["z"], {"x": x, "s": s})[0]


def test_split_computes_what_the_fused_node_did() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 7, H)).astype(np.float32) * 3
    s = rng.normal(size=(2, 7, H)).astype(np.float32)
    fused = _model()
    want = _run(fused, x, s)
    split = _model()
    assert split_skip_layernorm(split) == 1
    ops = [n.op_type for n in split.graph.node]
    assert ops == ["Add", "Add", "LayerNormalization", "Relu"]
    onnx.checker.check_model(split)
    np.testing.assert_allclose(_run(split, x, s), want, rtol=1e-5, atol=1e-5)


def test_a_node_whose_extra_outputs_are_read_stays() -> None:
    model = _model(extra_output_used=True)
    assert split_skip_layernorm(model) == 0
    assert [n.op_type for n in model.graph.node] == ["SkipLayerNormalization", "Relu"]


def test_the_shipped_model_is_split() -> None:
    meta = json.loads((SHIPPED / "stance.json").read_text())
    graph = onnx.load(str(SHIPPED / meta["onnx"]), load_external_data=False).graph
    ops = [n.op_type for n in graph.node]
    assert "SkipLayerNormalization" not in ops
    assert ops.count("LayerNormalization") == 12  # two per layer of the 6-layer encoder
