"""Checks on the catalogue: nothing downstream should price or stock a product it cannot identify."""


import dagster as dg

from affiliate_assets.lib.warehouse import Warehouse


@dg.asset_check(asset=["raw", "product_catalogue"], blocking=True,
                description="Product ids are unique and every product has a positive price.")
def product_catalogue_keys_and_prices(warehouse: Warehouse) -> dg.AssetCheckResult:
    (rows, dupes, bad_price, physical_without_stock), = warehouse.fetchall(
        """
        select count(*),
               count(*) - count(distinct product_id),
               count(*) filter (where price is null or price <= 0),
               count(*) filter (where is_physical and (stock_on_hand is null or lead_time_days is null))
        from raw.product_catalogue
        """
    )
    return dg.AssetCheckResult(
        passed=rows > 0 and dupes == 0 and bad_price == 0 and physical_without_stock == 0,
        metadata={"rows": rows, "duplicate_ids": dupes, "non_positive_prices": bad_price,
                  "physical_without_stock": physical_without_stock},
    )
