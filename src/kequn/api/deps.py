"""Typed dependencies shared by API routes and console pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from kequn.core.workspace import Workspace
from kequn.engine import Engine, engine_for


def get_workspace(request: Request) -> Workspace:
    return request.app.state.workspace  # type: ignore[no-any-return]


def get_engine(ws: Annotated[Workspace, Depends(get_workspace)]) -> Iterator[Engine]:
    # One in-memory DuckDB connection per request: cheap to open, and requests never share state.
    engine = engine_for(ws)
    try:
        yield engine
    finally:
        engine.close()


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
EngineDep = Annotated[Engine, Depends(get_engine)]
