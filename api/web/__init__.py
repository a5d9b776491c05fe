"""Server-rendered pages for matchmakers and buyers, mounted at ``/web`` inside the JSON service."""

from .app import create_web_app

__all__ = ["create_web_app"]
