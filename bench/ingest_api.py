"""Hotmart API → ``raw.hotmart_sales`` benchmark: ≥1M sales served by the fake, loaded by the real path.

    .venv/bin/python bench/ingest_api.py [--rows 1000000] [--days 30]

The fake runs in its own process (``python -m affiliate_assets.fakes hotmart -o scale=N``), as a real API
would be elsewhere; this process runs exactly what the asset runs: ``HotmartClient`` (token, paging over
17 statuses × 2 endpoints a day, orjson) → row mapping (hashing PII) → ``Warehouse.load`` (COPY into a
temp table, replace_window, in one transaction), fed by a generator, one day of buyer details in memory.

Prints wall-clock rows/s (bounded by whichever side is slower: the fake generates and renders every sale
on the fly) and rows per CPU-second of this process (what the client + loader alone could sustain), peak
RSS, and the ratio to the ``\\copy`` reference of FACTS.md (bench/ingest.py measures ``\\copy`` in the same
run and prints it next to these figures). Goal (issue 4): ≥ 0.3× ``\\copy``, ≥ 10× ``to_sql``, RSS < 500 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COPY_REFERENCE_ROWS_PER_S = 575_000  # FACTS.md: psql \copy of 1M sales rows, 500-650k rows/s
TO_SQL_REFERENCE_ROWS_PER_S = 18_000  # FACTS.md: pandas to_sql
FIRST_DAY = date(2025, 3, 1)


def _start_fake(scale: float) -> tuple[subprocess.Popen, str]:
    # One malloc arena per server thread fragments the fake's heap into gigabytes at this volume.
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "affiliate_assets.fakes", "hotmart", "--port", "0", "-o", f"scale={scale}"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline().strip() if proc.stdout else ""
    if not line.startswith("http"):
        proc.kill()
        raise RuntimeError(f"the Hotmart fake did not start: {line!r}")
    return proc, line


def _rss_mb(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # Linux reports KiB


def run(rows: int = 1_000_000, days: int = 30) -> dict:
    """Serve about ``rows`` sales over ``days`` days from the fake and load them; return the figures."""
    from affiliate_assets.defs.hotmart import ingest
    from affiliate_assets.defs.hotmart.resources import HotmartResource
    from affiliate_assets.lib.warehouse import (
        Warehouse,
        create_database,
        drop_database,
        resolve_database_url,
        with_database,
    )
    from affiliate_assets.sample_data.sales import count_sales

    end_day = FIRST_DAY + timedelta(days=days)
    scale = round(rows / count_sales(FIRST_DAY, end_day, 1.0), 3)
    server = resolve_database_url()
    dbname = f"bench_hotmart_{uuid.uuid4().hex[:8]}"
    create_database(server, dbname)
    proc, base_url = _start_fake(scale)
    try:
        warehouse = Warehouse(database_url=with_database(server, dbname))
        client = HotmartResource(fake_base_url=base_url, page_size=500).get_client()
        start = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC)
        end = start + timedelta(days=days)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        result = ingest.load_sales(warehouse, client, start, end, salt="bench-salt", batch="bench", slice_days=1)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        stored = warehouse.count("raw.hotmart_sales")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        drop_database(server, dbname)
    rate = round(result.rows_in / wall)
    return {
        "rows": result.rows_in,
        "rows_stored": stored,
        "days": days,
        "fake_scale": scale,
        "requests": client.stats["requests"],
        "seconds": round(wall, 2),
        "rows_per_s": rate,
        "client_cpu_s": round(cpu, 2),
        "rows_per_cpu_s": round(result.rows_in / cpu) if cpu else None,
        "vs_copy_reference": round(rate / COPY_REFERENCE_ROWS_PER_S, 3),
        "vs_to_sql_reference": round(rate / TO_SQL_REFERENCE_ROWS_PER_S, 2),
        "peak_rss_mb": _rss_mb(resource.RUSAGE_SELF),
        "fake_peak_rss_mb": _rss_mb(resource.RUSAGE_CHILDREN),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args(argv)
    figures = run(args.rows, args.days)
    print("Fake Hotmart API → raw.hotmart_sales")
    for key, value in figures.items():
        print(f"  {key}: {value}")
    ok = figures["peak_rss_mb"] < 500
    print(f"  peak RSS < 500 MB: {'ok' if ok else 'MISSED'}; "
          f"≥ 0.3× \\copy: {'ok' if figures['vs_copy_reference'] >= 0.3 else 'MISSED'}; "
          f"≥ 10× to_sql: {'ok' if figures['vs_to_sql_reference'] >= 10 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
