"""What segments read: the audience view of a date and the names (with zh-CN / English labels) it offers."""

from __future__ import annotations

from datetime import date
from typing import Any

from kequn.core.errors import UserInputError
from kequn.engine.base import Engine
from kequn.tags.segment_store import ready


def open_audience_view(engine: Engine, as_of: date | None) -> date:
    """Create the ``audience`` view for the snapshot on or before ``as_of``; returns its date."""
    from kequn.tags.audience import open_audience

    return open_audience(engine, as_of)


def namespace(engine: Engine | None, as_of: date | None, store_url: str | None) -> Any:
    """The audience's names (features, live tags, tier fields) as a ``kequn.expr.Namespace``.

    Without a features snapshot (a fresh workspace) the catalogs alone define the names.
    """
    from kequn.tags.audience import audience_namespace

    if store_url:
        ready(store_url)  # the tag catalog lives in the store
    has_data = engine is not None and engine.warehouse.has("features", as_of)
    return audience_namespace(engine if has_data else None, as_of, store_url=store_url)


def fields(names: Any) -> list[Any]:
    """The ``kequn.expr.Field``s of a namespace (name, type, name_zh, name_en)."""
    return list(names)


def labels(names: Any) -> dict[str, tuple[str, str]]:
    """Column name → (zh-CN name, English name)."""
    return {f.name: (f.name_zh, f.name_en) for f in fields(names)}


def check_rule(engine: Engine | None, expression: str, as_of: date | None, store_url: str | None) -> Any:
    """The checked expression (``kequn.expr``); a value that is not a condition is refused."""
    from kequn.expr import parse_expr

    if not expression.strip():
        raise UserInputError("a rule segment needs an expression")
    checked = parse_expr(expression, namespace(engine, as_of, store_url))
    if checked.type != "boolean":
        raise UserInputError(f"a segment expression must be a condition (yes/no), not a {checked.type}")
    return checked
