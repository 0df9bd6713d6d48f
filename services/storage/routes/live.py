"""``GET /stream/stances``: live stances as Server-Sent Events, straight from Redis.

Why Redis and not the database: the stream *is* the ordered log; its entry ids are natural
event ids, so ``Last-Event-ID`` resumes exactly where the client stopped (XRANGE of that entry,
then XREAD from it) for as long as the stream keeps the entries, and the browser sees a stance
as soon as the stance service publishes it, before storage has written it.
"""

from __future__ import annotations

import contextlib
import weakref
from typing import Annotated, get_args

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.exc import SQLAlchemyError

from stancestream.services.storage.live import (
    StanceFilter,
    parse_event_id,
    released_after,
    sse_stances,
)
from stancestream.services.storage.param_errors import bad_param
from stancestream.services.storage.vocabulary import choices, resolve_actor
from stancestream.shared.contracts import StanceLabel

router = APIRouter(tags=["live"])


@router.get(
    "/stream/stances",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "one `stance` event each"},
        503: {"description": "no Redis for this API, or all live streams in use (Retry-After)"},
    },
)
async def stream_stances(
    request: Request,
    actor: Annotated[
        str | None,
        Query(
            description="source or target: entity id, QID, or a name or alias (any case); a "
            "stored name several actors carry is a 422 listing them, one not stored yet matches "
            "the live events' names"
        ),
    ] = None,
    stance: Annotated[
        list[str] | None,
        Query(description="labels (support, oppose, neutral), repeated or comma-separated"),
    ] = None,
    min_score: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    last_event_id: Annotated[
        str | None,
        Header(alias="Last-Event-ID", description="resume after this event (browsers send it)"),
    ] = None,
    from_id: Annotated[
        str | None, Query(alias="last_event_id", description="same as the header, for scripts")
    ] = None,
) -> StreamingResponse:
    """Stances published after connecting (or after ``Last-Event-ID``) as `event: stance` with
    the stance, actor names, claim text and article link as JSON; ids are
    ``<stream entry id>:<stance index>``."""
    labels = choices(stance, get_args(StanceLabel), "stance")
    if actor is not None:
        # the live stream needs no database: without one, the name meets the events' names
        with contextlib.suppress(SQLAlchemyError):
            actor = await resolve_actor(request.app.state.queries.sessionmaker, actor, "actor")
    budget = request.app.state.sse
    if budget is None:
        raise HTTPException(503, "live stream unavailable: this API runs without Redis")
    release = budget.take()
    if release is None:
        raise HTTPException(
            503,
            f"all {budget.limit} live streams are in use (storage.max_sse_clients); retry later",
            headers={"Retry-After": "5"},
        )
    resume = last_event_id or from_id
    if resume:
        try:
            parse_event_id(resume)
        except ValueError as exc:
            release()
            where = "header" if last_event_id else "query"
            raise bad_param(
                "Last-Event-ID" if last_event_id else "last_event_id", str(exc), where
            ) from exc

    async def done() -> bool:  # the client left, or the server is shutting down
        return budget.closing or await request.is_disconnected()

    events = sse_stances(
        budget.client,
        request.app.state.stances_stream,
        StanceFilter(actor=actor, stance=labels, min_score=min_score),
        resume,
        done,
    )
    body = released_after(events, release)
    weakref.finalize(body, release)  # a client gone before the stream started
    return StreamingResponse(
        body,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
