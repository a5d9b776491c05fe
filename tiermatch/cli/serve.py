"""``tiermatch serve``: the HTTP service and its pages over the store."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ._common import DatabaseOption, boundary, errors, open_store

__all__ = ["register_commands", "serve"]


@boundary
def serve(
    host: Annotated[Optional[str], typer.Option(help="address to listen on [default: $TIERMATCH_HOST or 127.0.0.1]")] = None,
    port: Annotated[Optional[int], typer.Option(help="port [default: $TIERMATCH_PORT or 8000]")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="worker processes [default: $TIERMATCH_WORKERS or 1]")] = None,
    database: DatabaseOption = None,
) -> None:
    """Start the HTTP service (uvicorn) over the store; interactive docs at /docs, pages at /web.

    Every request needs an API key: create the first with `tiermatch keys create --role admin`.

    Example: tiermatch serve --host 127.0.0.1 --port 8000 --workers 2
    """
    import os

    import uvicorn

    from ..settings import get_settings

    settings = get_settings()
    if database:
        # Worker processes read the settings afresh: hand them the URL through the environment.
        os.environ["TIERMATCH_DATABASE_URL"] = database
        get_settings.cache_clear()
        settings = get_settings()
    host, port, workers = host or settings.host, port or settings.port, workers or settings.workers
    store = open_store(settings.database_url)  # migrates the tables once, before workers race to
    url = f"http://{host}:{port}"
    errors.print(f"tiermatch serving {store.url} at {url} (docs: {url}/docs, pages: {url}/web/), {workers} worker(s)",
                 highlight=False, markup=False)
    uvicorn.run("tiermatch.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


def register_commands(app: typer.Typer) -> None:
    app.command()(serve)
