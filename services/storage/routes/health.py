"""``/health`` (liveness, the database, the consumers' readiness) and ``/metrics``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from stancestream.services.storage.db import ping
from stancestream.services.storage.schemas import Health

router = APIRouter()


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(request: Request) -> JSONResponse:
    """Liveness, database ping and the consumers' readiness; 503 when any is not ok."""
    state = request.app.state
    try:
        await ping(state.queries.sessionmaker)
        db = "ok"
    except Exception as exc:  # noqa: BLE001 - report any DB failure, never crash the probe
        db = f"{type(exc).__name__}: {exc}"[:500]
    ready = state.readiness() if state.readiness else {}
    ok = db == "ok" and ready.get("ready", True) is not False
    body = Health(status="ok" if ok else "degraded", db=db, readiness=ready)
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ok else 503)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
async def metrics(request: Request) -> Response:
    """The service's metrics for Prometheus (processed, failed, lag, batch latency, ...)."""
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)
