"""The pages as an application mounted inside the JSON service, with its own session and errors.

Mounted at ``/web`` by :func:`tiermatch.api.create_app`; the JSON routes keep no session and
see none of this: the session middleware, the static files and the HTML error pages apply here only.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from ...errors import TiermatchError
from ...services import SESSION_SECONDS, SignInThrottle, session_secret
from ..deps import reject_unknown_query
from ..errors import ApiError, status_of
from . import pages, programme

__all__ = ["SESSION_COOKIE", "create_web_app"]

HERE = Path(__file__).parent
SESSION_COOKIE = "tiermatch_session"

# Nothing from outside the machine: scripts, styles and images only from these pages' own origin.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_web_app(service: FastAPI) -> FastAPI:
    """The pages over ``service``'s store, jobs and shortlist cache.

    The session cookie is signed with :func:`~tiermatch.services.session_secret` (a setting, or a
    private file shared by every worker and restart, never the store) and holds the id of a session kept
    in the store (:func:`~tiermatch.services.open_session`), so that signing out ends it. It is HTTP-only,
    ``SameSite=Lax``, and ``Secure`` unless ``settings.session_https_only`` is false. Failed sign-ins are
    throttled per account and per address (``state.throttle``, per process).

    Parameters
    ----------
    service : FastAPI
        The JSON service, with ``state.settings``, ``state.store``, ``state.jobs`` and
        ``state.shortlists``.

    Returns
    -------
    FastAPI
        To mount at ``/web``.
    """
    settings = service.state.settings
    # A query parameter no page takes (?buyer_id= on the agenda, a misspelt filter) is refused, never ignored.
    web = FastAPI(title="tiermatch pages", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(reject_unknown_query)])
    web.state.service = service
    web.state.overview = {}
    web.state.throttle = SignInThrottle()
    web.state.templates = Jinja2Templates(directory=HERE / "templates")
    web.add_middleware(SessionMiddleware, secret_key=session_secret(settings),
                       session_cookie=SESSION_COOKIE, max_age=SESSION_SECONDS, path="/", same_site="lax",
                       https_only=bool(getattr(settings, "session_https_only", True)))
    web.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    web.include_router(pages.router)
    web.include_router(programme.router)

    @web.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.media_type == "text/html" or response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    async def sign_in(request: Request, exc: pages.SignInRequired):
        root = request.scope.get("root_path", "")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote
        return RedirectResponse(f"{root}/login?next={quote(target.removeprefix(root) or '/', safe='')}",
                                status_code=303)

    async def error_page(request: Request, status_code: int, message: str):
        viewer = await pages.current_viewer(request)
        key = {403: "forbidden", 404: "not_found"}.get(status_code)
        if message == "session_expired":
            key, message = "session_expired", ""
        return pages.render(request, viewer, "error.html", status_code, status=status_code, key=key, message=message)

    async def api_error(request: Request, exc: ApiError):
        if exc.status_code == 404 and "no completed run" in exc.message:
            return await error_page(request, 404, "no_completed_run")
        return await error_page(request, exc.status_code, exc.message)

    async def domain_error(request: Request, exc: TiermatchError):
        status = status_of(exc)
        if status == 404 and "no completed run" in str(exc):
            return await error_page(request, 404, "no_completed_run")
        if status == 500:
            raise exc
        return await error_page(request, status, str(exc))

    async def http_error(request: Request, exc: StarletteHTTPException):
        return await error_page(request, exc.status_code, str(exc.detail))

    async def validation_error(request: Request, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in exc.errors())
        return await error_page(request, 422, problems)

    web.add_exception_handler(pages.SignInRequired, sign_in)
    web.add_exception_handler(ApiError, api_error)
    web.add_exception_handler(TiermatchError, domain_error)
    web.add_exception_handler(StarletteHTTPException, http_error)
    web.add_exception_handler(RequestValidationError, validation_error)
    return web
