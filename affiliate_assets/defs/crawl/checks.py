"""Checks on the crawl: every active target accounted for, and observed prices that make sense."""

import dagster as dg

from affiliate_assets.lib.warehouse import Warehouse


@dg.asset_check(asset=["raw", "price_observations"],
                description="The latest crawl accounted for every target it was given: each one has an "
                            "observation or an error row (nothing dropped silently).")
def latest_crawl_accounts_for_every_target(warehouse: Warehouse) -> dg.AssetCheckResult:
    rows = warehouse.fetchall(
        """
        with latest as (
            select crawl_id from (
                select crawl_id, max(fetched_at) as at from raw.price_observations group by 1
                union all
                select crawl_id, max(fetched_at) from raw.crawl_errors group by 1) c
            order by at desc limit 1)
        select (select count(*) from raw.price_observations o join latest using (crawl_id)),
               (select count(*) from raw.crawl_errors e join latest using (crawl_id)),
               (select count(*) from raw.crawl_targets where active),
               (select crawl_id from latest)
        """
    )
    observed, errors, active, crawl_id = rows[0] if rows else (0, 0, 0, None)
    share = observed / active if active else 0.0
    return dg.AssetCheckResult(
        passed=crawl_id is not None and observed + errors >= active,
        metadata={"crawl_id": crawl_id or "", "observations": observed, "errors": errors,
                  "active_targets": active, "priced_share": round(share, 3)},
    )


@dg.asset_check(asset=["raw", "price_observations"],
                description="Old prices are above current prices, and instalments multiply to about the "
                            "price (a mismatch means the extractor read the wrong element).")
def observed_prices_are_consistent(warehouse: Warehouse) -> dg.AssetCheckResult:
    (rows, old_not_above, installments_off), = warehouse.fetchall(
        """
        select count(*),
               count(*) filter (where old_price is not null and old_price <= price),
               count(*) filter (where installment_price is not null and installments > 0
                                and installments * installment_price > price * 1.6)
        from raw.price_observations
        """
    )
    return dg.AssetCheckResult(
        passed=old_not_above == 0 and installments_off == 0,
        metadata={"rows": rows, "old_price_not_above_price": old_not_above,
                  "installments_far_above_price": installments_off},
    )
