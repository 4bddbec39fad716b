"""Hotmart raw assets: products (whole table), sales and commissions (daily partitions, UTC).

Why: sales and commissions are what every revenue, customer and forecast model starts from; products name
what was sold. Partitions are re-loadable: a run replaces its window (``replace_window``) with what the API
says now, so late refunds and chargebacks are picked up by re-running recent days, and a backfill of any
range runs as one run (single-run backfill policy) walking the window a slice at a time.
"""

import time

import dagster as dg

from affiliate_assets.defs.hotmart import ingest
from affiliate_assets.defs.hotmart.client import HotmartClient
from affiliate_assets.defs.hotmart.resources import HotmartResource
from affiliate_assets.lib.http import HttpError, MalformedResponseError
from affiliate_assets.lib.partitions import daily_partitions, partition_batch, partition_window
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.lib.warehouse import LoadResult, Warehouse

OWNERS = ["team:data-eng"]
KINDS = {"python", "postgres"}
# Step-level retries for what the client's own retries could not absorb (a long outage, a rate-limit
# window longer than its patience); exponential backoff with jitter so parallel runs do not stampede.
API_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL,
                                  jitter=dg.Jitter.PLUS_MINUS)
COMMON = {"group_name": "hotmart", "kinds": KINDS, "owners": OWNERS, "code_version": "1",
          "retry_policy": API_RETRY_POLICY}
DAILY = {**COMMON, "partitions_def": daily_partitions, "backfill_policy": dg.BackfillPolicy.single_run()}


def brl(value: float) -> str:
    """R$ 1.234,56"""
    return "R$ " + f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _run(context: dg.AssetExecutionContext, client: HotmartClient, load) -> tuple[LoadResult, float]:
    """Run a load, turning a malformed page into a clear, non-retried failure (nothing was written)."""
    started = time.perf_counter()
    try:
        result = load()
    except MalformedResponseError as exc:
        raise dg.Failure(
            description=f"Hotmart answered a page that is not valid JSON; the load was rolled back and "
                        f"nothing was written for this window. {exc}",
            metadata={"url": exc.url or "", "requests": client.stats["requests"]},
            allow_retries=False,
        ) from exc
    except HttpError as exc:
        context.log.error("Hotmart API failed after %d requests: %s", client.stats["requests"], exc)
        raise
    return result, time.perf_counter() - started


def _metadata(result: LoadResult, client: HotmartClient, hotmart: HotmartResource, elapsed: float,
              **extra) -> dict:
    return {
        **result.metadata(),
        "dagster/row_count": result.rows_loaded,
        "source_mode": hotmart.mode,
        "elapsed_s": round(elapsed, 3),
        "requests": client.stats["requests"],
        "retries": client.stats["retries"],
        "auth_refreshes": client.stats["auth_refreshes"],
        **extra,
    }


@dg.asset(
    key=["raw", "hotmart_products"],
    **COMMON,
    description="Products of the Hotmart account (GET /products/api/v1/products): ids, names, formats and "
                "status, so sales can be named and grouped; replaced on every run.",
)
def hotmart_products(context: dg.AssetExecutionContext, warehouse: Warehouse,
                     hotmart: HotmartResource) -> dg.MaterializeResult:
    client = hotmart.get_client()
    result, elapsed = _run(context, client, lambda: ingest.load_products(warehouse, client))
    rows = warehouse.fetchall("select status, count(*) from raw.hotmart_products group by 1 order by 2 desc")
    preview = "\n".join(["| status | products |", "|---|---:|", *(f"| {s} | {n} |" for s, n in rows)])
    return dg.MaterializeResult(metadata=_metadata(
        result, client, hotmart, elapsed, api_total_results=client.total_results.get("products", 0),
        by_status=dg.MetadataValue.md(preview)))


@dg.asset(
    key=["raw", "hotmart_sales"],
    **DAILY,
    description="Hotmart sales, one row per transaction, by UTC order day (sales/history joined with "
                "sales/users for buyer state, city and phone hash): the fact every revenue, customer and "
                "demand model reads. Re-running a day replaces it, picking up refunds and chargebacks.",
)
def hotmart_sales(context: dg.AssetExecutionContext, warehouse: Warehouse,
                  hotmart: HotmartResource) -> dg.MaterializeResult:
    start, end = partition_window(context)
    client = hotmart.get_client()
    salt = load_settings().pii_salt
    result, elapsed = _run(context, client, lambda: ingest.load_sales(
        warehouse, client, start, end, salt=salt, batch=partition_batch(context), slice_days=hotmart.slice_days))
    rows = warehouse.fetchall(
        """select status, count(*), coalesce(sum(price), 0) from raw.hotmart_sales
           where order_date >= %s and order_date < %s group by 1 order by 2 desc""", (start, end))
    preview = "\n".join(["| status | sales | value |", "|---|---:|---:|",
                         *(f"| {s} | {n} | {brl(float(v))} |" for s, n, v in rows)])
    context.log.info("hotmart sales %s..%s: %d loaded, %d rejected in %.1fs (%d requests)", start.date(),
                     end.date(), result.rows_loaded, result.rows_rejected, elapsed, client.stats["requests"])
    return dg.MaterializeResult(metadata=_metadata(
        result, client, hotmart, elapsed,
        window_start=start.isoformat(), window_end=end.isoformat(),
        api_total_results=client.total_results.get("history", 0),
        rows_per_second=round(result.rows_in / elapsed) if elapsed else 0,
        by_status=dg.MetadataValue.md(preview)))


@dg.asset(
    key=["raw", "hotmart_commissions"],
    **DAILY,
    description="Who earned what on each paid Hotmart sale (producer, co-producer, affiliate), by UTC sale "
                "day: the affiliate's real income, which prices alone do not give.",
)
def hotmart_commissions(context: dg.AssetExecutionContext, warehouse: Warehouse,
                        hotmart: HotmartResource) -> dg.MaterializeResult:
    start, end = partition_window(context)
    client = hotmart.get_client()
    result, elapsed = _run(context, client, lambda: ingest.load_commissions(
        warehouse, client, start, end, batch=partition_batch(context)))
    rows = warehouse.fetchall(
        """select source, count(*), coalesce(sum(commission_value), 0) from raw.hotmart_commissions
           where sale_date >= %s and sale_date < %s group by 1 order by 3 desc""", (start.date(), end.date()))
    preview = "\n".join(["| source | commissions | value |", "|---|---:|---:|",
                         *(f"| {s} | {n} | {brl(float(v))} |" for s, n, v in rows)])
    return dg.MaterializeResult(metadata=_metadata(
        result, client, hotmart, elapsed,
        window_start=start.isoformat(), window_end=end.isoformat(),
        api_total_results=client.total_results.get("commissions", 0),
        by_source=dg.MetadataValue.md(preview)))
