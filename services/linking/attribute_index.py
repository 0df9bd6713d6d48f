"""A drop-in for spaCy's ``attribute_ruler`` that finds single-token rules by dictionary lookup.

``en_core_web_sm``'s ruler (179 rules: tag → POS and morphology, plus word exceptions) runs
spaCy's general Matcher over every token, which costs as much as the parser (~22 ms per
600-word article). Nearly all of its rules test one token for equality of its tag, lowercase
form, dependency or whitespace-ness, so an index by lowercase form and by tag finds the same
matches for a fraction of the cost; any other rule (several tokens, regexes, operators) still goes
through a Matcher. All matches are found first and then applied in rule order, as spaCy does, so
the annotations are identical (``tests/test_attribute_index.py`` compares them token by token).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, cast

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

_KEYS = ("LOWER", "TAG", "DEP", "IS_SPACE")  # the attributes read, in ``Doc.to_array`` order
_COL = {key: i for i, key in enumerate(_KEYS)}
MEMO_SIZE = 100_000  # distinct (word, tag, dependency, space) rows remembered


@dataclass(frozen=True)
class _Test:
    """One attribute test of a token pattern: equality/IN, NOT_IN or REGEX (as spaCy's Matcher).

    Values are compared as spaCy's string hashes (booleans as 0/1), the way ``Doc.to_array``
    gives them, so no Token object is built for a token that no rule touches."""

    col: int
    values: frozenset[int] = frozenset()
    negate: bool = False
    regex: re.Pattern[str] | None = None

    def __call__(self, row: tuple[int, ...], strings: StringStore) -> bool:
        value = row[self.col]
        if self.regex is not None:
            return bool(self.regex.search(strings[value]))
        return (value in self.values) != self.negate


@dataclass(frozen=True)
class _Rule:
    """The tests of one token pattern; ``order`` is the rule's place in the ruler."""

    order: int
    tests: tuple[_Test, ...]

    def matches(self, row: tuple[int, ...], strings: StringStore) -> bool:
        return all(test(row, strings) for test in self.tests)

    def index_key(self) -> _Test | None:
        """The equality test to file this rule under (None: check it on every token)."""
        for col in range(len(_KEYS)):
            for test in self.tests:
                if test.col == col and test.regex is None and not test.negate:
                    return test
        return None


def _encode(strings: StringStore, key: str, value: Any) -> int:
    return int(value) if key == "IS_SPACE" else strings.add(str(value))


def _test(strings: StringStore, key: str, value: Any) -> _Test | None:
    """A token-attribute test this module can evaluate, or None when only the Matcher can."""
    key = key.upper()
    if key not in _COL:
        return None
    col = _COL[key]
    if not isinstance(value, dict):
        return _Test(col, frozenset([_encode(strings, key, value)]))
    if len(value) != 1:
        return None
    ((op, arg),) = value.items()
    if op in ("IN", "NOT_IN"):
        encoded = frozenset(_encode(strings, key, v) for v in arg)
        return _Test(col, encoded, negate=op == "NOT_IN")
    if op == "REGEX" and key != "IS_SPACE":
        return _Test(col, regex=re.compile(arg))
    return None


def _rule(strings: StringStore, order: int, token_pattern: dict[str, Any]) -> _Rule | None:
    tests = [_test(strings, k, v) for k, v in token_pattern.items()]
    kept = [t for t in tests if t is not None]
    if not tests or len(kept) < len(tests):
        return None
    return _Rule(order, tuple(kept))


class _RuleIndex:
    """Token rules filed by one of their equality tests, so a token is checked against few."""

    def __init__(self) -> None:
        self.filed: list[dict[int, list[_Rule]]] = [defaultdict(list) for _ in _KEYS]
        self.unfiled: list[_Rule] = []

    def add(self, rule: _Rule) -> None:
        test = rule.index_key()
        if test is None:
            self.unfiled.append(rule)
            return
        for value in test.values:
            self.filed[test.col][value].append(rule)

    def matching(self, row: tuple[int, ...], strings: StringStore) -> list[_Rule]:
        out = [r for r in self.unfiled if r.matches(row, strings)]
        for col, rules in enumerate(self.filed):
            cands = rules.get(row[col])
            if cands:
                out.extend(r for r in cands if r.matches(row, strings))
        return out

    def __bool__(self) -> bool:
        return bool(self.unfiled) or any(self.filed)


class IndexedAttributeRuler:
    """Applies an :class:`AttributeRuler`'s rules, looking single-token rules up by word and tag.

    Rules of several tokens still go through a Matcher, but only on a doc where some token passes
    the first token's tests of one of them (they are word exceptions such as "gon na").
    """

    def __init__(self, ruler: AttributeRuler):
        strings = ruler.vocab.strings
        self.attrs = list(ruler.attrs)
        self.indices = list(ruler.indices)
        self.single = _RuleIndex()
        self.triggers = _RuleIndex()
        self.always_match = False
        self._memo: dict[tuple[int, ...], tuple[list[int], bool]] = {}
        self.matcher = Matcher(ruler.vocab)
        for order, entry in enumerate(ruler.patterns):
            # spaCy types each value of an entry as the union of all of them
            patterns = cast("list[list[dict[str, Any]]]", entry["patterns"])
            for pattern in patterns:
                if len(pattern) == 1 and self.indices[order] in (0, -1):
                    rule = _rule(strings, order, pattern[0])
                    if rule is not None:
                        self.single.add(rule)
                        continue
                self.matcher.add(str(order), [pattern])
                first = _rule(strings, order, pattern[0]) if "OP" not in pattern[0] else None
                if first is None:
                    self.always_match = True  # cannot tell cheaply when it may match
                else:
                    self.triggers.add(first)

    def _lookup(self, row: tuple[int, ...], strings: StringStore) -> tuple[list[int], bool]:
        """The single-token rules a token with these attributes matches, and whether it may
        start a several-token rule; memoised, as most tokens repeat (bounded: cleared when big)."""
        hit = self._memo.get(row)
        if hit is None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            hit = (
                [r.order for r in self.single.matching(row, strings)],
                bool(self.triggers) and bool(self.triggers.matching(row, strings)),
            )
            self._memo[row] = hit
        return hit

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        found: list[tuple[int, int, int]] = []  # (rule order, match start, token index)
        run_matcher = self.always_match
        for i, row in enumerate(doc.to_array(list(_KEYS)).tolist()):
            orders, trigger = self._lookup(tuple(row), strings)
            found.extend((order, i, i) for order in orders)
            run_matcher = run_matcher or trigger
        if run_matcher:
            for match_id, start, end in self.matcher(doc, allow_missing=True):
                order = int(strings[match_id])
                found.append((order, start, doc[start:end][self.indices[order]].i))
        found.sort()
        for order, _, i in found:
            set_token_attrs(doc[i], self.attrs[order])
        return doc


@Language.factory("indexed_attribute_ruler", default_config={"source": "attribute_ruler"})
def make_indexed_attribute_ruler(nlp: Language, name: str, source: str) -> IndexedAttributeRuler:
    """Built from the pipeline's own ``source`` ruler, which the caller then removes."""
    ruler = nlp.get_pipe(source)
    if not isinstance(ruler, AttributeRuler):
        raise TypeError(f"{source!r} is a {type(ruler).__name__}, not an AttributeRuler")
    return IndexedAttributeRuler(ruler)


def index_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> None:
    """Swap ``nlp``'s attribute ruler for the indexed one (no-op when it has none)."""
    if name not in nlp.pipe_names:
        return
    nlp.add_pipe("indexed_attribute_ruler", after=name, config={"source": name})
    nlp.remove_pipe(name)
