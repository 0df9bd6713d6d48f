"""One JSONL input line as a JSON object, or an error that names the line and says why.

The offline commands (``analyze``, ``stance score``) read user files line by line; a line
nested too deep for Python's parser or holding an integer of more digits than Python converts
must end as a clear error for that line, not a traceback.
"""

from __future__ import annotations

import json
from typing import Any


def json_object(lineno: int, line: str, error: type[ValueError] = ValueError) -> dict[str, Any]:
    """The JSON object on ``line``; raises ``error`` with ``line N: <reason>`` otherwise."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise error(f"line {lineno}: not JSON ({exc.msg} at column {exc.colno})") from exc
    except RecursionError as exc:
        raise error(f"line {lineno}: not JSON StanceStream reads: nested too deep") from exc
    except ValueError as exc:  # an integer of more digits than Python converts
        raise error(f"line {lineno}: not JSON StanceStream reads: {exc}") from exc
    if not isinstance(obj, dict):
        raise error(f"line {lineno}: expected a JSON object, got {type(obj).__name__}")
    return obj
