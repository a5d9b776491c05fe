"""Settings, read from the environment (``TIERMATCH_*``) only at the edges."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Where the store is and how the service listens.

    ``TIERMATCH_DATABASE_URL`` takes any SQLAlchemy URL, e.g.
    ``postgresql+psycopg://user@127.0.0.1:5432/tiermatch``.
    """

    model_config = SettingsConfigDict(env_prefix="TIERMATCH_")

    database_url: str = "sqlite:///tiermatch.sqlite"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1


@lru_cache
def get_settings() -> Settings:
    return Settings()
