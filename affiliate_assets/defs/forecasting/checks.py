"""Checks on the forecasting outputs: what downstream users (reorders, recommendations, the API) rely on."""

import dagster as dg

from affiliate_assets.lib.warehouse import Warehouse


@dg.asset_check(asset=["ml", "demand_forecasts"], blocking=True,
                description="Every product of the features mart has one row per horizon day, starting the day "
                "after the data ends, with lower ≤ yhat ≤ upper, no negative units, and a registered model.")
def demand_forecasts_cover_every_product(warehouse: Warehouse) -> dg.AssetCheckResult:
    (products_in, products_out, horizon, short, bad_bounds, wrong_start, unregistered), = warehouse.fetchall(
        """
        with f as (select product_id, count(*) as n, min(ds) as first_ds from ml.demand_forecasts group by 1),
             h as (select max(n) as horizon from f)
        select (select count(distinct product_id) from marts.product_daily_features),
               (select count(*) from f),
               (select horizon from h),
               (select count(*) from f, h where f.n <> h.horizon),
               (select count(*) from ml.demand_forecasts
                 where yhat < 0 or yhat_lower > yhat or yhat_upper < yhat),
               (select count(*) from f
                 where first_ds <> (select max(date_day) + 1 from marts.product_daily_features)),
               (select count(distinct d.model_id) from ml.demand_forecasts d
                  left join ml.models m using (model_id) where m.model_id is null)
        """
    )
    return dg.AssetCheckResult(
        passed=products_in == products_out and short == 0 and bad_bounds == 0 and wrong_start == 0
        and unregistered == 0,
        metadata={"products_in_features": products_in, "products_forecast": products_out,
                  "horizon_days": horizon or 0, "products_with_short_horizon": short,
                  "rows_with_bad_bounds": bad_bounds, "products_starting_on_wrong_day": wrong_start,
                  "unregistered_models": unregistered},
    )


@dg.asset_check(asset=["ml", "reorder_suggestions"],
                description="Suggestions are for physical products, quantities are non-negative and the "
                "reorder point covers the lead-time demand.")
def reorder_suggestions_are_sane(warehouse: Warehouse) -> dg.AssetCheckResult:
    (rows, not_physical, negative, below_demand), = warehouse.fetchall(
        """
        select count(*),
               count(*) filter (where not exists (select 1 from marts.dim_product p
                                                  where p.product_id = r.product_id and p.is_physical)),
               count(*) filter (where suggested_qty < 0),
               count(*) filter (where reorder_point < forecast_demand_lead_time)
        from ml.reorder_suggestions r
        """
    )
    return dg.AssetCheckResult(
        passed=not_physical == 0 and negative == 0 and below_demand == 0,
        metadata={"rows": rows, "not_physical": not_physical, "negative_qty": negative,
                  "reorder_point_below_demand": below_demand},
    )
