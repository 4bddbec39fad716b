"""Crawl assets: ``raw/crawl_targets`` (seeded, user-editable) → ``raw/price_observations`` + ``raw/crawl_errors``.

An affiliate (or a reseller buying stock) prices and buys well only knowing what shops charge today for
what it sells; the price history says whether a competitor's "promoção" is real. The crawl runs in a
subprocess (Scrapy's reactor cannot restart inside a long-lived worker); its log streams into this run,
its items are loaded in batches through ``Warehouse.load``, its Scrapy stats become metadata.
"""

import tempfile
import time
from pathlib import Path

import dagster as dg
from pydantic import Field

from affiliate_assets.defs.crawl.tables import CRAWL_ERRORS, CRAWL_TARGETS, PRICE_OBSERVATIONS
from affiliate_assets.defs.crawl.targets import FIXTURE_HOST, active_targets, invalid_url_reason, seed_rows
from affiliate_assets.lib.metadata import markdown_table
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.lib.warehouse import Warehouse

OBSERVATIONS_KEY = dg.AssetKey(["raw", "price_observations"])
ERRORS_KEY = dg.AssetKey(["raw", "crawl_errors"])


# --------------------------------------------------------------------------------------------------
# raw/crawl_targets
# --------------------------------------------------------------------------------------------------


@dg.asset(
    key=["raw", "crawl_targets"],
    deps=[dg.AssetKey(["raw", "product_catalogue"])],
    group_name="crawl",
    kinds={"python", "postgres"},
    owners=["team:data-eng"],
    code_version="1",
    description="Product pages the price crawl visits. Seeds one row per fixture-shop page of each catalogue "
                "product when no real targets are configured; never changes existing rows, so users' edits "
                "(real shop URLs, active = false) survive every run.",
)
def crawl_targets(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    started = time.perf_counter()
    warehouse.ensure_table(CRAWL_TARGETS)
    existing = {(int(p), u) for p, u in warehouse.fetchall("select product_id, url from raw.crawl_targets")}
    real = sum(1 for t in active_targets(warehouse) if not t.is_fixture)
    catalogue_ids = _catalogue_ids(warehouse)
    seeds = seed_rows(catalogue_ids) if real == 0 else []
    new = [(pid, url, domain, True, "seed") for pid, url, domain in seeds if (pid, url) not in existing]
    result = warehouse.load(CRAWL_TARGETS, new, columns=["product_id", "url", "domain", "active", "source"],
                            mode="upsert", reject_batch="crawl_targets")
    counts = dict(warehouse.fetchall("select active, count(*) from raw.crawl_targets group by active"))
    reason = "real targets configured: no fixture seeds added" if real else "seeded from the catalogue"
    context.log.info("crawl targets: %d new seed rows (%s); %d active", len(new), reason, counts.get(True, 0))
    return dg.MaterializeResult(metadata={
        **result.metadata(),
        "dagster/row_count": sum(counts.values()),
        "active_targets": counts.get(True, 0),
        "inactive_targets": counts.get(False, 0),
        "seed_rows_added": len(new),
        "seed_rows_kept": len(seeds) - len(new),
        "real_targets": real,
        "seeding": reason,
        "elapsed_s": round(time.perf_counter() - started, 3),
    })


def _catalogue_ids(warehouse: Warehouse) -> set[int] | None:
    """Product ids of the loaded catalogue (None = no catalogue table yet: seed every fixture product)."""
    if not warehouse.table_exists("raw.product_catalogue"):
        return None
    return {int(r[0]) for r in warehouse.fetchall("select product_id from raw.product_catalogue")}


# --------------------------------------------------------------------------------------------------
# raw/price_observations + raw/crawl_errors
# --------------------------------------------------------------------------------------------------


class CrawlConfig(dg.Config):
    """Knobs of one crawl; the defaults are the polite ones (see scraper/settings.py)."""

    obey_robots: bool | None = Field(None, description="Obey robots.txt (None: CRAWL_OBEY_ROBOTS, default true).")
    concurrency_per_domain: int = Field(8, description="Requests in flight per domain, at most.")
    autothrottle_target: float = Field(4.0, description="AutoThrottle's average concurrency per domain.")
    download_timeout_s: float = Field(20.0)
    retry_times: int = Field(2, description="Retries after the first attempt (5xx, 429, network errors).")
    retry_backoff_s: float = Field(0.5, description="First retry waits up to this; doubles per attempt.")
    batch_size: int = Field(500, description="Items per warehouse load while the crawl runs.")
    rules_file: str | None = Field(None, description="JSON list of extra per-site CSS/XPath rules.")
    fixture_shop_url: str | None = Field(
        None, description="Where the fixture shop runs (else it is started in-process when targets need it).")

    def scrapy_settings(self) -> dict:
        obey = load_settings().crawl_obey_robots if self.obey_robots is None else self.obey_robots
        return {
            "ROBOTSTXT_OBEY": obey,
            "CONCURRENT_REQUESTS_PER_DOMAIN": self.concurrency_per_domain,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": self.autothrottle_target,
            "DOWNLOAD_TIMEOUT": self.download_timeout_s,
            "RETRY_TIMES": self.retry_times,
            "RETRY_BACKOFF_BASE": self.retry_backoff_s,
        }


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            OBSERVATIONS_KEY, deps=[dg.AssetKey(["raw", "crawl_targets"])], group_name="crawl",
            kinds={"scrapy", "postgres"}, owners=["team:data-eng"], code_version="1",
            description="Competitor prices of every active crawl target, one row per URL per crawl, never "
                        "overwritten: the history tells a real 'promoção' from a fake one. Every 8 hours.",
        ),
        dg.AssetSpec(
            ERRORS_KEY, deps=[dg.AssetKey(["raw", "crawl_targets"])], group_name="crawl",
            kinds={"scrapy", "postgres"}, owners=["team:data-eng"], code_version="1",
            description="Targets a crawl could not price (404, 500, timeout, robots.txt, no price on the "
                        "page) with the reason, so broken targets get fixed instead of silently missing.",
        ),
    ],
    can_subset=False,
    # A crashed crawl process is retried in the same run: same crawl_id, same row ids, so rows already
    # loaded are rewritten, not duplicated.
    retry_policy=dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS),
)
def price_crawl(context: dg.AssetExecutionContext, config: CrawlConfig, warehouse: Warehouse):
    from affiliate_assets.defs.crawl.load import BatchLoader
    from affiliate_assets.defs.crawl.runner import CrawlJob, run_crawl

    started = time.perf_counter()
    for spec in (PRICE_OBSERVATIONS, CRAWL_ERRORS, CRAWL_TARGETS):
        warehouse.ensure_table(spec)
    crawl_id = context.run_id
    loader = BatchLoader(warehouse, crawl_id)
    targets, invalid = [], []
    for t in active_targets(warehouse):
        reason = invalid_url_reason(t.url)
        (invalid if reason else targets).append((t, reason))
    if invalid:  # user-entered rows that cannot be crawled are errors of this crawl, like a 404
        loader([_invalid_item(crawl_id, t, reason) for t, reason in invalid])
    host_map, source_mode = _fixture_host_map(config, [t for t, _ in targets])
    stats: dict = {}
    if targets:
        with tempfile.TemporaryDirectory(prefix="crawl-") as tmp:
            job = CrawlJob(crawl_id=crawl_id, workdir=Path(tmp),
                           targets=[{"product_id": t.product_id, "url": t.url.strip()} for t, _ in targets],
                           host_map=host_map, settings=config.scrapy_settings(), rules_file=config.rules_file)
            stats = run_crawl(job, on_log=lambda line: _log_line(context, line), on_batch=loader,
                              batch_size=config.batch_size)
    elapsed = round(time.perf_counter() - started, 3)
    obs, errs = loader.totals["observations"], loader.totals["errors"]
    context.log.info("crawl %s: %d targets → %d observations, %d errors in %.1fs", crawl_id, len(targets) + len(
        invalid), obs["rows_loaded"], errs["rows_loaded"], elapsed)
    common = {"crawl_id": crawl_id, "source_mode": source_mode, "targets": len(targets) + len(invalid),
              "elapsed_s": elapsed, "load_batches": loader.batches}
    yield dg.MaterializeResult(asset_key=OBSERVATIONS_KEY, metadata={
        **common, **obs,
        "dagster/row_count": warehouse.count("raw.price_observations"),
        "observations_this_crawl": obs["rows_loaded"],
        **_scrapy_metadata(stats),
        "extraction_methods": dg.MetadataValue.md(_md_counts(loader.methods, "method")),
        "preview": dg.MetadataValue.md(_md_preview(loader.preview)),
    })
    yield dg.MaterializeResult(asset_key=ERRORS_KEY, metadata={
        **common, **errs,
        "dagster/row_count": warehouse.count("raw.crawl_errors"),
        "errors_this_crawl": errs["rows_loaded"],
        "reasons": dg.MetadataValue.md(_md_counts(loader.reasons, "reason")),
    })


def _invalid_item(crawl_id: str, target, reason: str | None) -> dict:
    from datetime import UTC, datetime

    return {"kind": "error", "crawl_id": crawl_id, "product_id": target.product_id, "url": target.url,
            "domain": target.domain, "http_status": None, "reason": "invalid_url", "detail": reason,
            "fetched_at": datetime.now(UTC).isoformat()}


def _fixture_host_map(config: CrawlConfig, targets) -> tuple[dict[str, str], str]:
    """Map the fixture shop's canonical host to a running shop when targets point at it."""
    fixture = sum(1 for t in targets if t.is_fixture)
    mode = "fake" if fixture and fixture == len(targets) else "live" if not fixture else "mixed"
    if not fixture:
        return {}, mode
    base = config.fixture_shop_url
    if not base:
        from affiliate_assets.fakes.runtime import shared_fake

        base = shared_fake("shop").base_url
    return {FIXTURE_HOST: base}, mode


def _log_line(context: dg.AssetExecutionContext, line: str) -> None:
    """Scrapy's log, at its own level (the crawl records failures as rows, so ERROR becomes warning)."""
    level, _, _ = line.partition(" ")
    if level in ("ERROR", "CRITICAL", "WARNING"):
        context.log.warning(line)
    elif level == "INFO":
        context.log.info(line)
    else:
        context.log.debug(line)


def _scrapy_metadata(stats: dict) -> dict:
    def num(key: str) -> int:
        return int(stats.get(key) or 0)

    errors = sum(int(v) for k, v in stats.items() if k.startswith("crawl/errors/"))
    return {
        "scrapy_pages": num("response_received_count"),
        "scrapy_requests": num("downloader/request_count"),
        "scrapy_items": num("item_scraped_count"),
        "scrapy_errors": errors + num("crawl/no_price") + num("crawl/blocked"),
        "scrapy_retries": num("retry/count"),
        "scrapy_robots_forbidden": num("robotstxt/forbidden"),
        "scrapy_response_bytes": num("downloader/response_bytes"),
        "scrapy_elapsed_s": round(float(stats.get("elapsed_time_seconds") or 0), 3),
        "scrapy_finish_reason": str(stats.get("finish_reason", "not run")),
        "scrapy_status_counts": dg.MetadataValue.json(
            {k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("downloader/response_status_count/")}),
    }


def _md_counts(counts: dict[str, int], name: str) -> str:
    return markdown_table(sorted(counts.items(), key=lambda kv: -kv[1]), [name, "rows"], empty="none")


def _md_preview(items: list[dict]) -> str:
    rows = [(i["product_id"], (i.get("title") or "")[:40], i["price"], i.get("old_price"), i["currency"],
             i["extraction_method"], i["url"]) for i in items]
    return markdown_table(rows, ["product_id", "title", "price", "old price", "currency", "method", "url"],
                          align="llrrlll", empty="no observations")


__all__ = ["CrawlConfig", "crawl_targets", "price_crawl"]
