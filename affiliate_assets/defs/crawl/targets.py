"""Crawl targets: the seed rows from the catalogue, and reading the active rows for a crawl.

Seed URLs point at the fixture shop under a canonical host, ``loja-modelo.test`` (``.test`` is reserved:
it can never be a real shop). At crawl time that host is mapped to wherever the fixture shop runs, so a
page keeps one URL across crawls and its price history lines up. Real targets keep their real URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from affiliate_assets.defs.crawl.sites import domain_of
from affiliate_assets.lib.warehouse import Warehouse

FIXTURE_HOST = "loja-modelo.test"
FIXTURE_BASE = f"http://{FIXTURE_HOST}"


@dataclass(frozen=True)
class Target:
    product_id: int
    url: str

    @property
    def domain(self) -> str:
        return domain_of(self.url)

    @property
    def is_fixture(self) -> bool:
        return self.domain == FIXTURE_HOST


def invalid_url_reason(url: str) -> str | None:
    """Why a user-entered URL cannot be crawled (None when it can)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return f"not an http(s) URL: {url!r}"
    if not parts.hostname:
        return f"URL without a host: {url!r}"
    return None


def seed_rows(product_ids: set[int] | None = None) -> list[tuple[int, str, str]]:
    """(product_id, url, domain) of every fixture-shop page selling a catalogue product."""
    from affiliate_assets.fakes.shop_pages import product_paths

    return [(pid, FIXTURE_BASE + path, FIXTURE_HOST) for pid, path in product_paths()
            if product_ids is None or pid in product_ids]


def active_targets(warehouse: Warehouse) -> list[Target]:
    rows = warehouse.fetchall(
        "select product_id, btrim(url) from raw.crawl_targets where active order by product_id, url")
    return [Target(int(pid), url) for pid, url in rows]
