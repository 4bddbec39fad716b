"""The crawl subprocess on its own: network failures become error items with the right reason, the log
streams, and items arrive in batches."""

from __future__ import annotations

import socket

from affiliate_assets.defs.crawl.runner import CrawlJob, run_crawl
from affiliate_assets.fakes.runtime import start_fake
from affiliate_assets.fakes.shop_pages import all_offers, broken_paths


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_timeouts_refused_connections_and_unknown_hosts_are_errors(tmp_path):
    shop = start_fake("shop", slow_ms=3000)
    try:
        slow = shop.base_url + next(p for p in broken_paths() if p.startswith("/lento/"))
        good = [shop.base_url + o.path for o in all_offers()[:5]]
        refused = f"http://127.0.0.1:{_closed_port()}/produto/x"
        unknown = "http://loja-que-nao-existe.invalid/produto/x"
        targets = [{"product_id": i, "url": u} for i, u in enumerate([slow, refused, unknown, *good])]
        job = CrawlJob(crawl_id="t1", workdir=tmp_path, targets=targets,
                       settings={"DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 0, "ROBOTSTXT_OBEY": False})
        log: list[str] = []
        batches: list[list[dict]] = []
        stats = run_crawl(job, on_log=log.append, on_batch=batches.append, batch_size=3)
    finally:
        shop.stop()
    items = [i for b in batches for i in b]
    assert len(items) == len(targets) and len(batches) >= 3 and max(len(b) for b in batches) <= 3
    reasons = {i["url"]: i.get("reason") for i in items}
    assert reasons[slow] == "timeout"
    assert reasons[refused] == "connection"
    assert reasons[unknown] == "dns"
    assert all(reasons[u] is None for u in good)  # observations
    assert any("Spider closed" in line for line in log)
    assert stats["item_scraped_count"] == len(targets)
    assert stats["elapsed_time_seconds"] > 0
