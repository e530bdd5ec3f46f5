"""From a sqlglot syntax tree to the checked, typed tree: names resolved, functions whitelisted,
types settled. Every refusal names the place in the text and, where it can, what to write instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal

from sqlglot import exp

from kequn.expr import tree as t
from kequn.expr.errors import ExprError, error_at
from kequn.expr.functions import FUNCTIONS, Const, FunctionSpec
from kequn.expr.literals import LiteralError, parse_date, parse_number
from kequn.expr.namespace import AS_OF, Namespace
from kequn.expr.positions import offset_of
from kequn.expr.refusals import AGGREGATES, a_type, function_hint, plural, type_hint, why_refused
from kequn.expr.syntax import MAX_DEPTH
from kequn.expr.tree import NULL_TYPE

ORDERED = ("number", "string", "date")
_COMPARE = {exp.EQ: "=", exp.NEQ: "<>", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">="}
_ARITH = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%"}
_LOGIC = {exp.And: "and", exp.Or: "or"}


def check(syntax: exp.Expr, text: str, namespace: Namespace) -> t.Node:
    """The typed tree of a parsed expression, or the first ExprError found."""
    checker = _Checker(text, namespace)
    checker.refuse_deep(syntax)
    return checker.check(syntax)


class _Checker:
    def __init__(self, text: str, namespace: Namespace) -> None:
        self.text = text
        self.namespace = namespace

    def error(self, node: exp.Expr, message: str, hint: str | None = None) -> ExprError:
        return error_at(self.text, offset_of(node, self.text), message, hint)

    def refuse_deep(self, syntax: exp.Expr) -> None:
        """Cap the nesting (iteratively) before the recursive checker runs. Parentheses and CASE
        branches add no level, and a chain of one AND/OR operator is one level however long."""
        stack: list[tuple[exp.Expr, int, type | None]] = [(syntax, 1, None)]
        while stack:
            node, depth, outer = stack.pop()
            if depth > MAX_DEPTH:
                raise self.error(node, f"expression nested more than {MAX_DEPTH} levels deep")
            kind = outer if isinstance(node, exp.Paren | exp.If) else type(node)
            for child in node.iter_expressions():
                if isinstance(child, exp.Identifier | exp.DataType):
                    continue  # parts of a name or a type, not operands
                same_chain = type(child) in _LOGIC and type(child) is kind
                transparent = same_chain or isinstance(child, exp.Paren | exp.If)
                stack.append((child, depth if transparent else depth + 1, kind))

    def check(self, node: exp.Expr) -> t.Node:
        handler = _HANDLERS.get(type(node))
        if handler is not None:
            return handler(self, node)
        raise self.refusal(node)

    def refusal(self, node: exp.Expr) -> ExprError:
        message, hint = why_refused(node)
        return self.error(node, message, hint)

    # --- types -----------------------------------------------------------------------------------

    def expect(self, node: exp.Expr, wanted: str, what: str) -> t.Node:
        """Check ``node`` and require type ``wanted`` (NULL takes it on)."""
        return self.require(node, self.check(node), wanted, what)

    def require(self, syntax: exp.Expr, node: t.Node, wanted: str, what: str) -> t.Node:
        if node.type == NULL_TYPE:
            return coerce(node, wanted)
        if node.type != wanted:
            raise self.error(
                syntax, f"{what} needs {a_type(wanted)}, got {a_type(node.type)}", type_hint(node, wanted)
            )
        return node

    def unify(
        self, pairs: list[tuple[exp.Expr, t.Node]], what: str, allowed: tuple[str, ...]
    ) -> list[t.Node]:
        """Give every operand one common type (NULLs take it on), or say which operand differs."""
        known = [(syntax, node) for syntax, node in pairs if node.type != NULL_TYPE]
        if not known:
            return [node for _, node in pairs]
        first_syntax, first = known[0]
        if first.type not in allowed:
            raise self.error(first_syntax, f"{what} does not work on {plural(first.type)}")
        for syntax, node in known[1:]:
            if node.type != first.type:
                raise self.error(
                    syntax,
                    f"{what}: cannot mix {a_type(first.type)} with {a_type(node.type)}",
                    type_hint(node, first.type),
                )
        return [coerce(node, first.type) for _, node in pairs]

    # --- leaves ----------------------------------------------------------------------------------

    def column(self, node: exp.Column) -> t.Node:
        if isinstance(node.this, exp.Star):
            raise self.error(node, "'*' is not allowed", "name the fields you need")
        if node.table or node.args.get("db") or node.args.get("catalog"):
            raise self.error(
                node, f"qualified name {node.sql()!r} is not allowed", f"write {node.name!r} alone"
            )
        return self.name(node, node.name)

    def name(self, node: exp.Expr, name: str) -> t.Node:
        if name.lower() == AS_OF:
            return t.AsOf(type="date")
        field = self.namespace.lookup(name)
        if field is not None:
            return t.Name(type=field.type, name=field.name)
        suggestion = self.namespace.suggest(name)
        hint = f"did you mean {suggestion!r}?" if suggestion else None
        raise self.error(node, f"unknown name {name!r}", hint)

    def literal(self, node: exp.Literal) -> t.Node:
        if node.is_string:
            return t.Lit(type="string", value=node.this)
        try:
            return t.Lit(type="number", value=parse_number(node.this))
        except LiteralError as err:
            raise self.error(node, str(err)) from None

    def boolean(self, node: exp.Boolean) -> t.Node:
        return t.Lit(type="boolean", value=bool(node.this))

    def null(self, node: exp.Null) -> t.Node:
        return t.Lit(type=NULL_TYPE, value=None)

    def cast(self, node: exp.Cast) -> t.Node:
        target = node.to
        value = node.this
        if target.is_type(exp.DataType.Type.DATE) and isinstance(value, exp.Literal) and value.is_string:
            try:
                return t.Lit(type="date", value=parse_date(value.this))
            except LiteralError as err:
                raise self.error(value, str(err)) from None
        raise self.error(node, "CAST is not supported", "write dates as DATE 'YYYY-MM-DD'")

    # --- operators -------------------------------------------------------------------------------

    def paren(self, node: exp.Paren) -> t.Node:
        return self.check(node.this)

    def logic(self, node: exp.And | exp.Or) -> t.Node:
        op = _LOGIC[type(node)]
        operands = [self.expect(part, "boolean", op.upper()) for part in _chain(node)]
        return t.Logic(type="boolean", op=op, operands=tuple(operands))

    def not_(self, node: exp.Not) -> t.Node:
        inner = _unparen(node.this)
        negatable: dict[type, Callable[..., t.Node]] = {
            exp.In: _Checker.in_list,
            exp.Like: _Checker.like,
            exp.Between: _Checker.between,
            exp.Is: _Checker.is_,
        }
        if type(inner) in negatable:
            return negatable[type(inner)](self, inner, True)
        return t.Not(type="boolean", operand=self.expect(node.this, "boolean", "NOT"))

    def neg(self, node: exp.Neg) -> t.Node:
        operand = self.expect(node.this, "number", "unary minus")
        if isinstance(operand, t.Lit) and isinstance(operand.value, Decimal):
            return t.Lit(type="number", value=-operand.value)  # -5 is a literal, not an operation
        return t.Neg(type="number", operand=operand)  # -NULL stays written as such

    def compare(self, node: exp.Binary) -> t.Node:
        op = _COMPARE[type(node)]
        allowed = (*ORDERED, "boolean") if op in ("=", "<>") else ORDERED
        if any(isinstance(_unparen(side), exp.Null) for side in (node.this, node.expression)):
            raise self.error(node, f"'{op} NULL' is never true", "use IS NULL or IS NOT NULL")
        pairs = [(node.this, self.check(node.this)), (node.expression, self.check(node.expression))]
        left, right = self.unify(pairs, f"'{op}'", allowed)
        return t.Compare(type="boolean", op=op, left=left, right=right)

    def arith(self, node: exp.Binary) -> t.Node:
        op = _ARITH[type(node)]
        left = self.check(node.this)
        right = self.check(node.expression)
        if op == "-" and left.type == right.type == "date":
            raise self.error(node, "dates cannot be subtracted", "use date_diff('day', start, end)")
        if op == "+" and left.type == right.type == "string":
            raise self.error(node, "'+' does not join text", "use a || b")
        left = self.require(node.this, left, "number", f"'{op}'")
        right = self.require(node.expression, right, "number", f"'{op}'")
        return t.Arith(type="number", op=op, left=left, right=right)

    def concat(self, node: exp.DPipe) -> t.Node:
        left = self.expect(node.this, "string", "'||'")
        right = self.expect(node.expression, "string", "'||'")
        return t.Concat(type="string", left=left, right=right)

    # --- predicates ------------------------------------------------------------------------------

    def is_(self, node: exp.Is, negated: bool = False) -> t.Node:
        negated ^= bool(node.args.get("negate"))
        if not isinstance(node.expression, exp.Null):
            raise self.error(
                node.expression, "IS only tests for NULL", "write IS NULL or IS NOT NULL; use = otherwise"
            )
        return t.IsNull(type="boolean", operand=self.check(node.this), negated=negated)

    def in_list(self, node: exp.In, negated: bool = False) -> t.Node:
        if node.args.get("query") or node.args.get("unnest") or node.args.get("field"):
            raise self.error(node, "IN takes a list of values, not a subquery")
        if not node.expressions:
            raise self.error(node, "IN needs at least one value")
        syntaxes = [node.this, *node.expressions]
        nodes = self.unify([(s, self.check(s)) for s in syntaxes], "IN", (*ORDERED, "boolean"))
        return t.InList(type="boolean", operand=nodes[0], items=tuple(nodes[1:]), negated=negated)

    def between(self, node: exp.Between, negated: bool = False) -> t.Node:
        if node.args.get("symmetric"):
            raise self.error(node, "BETWEEN SYMMETRIC is not supported", "put the smaller bound first")
        syntaxes = [node.this, node.args["low"], node.args["high"]]
        operand, low, high = self.unify([(s, self.check(s)) for s in syntaxes], "BETWEEN", ORDERED)
        return t.Between(type="boolean", operand=operand, low=low, high=high, negated=negated)

    def like(self, node: exp.Like, negated: bool = False) -> t.Node:
        negated ^= bool(node.args.get("negate"))  # x NOT LIKE p
        pattern = node.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise self.error(pattern, "LIKE needs a quoted pattern", "e.g. city LIKE '上海%'")
        if "\\" in pattern.this:
            raise self.error(
                pattern, "backslashes are not allowed in LIKE patterns", "engines escape differently"
            )
        operand = self.expect(node.this, "string", "LIKE")
        return t.Like(type="boolean", operand=operand, pattern=pattern.this, negated=negated)

    def case(self, node: exp.Case) -> t.Node:
        subject = node.this
        conditions: list[t.Node] = []
        values: list[tuple[exp.Expr, t.Node]] = []
        for branch in node.args.get("ifs") or []:
            conditions.append(self.case_condition(subject, branch.this))
            values.append((branch.args["true"], self.check(branch.args["true"])))
        default = node.args.get("default")
        if default is not None:
            values.append((default, self.check(default)))
        unified = self.unify(values, "CASE results", (*ORDERED, "boolean"))
        whens = tuple(zip(conditions, unified[: len(conditions)], strict=True))
        result_type = unified[0].type if unified else NULL_TYPE
        return t.Case(type=result_type, whens=whens, default=unified[-1] if default is not None else None)

    def case_condition(self, subject: exp.Expr | None, when: exp.Expr) -> t.Node:
        if subject is None:
            return self.expect(when, "boolean", "WHEN")
        # CASE x WHEN v THEN ... is CASE WHEN x = v THEN ...
        return self.compare(exp.EQ(this=subject.copy(), expression=when))

    # --- functions -------------------------------------------------------------------------------

    def call(self, node: exp.Anonymous) -> t.Node:
        name = str(node.this).lower()
        spec = FUNCTIONS.get(name)
        if spec is None and name in AGGREGATES:
            raise self.error(
                node,
                f"aggregate {name}() is not allowed: an expression is about one row",
                "use a feature such as txn_count_30d, or least()/greatest()",
            )
        if spec is None:
            raise self.error(node, f"function {name!r} is not allowed", function_hint(name))
        args = list(node.expressions)
        if any(isinstance(a, exp.Star) for a in args):
            raise self.error(node, f"{name}(*) is not allowed")
        self.check_arity(node, spec, len(args))
        if spec.variadic:
            return self.variadic(spec, args)
        return self.fixed(spec, args)

    def check_arity(self, node: exp.Expr, spec: FunctionSpec, count: int) -> None:
        low, high = spec.min_args, spec.max_args
        if count < low or (high is not None and count > high):
            wanted = f"at least {low}" if high is None else (f"{low}" if low == high else f"{low} to {high}")
            raise self.error(node, f"{spec.name}() takes {wanted} arguments, got {count}", spec.signature())

    def variadic(self, spec: FunctionSpec, args: list[exp.Expr]) -> t.Node:
        nodes = self.unify([(a, self.check(a)) for a in args], f"{spec.name}()", spec.variadic)
        kind = next((n.type for n in nodes if n.type != NULL_TYPE), NULL_TYPE)
        return t.Call(type=kind, name=spec.name, args=tuple(nodes))

    def fixed(self, spec: FunctionSpec, args: list[exp.Expr]) -> t.Node:
        values: list[t.Node] = []
        consts: list[int | str] = []
        for position, (param, arg) in enumerate(zip(spec.params, args, strict=False), start=1):
            what = f"{spec.name}() argument {position}"
            if isinstance(param, Const):
                consts.append(self.const(arg, param, what))
            else:
                values.append(self.expect(arg, param, what))
        return t.Call(type=spec.result, name=spec.name, args=tuple(values), consts=tuple(consts))

    def const(self, node: exp.Expr, param: Const, what: str) -> int | str:
        """A literal-only parameter: a string from ``choices``, or a whole number in range."""
        if param.choices:
            # 'day' as DuckDB writes it, or day as Spark does
            written = node.this if isinstance(node, exp.Literal) and node.is_string else None
            if isinstance(node, exp.Column) and not node.table:
                written = node.name
            if written is not None and written.lower() in param.choices:
                return written.lower()
            raise self.error(node, f"{what} must be one of {', '.join(repr(c) for c in param.choices)}")
        checked = self.check(node)
        value = checked.value if isinstance(checked, t.Lit) else None
        if (
            not isinstance(value, Decimal)
            or value != value.to_integral_value()
            or not param.low <= value <= param.high
        ):
            raise self.error(
                node, f"{what} must be a whole number from {param.low} to {param.high}, written as is"
            )
        return int(value)


def coerce(node: t.Node, wanted: str) -> t.Node:
    """Give a node of type ``null`` (NULL whatever the row) the type its context needs. Only literals,
    CASE and the variadic functions can have that type; their NULL parts take the type too."""
    if node.type != NULL_TYPE:
        return node
    if isinstance(node, t.Call):
        return replace(node, type=wanted, args=tuple(coerce(a, wanted) for a in node.args))
    if isinstance(node, t.Case):
        whens = tuple((c, coerce(v, wanted)) for c, v in node.whens)
        default = coerce(node.default, wanted) if node.default is not None else None
        return replace(node, type=wanted, whens=whens, default=default)
    return t.Lit(type=wanted, value=None)


def _chain(node: exp.Expr) -> Iterator[exp.Expr]:
    """The operands of a chain of one AND/OR operator (through parentheses), left to right, iteratively."""
    kind = type(node)
    stack = [node]
    while stack:
        current = stack.pop()
        inner = _unparen(current)
        if type(inner) is kind:
            stack.extend([inner.expression, inner.this])
        else:
            yield current


def _unparen(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


_HANDLERS: dict[type, Callable[..., t.Node]] = {
    exp.Column: _Checker.column,
    exp.Literal: _Checker.literal,
    exp.Boolean: _Checker.boolean,
    exp.Null: _Checker.null,
    exp.Cast: _Checker.cast,
    exp.Paren: _Checker.paren,
    exp.And: _Checker.logic,
    exp.Or: _Checker.logic,
    exp.Not: _Checker.not_,
    exp.Neg: _Checker.neg,
    exp.DPipe: _Checker.concat,
    exp.Is: _Checker.is_,
    exp.In: _Checker.in_list,
    exp.Between: _Checker.between,
    exp.Like: _Checker.like,
    exp.Case: _Checker.case,
    exp.Anonymous: _Checker.call,
    **{kind: _Checker.compare for kind in _COMPARE},
    **{kind: _Checker.arith for kind in _ARITH},
}
