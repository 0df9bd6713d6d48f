"""``python -m services.ingestion``: run the feed poller alone until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import logging

from services.ingestion.service import SPEC
from shared.service import run_service
from shared.settings import load_settings


def main() -> None:
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(run_service(SPEC, settings))


if __name__ == "__main__":
    main()
