"""The console: server-rendered pages (Jinja2 + HTMX + ECharts, assets vendored for offline use)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def mount_console(app: FastAPI) -> None:
    from kequn.console.pages import router

    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    app.include_router(router)


__all__ = ["mount_console"]
