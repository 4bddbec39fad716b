"""From a dropped sales file to a new recommendation with no manual click, measured.

1. An isolated world: a fresh database on the PostgreSQL server (warehouse + Dagster storage), a temporary
   DAGSTER_HOME and data dir, no service credentials (bundled fakes), offline recommendations.
2. Seed it like ``affiliate demo --days N`` (every asset materialized once), through that instance.
3. Start ``dagster dev`` (webserver + daemon: sensors, automation, run queue) and wait until it is idle.
4. Drop a CSV of yesterday's sales into SALES_INBOX, then only watch: the inbox sensor loads the file,
   declarative automation rebuilds staging, the fact's latest day, marts, forecasts, and the day's
   recommendations.
5. Print the timeline of runs after the drop and the seconds until the file's orders are in
   ``marts.fct_sales`` and new ``reco.recommendations`` rows exist; exit 1 on timeout.

Usage: scripts/flow-demo.sh [--days 30] [--timeout 1800] [--keep]   (server: DATABASE_URL's, else embedded)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def log(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", flush=True)


def active_runs(instance) -> list:
    import dagster as dg

    busy = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
            dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
    return instance.get_runs(filters=dg.RunsFilter(statuses=busy))


def wait_idle(instance, quiet_s: float, timeout_s: float) -> float:
    """Wait until no run is queued or running for ``quiet_s`` (automation ticks every 30 s)."""
    started = time.monotonic()
    quiet_since = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if active_runs(instance):
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_s:
            return time.monotonic() - started
        time.sleep(3)
    raise TimeoutError(f"dagster dev still busy after {timeout_s:.0f}s")


def drop_sales_file(inbox: Path, day) -> tuple[Path, list[str]]:
    """Yesterday's sales in this project's export format, written aside then moved in (atomic drop)."""
    import csv

    from affiliate_assets.sample_data.sales_files import write_export_csv

    inbox.mkdir(parents=True, exist_ok=True)
    staging = inbox.parent / f".flow-{uuid.uuid4().hex[:6]}.csv"
    write_export_csv(staging, 40, start=day, scale=3.0)
    with staging.open(encoding="utf-8") as fh:
        orders = sorted({row[0] for row in list(csv.reader(fh))[1:]})
    past = time.time() - 60  # older than the sensor's settle time: the copy is complete
    os.utime(staging, (past, past))
    target = inbox / f"vendas-{day.isoformat()}-{uuid.uuid4().hex[:6]}.csv"
    staging.rename(target)
    return target, orders


def timeline(instance, since: datetime, t0: float) -> list[str]:
    """One line per run created after the drop: status, who started it, when (from the drop), what."""
    import dagster as dg

    rows = []
    for run in instance.get_runs(filters=dg.RunsFilter(created_after=since)):
        record = instance.get_run_record_by_id(run.run_id)
        start = record.start_time - t0 if record.start_time else None
        end = record.end_time - t0 if record.end_time else None
        trigger = (run.tags.get("dagster/sensor_name") or run.tags.get("dagster/schedule_name")
                   or (run.tags.get("dagster/backfill") and "backfill") or "other")
        assets = sorted(k.to_user_string() for k in (run.asset_selection or []))
        shown = ", ".join(assets[:4]) + (f" +{len(assets) - 4} more" if len(assets) > 4 else "")
        when = f"+{start:5.0f}s → +{end:5.0f}s" if start is not None and end is not None else "not finished"
        rows.append((start if start is not None else 1e9, f"  {when}  {run.status.value:<8} {trigger:<24} "
                     f"{run.tags.get('dagster/partition', ''):<10} {shown}"))
    return [line for _, line in sorted(rows)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=30, help="days of history to seed (default 30)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the recommendation")
    parser.add_argument("--keep", action="store_true", help="keep the database and temp dir")
    args = parser.parse_args()

    import psycopg

    from affiliate_assets.defs.automation.devserver import dagster_dev, dagster_home, free_port, offline_env
    from affiliate_assets.lib.warehouse import create_database, drop_database, resolve_database_url, with_database

    server = os.environ.get("DATABASE_URL") or resolve_database_url()
    name = f"affiliate_flow_{uuid.uuid4().hex[:8]}"
    create_database(server, name)
    url = with_database(server, name)
    work = Path(tempfile.mkdtemp(prefix="flow-demo-"))
    home = dagster_home(work / "dagster_home")
    env = offline_env(url, home, work / "data", {"RECO_MODE": "offline"})
    os.environ.update(env)
    log(f"database {name}, DAGSTER_HOME {home}")
    try:
        import dagster as dg

        from affiliate_assets.definitions import defs
        from affiliate_assets.demo import default_window_start, run_demo
        from affiliate_assets.lib.partitions import yesterday_utc
        from affiliate_assets.lib.settings import load_settings

        seed_started = time.monotonic()
        with dg.DagsterInstance.get() as instance:
            run_demo(defs, instance, start=default_window_start(args.days), log=lambda m: log(m.strip()))
        log(f"seeded {args.days} days in {time.monotonic() - seed_started:.0f}s")

        with dagster_dev(env, free_port(), work / "dagster-dev.log") as base, dg.DagsterInstance.get() as instance:
            log(f"dagster dev at {base}; waiting until sensors and automation are idle")
            settle = wait_idle(instance, quiet_s=100, timeout_s=args.timeout)
            log(f"idle after {settle:.0f}s ({len(instance.get_runs())} runs in the instance so far)")

            day = yesterday_utc()
            since = datetime.now(UTC) - timedelta(seconds=1)
            t0 = time.time()
            path, orders = drop_sales_file(load_settings().sales_inbox, day)
            log(f"dropped {path.name}: {len(orders)} orders of {day}")
            milestones: dict[str, float] = {}
            with psycopg.connect(url, autocommit=True) as conn:
                while time.time() - t0 < args.timeout:
                    if "raw" not in milestones and conn.execute(
                            "select count(*) from raw.sales_history where order_id = any(%s)", (orders,)
                    ).fetchone()[0]:
                        milestones["raw"] = time.time() - t0
                        log(f"  file loaded into raw.sales_history (+{milestones['raw']:.0f}s)")
                    if "fact" not in milestones and conn.execute(
                            "select count(*) from marts.fct_sales where sale_id like 'file:%%' and order_id = any(%s)",
                            (orders,)
                    ).fetchone()[0]:
                        milestones["fact"] = time.time() - t0
                        log(f"  its orders are in marts.fct_sales (+{milestones['fact']:.0f}s)")
                    retrained = conn.execute(
                        "select max(loaded_at) from ml.demand_forecasts where loaded_at > %s", (since,)).fetchone()[0]
                    if "fact" in milestones and retrained and "forecast" not in milestones:
                        milestones["forecast"] = time.time() - t0
                        log(f"  forecasts retrained (+{milestones['forecast']:.0f}s)")
                    # Recommendations written after the retrain: they used the file's sales.
                    new_reco = conn.execute(
                        "select count(*), max(reco_date) from reco.recommendations where loaded_at > %s",
                        (retrained or datetime.max.replace(tzinfo=UTC),)).fetchone()
                    if new_reco[0] and "fact" in milestones:
                        milestones["reco"] = time.time() - t0
                        log(f"  {new_reco[0]} new reco.recommendations rows for {new_reco[1]} "
                            f"(+{milestones['reco']:.0f}s)")
                        break
                    time.sleep(5)
            if "reco" in milestones:
                log("waiting for the runs still in flight (what reads the recommendations)")
                wait_idle(instance, quiet_s=45, timeout_s=600)
            print("\nRuns after the drop (seconds from the drop):")
            print("\n".join(timeline(instance, since, t0)))
            with psycopg.connect(url, autocommit=True) as conn:
                failures = conn.execute(
                    "select job_name, error from ops.run_failures where failed_at > %s order by failed_at", (since,)
                ).fetchall() if conn.execute("select to_regclass('ops.run_failures')").fetchone()[0] else []
            print(f"ops.run_failures since the drop: {len(failures)}")
            for job, error in failures:
                print(f"  {job}: {(error or '')[:200]}")
            if "reco" not in milestones:
                log(f"TIMEOUT after {args.timeout:.0f}s; reached: {milestones}")
                return 1
            print(f"\nfile drop → raw {milestones['raw']:.0f}s → fct_sales {milestones['fact']:.0f}s → forecasts "
                  f"{milestones['forecast']:.0f}s → recommendations {milestones['reco']:.0f}s (no manual run)")
            return 0
    finally:
        if args.keep:
            log(f"kept database {name} and {work}")
        else:
            drop_database(server, name)


if __name__ == "__main__":
    sys.exit(main())
