"""The application factory: ``create_app(settings)`` builds the service over one store."""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from ..services import RateLimit, ShownLog, is_worker_alive
from ..settings import Settings, get_settings
from ..store import Store
from . import clusters, keys, matches, models, outcomes, profiles, runs, vocabulary
from .deps import reject_unknown_query
from .docs import add_docs
from .errors import add_error_handlers
from .jobs import Jobs
from .keys import service_version
from .limits import BodyLimit
from .web import create_web_app

__all__ = ["create_app"]

DESCRIPTION = """\
Matches Thai SMEs to first-tier manufacturers, exporters, importers and retailers.

Send an API key in the `X-API-Key` header (`tiermatch keys create --role admin` makes the first).
Roles: **admin** (everything, keys included), **matchmaker** (profiles, runs, shortlists, feedback),
**buyer** (its own shortlist, its own pairs' explanations and its own feedback).
Runs take the CLI's options (`top_k`, `min_score`, `fair`, `slots` for a matchmaking day); their groups
and agenda are under `/runs/{run_id}`. `POST /models/retrain` learns a scoring model from the feedback;
runs use the newest adopted one.
Every error is JSON: `message`, the `field` at fault, and `errors` listing every problem.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service over the store at ``settings.database_url``.

    Parameters
    ----------
    settings : Settings, optional
        Defaults to :func:`tiermatch.settings.get_settings` (the ``TIERMATCH_*`` environment).

    Returns
    -------
    FastAPI
        With ``app.state.store``, ``app.state.jobs`` (the thread that executes batch runs,
        retraining and cluster suggestions) and ``app.state.shortlists`` (the latest run's
        shortlists in memory).

    Examples
    --------
    >>> from tiermatch.settings import Settings
    >>> app = create_app(Settings(database_url="sqlite://"))
    >>> app.title
    'tiermatch'
    """
    settings = settings or get_settings()
    store = Store(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Runs left queued or running by a process that has gone will never finish: say so.
        store.runs.fail_interrupted(is_worker_alive)
        # What exists now (modules, the app) lives as long as the process: keep it out of the garbage
        # collector's full passes, which otherwise walk ~200,000 objects (~40-90 ms, seen in the p99).
        gc.freeze()
        app.state.shown.start()
        yield
        app.state.shown.stop()
        app.state.jobs.shutdown()

    app = FastAPI(title="tiermatch", version=service_version(), description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # served from the package (api/docs.py): no CDN on DIP's networks
                  dependencies=[Depends(reject_unknown_query)])
    app.state.settings = settings
    app.state.store = store
    app.state.auth_cache = {}
    app.state.shortlists = matches.ShortlistCache(store)
    app.state.write_rate = RateLimit()  # outcomes a key may record a minute (api.limits.write_rate)
    app.state.shown = ShownLog(store)  # the outcome log's "shown" rows, written together
    app.state.jobs = Jobs(store, settings, on_run_done=app.state.shortlists.refresh)
    add_error_handlers(app)
    for module in (keys, profiles, matches, runs, models, clusters, vocabulary, outcomes):
        app.include_router(module.router)
    add_docs(app)
    app.mount("/web", create_web_app(app), name="web")  # the pages: api/web
    app.add_middleware(BodyLimit)  # outermost: before any route reads a body or asks for a key
    return app
