"""Errors of the rule language: one line that says what is wrong, where (line:column) and what to try.

>>> str(ExprError("unknown name 'aum_mda'", line=1, column=1, hint="did you mean 'aum_mad'?"))
"unknown name 'aum_mda' at 1:1 — did you mean 'aum_mad'?"
"""

from __future__ import annotations

from kequn.core.errors import UserInputError


class ExprError(UserInputError):
    """An expression outside the language. Exit code 2 on the CLI, HTTP 400 on the API."""

    def __init__(
        self, message: str, *, line: int | None = None, column: int | None = None, hint: str | None = None
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint
        where = f" at {line}:{column}" if line is not None and column is not None else ""
        tail = f" — {hint}" if hint else ""
        super().__init__(f"{message}{where}{tail}")


class FieldValueError(UserInputError):
    """A row handed to a compiled expression holds a value of the wrong type for its field."""


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset in ``text``.

    >>> line_column("a\\nbc", 3)
    (2, 2)
    """
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def error_at(text: str, offset: int | None, message: str, hint: str | None = None) -> ExprError:
    """An ExprError positioned at a character offset of the expression text."""
    if offset is None:
        return ExprError(message, hint=hint)
    line, column = line_column(text, offset)
    return ExprError(message, line=line, column=column, hint=hint)
