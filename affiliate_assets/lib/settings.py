"""Environment → typed settings, read in one place.

Every knob of the platform is an environment variable (a `.env` file at the project root is honoured,
`.env.example` documents them all). Nothing else in the code base reads ``os.environ`` for configuration,
so a reader finds every setting here and tests can build a ``Settings`` with overrides.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _load_dotenv() -> None:
    """Load ``.env`` once, never overriding variables already set by the caller."""
    env_file = Path(os.environ.get("AFFILIATE_ENV_FILE", PROJECT_ROOT / ".env"))
    if env_file.is_file():
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _path(name: str, default: Path) -> Path:
    value = _env(name)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    """Typed view of the environment. ``None`` for an API credential means "use the bundled fake"."""

    data_dir: Path
    database_url: str | None
    pii_salt: str
    # Hotmart Developers API
    hotmart_client_id: str | None
    hotmart_client_secret: str | None
    hotmart_basic: str | None
    hotmart_api_base_url: str | None
    hotmart_auth_url: str | None
    # Social networks
    instagram_access_token: str | None
    instagram_user_id: str | None
    instagram_base_url: str | None
    facebook_access_token: str | None
    facebook_page_id: str | None
    facebook_base_url: str | None
    tiktok_access_token: str | None
    tiktok_base_url: str | None
    # Speech-to-Text
    google_application_credentials: str | None
    speech_api_endpoint: str | None
    # Anthropic
    anthropic_api_key: str | None
    anthropic_base_url: str | None
    anthropic_model: str
    reco_mode: str  # auto (LLM with a key, else offline) | llm (no key → bundled fake) | offline
    # Crawl
    crawl_obey_robots: bool
    # The affiliate's own catalogue CSV (None → the bundled sample)
    catalogue_file: Path | None
    # Inboxes
    sales_inbox: Path
    screens_inbox: Path
    voice_inbox: Path
    # Operations
    failure_webhook_url: str | None

    @property
    def pg_data_dir(self) -> Path:
        """Where the embedded PostgreSQL keeps its cluster (under the project, see FACTS.md)."""
        return self.data_dir / "pg"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)


def load_settings() -> Settings:
    """Read the environment now (no caching): tests change variables between calls."""
    _load_dotenv()
    data_dir = _path("AFFILIATE_DATA_DIR", PROJECT_ROOT / "data")
    return Settings(
        data_dir=data_dir,
        database_url=_env("DATABASE_URL"),
        pii_salt=_env("PII_SALT", "affiliate-data-dev-salt") or "",
        hotmart_client_id=_env("HOTMART_CLIENT_ID"),
        hotmart_client_secret=_env("HOTMART_CLIENT_SECRET"),
        hotmart_basic=_env("HOTMART_BASIC"),
        hotmart_api_base_url=_env("HOTMART_API_BASE_URL"),
        hotmart_auth_url=_env("HOTMART_AUTH_URL"),
        instagram_access_token=_env("INSTAGRAM_ACCESS_TOKEN"),
        instagram_user_id=_env("INSTAGRAM_USER_ID"),
        instagram_base_url=_env("INSTAGRAM_BASE_URL"),
        facebook_access_token=_env("FACEBOOK_ACCESS_TOKEN"),
        facebook_page_id=_env("FACEBOOK_PAGE_ID"),
        facebook_base_url=_env("FACEBOOK_BASE_URL"),
        tiktok_access_token=_env("TIKTOK_ACCESS_TOKEN"),
        tiktok_base_url=_env("TIKTOK_BASE_URL"),
        google_application_credentials=_env("GOOGLE_APPLICATION_CREDENTIALS"),
        speech_api_endpoint=_env("SPEECH_API_ENDPOINT"),
        anthropic_api_key=_env("ANTHROPIC_API_KEY"),
        anthropic_base_url=_env("ANTHROPIC_BASE_URL"),
        anthropic_model=_env("ANTHROPIC_MODEL", "claude-sonnet-4-5") or "",
        reco_mode=(_env("RECO_MODE", "auto") or "auto").strip().lower(),
        catalogue_file=Path(_env("CATALOGUE_FILE")).expanduser() if _env("CATALOGUE_FILE") else None,  # type: ignore[arg-type]
        crawl_obey_robots=(_env("CRAWL_OBEY_ROBOTS", "true") or "true").lower() not in ("0", "false", "no"),
        sales_inbox=_path("SALES_INBOX", data_dir / "inbox" / "sales"),
        screens_inbox=_path("SCREENS_INBOX", data_dir / "inbox" / "screens"),
        voice_inbox=_path("VOICE_INBOX", data_dir / "inbox" / "voice"),
        failure_webhook_url=_env("FAILURE_WEBHOOK_URL"),
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings, read once. Use :func:`load_settings` where freshness matters."""
    return load_settings()
