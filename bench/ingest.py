"""Raw ingestion benchmark: 1M sales rows from a generated file and from the fake Hotmart API into ``raw``.

    .venv/bin/python bench/ingest.py [--rows 1000000] [--to-sql-rows 100000] [--general-rows 100000]

Prints rows/s, the ratio to plain ``psql \\copy`` of the same rows, the ratio to pandas ``to_sql`` and peak
RSS, all measured in this one run (see ingest_files.py for what each figure times). The API path is
``bench/ingest_api.py`` ``run(rows)`` from the Hotmart domain, when it is there. Goals (issue 4): files
≥ 0.6× ``\\copy``, API ≥ 0.3×, both ≥ 10× ``to_sql``, peak RSS < 500 MB.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]


def _api_runner():
    """``ingest_api.run`` if the Hotmart domain's bench has landed, else None."""
    if importlib.util.find_spec("ingest_api") is None:
        return None
    import ingest_api

    return getattr(ingest_api, "run", None)


def _verdict(value: float, goal: float, higher_is_better: bool = True) -> str:
    ok = value >= goal if higher_is_better else value < goal
    return "ok" if ok else "MISSED"


def print_files(r: dict[str, Any]) -> None:
    ing, cp, ts, gen = r["ingest"], r["copy"], r["to_sql"], r["general"]
    print(f"Sales file → raw.sales_history: {r['rows']:,} rows, {r['file_mb']} MB export-format CSV "
          f"(generated in {r['generate_s']} s, not timed)")
    print(f"  psql \\copy (plain table)   {cp['seconds']:7.2f} s {cp['rows_per_s']:>10,} rows/s  "
          f"peak RSS {cp['peak_rss_mb']} MB (psql)")
    print(f"  ingest_file (fast path)    {ing['seconds']:7.2f} s {ing['rows_per_s']:>10,} rows/s  "
          f"peak RSS {ing['peak_rss_mb']} MB [{_verdict(ing['peak_rss_mb'], 500, False)} < 500 MB]")
    print(f"  pandas to_sql ({ts['rows']:,} rows) {ts['seconds']:7.2f} s {ts['rows_per_s']:>10,} rows/s  "
          f"peak RSS {ts['peak_rss_mb']} MB")
    print(f"  ratio to \\copy: {ing['vs_copy']}× [{_verdict(ing['vs_copy'], 0.6)} ≥ 0.6×]   "
          f"ratio to to_sql: {ing['vs_to_sql']}× [{_verdict(ing['vs_to_sql'], 10)} ≥ 10×]")
    print(f"  general path (Superstore cp1252 ';' decimal comma, {gen['rows']:,} rows): "
          f"{gen['rows_per_s']:,} rows/s, peak RSS {gen['peak_rss_mb']} MB (reference, no goal)")


def print_api(r: dict[str, Any], files: dict[str, Any]) -> None:
    """The API figures, with ratios to the ``\\copy`` and ``to_sql`` rates measured above in this run."""
    vs_copy = r["rows_per_s"] / files["copy"]["rows_per_s"]
    vs_to_sql = r["rows_per_s"] / files["to_sql"]["rows_per_s"]
    print(f"Fake Hotmart API → raw.hotmart_sales: {r['rows']:,} rows in {r['seconds']} s, "
          f"{r['rows_per_s']:,} rows/s, peak RSS {r['peak_rss_mb']} MB "
          f"[{_verdict(r['peak_rss_mb'], 500, False)} < 500 MB] (fake server {r.get('fake_peak_rss_mb')} MB)")
    print(f"  ratio to \\copy (this run): {vs_copy:.2f}× [{_verdict(vs_copy, 0.3)} ≥ 0.3×]   "
          f"ratio to to_sql (this run): {vs_to_sql:.1f}× [{_verdict(vs_to_sql, 10)} ≥ 10×]")
    print("  " + ", ".join(f"{k}: {v}" for k, v in r.items()
                           if k not in ("rows", "seconds", "rows_per_s", "peak_rss_mb")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--to-sql-rows", type=int, default=100_000,
                        help="rows for the to_sql baseline (its rate is compared; 1M takes ~1 min, 1.4 GB)")
    parser.add_argument("--general-rows", type=int, default=100_000)
    args = parser.parse_args(argv)

    import ingest_files

    files = ingest_files.run(args.rows, to_sql_rows=args.to_sql_rows, general_rows=args.general_rows)
    print_files(files)
    api = _api_runner()
    if api is None:
        print("API path: not available yet")
    else:
        print_api(api(args.rows), files)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
