"""The web application: REST API under /api/v1 and the console pages."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter, FastAPI

import kequn.api as _api_package
from kequn import __version__
from kequn.api.errors import install_error_handlers
from kequn.core.workspace import Workspace


def create_app(workspace: Workspace) -> FastAPI:
    from kequn.console import mount_console

    app = FastAPI(
        title="kequn",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.workspace = workspace
    api = APIRouter(prefix="/api/v1")
    for router in _routers():
        api.include_router(router)

    @api.get("/health", tags=["system"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(api)
    mount_console(app)
    install_error_handlers(app)
    return app


def _routers() -> list[APIRouter]:
    """Every ``kequn.api.<module>.router``: adding a capability's REST face is adding one module."""
    found = []
    for info in sorted(pkgutil.iter_modules(_api_package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"kequn.api.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found
