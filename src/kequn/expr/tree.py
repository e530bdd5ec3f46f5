"""The checked, typed tree: what an expression means once names, functions and types are settled.

Every node knows its result type. ``null`` is the type of an expression that is NULL whatever the row
(a bare NULL literal); the checker gives such a node the type its context needs as soon as it can.
Both compilers (SQL and Python) and the canonical printer read only this tree, never the user's text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

NULL_TYPE = "null"

LiteralValue = Decimal | str | bool | date | None


@dataclass(frozen=True)
class Node:
    type: str


@dataclass(frozen=True)
class Lit(Node):
    """A literal. Numbers are kept exact (Decimal); NULL is ``value=None`` with its context's type."""

    value: LiteralValue


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class AsOf(Node):
    """The snapshot date the expression is evaluated for, supplied when it is compiled."""


@dataclass(frozen=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True)
class Neg(Node):
    operand: Node


@dataclass(frozen=True)
class Logic(Node):
    """AND / OR over two or more operands (a chain of the same operator is one node)."""

    op: str
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Compare(Node):
    op: str  # = <> < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True)
class Arith(Node):
    op: str  # + - * / %
    left: Node
    right: Node


@dataclass(frozen=True)
class Concat(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class IsNull(Node):
    operand: Node
    negated: bool


@dataclass(frozen=True)
class InList(Node):
    operand: Node
    items: tuple[Node, ...]
    negated: bool


@dataclass(frozen=True)
class Between(Node):
    operand: Node
    low: Node
    high: Node
    negated: bool


@dataclass(frozen=True)
class Like(Node):
    operand: Node
    pattern: str  # a literal: % any run, _ one character, no escapes
    negated: bool


@dataclass(frozen=True)
class Case(Node):
    whens: tuple[tuple[Node, Node], ...]
    default: Node | None


@dataclass(frozen=True)
class Call(Node):
    """A whitelisted function; ``consts`` are its literal-only parameters (round's digits, a unit)."""

    name: str
    args: tuple[Node, ...]
    consts: tuple[int | str, ...] = ()


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node, in source order."""
    if isinstance(node, Not | Neg | IsNull | Like):
        return (node.operand,)
    if isinstance(node, Logic):
        return node.operands
    if isinstance(node, Compare | Arith | Concat):
        return (node.left, node.right)
    if isinstance(node, InList):
        return (node.operand, *node.items)
    if isinstance(node, Between):
        return (node.operand, node.low, node.high)
    if isinstance(node, Case):
        parts = [part for pair in node.whens for part in pair]
        return (*parts, node.default) if node.default is not None else tuple(parts)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, iteratively (no recursion, whatever the depth)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


# Binding strength, loosest first; shared by the canonical printer and the SQL compiler so that
# both put parentheses in the same places.
PREC_OR, PREC_AND, PREC_NOT, PREC_PREDICATE, PREC_CONCAT, PREC_ADD, PREC_MUL, PREC_NEG, PREC_ATOM = range(
    1, 10
)


def precedence(node: Node) -> int:
    if isinstance(node, Logic):
        return PREC_OR if node.op == "or" else PREC_AND
    if isinstance(node, Not):
        return PREC_NOT
    if isinstance(node, Compare | IsNull | InList | Between | Like):
        return PREC_PREDICATE
    if isinstance(node, Concat):
        return PREC_CONCAT
    if isinstance(node, Arith):
        return PREC_ADD if node.op in "+-" else PREC_MUL
    if isinstance(node, Neg) or (
        isinstance(node, Lit) and isinstance(node.value, Decimal) and node.value < 0
    ):
        return PREC_NEG
    return PREC_ATOM


def needs_parens(parent: Node, child: Node, *, right: bool = False) -> bool:
    """Whether ``child`` must be parenthesised as an operand of ``parent`` (``right``: the right operand)."""
    mine, theirs = precedence(parent), precedence(child)
    if isinstance(parent, Logic):
        return theirs <= mine  # an AND inside an OR needs none; an OR inside an AND does
    if isinstance(parent, Not):
        return theirs < PREC_NOT
    if isinstance(parent, Neg):
        return theirs <= PREC_NEG  # never print "--x": that starts a comment
    if mine == PREC_PREDICATE:
        return theirs <= PREC_PREDICATE  # predicates never chain without parentheses
    if isinstance(parent, Arith | Concat):
        return theirs < mine or (right and theirs == mine)
    return False
