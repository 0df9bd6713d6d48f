"""The storage API's routers, one module per concern (``api.create_app`` only assembles them):
``health`` (/health, /metrics), ``articles`` (one article), ``stances`` (/stances), ``query``
(actors, graph, claims), ``push`` (POST /articles), ``live`` (the SSE stream), ``web`` (the web
view and /asyncapi)."""
