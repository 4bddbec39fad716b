"""Checks on the recommendations: every row must be usable as it stands (an action, a reason, a price where
the action needs one), and the KPI must add up to the recommendations it counts."""

import dagster as dg

from affiliate_assets.defs.recommendations.tables import ACTIONS
from affiliate_assets.lib.warehouse import Warehouse


@dg.asset_check(asset=["reco", "recommendations"], blocking=True,
                description="Valid action, score in [0, 100], suggested price on reprice rows, a rationale, "
                "and provenance (model and prompt on LLM rows, a reason on LLM-run rows ranked offline).")
def recommendations_are_usable(warehouse: Warehouse) -> dg.AssetCheckResult:
    (rows, bad_action, bad_score, reprice_no_price, no_rationale, llm_no_model, bad_mode, dupes), = warehouse.fetchall(
        """
        select count(*),
               count(*) filter (where not (action = any(%s))),
               count(*) filter (where priority_score < 0 or priority_score > 100),
               count(*) filter (where action = 'reprice' and (suggested_price is null or suggested_price <= 0)),
               count(*) filter (where length(trim(coalesce(rationale, ''))) < 10),
               count(*) filter (where mode = 'llm' and (model is null or prompt_version is null)),
               count(*) filter (where mode not in ('llm', 'offline')),
               count(*) - count(distinct (reco_date, product_id))
        from reco.recommendations
        """,
        (list(ACTIONS),),
    )
    metadata = {"rows": rows, "invalid_action": bad_action, "score_out_of_range": bad_score,
                "reprice_without_price": reprice_no_price, "missing_rationale": no_rationale,
                "llm_rows_without_model": llm_no_model, "invalid_mode": bad_mode, "duplicate_keys": dupes}
    failures = sum(v for k, v in metadata.items() if k != "rows")
    return dg.AssetCheckResult(passed=failures == 0, metadata=metadata)


@dg.asset_check(asset=["reco", "recommendations"],
                description="Each day's ranks run 1..n with no gaps (the list a person works down).")
def recommendations_ranked(warehouse: Warehouse) -> dg.AssetCheckResult:
    (days, bad_days), = warehouse.fetchall(
        """
        select count(*), count(*) filter (where min_rank <> 1 or max_rank <> n or distinct_ranks <> n)
        from (select reco_date, min(priority_rank) as min_rank, max(priority_rank) as max_rank, count(*) as n,
                     count(distinct priority_rank) as distinct_ranks
              from reco.recommendations group by reco_date) as d
        """
    )
    return dg.AssetCheckResult(passed=bad_days == 0, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"days": days, "days_with_bad_ranks": bad_days})


@dg.asset_check(asset=["reco", "recommendations"],
                description="The latest day covers every sellable product that had sold by then (or never sold).")
def recommendations_cover_catalogue(warehouse: Warehouse) -> dg.AssetCheckResult:
    (day, rows, expected), = warehouse.fetchall(
        """
        with last as (select max(reco_date) as d from reco.recommendations),
        first_sale as (select product_id, min(date_day) as first_day from marts.product_daily_features
                       group by product_id)
        select last.d,
               (select count(*) from reco.recommendations, last where reco_date = last.d),
               (select count(distinct p.product_id) from marts.dim_product as p
                left join first_sale using (product_id), last
                where p.product_id is not null and (first_sale.first_day is null or first_sale.first_day <= last.d))
        from last
        """
    )
    return dg.AssetCheckResult(passed=rows == expected, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"day": str(day), "rows": rows, "expected_products": expected})


@dg.asset_check(asset=["reco", "kpi_recommendations_daily"], blocking=True,
                description="The KPI counts every recommendation once, and acted on ≤ evaluated ≤ actionable.")
def kpi_reconciles(warehouse: Warehouse) -> dg.AssetCheckResult:
    (kpi_total, recos, inconsistent), = warehouse.fetchall(
        """
        select (select coalesce(sum(products_recommended), 0) from reco.kpi_recommendations_daily),
               (select count(*) from reco.recommendations),
               (select count(*) from reco.kpi_recommendations_daily
                where not (acted_on <= evaluated and evaluated <= actionable and actionable <= products_recommended
                           and promote + hold + drop + restock + reprice = products_recommended))
        """
    )
    return dg.AssetCheckResult(passed=kpi_total == recos and inconsistent == 0,
                               metadata={"kpi_total": int(kpi_total), "recommendations": recos,
                                         "inconsistent_days": inconsistent})
