"""Saved-query language over syllable positions.

Grammar (case-insensitive operators)::

    expr    := and ("OR" and)*
    and     := near (["AND"] near | "NOT" near)*       # juxtaposition means AND
    near    := unary (("NEAR/k" | "BEFORE/k") unary)*   # k syllables apart at most
                                                       # (BEFORE: the left one first)
    unary   := "NOT" unary | primary
    primary := '"quoted phrase"' | word | "(" expr ")"

Evaluation returns the spans (start, end) that satisfied the node; an empty list is false.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .text import tokenise

__all__ = [
    "And",
    "AnyOf",
    "Near",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "QuerySyntaxError",
    "compiled",
    "parse_query",
]

Span = tuple[int, int]
Phrases = Mapping[str, list[Span]]
Key = Callable[[tuple[str, ...]], str]


class QuerySyntaxError(ValueError):
    """The saved query cannot be parsed."""


@dataclass(frozen=True, slots=True)
class Phrase:
    raw: tuple[str, ...]

    def evaluate(self, spans: Phrases, key: Key) -> list[Span]:
        return spans.get(key(self.raw), [])

    def phrases(self) -> list[tuple[str, ...]]:
        return [self.raw]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node

    def evaluate(self, spans: Phrases, key: Key) -> list[Span]:
        return [] if self.child.evaluate(spans, key) else [(0, 0)]

    def phrases(self) -> list[tuple[str, ...]]:
        return self.child.phrases()


@dataclass(frozen=True, slots=True)
class _Combination:
    """A node over several children (`And`, `Or`): its phrases are theirs."""

    children: tuple[Node, ...]

    def phrases(self) -> list[tuple[str, ...]]:
        return [p for c in self.children for p in c.phrases()]


@dataclass(frozen=True, slots=True)
class And(_Combination):
    def evaluate(self, spans: Phrases, key: Key) -> list[Span]:
        out: list[Span] = []
        for child in self.children:
            got = child.evaluate(spans, key)
            if not got:
                return []
            out.extend(s for s in got if s != (0, 0))
        return out or [(0, 0)]


@dataclass(frozen=True, slots=True)
class Or(_Combination):
    def evaluate(self, spans: Phrases, key: Key) -> list[Span]:
        out: list[Span] = []
        for child in self.children:
            out.extend(child.evaluate(spans, key))
        return out


@dataclass(frozen=True, slots=True)
class Near:
    left: Node
    right: Node
    distance: int
    ordered: bool = False  # BEFORE/k: who does what to whom ("tông" before "cảnh sát")

    def evaluate(self, spans: Phrases, key: Key) -> list[Span]:
        left = [s for s in self.left.evaluate(spans, key) if s != (0, 0)]
        if not left:
            return []
        right = [s for s in self.right.evaluate(spans, key) if s != (0, 0)]
        out: list[Span] = []
        for a0, a1 in left:
            for b0, b1 in right:
                gap = b0 - a1 if self.ordered else max(b0 - a1, a0 - b1)
                if gap <= self.distance and (gap >= 0 or not self.ordered):
                    out.append((min(a0, b0), max(a1, b1)))
        return out

    def phrases(self) -> list[tuple[str, ...]]:
        return self.left.phrases() + self.right.phrases()


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Phrases already resolved to their keys: the spans of any of them (a compiled OR)."""

    keys: tuple[str, ...]
    raws: tuple[tuple[str, ...], ...]

    def evaluate(self, spans: Phrases, key: Key) -> list[Span]:
        out: list[Span] = []
        for k in self.keys:
            hit = spans.get(k)
            if hit:
                out.extend(hit)
        return out

    def phrases(self) -> list[tuple[str, ...]]:
        return list(self.raws)


Node = Phrase | Not | And | Or | Near | AnyOf


def compiled(node: Node, key: Key) -> Node:
    """The same query with its phrases resolved through ``key`` once, and each OR of phrases
    one lookup loop, for queries evaluated on every item."""
    if isinstance(node, Phrase):
        return AnyOf((key(node.raw),), (node.raw,))
    if isinstance(node, Not):
        return Not(compiled(node.child, key))
    if isinstance(node, Near):
        return Near(compiled(node.left, key), compiled(node.right, key), node.distance,
                    node.ordered)
    if isinstance(node, AnyOf):
        return node
    children = tuple(compiled(c, key) for c in node.children)
    if isinstance(node, Or) and all(isinstance(c, AnyOf) for c in children):
        flat = [c for c in children if isinstance(c, AnyOf)]
        return AnyOf(tuple(k for c in flat for k in c.keys), tuple(r for c in flat for r in c.raws))
    return type(node)(children)

_LEX = re.compile(r'\s*(?:(")([^"]*)"|(\()|(\))|((?:NEAR|BEFORE)/\d+)|([^\s()"]+))', re.IGNORECASE)


def _lex(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    query = query.strip()
    while pos < len(query):
        m = _LEX.match(query, pos)
        if m is None or m.end() == pos:
            raise QuerySyntaxError(f"unexpected input at {pos}: {query[pos : pos + 20]!r}")
        pos = m.end()
        if m.group(1):
            tokens.append(("PHRASE", m.group(2)))
        elif m.group(3):
            tokens.append(("(", "("))
        elif m.group(4):
            tokens.append((")", ")"))
        elif m.group(5):
            operator, distance = m.group(5).split("/")
            tokens.append(("NEAR", distance if operator.upper() == "NEAR" else "<" + distance))
        else:
            word = m.group(6)
            upper = word.upper()
            if upper in ("AND", "OR", "NOT"):
                tokens.append((upper, word))
            else:
                tokens.append(("PHRASE", word))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise QuerySyntaxError("unexpected end of query")
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expr(self) -> Node:
        children = [self.conj()]
        while self.peek() == "OR":
            self.take()
            children.append(self.conj())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def conj(self) -> Node:
        children = [self.near()]
        while self.peek() in ("AND", "NOT", "PHRASE", "("):
            if self.peek() == "AND":
                self.take()
            if self.peek() == "NOT":
                self.take()
                children.append(Not(self.near()))
            else:
                children.append(self.near())
        return children[0] if len(children) == 1 else And(tuple(children))

    def near(self) -> Node:
        node = self.unary()
        while self.peek() == "NEAR":
            distance = self.take()[1]
            node = Near(node, self.unary(), int(distance.lstrip("<")), distance.startswith("<"))
        return node

    def unary(self) -> Node:
        if self.peek() == "NOT":
            self.take()
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "(":
            node = self.expr()
            if self.take()[0] != ")":
                raise QuerySyntaxError("missing ')'")
            return node
        if kind == "PHRASE":
            words = tuple(tokenise(value))
            if not words:
                raise QuerySyntaxError(f"empty phrase {value!r}")
            return Phrase(words)
        raise QuerySyntaxError(f"unexpected {value!r}")


def parse_query(query: str) -> Node:
    """Parse a saved query; raises :class:`QuerySyntaxError`."""
    tokens = _lex(query)
    if not tokens:
        raise QuerySyntaxError("empty query")
    parser = _Parser(tokens)
    node = parser.expr()
    if parser.pos != len(tokens):
        raise QuerySyntaxError(f"trailing input: {tokens[parser.pos][1]!r}")
    return node


def phrase_spans(
    tokens: Sequence[str], phrases: Sequence[tuple[str, ...]]
) -> dict[str, list[Span]]:
    """Spans of each phrase in ``tokens``, keyed by the space-joined phrase (ad-hoc helper;
    evaluate with ``key=" ".join``)."""
    out: dict[str, list[Span]] = {}
    for phrase in phrases:
        k = len(phrase)
        hits = [
            (i, i + k)
            for i, tok in enumerate(tokens)
            if tok == phrase[0] and tuple(tokens[i : i + k]) == phrase
        ]
        out[" ".join(phrase)] = hits
    return out
