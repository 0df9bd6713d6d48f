"""All configuration in one pydantic-settings object, built once at start-up and passed down.

Environment: ``REDIS_URL`` and ``DATABASE_URL`` as usual; everything else ``STANCESTREAM_<FIELD>``,
sections with ``__`` (``STANCESTREAM_STANCE__BATCH_SIZE=32``). A ``.env`` file in the working
directory is read too. Bad values fail at start-up with pydantic's message naming the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path.home() / ".stancestream"


class WorkerSettings(BaseModel):
    """How every stream consumer reads, retries and dead-letters."""

    max_records: int = Field(32, ge=1, description="entries per XREADGROUP")
    polling_ms: int = Field(100, ge=1, description="XREADGROUP BLOCK time")
    claim_idle_ms: int = Field(60_000, ge=100, description="reclaim entries idle this long")
    reclaim_every_s: float = Field(5.0, gt=0, description="how often the reclaimer runs")
    max_deliveries: int = Field(5, ge=1, description="deliveries before dead-lettering")
    metrics_port: int = Field(
        0, ge=0, description="Prometheus port of a standalone worker (0: off)"
    )
    retain_s: float = Field(
        86_400.0, ge=0, description="acked entries older than this are trimmed from the stream"
    )
    trim_every_s: float = Field(60.0, gt=0, description="how often a worker trims its stream")
    health_every_s: float = Field(5.0, gt=0, description="how often group gauges/readiness update")
    outage_backoff_max_s: float = Field(
        10.0, gt=0, description="longest wait between retries while the database/Redis is away"
    )
    max_entry_bytes: int = Field(
        8_000_000,
        ge=1024,
        description="larger stream entries are dead-lettered unread (a 200,000-character "
        "article with its claims and stances stays far below)",
    )


class IngestionSettings(BaseModel):
    feeds: list[str] = Field(default_factory=list, description="RSS/Atom feed URLs to poll")
    poll_interval_s: float = Field(300.0, gt=0, description="default seconds between feed polls")
    fetch_timeout_s: float = Field(
        20.0, gt=0, description="connect/read timeout of one network operation of a fetch"
    )
    fetch_deadline_s: float = Field(
        60.0, gt=0, description="a fetch (feed or page) not complete in this time is given up"
    )
    feed_concurrency: int = Field(4, ge=1, description="feeds polled at once")
    allow_hosts: list[str] = Field(
        default_factory=list,
        description="hosts, addresses or networks (CIDR) that may be fetched although they are "
        "loopback, private or link-local (intranet feeds); everything else must be public",
    )
    max_html_bytes: int = Field(5_000_000, ge=1024, description="larger pages are refused")
    max_article_chars: int = Field(200_000, ge=100, description="longer texts are refused")
    user_agent: str = "StanceStream/0.1 (+https://github.com/stancestream)"
    max_lag: int = Field(5_000, ge=1, description="pause publishing while linking lags more")
    feed_intervals: dict[str, float] = Field(
        default_factory=dict, description="seconds between polls per feed URL, else poll_interval_s"
    )
    fetch_concurrency: int = Field(4, ge=1, description="pages fetched at once per feed")
    dedupe_ttl_s: float = Field(
        90 * 86400.0, gt=0, description="how long a seen URL/text counts as a duplicate"
    )


class LinkingSettings(BaseModel):
    spacy_model: str = "en_core_web_sm"
    kb_path: Path | None = Field(None, description="alias index; default <data_dir>/kb")
    max_claims: int = Field(400, ge=1, description="claims kept per article")
    parse_cache: int = Field(
        1000,
        ge=0,
        description="paragraphs whose parse a linking worker keeps, so the repeated paragraphs "
        "of syndicated copy are not parsed again (about 30 kB each; 0: none)",
    )


class StanceSettings(BaseModel):
    model: str | None = Field(None, description="shipped model when empty; a path or HF id")
    batch_size: int = Field(
        16,
        ge=1,
        description="most sequences per model call (claims of all articles of a read batch for "
        "the claim scheme, pairs for the pair scheme), sorted by length and padded per call, for "
        "models with fixed activation scales (batch_independent), whose answers never depend "
        "on it; models with int8 activations scaled per call (the shipped v2 and v1) run one "
        "sequence per call whatever it says",
    )
    max_pairs_per_claim: int = Field(30, ge=1)
    cache_size: int = Field(
        20_000,
        ge=0,
        description="distinct queries whose answer a stance worker keeps, so the repeated "
        "claims of syndicated copy are not scored again (about 1 kB each; 0: none)",
    )
    sources: Literal["all", "holders"] = Field(
        "all", description="which actors of a claim are stance sources besides its speaker"
    )
    threads: int = Field(0, ge=0, description="ONNX Runtime threads per worker (0: all cores)")
    threshold: float = Field(
        0.7,
        ge=0.0,
        le=1.0,
        description="a pair the model decides (a speaker's, or a verb with no polar cue) is "
        "support/oppose only when the model gives that label at least this probability, else "
        "neutral (pairs with a polar cue keep the cue's); 0.7 was chosen on the news dev set",
    )
    support_threshold: float | None = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="the same for support, where it differs: on news the model says support "
        "for hirings, deals and appointments that are no stance (null: `threshold`); 0.9 was "
        "chosen on the news dev set",
    )
    skip_types: list[str] = Field(
        default_factory=lambda: ["location"],
        description="entity types never scored (places are where things happen, not who speaks)",
    )


class StorageSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    api_token: SecretStr | None = Field(
        None,
        description="bearer token the API and web view require (all but /health); needed to "
        "listen beyond loopback",
    )
    header_timeout_s: float = Field(
        10.0, gt=0, description="a request whose headers have not all arrived by then is cut"
    )
    serve_api: bool = Field(
        True, description="this storage worker serves the API (one per stack; the rest only store)"
    )
    max_sse_clients: int = Field(
        50, ge=1, description="live streams served at once (each holds a Redis connection)"
    )
    max_push_bytes: int = Field(
        16_000_000, ge=1024, description="POST /articles bodies larger than this are refused (413)"
    )
    story_similarity: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="shingle Jaccard similarity at which an article joins an earlier "
        "article's story (syndicated copies; 0: every article is its own story)",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="STANCESTREAM_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    redis_url: str | None = Field(
        None, validation_alias=AliasChoices("REDIS_URL", "STANCESTREAM_REDIS_URL")
    )
    database_url: str | None = Field(
        None, validation_alias=AliasChoices("DATABASE_URL", "STANCESTREAM_DATABASE_URL")
    )
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = Field(
        "text", description="service logs: plain text lines, or one JSON object per line"
    )
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    ingestion: IngestionSettings = Field(default_factory=IngestionSettings)
    linking: LinkingSettings = Field(default_factory=LinkingSettings)
    stance: StanceSettings = Field(default_factory=StanceSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)

    @field_validator("redis_url", "database_url", mode="before")
    @classmethod
    def _empty_is_none(cls, v: object) -> object:
        return None if v == "" else v

    @property
    def db_url(self) -> str:
        """DATABASE_URL, or SQLite in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'stancestream.db').resolve()}"

    @property
    def kb_dir(self) -> Path:
        return self.linking.kb_path or self.data_dir / "kb"


def load_settings(**overrides: Any) -> Settings:
    """Build the settings from env/.env, with explicit overrides (CLI flags) winning."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)
