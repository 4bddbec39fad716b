"""Checks on the sales files tables. All blocking: dbt reads these tables, and a wrong column, a broken
key or counts that do not reconcile would flow straight into revenue figures."""

import dagster as dg

from affiliate_assets.defs.sales_files.assets import SALES_FILES_KEY, SALES_HISTORY_KEY
from affiliate_assets.defs.sales_files.tables import SALES_FILES, SALES_HISTORY
from affiliate_assets.lib.warehouse import TableSpec, Warehouse


def _schema_diff(warehouse: Warehouse, spec: TableSpec) -> dict[str, str]:
    """Columns whose presence or type differs from the spec: {column: 'expected X, found Y'}."""
    found = dict(warehouse.fetchall(
        """
        select a.attname, format_type(a.atttypid, a.atttypmod)
        from pg_attribute a where a.attrelid = to_regclass(%s) and a.attnum > 0 and not a.attisdropped
        """,
        (spec.qualified,),
    ))
    aliases = {"timestamptz": "timestamp with time zone"}
    expected = {c.name: aliases.get(c.type, c.type) for c in spec.columns}
    expected["loaded_at"] = "timestamp with time zone"
    return {name: f"expected {want}, found {found.get(name, 'nothing')}"
            for name, want in {**expected, **{k: "nothing" for k in found if k not in expected}}.items()
            if found.get(name, "nothing") != want}


@dg.asset_check(asset=SALES_HISTORY_KEY, blocking=True,
                description="raw.sales_history and raw.sales_files have exactly the declared columns and types.")
def sales_history_schema(warehouse: Warehouse) -> dg.AssetCheckResult:
    diffs = {f"{spec.name}.{k}": v for spec in (SALES_HISTORY, SALES_FILES)
             for k, v in _schema_diff(warehouse, spec).items()}
    return dg.AssetCheckResult(passed=not diffs, metadata={"differences": dg.MetadataValue.json(diffs)})


@dg.asset_check(asset=SALES_HISTORY_KEY, blocking=True,
                description="Keys are present and (order_id, order_line) is unique within each file.")
def sales_history_keys(warehouse: Warehouse) -> dg.AssetCheckResult:
    (rows, null_keys, duplicate_lines), = warehouse.fetchall(
        """
        select (select count(*) from raw.sales_history),
               (select count(*) from raw.sales_history
                 where order_id is null or order_id = '' or order_date is null or order_line is null),
               (select count(*) from (select 1 from raw.sales_history
                 group by file_hash, order_id, order_line having count(*) > 1) d)
        """
    )
    return dg.AssetCheckResult(
        passed=null_keys == 0 and duplicate_lines == 0,
        metadata={"rows": rows, "null_keys": null_keys, "duplicate_order_lines": duplicate_lines},
    )


@dg.asset_check(asset=SALES_HISTORY_KEY, blocking=True,
                description="Values are plausible: positive quantities, non-negative sales, discounts in "
                            "[0, 1], order dates from 1990 to tomorrow, shipping not before ordering.")
def sales_history_ranges(warehouse: Warehouse) -> dg.AssetCheckResult:
    (bad_qty, bad_sales, bad_discount, bad_date, bad_ship, bad_currency), = warehouse.fetchall(
        """
        select count(*) filter (where quantity <= 0),
               count(*) filter (where sales < 0),
               count(*) filter (where discount < 0 or discount > 1),
               count(*) filter (where order_date < date '1990-01-01' or order_date > current_date + 1),
               count(*) filter (where ship_date < order_date),
               count(*) filter (where currency !~ '^[A-Z]{3}$')
        from raw.sales_history
        """
    )
    bad = {"quantity_not_positive": bad_qty, "negative_sales": bad_sales, "discount_out_of_range": bad_discount,
           "order_date_out_of_range": bad_date, "ship_before_order": bad_ship, "bad_currency": bad_currency}
    return dg.AssetCheckResult(passed=not any(bad.values()), metadata=bad)


@dg.asset_check(asset=SALES_FILES_KEY, blocking=True,
                description="Per file: rows read = loaded + rejected, the table holds exactly the loaded "
                            "rows, raw.rejects exactly the rejected ones, and no rows lack their file.")
def sales_files_counts_reconcile(warehouse: Warehouse) -> dg.AssetCheckResult:
    (files, unbalanced, history_mismatch, rejects_mismatch, orphans), = warehouse.fetchall(
        """
        with h as (select file_hash, count(*) n from raw.sales_history group by file_hash),
             r as (select batch as file_hash, count(*) n from raw.rejects
                   where source = 'raw.sales_history' group by batch)
        select (select count(*) from raw.sales_files),
               (select count(*) from raw.sales_files where rows_read <> rows_loaded + rows_rejected),
               (select count(*) from raw.sales_files f left join h using (file_hash)
                 where coalesce(h.n, 0) <> f.rows_loaded),
               (select count(*) from raw.sales_files f left join r using (file_hash)
                 where coalesce(r.n, 0) <> f.rows_rejected),
               (select count(*) from h where not exists
                 (select 1 from raw.sales_files f where f.file_hash = h.file_hash))
        """
    )
    return dg.AssetCheckResult(
        passed=unbalanced == 0 and history_mismatch == 0 and rejects_mismatch == 0 and orphans == 0,
        metadata={"files": files, "read_not_loaded_plus_rejected": unbalanced,
                  "loaded_count_mismatch": history_mismatch, "rejected_count_mismatch": rejects_mismatch,
                  "rows_without_file": orphans},
    )
