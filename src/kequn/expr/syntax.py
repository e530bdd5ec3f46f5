"""From text to a sqlglot syntax tree, refusing what is not an expression before sqlglot sees it.

The grammar is DuckDB's, with one change: function calls are not normalised into sqlglot's typed
function nodes, so every call reaches the checker as written (name and arguments in order) and only
the whitelist decides what it means.
"""

from __future__ import annotations

import sys
import unicodedata

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from kequn.expr.errors import ExprError, error_at

MAX_LENGTH = 10_000
MAX_DEPTH = 100
# sqlglot parses by recursive descent, about 35 Python frames per nesting level (Python's default
# limit of 1000 frames stops it near 30 levels). The pre-scan caps nesting at MAX_DEPTH, so this limit
# leaves room for any caller; a RecursionError can only mean a gap in the scan, and is still refused.
_RECURSION_LIMIT = 10_000
_ALLOWED_CONTROL = {"\t", "\n", "\r"}


class KequnExpr(DuckDB):
    """DuckDB's grammar, with calls left as ``exp.Anonymous(name, args)``."""

    class Parser(DuckDB.Parser):  # type: ignore[misc,valid-type]
        FUNCTIONS: dict = {}
        FUNCTION_PARSERS = {"CAST": DuckDB.Parser.FUNCTION_PARSERS["CAST"]}


_DIALECT = KequnExpr()


def parse_syntax(text: str) -> exp.Expr:
    """The sqlglot tree of one expression, or an ExprError saying where the text stops being one."""
    if not isinstance(text, str):
        raise ExprError(f"an expression must be text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression too long ({len(text):,} characters; at most {MAX_LENGTH:,})")
    if not text.strip():
        raise ExprError("empty expression", hint="write a condition such as aum_mad >= 500000")
    _refuse_hidden_characters(text)
    tokens = _tokenize(text)
    _refuse_comments_and_statements(text, tokens)
    _refuse_statement_keyword(text, tokens)
    _refuse_deep_nesting(text, tokens)
    return _parse(text, tokens)


def _refuse_hidden_characters(text: str) -> None:
    # Control, format (zero-width, bidi overrides), private-use and unassigned characters can make
    # text read differently from what it does ("Trojan source"); none belongs in an expression.
    for offset, ch in enumerate(text):
        if unicodedata.category(ch)[0] == "C" and ch not in _ALLOWED_CONTROL:
            raise error_at(text, offset, f"invisible or control character U+{ord(ch):04X} is not allowed")


def _tokenize(text: str) -> list[Token]:
    try:
        return _DIALECT.tokenize(text)
    except TokenError:
        offset = _unclosed_quote(text)
        raise error_at(text, offset, "unterminated string, quoted name or comment") from None


def _unclosed_quote(text: str) -> int | None:
    """Offset of the quote or comment opener left open, found by a plain scan (quotes double to escape)."""
    closer = None
    opened = None
    i = 0
    while i < len(text):
        if closer is None:
            if text[i] in "'\"":
                closer, opened = text[i], i
            elif text.startswith("/*", i):
                closer, opened = "*/", i
        elif text.startswith(closer, i):
            if closer != "*/" and text.startswith(closer * 2, i):
                i += 1
            else:
                closer = None
        i += 1
    return opened


def _refuse_comments_and_statements(text: str, tokens: list[Token]) -> None:
    previous_end = 0
    for token in tokens:
        _refuse_comment_in(text, previous_end, token.start)
        if token.token_type == TokenType.SEMICOLON:
            raise error_at(text, token.start, "';' is not allowed: write one expression, not statements")
        previous_end = token.end + 1
    _refuse_comment_in(text, previous_end, len(text))
    for token in tokens:  # any other comment syntax the tokenizer knows
        if token.comments:
            raise error_at(text, token.start, "comments are not allowed")


def _refuse_comment_in(text: str, start: int, end: int) -> None:
    """Between two tokens there is only white space, or a comment."""
    gap = text[start:end]
    found = [gap.index(marker) for marker in ("--", "/*") if marker in gap]
    if found:
        raise error_at(text, start + min(found), "comments are not allowed")


# Tokens that begin a statement (SELECT, WITH, DROP, CALL, ...): refused by name rather than as an
# "unexpected token", so the user learns that statements are not part of the language.
_STATEMENT_STARTS = (
    set(KequnExpr.Parser.STATEMENT_PARSERS)
    | set(KequnExpr.Tokenizer.COMMANDS)
    | {TokenType.SELECT, TokenType.WITH, TokenType.VALUES, TokenType.FROM}
)


def _refuse_statement_keyword(text: str, tokens: list[Token]) -> None:
    first = tokens[0]
    if first.token_type in _STATEMENT_STARTS:
        raise error_at(
            text,
            first.start,
            f"statements are not allowed ({first.text.upper()})",
            hint="write one condition or value, e.g. aum_mad >= 500000",
        )


_OPENERS = {TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE, TokenType.CASE}
_CLOSERS = {TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE, TokenType.END}
_PREFIX = {TokenType.NOT, TokenType.DASH, TokenType.PLUS}


def _refuse_deep_nesting(text: str, tokens: list[Token]) -> None:
    """Cap nesting before sqlglot recurses: brackets and CASE open a level, a run of prefix operators
    (NOT, unary minus) adds one level per operator until an operand ends it."""
    stack = [0]  # per open bracket: prefix operators pending at that level
    for token in tokens:
        kind = token.token_type
        if kind in _OPENERS:
            stack.append(0)
        elif kind in _CLOSERS and len(stack) > 1:
            stack.pop()
        elif kind in _PREFIX:
            stack[-1] += 1
        else:
            stack[-1] = 0
        if len(stack) - 1 + sum(stack) > MAX_DEPTH:
            raise _too_deep(text, token.start)


def _too_deep(text: str, offset: int | None) -> ExprError:
    return error_at(text, offset, f"expression nested more than {MAX_DEPTH} levels deep")


def _parse(text: str, tokens: list[Token]) -> exp.Expr:
    _ensure_recursion_headroom()
    try:
        # Parsed as a condition, not a statement: SELECT, aliases and trailing text are parse errors.
        tree = _DIALECT.parser().parse_into(exp.Condition, tokens, text)[0]
    except ParseError as err:
        raise _translate(text, err) from None
    except RecursionError:
        raise _too_deep(text, None) from None
    if tree is None:
        raise ExprError("not an expression")
    return tree


def _ensure_recursion_headroom() -> None:
    # Only ever raised, never lowered: lowering it while another thread parses could break that parse.
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)


def _translate(text: str, err: ParseError) -> ExprError:
    """sqlglot's parse error in words an analyst reads: what was unexpected, where."""
    if not err.errors:
        return ExprError("not an expression")
    first = err.errors[0]
    highlight = str(first.get("highlight") or "")
    line, column = first.get("line"), first.get("col")
    if isinstance(column, int) and highlight and "\n" not in highlight:
        column = column - len(highlight) + 1
    description = str(first.get("description", ""))
    message = _describe(description, highlight)
    return ExprError(message, line=line, column=column)


def _describe(description: str, highlight: str) -> str:
    if description.startswith("Required keyword"):
        return f"incomplete expression after {highlight!r}"
    if description.startswith("Expecting )"):
        return "missing ')'"
    if description.startswith("Expected END"):
        return "CASE without END"
    if highlight:
        return f"unexpected {highlight!r}"
    return description.split(".")[0] or "not an expression"
