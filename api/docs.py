"""The API's interactive documentation (Swagger UI) served from the installed package, never from a CDN:
DIP's offices run on networks with no way out (swagger-ui-bundle ships the files, Apache-2.0)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

__all__ = ["add_docs"]

ASSETS = "/docs/assets"


def add_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI over ``app.openapi_url``) with its scripts and styles under ``/docs/assets``."""
    app.mount(ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(openapi_url=root + app.openapi_url, title=f"{app.title}: API",
                                   swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{root}{ASSETS}/favicon-32x32.png")
