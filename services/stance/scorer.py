"""Score the directed stance of a source actor toward a target actor: the API the service uses.

``load_scorer(model)`` loads once and returns a scorer whose ``score(queries)`` is thread-safe
within one process. ``model`` is a shipped model — ``None`` / ``"shipped"`` / ``"claim"``: v2, one
encoder pass per claim (the default); ``"pair"``: v1, one pass per directed pair, about three
macro-F1 points better on DSE and several times slower on claims with many actors — a local
directory, or a Hugging Face model id:

- a directory with ``stance.json`` of format ``onnx``: the shipped runtime (ONNX Runtime int8 +
  ``tokenizers``; no PyTorch needed);
- a directory with ``stance.json`` of format ``torch``: the output of ``stancestream stance train``
  before export (needs the ``[train]`` extra);
- any other directory or hub id: a natural-language-inference model used zero-shot with templates
  (see ``backends/nli.py``; needs the ``[train]`` extra and, for a hub id, the internet).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from stancestream.services.stance.backends.nli import NliStanceScorer
from stancestream.services.stance.backends.onnx import OnnxStanceScorer
from stancestream.services.stance.backends.torch import TorchStanceScorer
from stancestream.services.stance.queries import PairQuery, StanceScore

SHIPPED_MODEL = Path(__file__).parent / "model"  # v2, claim scheme: the default
SHIPPED_PAIR_MODEL = Path(__file__).parent / "model-pair"  # v1, pair scheme: slower, more accurate


class ModelLoadError(RuntimeError):
    """The model named by ``--model`` / ``STANCE_MODEL`` cannot be loaded; the message says why."""


class StanceScorer(Protocol):
    name: str

    def score(self, queries: Sequence[PairQuery]) -> list[StanceScore]: ...


def load_scorer(
    model: str | Path | None = None, batch_size: int = 1, threads: int = 0, spin: bool = True
) -> StanceScorer:
    """Load the scorer named by ``model`` (see the module docstring); raise ModelLoadError."""
    shipped = {"shipped": SHIPPED_MODEL, "default": SHIPPED_MODEL, "claim": SHIPPED_MODEL}
    shipped |= {"pair": SHIPPED_PAIR_MODEL}
    if model in (None, "") or str(model) in shipped:
        path = shipped.get(str(model), SHIPPED_MODEL)
        if not (path / "stance.json").exists():
            raise ModelLoadError(f"the shipped stance model is missing from {path}; reinstall")
    else:
        path = Path(str(model)).expanduser()
    try:
        if (path / "stance.json").exists():
            fmt = json.loads((path / "stance.json").read_text()).get("format")
            if fmt == "onnx":
                return OnnxStanceScorer(path, batch_size, threads, spin)
            if fmt == "torch":
                return TorchStanceScorer(path, batch_size=batch_size)
            raise ModelLoadError(f"{path}/stance.json has unknown format {fmt!r}")
        return NliStanceScorer(str(model), batch_size=batch_size)
    except ModelLoadError:
        raise
    except ImportError as exc:
        raise ModelLoadError(
            f"model {model!r} needs an optional dependency ({exc.name}); "
            "install the training extra: pip install -e '.[train]'"
        ) from exc
    except Exception as exc:  # any loader failure becomes one clear message
        raise ModelLoadError(f"cannot load stance model {model!r}: {exc}") from exc
