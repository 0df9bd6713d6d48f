"""The web view (static files, no build step, nothing fetched from elsewhere: the graph library
is vendored under ``static/vendor/``) and the AsyncAPI document of the streams."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from stancestream.shared.asyncapi import asyncapi_document

STATIC = Path(__file__).resolve().parents[1] / "static"
router = APIRouter()


@router.get("/", include_in_schema=False)
async def index() -> FileResponse:
    """The live stance-graph view."""
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/ui", include_in_schema=False)
async def ui() -> RedirectResponse:
    return RedirectResponse("/")


@router.get("/asyncapi", tags=["docs"])
async def asyncapi() -> dict[str, Any]:
    """AsyncAPI 3.0 document of every stream (articles.v1, claims.v1, stances.v1, their .dlq)."""
    return asyncapi_document()


def mount(app: FastAPI) -> None:
    """Add the web view's routes and its ``/static`` files to ``app``."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
