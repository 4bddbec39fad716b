"""Checks on the voice tables: failures say why, engines are named, orders are explained and consistent."""

import dagster as dg

from affiliate_assets.lib.warehouse import Warehouse


@dg.asset_check(asset=["raw", "voice_transcripts"],
                description="Every failed note says why; every transcript names the engine that produced it.")
def voice_transcripts_explained(warehouse: Warehouse) -> dg.AssetCheckResult:
    (rows, unexplained, unnamed, errors), = warehouse.fetchall(
        """
        select count(*),
               count(*) filter (where status <> 'ok' and coalesce(error_reason, '') = ''),
               count(*) filter (where status = 'ok' and (engine in ('', 'none') or coalesce(transcript, '') = '')),
               count(*) filter (where status = 'error')
        from raw.voice_transcripts
        """
    )
    return dg.AssetCheckResult(
        passed=unexplained == 0 and unnamed == 0,
        metadata={"rows": rows, "failures_without_reason": unexplained,
                  "ok_without_engine_or_text": unnamed, "error_rows": errors},
    )


@dg.asset_check(asset=["raw", "voice_orders"],
                description="Registered orders have a product, a positive quantity and no review reason; "
                            "orders in review say why.")
def voice_orders_consistent(warehouse: Warehouse) -> dg.AssetCheckResult:
    (rows, bad_registered, unexplained, review), = warehouse.fetchall(
        """
        select count(*),
               count(*) filter (where status = 'registered'
                                and (product_id is null or coalesce(quantity, 0) <= 0 or review_reason is not null)),
               count(*) filter (where status = 'needs_review' and coalesce(review_reason, '') = ''),
               count(*) filter (where status = 'needs_review')
        from raw.voice_orders
        """
    )
    return dg.AssetCheckResult(
        passed=bad_registered == 0 and unexplained == 0,
        metadata={"rows": rows, "registered_incomplete": bad_registered, "review_without_reason": unexplained,
                  "needs_review": review},
    )
