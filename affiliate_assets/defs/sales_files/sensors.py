"""The inbox sensor: one run per new sales file in ``SALES_INBOX``, keyed by the file's content hash.

Cursor: ``{"files": {name: [size, mtime_ns, sha256]}}`` for the files currently in the inbox, so a tick
only hashes files that are new or changed (hashing every pending 100 MB file every 30 s would be waste),
and entries vanish once files are archived, so the cursor stays small. Correctness does not rest on it:
the run key is the content hash, which Dagster never requests twice for this sensor (losing the cursor
costs re-hashing, never a double load), and the asset itself loads each hash once. An mtime cursor
("newer than the last file") would miss files copied with their original mtime (``cp -p``, unzip).

A file modified less than ``SETTLE_SECONDS`` ago is left for a later tick: it may still be copying, and
its hash would be the hash of half a file. A re-dropped file whose hash is already loaded gets a run keyed
``<hash>:redrop:<mtime>``, which loads nothing and archives it under ``duplicates/`` so the inbox empties.
"""

import json
from pathlib import Path

import dagster as dg

from affiliate_assets.defs.sales_files import ingest
from affiliate_assets.defs.sales_files.assets import OP_NAME, SalesFilesConfig, ingest_sales_files
from affiliate_assets.defs.sales_files.tables import SALES_FILES
from affiliate_assets.lib.inbox import scan_inbox
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.lib.warehouse import Warehouse

SETTLE_SECONDS = 10.0


def evaluate_inbox(cursor: str | None, inbox: Path, warehouse: Warehouse,
                   now: float | None = None) -> tuple[list[dg.RunRequest], str, str | None]:
    """(run requests, new cursor, skip reason or None) for the inbox as it is now."""
    seen: dict[str, list] = json.loads(cursor).get("files", {}) if cursor else {}
    scan = scan_inbox(ingest.inbox_files(inbox), inbox, {name: tuple(entry[:2]) for name, entry in seen.items()},
                      settle_seconds=SETTLE_SECONDS, now=now)
    state: dict[str, list] = {name: seen[name] for name in scan.unchanged}  # already requested earlier
    state.update({f.key: [f.size, f.mtime_ns, f.digest] for f in scan.new})
    loaded = warehouse.existing(SALES_FILES, "file_hash", (f.digest for f in scan.new))
    requests = [
        dg.RunRequest(
            run_key=f.digest if f.digest not in loaded else f"{f.digest}:redrop:{f.mtime_ns}",
            run_config=dg.RunConfig(ops={OP_NAME: SalesFilesConfig(paths=[str(f.path)])}),
            tags={"affiliate/sales_file": f.path.name, "affiliate/file_hash": f.digest[:16]},
        )
        for f in scan.new
    ]
    new_cursor = json.dumps({"files": state}, sort_keys=True)
    skip = None
    if not requests:
        settling = scan.settling
        skip = (f"no new files in {inbox}" + (f" ({settling} still being written)" if settling else "")
                + (f"; {len(state)} already requested" if state else "")
                + (f"; {len(scan.errors)} unreadable right now" if scan.errors else ""))
    return requests, new_cursor, skip


@dg.sensor(
    name="sales_files_inbox_sensor",
    target=[ingest_sales_files],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests one ingestion run per new CSV/XLSX file in SALES_INBOX (run key = content hash).",
)
def sales_files_inbox_sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse) -> dg.SensorResult:
    inbox = load_settings().sales_inbox
    requests, cursor, skip = evaluate_inbox(context.cursor, inbox, warehouse)
    if skip:
        return dg.SensorResult(skip_reason=dg.SkipReason(skip), cursor=cursor)
    context.log.info("requesting %d run(s) for %s", len(requests), [r.tags["affiliate/sales_file"] for r in requests])
    return dg.SensorResult(run_requests=requests, cursor=cursor)
