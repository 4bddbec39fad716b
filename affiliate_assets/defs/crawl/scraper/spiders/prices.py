"""The ``prices`` spider: one request per crawl target, one item per target (an observation or an error).

Targets come from a JSON-lines file the Dagster asset writes from ``raw.crawl_targets``; the spider never
decides what to crawl. ``host_map`` lets a target keep its published URL while the request goes
elsewhere (the fixture shop's canonical host → the port it runs on today), so observations of one page
share one URL across crawls.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionLost,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from affiliate_assets.defs.crawl.extract import extract
from affiliate_assets.defs.crawl.scraper.items import CrawlErrorItem, PriceObservationItem
from affiliate_assets.defs.crawl.sites import domain_of, load_rules

# A 200 page that is a captcha or an "access denied" wall, not the product (Amazon, Cloudflare, Akamai).
BOT_WALL_RE = re.compile(r"captcha|robot check|are you a human|verify you are human|acesso negado|access denied|"
                         r"digite os caracteres", re.I)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class PriceSpider(scrapy.Spider):
    name = "prices"

    def __init__(self, targets: str, crawl_id: str, host_map: str = "{}", rules_file: str | None = None,
                 stats_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.targets_path = targets
        self.crawl_id = crawl_id
        self.host_map: dict[str, str] = json.loads(host_map) if isinstance(host_map, str) else dict(host_map)
        self.reverse_map = {v.rstrip("/"): k for k, v in self.host_map.items()}
        self.rules = load_rules(rules_file)
        self.stats_path = stats_path

    # URLs ------------------------------------------------------------------------------------------
    def fetch_url(self, url: str) -> str:
        """The URL to request for a target: the same, unless its host is mapped (the fixture shop)."""
        parts = urlsplit(url)
        base = self.host_map.get(parts.netloc.lower())
        if not base:
            return url
        mapped = urlsplit(base)
        return urlunsplit((mapped.scheme, mapped.netloc, parts.path, parts.query, ""))

    def published_url(self, fetched: str) -> str:
        parts = urlsplit(fetched)
        host = self.reverse_map.get(f"{parts.scheme}://{parts.netloc}")
        return urlunsplit(("http", host, parts.path, parts.query, "")) if host else fetched

    # Crawl -----------------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        with open(self.targets_path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                target = json.loads(line)
                yield scrapy.Request(self.fetch_url(target["url"]), callback=self.parse_product,
                                     errback=self.on_error, meta={"target": target}, dont_filter=True)

    def parse_product(self, response: Response):
        target = response.meta["target"]
        if not isinstance(response, TextResponse):
            yield self._error(target, response.status, "not_html",
                              f"content type {response.headers.get('Content-Type', b'').decode()!r}")
            return
        found = extract(response.text, response.url, self.rules)
        if found.price is None:
            blocked = BOT_WALL_RE.search(response.text[:20000])
            reason = "blocked" if blocked else "no_price"
            self.crawler.stats.inc_value(f"crawl/{reason}")
            yield self._error(target, response.status, reason,
                              f"bot wall: {blocked.group(0)!r}" if blocked else found.failure)
            return
        final = self.published_url(response.url)
        self.crawler.stats.inc_value(f"crawl/method/{found.method}")
        yield PriceObservationItem(
            crawl_id=self.crawl_id, product_id=int(target["product_id"]), url=target["url"],
            final_url=final if final != target["url"] else None, domain=domain_of(target["url"]),
            title=found.title, price=found.price, old_price=found.old_price, currency=found.currency or "BRL",
            installments=found.installments, installment_price=found.installment_price,
            installments_text=found.installments_text, availability=found.availability or "unknown",
            seller=found.seller, extraction_method=found.method or "unknown", http_status=response.status,
            fetched_at=now_iso(),
        )

    def on_error(self, failure):
        target = failure.request.meta["target"]
        status, reason, detail = None, "error", f"{failure.type.__name__}: {failure.value}"
        if failure.check(HttpError):
            status = failure.value.response.status
            reason, detail = f"http_{status}", f"HTTP {status}"
        elif failure.check(IgnoreRequest) and "robots" in str(failure.value).lower():
            reason, detail = "robots_disallowed", "Forbidden by robots.txt"
        elif failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
            reason = "timeout"
        elif failure.check(CannotResolveHostError, DNSLookupError):
            reason = "dns"
        elif failure.check(DownloadConnectionRefusedError, DownloadFailedError, ResponseDataLossError, ConnectError,
                           ConnectionLost, ResponseFailed, ResponseNeverReceived):
            reason = "connection"
        self.crawler.stats.inc_value(f"crawl/errors/{reason}")
        yield self._error(target, status, reason, detail)

    def _error(self, target: dict, status: int | None, reason: str, detail: str | None) -> CrawlErrorItem:
        return CrawlErrorItem(crawl_id=self.crawl_id, product_id=int(target["product_id"]), url=target["url"],
                              domain=domain_of(target["url"]), http_status=status, reason=reason,
                              detail=detail, fetched_at=now_iso())

    def closed(self, reason: str) -> None:
        if self.stats_path:
            stats = {k: (v.isoformat() if isinstance(v, datetime) else v)
                     for k, v in self.crawler.stats.get_stats().items()}
            stats["finish_reason"] = reason
            start = self.crawler.stats.get_value("start_time")
            if "elapsed_time_seconds" not in stats and isinstance(start, datetime):
                # CoreStats sets it on the same signal, possibly after this handler runs.
                stats["elapsed_time_seconds"] = (datetime.now(UTC) - start).total_seconds()
            with open(self.stats_path, "w", encoding="utf-8") as fh:
                json.dump(stats, fh, default=str)
