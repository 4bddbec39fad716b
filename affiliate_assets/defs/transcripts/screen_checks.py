"""Checks on the screen tables: an error must say why, and a read must be internally consistent."""

import dagster as dg

from affiliate_assets.lib.warehouse import Warehouse


@dg.asset_check(asset=["raw", "screen_transcripts"],
                description="Every failed read says why, and every successful read has text and a confidence.")
def screen_transcripts_explained(warehouse: Warehouse) -> dg.AssetCheckResult:
    (rows, unexplained, empty_reads, low), = warehouse.fetchall(
        """
        select count(*),
               count(*) filter (where status = 'error' and coalesce(error_reason, '') = ''),
               count(*) filter (where status <> 'error' and (coalesce(text, '') = '' or mean_confidence is null)),
               count(*) filter (where status = 'low_confidence')
        from raw.screen_transcripts
        """
    )
    return dg.AssetCheckResult(
        passed=unexplained == 0 and empty_reads == 0,
        metadata={"rows": rows, "errors_without_reason": unexplained, "reads_without_text": empty_reads,
                  "low_confidence_rows": low},
    )


@dg.asset_check(asset=["raw", "screen_interactions"],
                description="Unflagged rows name a catalogue product and read a commission no larger than the price.")
def screen_interactions_consistent(warehouse: Warehouse) -> dg.AssetCheckResult:
    (rows, unflagged_unmatched, commission_over_price, flagged), = warehouse.fetchall(
        """
        select count(*),
               count(*) filter (where not is_low_confidence and product_id is null),
               count(*) filter (where not is_low_confidence and commission_amount > price),
               count(*) filter (where is_low_confidence)
        from raw.screen_interactions
        """
    )
    return dg.AssetCheckResult(
        passed=unflagged_unmatched == 0 and commission_over_price == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"rows": rows, "unflagged_without_product": unflagged_unmatched,
                  "unflagged_commission_over_price": commission_over_price, "flagged_rows": flagged},
    )
