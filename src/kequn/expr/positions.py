"""Where a syntax node starts in the expression text, for error messages."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokens import TokenType

from kequn.expr.syntax import KequnExpr


def offset_of(node: exp.Expr, text: str | None = None) -> int | None:
    """Where a node starts in the text: the smallest token offset sqlglot kept inside it. Keyword
    leaves (NULL, TRUE, ?, CURRENT_DATE) keep none; with ``text`` they are found among the tokens."""
    starts = [n.meta["start"] for n in node.walk() if isinstance(n.meta, dict) and "start" in n.meta]
    if starts:
        return min(starts)
    return _keyword_offset(node, text) if text is not None else None


_KEYWORD_TOKENS: dict[type, set[TokenType]] = {
    exp.Null: {TokenType.NULL},
    exp.Boolean: {TokenType.TRUE, TokenType.FALSE},
    exp.Placeholder: {TokenType.PLACEHOLDER, TokenType.PARAMETER, TokenType.DOLLAR},
    exp.CurrentDate: {TokenType.CURRENT_DATE},
    exp.CurrentTimestamp: {TokenType.CURRENT_TIMESTAMP},
}


def _keyword_offset(node: exp.Expr, text: str) -> int | None:
    """The n-th keyword leaf of its kind in the tree (source order) is the n-th such token."""
    leaf = next((n for n in node.walk(bfs=False) if type(n) in _KEYWORD_TOKENS), None)
    if leaf is None:
        return None
    kind = type(leaf)
    same_kind = [n for n in leaf.root().walk(bfs=False) if type(n) is kind]
    ordinal = next(i for i, n in enumerate(same_kind) if n is leaf)
    tokens = [tok for tok in KequnExpr().tokenize(text) if tok.token_type in _KEYWORD_TOKENS[kind]]
    return tokens[ordinal].start if ordinal < len(tokens) else None
