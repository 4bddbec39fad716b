"""Scrapy settings of the price crawl: polite by default, fast where the server allows it.

A realistic browser User-Agent (shops serve bots a different page, or none), robots.txt obeyed
(``CRAWL_OBEY_ROBOTS=false`` turns it off for sites that allowed us in writing), AutoThrottle adapting
the delay to each site's latency, a per-domain concurrency cap, download timeouts, and retries with
exponential backoff that honours ``Retry-After`` (:mod:`.middlewares`). Runs override these through
``CrawlConfig`` (see ``defs/crawl/config.py``), never by editing this file.
"""

BOT_NAME = "affiliate_prices"
SPIDER_MODULES = ["affiliate_assets.defs.crawl.scraper.spiders"]
NEWSPIDER_MODULE = "affiliate_assets.defs.crawl.scraper.spiders"

# A current desktop Chrome: what the shops' own analytics see most, so they serve their normal page.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "pt-BR,pt;q=0.9,en;q=0.6",
}
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "*"

# Politeness: at most 8 requests in flight per domain; AutoThrottle keeps about 4 per domain on
# average, slowing down on its own when a shop's latency grows.
CONCURRENT_REQUESTS = 64
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0

DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # product pages are < 2 MB; a 1 GB "page" is a trap
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 0.5  # seconds; doubled per attempt, full jitter
RETRY_BACKOFF_MAX = 30.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "affiliate_assets.defs.crawl.scraper.middlewares.BackoffRetryMiddleware": 550,
    "affiliate_assets.defs.crawl.scraper.middlewares.BackoffDelayMiddleware": 560,
}
ITEM_PIPELINES = {
    "affiliate_assets.defs.crawl.scraper.pipelines.JsonLinesPipeline": 800,
}
# The spider records every failure itself (raw.crawl_errors): let error responses reach it.
HTTPERROR_ALLOW_ALL = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
LOGSTATS_INTERVAL = 10.0
REMOTE_CONTROL_ENABLED = False  # no listening port inside a data job
# Scrapy re-parses a generator callback's source (inspect + ast) on every response to warn about
# `return value` in generators: its cache is keyed by the bound method, a new object per request, so it
# never hits. That check cost ~5 ms per page here, more than extracting the price. The spider's
# callbacks return nothing, so the warning has nothing to find.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Items processed in parallel per response. Scrapy's default (100) starts 100 asyncio tasks for every
# response even when the callback yields one item, as ours does: ~100k tasks for 1,000 pages.
CONCURRENT_ITEMS = 4
