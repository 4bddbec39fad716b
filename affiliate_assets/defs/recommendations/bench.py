"""Measure the recommendation engines on the warehouse as it is, writing nothing.

    python -m affiliate_assets.defs.recommendations.bench [--days N] [--batch-size B]

Reads signals for the last N days of ``marts.product_daily_features`` (the whole history by default),
ranks them offline, then runs the LLM tool loop for the last day against the bundled fake Messages API
(HTTP on loopback, so it measures our loop and the SDK, not a model), and prints times and ratios.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from datetime import timedelta


def main(argv: list[str] | None = None) -> None:
    from affiliate_assets.defs.recommendations.fallback import rank_offline
    from affiliate_assets.defs.recommendations.llm import LlmRecommender, LlmSettings, estimate_cost_usd
    from affiliate_assets.defs.recommendations.signals import read_signals
    from affiliate_assets.fakes.runtime import start_fake
    from affiliate_assets.lib.warehouse import Warehouse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=0, help="0 = the whole history")
    parser.add_argument("--batch-size", type=int, default=10)
    args = parser.parse_args(argv)
    warehouse = Warehouse()
    (first, last), = warehouse.fetchall("select min(date_day), max(date_day) from marts.product_daily_features")
    start = last - timedelta(days=args.days - 1) if args.days else first
    t0 = time.perf_counter()
    signals, inputs = read_signals(warehouse, start, last + timedelta(days=1))
    t_read = time.perf_counter() - t0
    by_day = defaultdict(list)
    for s in signals:
        by_day[s.reco_date].append(s)
    t0 = time.perf_counter()
    actions = Counter(a.action for day in by_day.values() for a in rank_offline(day))
    t_rank = time.perf_counter() - t0
    print(f"window {start}..{last}: {len(by_day)} days, {len(signals):,} product-days; inputs {inputs}")
    print(f"  read signals   {t_read:7.2f} s  ({len(signals) / t_read:,.0f} product-days/s)")
    print(f"  offline rank   {t_rank:7.2f} s  ({len(signals) / t_rank:,.0f} product-days/s); actions {dict(actions)}")

    fake = start_fake("anthropic")
    try:
        for stream in (True, False):
            rec = LlmRecommender(LlmSettings(model="claude-sonnet-4-5", api_key="bench", base_url=fake.base_url,
                                             source_mode="fake", batch_size=args.batch_size, stream=stream))
            day = by_day[last]
            t0 = time.perf_counter()
            results = rec.recommend_day(last, day)
            t_llm = time.perf_counter() - t0
            calls = sum(r.api_calls for r in results)
            tools = sum(sum(r.tool_calls.values()) for r in results)
            usage = [r.usage for r in results]
            cost = sum(estimate_cost_usd("claude-sonnet-4-5", u) or 0 for u in usage)
            print(f"  LLM loop ({'stream' if stream else 'plain '}) {t_llm:5.2f} s for {len(day)} products: "
                  f"{len(results)} conversations, {calls} API calls, {tools} tool calls, "
                  f"{calls / t_llm:.1f} calls/s; tokens in {sum(u.input_tokens for u in usage):,} "
                  f"cache-write {sum(u.cache_creation_input_tokens for u in usage):,} "
                  f"cache-read {sum(u.cache_read_input_tokens for u in usage):,} "
                  f"out {sum(u.output_tokens for u in usage):,}; est. US$ {cost:.4f} at Sonnet prices")
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
