"""The web application: REST API under /api/v1 and the console pages."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from kequn import __version__
from kequn.api import customers
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
    api.include_router(customers.router)

    @api.get("/health", tags=["system"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(api)
    mount_console(app)
    install_error_handlers(app)
    return app
