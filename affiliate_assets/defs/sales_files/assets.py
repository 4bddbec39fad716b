"""``raw/sales_history`` and ``raw/sales_files``: CSV/XLSX sales files dropped in ``SALES_INBOX``.

Shape: one unpartitioned multi-asset whose run config may name files; with no config it ingests every
file in the inbox. Why this and not the alternatives:

- a dynamic partition per file would make the file the unit of *re-materialization*, but a file is loaded
  exactly once and then archived, so "re-run partition X" has nothing to re-read; it would also grow one
  partition per file forever and break the demo's plain unconfigured run;
- a sensor-only trigger with the asset always scanning the inbox would let two runs race for one file.

So the sensor (sensors.py) requests one run per new file, naming it in the config (run_key = content
hash), and a manual or demo run with no config sweeps the inbox. Either way ``ingest.ingest_file`` loads a
hash once (``raw.sales_files``), under an advisory lock, and archives the file afterwards.
"""

import time
from pathlib import Path

import dagster as dg
from pydantic import Field

from affiliate_assets.defs.sales_files import ingest
from affiliate_assets.defs.sales_files.tables import SALES_FILES, SALES_HISTORY
from affiliate_assets.lib.metadata import markdown_table
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.lib.warehouse import Warehouse

OP_NAME = "ingest_sales_files"
SALES_HISTORY_KEY = dg.AssetKey(["raw", "sales_history"])
SALES_FILES_KEY = dg.AssetKey(["raw", "sales_files"])


class SalesFilesConfig(dg.Config):
    paths: list[str] = Field(
        default_factory=list,
        description="Files to ingest (the sensor names one per run); empty = every file in SALES_INBOX.",
    )


def _files_table(outcomes: list[ingest.FileOutcome]) -> str:
    rows = []
    for o in outcomes:
        p = o.profile
        rows.append([o.name, o.status, p.get("format", ""), p.get("encoding"), p.get("delimiter"), p.get("decimal", ""),
                     f"{p.get('date_order', '')} ({p.get('date_order_reason', o.reason or '')})", o.rows_read,
                     o.rows_loaded, o.rows_rejected, "fast COPY" if o.fast_path else "row by row"])
    return markdown_table(rows, ["file", "status", "format", "encoding", "delim", "decimal", "dates", "read",
                                 "loaded", "rejected", "how"])


def _rejects_preview(warehouse: Warehouse, hashes: list[str]) -> str:
    rows = warehouse.fetchall(
        "select key, reason from raw.rejects where source = %s and batch = any(%s) order by reject_id limit 10",
        (SALES_HISTORY.qualified, hashes),
    ) if hashes else []
    return markdown_table(rows, ["row", "reason"])


@dg.multi_asset(
    name=OP_NAME,
    specs=[
        dg.AssetSpec(
            SALES_HISTORY_KEY, group_name="sales_files", kinds={"python", "postgres", "csv"},
            owners=["team:data-eng"], code_version="1",
            description="Order lines from sales files the affiliate drops in SALES_INBOX (Superstore-shaped "
                        "CSV/XLSX, Portuguese exports, this project's export), one row per line read, so "
                        "history from before the APIs, or from other shops, reaches the marts.",
        ),
        dg.AssetSpec(
            SALES_FILES_KEY, group_name="sales_files", kinds={"python", "postgres"},
            owners=["team:data-eng"], code_version="1",
            description="One row per ingested file: hash, detected encoding/delimiter/decimal/date order and "
                        "row counts; the ledger that makes each file load once and lets staging pick the "
                        "latest file per order.",
        ),
    ],
)
def ingest_sales_files(context: dg.AssetExecutionContext, config: SalesFilesConfig, warehouse: Warehouse):
    started = time.perf_counter()
    settings = load_settings()
    for spec in (SALES_HISTORY, SALES_FILES):  # the checks query both even when the inbox is empty
        warehouse.ensure_table(spec)
    paths = [Path(p) for p in config.paths] or ingest.inbox_files(settings.sales_inbox)
    outcomes: list[ingest.FileOutcome] = []
    for path in paths:
        if not path.exists():
            context.log.info("%s: no longer in the inbox (another run archived it)", path.name)
            continue
        outcome = ingest.ingest_file(path, warehouse, settings)
        context.log.info("%s: %s, %d read = %d loaded + %d rejected%s", outcome.name, outcome.status,
                         outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected,
                         f" ({outcome.reason})" if outcome.reason else "")
        outcomes.append(outcome)

    loaded = [o for o in outcomes if o.status == "loaded"]
    totals = {k: sum(getattr(o, k) for o in loaded) for k in ("rows_read", "rows_loaded", "rows_rejected")}
    (history_rows,), = warehouse.fetchall("select count(*) from raw.sales_history")
    (file_rows,), = warehouse.fetchall("select count(*) from raw.sales_files")
    common = {
        "source_mode": "file",
        "inbox": str(settings.sales_inbox),
        "files_seen": len(outcomes),
        "files_loaded": len(loaded),
        "files_duplicate": sum(o.status == "duplicate" for o in outcomes),
        "files_unreadable": sum(o.status == "unreadable" for o in outcomes),
        "elapsed_s": round(time.perf_counter() - started, 3),
    }
    yield dg.MaterializeResult(
        asset_key=SALES_HISTORY_KEY,
        metadata={
            **common,
            "dagster/row_count": history_rows,
            "rows_in": totals["rows_read"],
            "rows_loaded": totals["rows_loaded"],
            "rows_rejected": totals["rows_rejected"],
            "files": dg.MetadataValue.md(_files_table(outcomes) if outcomes else "inbox was empty"),
            "rejects_preview": dg.MetadataValue.md(_rejects_preview(warehouse, [o.file_hash for o in outcomes])),
        },
    )
    yield dg.MaterializeResult(
        asset_key=SALES_FILES_KEY,
        metadata={**common, "dagster/row_count": file_rows,
                  "archive_dir": str(settings.archive_dir / "sales")},
    )
