"""Server-rendered pages for matchmakers and buyers, in Thai and English, mounted at ``/web``."""

from .accounts import add_web_user, load_session_secret
from .app import create_web_app

__all__ = ["add_web_user", "create_web_app", "load_session_secret"]
