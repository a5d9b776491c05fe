"""The HTTP service over the store and the matcher.

``create_app(settings)`` builds it; ``tiermatch serve`` runs it with uvicorn.
"""

from .app import create_app
from .auth import Principal, generate_key, hash_key
from .errors import ApiError
from .keys import create_key

__all__ = ["ApiError", "Principal", "create_app", "create_key", "generate_key", "hash_key"]
