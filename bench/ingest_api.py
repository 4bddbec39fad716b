"""Hotmart API → ``raw.hotmart_sales`` benchmark: ~1M sales served by the fake, loaded by the asset's code path.

    .venv/bin/python bench/ingest_api.py [--rows 1000000] [--days 30] [--workers 3] [--to-sql-rows 50000]

Everything is measured in this one run, on a scratch database created and dropped here:

1. The fake runs in its own process (``python -m affiliate_assets.fakes hotmart -o scale=N -o cache_dir=..``),
   as a real API would run elsewhere. Its data is prepared first (``POST /_fake/prepare``: days generated
   and rendered to disk once, reused by later runs); that is the API's database existing before anyone
   calls it, so it is reported but not timed.
2. A fresh child process runs exactly what the asset runs, ``ingest.load_sales`` with a ``HotmartClient``
   (token, 17 statuses x 2 endpoints a day, ``page_token`` paging, fetch threads) → row mapping (PII hashed)
   → ``Warehouse.load`` (COPY into a temp table, replace_window, one transaction). Timed: wall clock, its
   CPU seconds, its peak RSS; the fake's CPU seconds and peak RSS over the same span.
3. ``psql \\copy`` of the same rows: the loaded table exported to CSV, then copied into a plain table and
   into one shaped like the target (same primary key and indexes), each timed.
4. pandas ``to_sql`` of a sample (``--to-sql-rows``) of the same rows, rate extrapolated.

The machine is shared: wall-clock ratios move with everyone else's load, so CPU seconds are printed too.
Goal (issue 4): ≥ 0.3x ``\\copy``, ≥ 10x ``to_sql``, peak RSS < 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST_DAY = date(2025, 3, 1)
RSS_GOAL_MB = 500

CHILD = """
import json, resource, sys, time
from datetime import UTC, datetime, timedelta
sys.path.insert(0, {root!r})
from affiliate_assets.defs.hotmart import ingest
from affiliate_assets.defs.hotmart.resources import HotmartResource
from affiliate_assets.lib.warehouse import Warehouse
warehouse = Warehouse(database_url={url!r})
warehouse.bootstrap()
client = HotmartResource(fake_base_url={base!r}, workers={workers}).get_client()
start = datetime.fromisoformat({start!r}).replace(tzinfo=UTC)
marks = {{}}
rows_of = ingest.sale_rows
def timed_rows(*args, **kwargs):  # when the last row went into COPY: the rest is the loader's merge
    yield from rows_of(*args, **kwargs)
    marks["rows_done"] = time.perf_counter()
ingest.sale_rows = timed_rows
r0, w0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
result = ingest.load_sales(warehouse, client, start, start + timedelta(days={days}), salt="bench-salt",
                           batch="bench", slice_days=1)
wall, r1 = time.perf_counter() - w0, resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"rows_in": result.rows_in, "loaded": result.rows_loaded, "rejected": result.rows_rejected,
                  "seconds": wall, "cpu_s": r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime,
                  "merge_seconds": w0 + wall - marks["rows_done"], "requests": client.stats["requests"],
                  "retries": client.stats["retries"], "peak_rss_mb": r1.ru_maxrss / 1024}}))
"""

TO_SQL = """
import json, sys, time
import pandas as pd
from sqlalchemy import create_engine
engine = create_engine({sa_url!r})
df = pd.read_sql("select * from raw.hotmart_sales order by transaction limit {n}", engine)
df = df.drop(columns=["loaded_at"])
t0 = time.perf_counter()
df.to_sql("to_sql_target", engine, schema="raw", if_exists="append", index=False, chunksize=10000)
print(json.dumps({{"rows": len(df), "seconds": time.perf_counter() - t0}}))
"""


def _proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a running process (from /proc, Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _proc_peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _start_fake(scale: float, cache_dir: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "affiliate_assets.fakes", "hotmart", "--port", "0", "-o", f"scale={scale}",
         "-o", f"cache_dir={cache_dir}"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip() if proc.stdout else ""
    if not line.startswith("http"):
        proc.kill()
        raise RuntimeError(f"the Hotmart fake did not start: {line!r}")
    return proc, line


def _python_child(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _psql(url: str, command: str) -> float:
    """Wall seconds of one psql command (a fresh psql, as a user would type it)."""
    started = time.perf_counter()
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", command], check=True)
    return time.perf_counter() - started


def _copy_baselines(warehouse, url: str, columns: list[str], work: Path) -> dict:
    """``\\copy`` of the loaded rows: exported to CSV (not timed), copied into a plain table and into one
    with the target's primary key and indexes (timed)."""
    from psycopg import sql

    cols = ", ".join(columns)
    csv_path = work / "hotmart_sales.csv"
    _psql(url, f"\\copy (select {cols} from raw.hotmart_sales) to '{csv_path}' csv")
    warehouse.execute("create table raw.copy_plain (like raw.hotmart_sales including defaults)")
    warehouse.execute("create table raw.copy_shaped (like raw.hotmart_sales including all)")
    figures = {"csv_mb": round(csv_path.stat().st_size / 1e6, 1)}
    for table in ("copy_plain", "copy_shaped"):
        figures[table] = _psql(url, f"\\copy raw.{table} ({cols}) from '{csv_path}' csv")
        warehouse.execute(sql.SQL("drop table raw.{}").format(sql.Identifier(table)))
    csv_path.unlink()
    return figures


def run(rows: int = 1_000_000, days: int = 30, *, workers: int = 3, to_sql_rows: int = 50_000,
        cache_dir: Path | None = None) -> dict:
    """Serve about ``rows`` sales over ``days`` days from the fake and load them; return the figures."""
    import requests

    from affiliate_assets.defs.hotmart.tables import HOTMART_SALES
    from affiliate_assets.lib import warehouse as wh
    from affiliate_assets.lib.settings import load_settings
    from affiliate_assets.sample_data.sales import count_sales

    end_day = FIRST_DAY + timedelta(days=days)
    scale = round(rows / count_sales(FIRST_DAY, end_day, 1.0), 3)
    cache_dir = cache_dir or load_settings().data_dir / "cache" / "fakes"
    server = wh.resolve_database_url()
    dbname = f"bench_hotmart_{uuid.uuid4().hex[:8]}"
    wh.create_database(server, dbname)
    url = wh.with_database(server, dbname)
    proc, base_url = _start_fake(scale, cache_dir)
    try:
        prep = requests.post(f"{base_url}/_fake/prepare", timeout=1800, json={
            "start_date": FIRST_DAY.isoformat(), "end_date": (end_day - timedelta(days=1)).isoformat(),
            "processes": 2}).json()
        fake_cpu0 = _proc_cpu_s(proc.pid)
        load = _python_child(CHILD.format(root=str(ROOT), url=url, base=base_url, workers=workers,
                                          start=FIRST_DAY.isoformat(), days=days))
        fake_cpu = _proc_cpu_s(proc.pid) - fake_cpu0
        fake_rss = _proc_peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    try:
        warehouse = wh.Warehouse(database_url=url)
        stored = warehouse.count("raw.hotmart_sales")
        with tempfile.TemporaryDirectory(prefix="bench_hotmart_") as work:
            copy = _copy_baselines(warehouse, url, HOTMART_SALES.column_names, Path(work))
        to_sql = _python_child(TO_SQL.format(sa_url=wh.sqlalchemy_url(url).replace("+psycopg2", "+psycopg"),
                                             n=to_sql_rows))
    finally:
        wh.drop_database(server, dbname)

    rate = load["rows_in"] / load["seconds"]
    plain_rate, shaped_rate = stored / copy["copy_plain"], stored / copy["copy_shaped"]
    to_sql_rate = to_sql["rows"] / to_sql["seconds"]
    return {
        "rows": load["rows_in"],
        "rows_stored": stored,
        "rows_rejected": load["rejected"],
        "days": days,
        "fake_scale": scale,
        "requests": load["requests"],
        "workers": workers,
        "seconds": round(load["seconds"], 2),
        "merge_seconds": round(load["merge_seconds"], 2),
        "rows_per_s": round(rate),
        "client_cpu_s": round(load["cpu_s"], 2),
        "rows_per_client_cpu_s": round(load["rows_in"] / load["cpu_s"]),
        "fake_cpu_s": round(fake_cpu, 2),
        "peak_rss_mb": round(load["peak_rss_mb"], 1),
        "fake_peak_rss_mb": round(fake_rss, 1),
        "copy_plain_rows_per_s": round(plain_rate),
        "copy_shaped_rows_per_s": round(shaped_rate),
        "vs_copy_plain": round(rate / plain_rate, 3),
        "vs_copy_shaped": round(rate / shaped_rate, 3),
        "to_sql_rows": to_sql["rows"],
        "to_sql_rows_per_s": round(to_sql_rate),
        "vs_to_sql": round(rate / to_sql_rate, 1),
        "fake_prepare": prep,
        "csv_mb": copy["csv_mb"],
        "load_avg_1m": round(os.getloadavg()[0], 1),
        "bench_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3, help="client fetch threads (0 = none)")
    parser.add_argument("--to-sql-rows", type=int, default=50_000)
    parser.add_argument("--cache-dir", type=Path, default=None, help="the fake's data cache (default: data/cache)")
    args = parser.parse_args(argv)
    r = run(args.rows, args.days, workers=args.workers, to_sql_rows=args.to_sql_rows, cache_dir=args.cache_dir)
    prep = r["fake_prepare"]
    print(f"Fake Hotmart API → raw.hotmart_sales: {r['rows']:,} sales over {r['days']} days "
          f"(fake scale {r['fake_scale']}, {r['requests']:,} requests, {r['workers']} fetch threads; "
          f"1-min load average {r['load_avg_1m']} on {os.cpu_count()} CPUs)")
    print(f"  fake data prepared before timing: {prep.get('generated')} of {prep.get('days')} days generated "
          f"in {prep.get('seconds')} s")
    print(f"  API → raw        {r['seconds']:7.2f} s {r['rows_per_s']:>9,} rows/s   client {r['client_cpu_s']} CPU-s "
          f"({r['rows_per_client_cpu_s']:,} rows/CPU-s), fake {r['fake_cpu_s']} CPU-s; of the wall time, "
          f"{r['merge_seconds']} s is the loader's merge after the last row (temp table → target)")
    print(f"  psql \\copy        plain table {r['copy_plain_rows_per_s']:>9,} rows/s; same PK + indexes as target "
          f"{r['copy_shaped_rows_per_s']:>9,} rows/s  ({r['csv_mb']} MB CSV)")
    print(f"  pandas to_sql    {r['to_sql_rows']:,}-row sample {r['to_sql_rows_per_s']:>9,} rows/s")
    print(f"  ratio to \\copy: {r['vs_copy_plain']}x plain, {r['vs_copy_shaped']}x same shape "
          f"[{_verdict(r['vs_copy_plain'] >= 0.3)} ≥ 0.3x plain]   ratio to to_sql: {r['vs_to_sql']}x "
          f"[{_verdict(r['vs_to_sql'] >= 10)} ≥ 10x]")
    print(f"  peak RSS: client {r['peak_rss_mb']} MB, fake {r['fake_peak_rss_mb']} MB "
          f"[{_verdict(max(r['peak_rss_mb'], r['fake_peak_rss_mb']) < RSS_GOAL_MB)} < {RSS_GOAL_MB} MB]; "
          f"stored {r['rows_stored']:,}, rejected {r['rows_rejected']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
