"""Prometheus metrics of one service, in a registry of its own (no process-global collectors)."""

from __future__ import annotations

from typing import TypedDict

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class _Common(TypedDict):
    registry: CollectorRegistry
    namespace: str
    subsystem: str


class ServiceMetrics:
    def __init__(self, service: str, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry()
        labels = ["stream"]
        kw: _Common = {"registry": self.registry, "namespace": "stancestream", "subsystem": service}
        self.processed = Counter("processed", "entries processed and acked", labels, **kw)
        self.failed = Counter("failed", "processing attempts that failed", labels, **kw)
        self.dead_lettered = Counter("dead_lettered", "entries sent to the DLQ", labels, **kw)
        self.batch_seconds = Histogram(
            "batch_seconds",
            "time to handle one batch",
            labels,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            **kw,
        )
        self.published = Counter("published", "messages published downstream", labels, **kw)
        self.lag = Gauge("group_lag", "entries not yet delivered to the group", labels, **kw)
        self.pending = Gauge("group_pending", "entries delivered but not acked", labels, **kw)
