"""Every error becomes one response here: RFC 9457 problem details, or an HTML page for browsers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from kequn.core.errors import KequnError

TITLES = {400: "Bad request", 404: "Not found", 500: "Internal error"}


def problem(status: int, detail: str, request: Request) -> Response:
    if "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api/"):
        from kequn.console.render import error_page

        return error_page(request, status, detail)
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(KequnError)
    async def _kequn_error(request: Request, exc: KequnError) -> Response:
        return problem(exc.http_status, str(exc), request)

    @app.exception_handler(404)
    async def _not_found(request: Request, exc: Exception) -> Response:
        return problem(404, "no such page", request)
