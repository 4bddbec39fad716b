"""Price crawl throughput: Scrapy (polite settings) vs sequential ``requests`` over the same URLs.

``python bench/crawl.py [--pages 1000] [--hosts 5] [--delay-ms 150] [--sequential N|all]``

Starts one fixture shop per loopback address (127.0.0.2, 127.0.0.3, ...: separate domains for Scrapy's
per-domain limits and AutoThrottle), each answering every page after ``--delay-ms`` like a real shop,
and spreads ``--pages`` product URLs over them. Then, in one run:

1. the production crawl (the same subprocess, spider, extraction and settings the asset uses: robots.txt
   obeyed, AutoThrottle on, 8 requests per domain at most) → pages/s, wall clock including process start;
2. the same URLs fetched one after another with a ``requests.Session`` (``--sequential N`` times only the
   first N URLs, to keep the run short; the rate is per page either way) → pages/s and the ratio;
3. both again with no server delay: Scrapy's own cost per page. On loopback with no delay a sequential
   client wins (FACTS.md: ~770 vs ~230 pages/s), so that figure is reported, not compared.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def start_shops(hosts: int, delay_ms: float):
    from affiliate_assets.fakes.runtime import start_fake

    return [start_fake("shop", host=f"127.0.0.{i + 2}", delay_ms=delay_ms) for i in range(hosts)]


def bench_urls(shops, pages: int) -> list[dict]:
    """``pages`` product URLs, round-robin over the shops (so every domain gets its share)."""
    from affiliate_assets.fakes.shop_pages import all_offers

    offers = all_offers()
    out = []
    for i in range(pages):
        shop = shops[i % len(shops)]
        o = offers[(i // len(shops)) % len(offers)]
        out.append({"product_id": o.product.product_id, "url": shop.base_url + o.path})
    return out


def set_delay(shops, delay_ms: float) -> None:
    for shop in shops:
        shop.server.RequestHandlerClass.delay_ms = delay_ms


def run_scrapy(targets: list[dict]) -> tuple[float, int, dict]:
    from affiliate_assets.defs.crawl.runner import CrawlJob, run_crawl

    items = 0

    def count(batch: list[dict]) -> None:
        nonlocal items
        items += sum(1 for i in batch if i.get("kind") == "observation")

    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        job = CrawlJob(crawl_id="bench", workdir=Path(tmp), targets=targets,
                       settings={"LOG_LEVEL": "WARNING"})
        started = time.perf_counter()
        stats = run_crawl(job, on_log=lambda line: None, on_batch=count, batch_size=1000)
        return time.perf_counter() - started, items, stats


def run_sequential(targets: list[dict]) -> tuple[float, int]:
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = "bench"
    ok = 0
    started = time.perf_counter()
    for t in targets:
        ok += session.get(t["url"], timeout=30).status_code == 200
    return time.perf_counter() - started, ok


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=5)
    parser.add_argument("--delay-ms", type=float, default=150.0)
    parser.add_argument("--sequential", default="300", help="URLs timed sequentially: a number or 'all'")
    args = parser.parse_args(argv)

    shops = start_shops(args.hosts, args.delay_ms)
    targets = bench_urls(shops, args.pages)
    n_seq = len(targets) if args.sequential == "all" else min(len(targets), int(args.sequential))
    print(f"{args.pages} pages over {args.hosts} hosts ({', '.join(s.base_url for s in shops)}), "
          f"server delay {args.delay_ms:.0f} ms")
    try:
        for delay in (args.delay_ms, 0.0):
            set_delay(shops, delay)
            wall, items, stats = run_scrapy(targets)
            pages = int(stats.get("response_received_count", 0))
            scrapy_rate = pages / wall
            in_crawl = float(stats.get("elapsed_time_seconds") or wall)
            seq_wall, seq_ok = run_sequential(targets[:n_seq])
            seq_rate = n_seq / seq_wall
            print(f"\n== server delay {delay:.0f} ms ==")
            print(f"scrapy      : {pages} pages ({items} priced) in {wall:.1f} s wall = {scrapy_rate:.1f} pages/s "
                  f"({pages / in_crawl:.1f} pages/s inside the crawl, {in_crawl:.1f} s; "
                  f"retries {stats.get('retry/count', 0)})")
            print(f"sequential  : {n_seq} pages ({seq_ok} ok) in {seq_wall:.1f} s = {seq_rate:.1f} pages/s "
                  "(requests.Session, keep-alive)")
            if delay:
                verdict = "meets" if scrapy_rate / seq_rate >= 5 else "MISSES"
                print(f"ratio       : scrapy / sequential = {scrapy_rate / seq_rate:.1f}x ({verdict} the 5x goal)")
            else:
                print(f"ratio       : {scrapy_rate / seq_rate:.2f}x (reported only: Scrapy's own cost per page)")
    finally:
        for shop in shops:
            shop.stop()


if __name__ == "__main__":
    main()
