"""The HTTP service over the store and the services.

``create_app(settings)`` builds it; ``tiermatch serve`` runs it with uvicorn.
"""

from .app import create_app
from .auth import Principal
from .errors import ApiError

__all__ = ["ApiError", "Principal", "create_app"]
