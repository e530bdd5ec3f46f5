"""The rule expression language: a small, safe subset of SQL expressions over named fields.

Analysts write conditions such as ``aum_mad >= 500000 AND risk_level >= 3``. An expression is parsed
with sqlglot, checked against a :class:`Namespace` (names, function whitelist, types) and compiled two
ways that agree: to SQL for any engine, and to a Python function of one row. See docs/expr.md.
"""

from kequn.expr.checked import CheckedExpr, parse_expr
from kequn.expr.errors import ExprError, FieldValueError
from kequn.expr.functions import FUNCTIONS
from kequn.expr.namespace import AS_OF, TYPES, Field, Namespace
from kequn.expr.syntax import MAX_DEPTH, MAX_LENGTH

__all__ = [
    "AS_OF",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "TYPES",
    "CheckedExpr",
    "ExprError",
    "Field",
    "FieldValueError",
    "Namespace",
    "parse_expr",
]
