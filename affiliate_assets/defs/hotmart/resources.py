"""The Hotmart resource: credentials and base URLs from ``HOTMART_*`` settings, or the bundled fake.

With ``HOTMART_CLIENT_ID`` and ``HOTMART_CLIENT_SECRET`` set (``HOTMART_BASIC`` optional, derived when
missing) it talks to developers.hotmart.com (or ``HOTMART_API_BASE_URL`` / ``HOTMART_AUTH_URL``) and
reports mode ``live``. Without them it starts the local fake in-process (``shared_fake("hotmart")``) and
reports mode ``fake``: the client cannot tell the difference, only the URLs and credentials change.
"""

from __future__ import annotations

from typing import Any

import dagster as dg
from pydantic import Field

from affiliate_assets.defs.hotmart.client import PRODUCTION_API_BASE_URL, PRODUCTION_AUTH_URL, HotmartClient
from affiliate_assets.lib.settings import load_settings

FAKE_TOKEN_PATH = "/security/oauth/token"


class HotmartResource(dg.ConfigurableResource):
    """Builds :class:`HotmartClient`s. Every field defaults to the environment (``None`` = read it)."""

    client_id: str | None = Field(default=None, description="HOTMART_CLIENT_ID")
    client_secret: str | None = Field(default=None, description="HOTMART_CLIENT_SECRET")
    basic: str | None = Field(default=None, description="HOTMART_BASIC (Basic base64(id:secret))")
    api_base_url: str | None = Field(default=None, description="HOTMART_API_BASE_URL")
    auth_url: str | None = Field(default=None, description="HOTMART_AUTH_URL")
    fake_base_url: str | None = Field(
        default=None, description="Use this running fake instead of the shared one (tests, benchmarks).")
    page_size: int = Field(default=500, description="max_results per page (Hotmart caps it).")
    max_attempts: int = Field(default=5, description="HTTP attempts per request (429/5xx/network).")
    workers: int = Field(default=3, description="Threads fetching pages ahead of the row mapping (0 = none); "
                                               "a few overlap the API's latency without hammering it.")
    slice_days: int = Field(default=7, description="Days of sales joined in memory at once (fewer "
                                                   "requests on long backfills; 1 for huge volumes).")

    def _credentials(self) -> tuple[str | None, str | None, str | None]:
        settings = load_settings()
        return (self.client_id or settings.hotmart_client_id,
                self.client_secret or settings.hotmart_client_secret,
                self.basic or settings.hotmart_basic)

    @property
    def mode(self) -> str:
        """``live`` with credentials (and no fake forced), else ``fake``."""
        client_id, secret, _ = self._credentials()
        return "live" if client_id and secret and not self.fake_base_url else "fake"

    def get_client(self, **kwargs: Any) -> HotmartClient:
        from affiliate_assets.lib.http import RetryPolicy

        kwargs.setdefault("retry", RetryPolicy(max_attempts=self.max_attempts))
        if self.mode == "live":
            settings = load_settings()
            client_id, secret, basic = self._credentials()
            return HotmartClient(
                api_base_url=self.api_base_url or settings.hotmart_api_base_url or PRODUCTION_API_BASE_URL,
                auth_url=self.auth_url or settings.hotmart_auth_url or PRODUCTION_AUTH_URL,
                client_id=client_id or "", client_secret=secret or "", basic=basic,
                page_size=self.page_size, workers=self.workers, **kwargs,
            )
        from affiliate_assets.fakes.hotmart import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

        base = self.fake_base_url
        if base is None:
            from affiliate_assets.fakes.runtime import shared_fake

            base = shared_fake("hotmart").base_url
        base = base.rstrip("/")
        return HotmartClient(api_base_url=base, auth_url=base + FAKE_TOKEN_PATH, client_id=DEFAULT_CLIENT_ID,
                             client_secret=DEFAULT_CLIENT_SECRET, page_size=self.page_size, workers=self.workers,
                             **kwargs)
