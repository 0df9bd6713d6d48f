"""The linker the settings choose, for the linking service and for the commands and evaluations
that link in one process (``analyze``, ``relink``, ``eval/``)."""

from __future__ import annotations

import logging

from stancestream.services.linking.link import Linker, NullLinker
from stancestream.shared.settings import Settings

log = logging.getLogger(__name__)
_warned: set[str] = set()


def make_linker(settings: Settings) -> Linker:
    """The KB linker when the index is built (``stancestream kb build``), else a NullLinker:
    the pipeline still runs, actors keep their local ids, and we say once how to fix it."""
    from stancestream.services.linking.kb.linker import KbLinker

    linker = KbLinker.open(settings.kb_dir)
    if linker is not None:
        return linker
    if str(settings.kb_dir) not in _warned:
        _warned.add(str(settings.kb_dir))
        log.warning(
            "no knowledge base at %s: actors stay unlinked; build it with "
            "`stancestream kb download && stancestream kb build`",
            settings.kb_dir,
        )
    return NullLinker()
