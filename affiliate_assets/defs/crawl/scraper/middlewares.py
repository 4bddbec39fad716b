"""Retries with exponential backoff: Scrapy's RetryMiddleware re-queues a failed request at once.

``BackoffRetryMiddleware`` decides *whether* to retry (Scrapy's rules: ``RETRY_TIMES``,
``RETRY_HTTP_CODES``, network errors) and *how long to wait*: ``Retry-After`` when the shop sends it,
else ``RETRY_BACKOFF_BASE * 2**(attempt-1)`` with full jitter, capped at ``RETRY_BACKOFF_MAX``.
``BackoffDelayMiddleware`` then waits that long before the retry is downloaded, without holding one of
the domain's download slots (the wait happens before the request reaches the downloader's queue).
"""

from __future__ import annotations

import asyncio
import random

from scrapy.downloadermiddlewares.retry import RetryMiddleware

from affiliate_assets.lib.http import retry_after_seconds

BACKOFF_META = "backoff_s"


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    def _backoff(self, retry, server_wait: float | None = None):
        if retry is not None and hasattr(retry, "meta"):
            attempt = retry.meta.get("retry_times", 1)
            wait = random.uniform(0, min(self.cap, self.base * 2 ** (attempt - 1)))
            if server_wait is not None:
                wait = max(wait, min(server_wait, self.cap))
            retry.meta[BACKOFF_META] = wait
            self.crawler.stats.inc_value("retry/backoff_seconds", wait)
        return retry

    def process_response(self, request, response, spider=None):
        result = super().process_response(request, response)
        if result is response:
            return response
        headers = {k.decode(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        return self._backoff(result, retry_after_seconds(headers))

    def process_exception(self, request, exception, spider=None):
        return self._backoff(super().process_exception(request, exception))


class BackoffDelayMiddleware:
    async def process_request(self, request, spider=None):
        wait = request.meta.pop(BACKOFF_META, None)
        if wait:
            await asyncio.sleep(wait)
        return None
