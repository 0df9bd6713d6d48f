"""A bad query parameter the schema cannot express (an empty window, an unknown type), answered
as FastAPI answers every other bad parameter: 422 with ``{"detail": [{"loc", "msg", "type"}]}``,
the shape the OpenAPI document promises, so a client parses one format."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError


def bad_param(name: str, msg: str, where: str = "query") -> RequestValidationError:
    return RequestValidationError([{"loc": [where, name], "msg": msg, "type": "value_error"}])
