"""The sentence encoder a piece of work reads texts with, and where its vectors are kept."""

from __future__ import annotations

from ..features.encoder import CachedEncoder, load_encoder
from ..settings import get_settings
from ..store import Store

__all__ = ["text_encoder"]


def text_encoder(store: Store | None = None) -> CachedEncoder | None:
    """The configured encoder (``TIERMATCH_ENCODER``), its vectors cached in ``store``.

    Without a store (a run over files), vectors are kept in the configured
    store (``TIERMATCH_DATABASE_URL``, ``./tiermatch.sqlite`` by default), so
    that a second run over the same files encodes nothing again. None where
    the setting is ``none``.

    Raises
    ------
    InvalidInputError
        If the configured encoder cannot be loaded.
    """
    from ..errors import InvalidInputError

    settings = get_settings()
    try:
        encoder = load_encoder(settings.encoder)
    except ValueError as exc:
        raise InvalidInputError(str(exc), "encoder") from exc
    if encoder is None:
        return None
    return CachedEncoder(encoder, (store or Store(settings.database_url)).embeddings)
