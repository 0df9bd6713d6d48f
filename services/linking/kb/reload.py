"""The linker of a running linking service follows the index on disk: `kb build` replaces
``index.sqlite`` atomically, and the next batch is linked with the new one, no restart needed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from stancestream.services.linking.kb import INDEX_NAME
from stancestream.services.linking.link import Linker

log = logging.getLogger(__name__)


class ReloadingLinker:
    """Hands out the linker for the index in ``kb_dir``, made again by ``factory`` whenever the
    index file appears, disappears or is replaced (a cheap ``stat`` before each batch)."""

    def __init__(self, kb_dir: Path, factory: Callable[[], Linker]):
        self.path = kb_dir / INDEX_NAME
        self.factory = factory
        self._key: tuple[int, int] | None | bool = False  # False: not loaded yet
        self._linker: Linker | None = None

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns

    def current(self) -> Linker:
        key = self._stamp()
        if self._linker is None or key != self._key:
            first = self._linker is None
            self._linker, self._key = self.factory(), key
            if not first:
                what = "absent: the shipped index or none" if key is None else "rebuilt, reloaded"
                log.info("knowledge base %s %s", self.path, what)
        return self._linker
