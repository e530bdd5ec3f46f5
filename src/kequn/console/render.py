"""Template rendering with the language chosen by ?lang= or the kequn_lang cookie."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from kequn import __version__
from kequn.console.i18n import pick_language, translator
from kequn.core.formatting import money

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


templates.env.filters["money"] = money


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    lang = pick_language(request.query_params.get("lang"), request.cookies.get("kequn_lang"))
    ctx = {"t": translator(lang), "lang": lang, "version": __version__, **context}
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    if request.query_params.get("lang") == lang:
        response.set_cookie("kequn_lang", lang, httponly=True, samesite="lax")
    return response


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "detail": detail}, status=status)
