"""Sales files → raw.sales_history, measured against ``psql \\copy`` and pandas ``to_sql`` in one run.

``run(rows)`` creates a dedicated bench database, writes an export-format file of ``rows`` sales (not
timed), then times, each in its own child process so peak RSS is that method's alone:

- ``\\copy``: psql copying the same file into a plain table of the same columns (the floor: no Python);
- ``ingest``: this project's ingestion of that file, end to end (hash, ledger, fast COPY path into
  raw.sales_history with its primary key, archive);
- ``to_sql``: pandas ``read_csv`` + ``to_sql`` of the same rows (on ``to_sql_rows`` rows: at ~18k rows/s
  and 1.4 GB for 1M rows it would dominate the run; its rate is what the ratio compares);
- ``general``: the row-by-row path on a Superstore-shaped cp1252 / ``;`` / decimal-comma file of
  ``general_rows`` rows, for reference (not a goal).

The database is dropped at the end.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parents[1]
BASE_ROWS = 20_000


def write_bench_file(path: Path, rows: int) -> Path:
    """``rows`` export-format lines: ``BASE_ROWS`` real sales from the shared generator (it makes ~7k
    sales/s, too slow for 1M), tiled over later days with distinct order ids."""
    from affiliate_assets.defs.sales_files.parsing import EXPORT_COLUMNS
    from affiliate_assets.sample_data.sales_files import export_rows

    base = list(export_rows(min(rows, BASE_ROWS), start=date(2024, 3, 1), scale=200))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        written, copy = 0, 0
        while written < rows:
            shift = timedelta(days=copy)
            for row in base[: rows - written]:
                out = list(row)
                out[0] = f"{row[0]}-{copy}"
                out[2] = (date.fromisoformat(row[2]) + shift).isoformat()
                out[3] = (date.fromisoformat(row[3]) + shift).isoformat() if row[3] else ""
                writer.writerow(out)
            written += min(len(base), rows - written)
            copy += 1
    return path


def _child(code: str, env: dict[str, str]) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; it prints one JSON line. Adds the child's peak RSS (MB)."""
    wrapper = code + "\nimport resource as _r\n_out['peak_rss_mb'] = _r.getrusage(_r.RUSAGE_SELF).ru_maxrss / 1024\n" \
                     "print(json.dumps(_out))\n"
    done = subprocess.run([PYTHON, "-c", wrapper], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


INGEST = """
import json, time
from pathlib import Path
from affiliate_assets.defs.sales_files.ingest import ingest_file
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.lib.warehouse import Warehouse
wh = Warehouse(database_url={url!r})
wh.bootstrap()
t = time.perf_counter()
o = ingest_file(Path({path!r}), wh, load_settings())
_out = {{"seconds": time.perf_counter() - t, "rows": o.rows_loaded, "rejected": o.rows_rejected,
        "fast_path": o.fast_path, "status": o.status}}
"""

COPY = """
import json, subprocess, time, resource
t = time.perf_counter()
subprocess.run(["psql", {url!r}, "-q", "-v", "ON_ERROR_STOP=1", "-c",
                "\\\\copy bench.copy_target from '" + {path!r} + "' csv header"],
               check=True)
seconds = time.perf_counter() - t
_out = {{"seconds": seconds,
        "psql_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}}
"""

TO_SQL = """
import json, time
import pandas as pd
from sqlalchemy import create_engine
engine = create_engine({sa_url!r})
t = time.perf_counter()
df = pd.read_csv({path!r}, nrows={rows}, dtype=str, keep_default_na=False)
df.to_sql("to_sql_target", engine, schema="bench", if_exists="append", index=False, chunksize=10000)
_out = {{"seconds": time.perf_counter() - t, "rows": len(df)}}
"""


def _rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds > 0 else float("inf")


def run(rows: int = 1_000_000, *, to_sql_rows: int = 100_000, general_rows: int = 100_000,
        keep_files: bool = False) -> dict[str, Any]:
    """Measure the file path on ``rows`` rows; returns the figures (and prints nothing)."""
    from psycopg import sql

    from affiliate_assets.defs.sales_files.parsing import EXPORT_COLUMNS
    from affiliate_assets.defs.sales_files.tables import SALES_HISTORY
    from affiliate_assets.lib.warehouse import (
        Warehouse,
        create_database,
        drop_database,
        resolve_database_url,
        sqlalchemy_url,
        with_database,
    )
    from affiliate_assets.sample_data.sales_files import write_superstore_csv

    server = resolve_database_url()
    name = f"affiliate_bench_{uuid.uuid4().hex[:8]}"
    create_database(server, name)
    url = with_database(server, name)
    work = Path(tempfile.mkdtemp(prefix="bench_files_"))
    env = {**os.environ, "DATABASE_URL": url, "AFFILIATE_DATA_DIR": str(work / "data")}
    try:
        started = time.perf_counter()
        source = write_bench_file(work / "bench_export.csv", rows)
        general = write_superstore_csv(work / "bench_superstore.csv", general_rows, style="br")
        generate_s = time.perf_counter() - started

        wh = Warehouse(database_url=url)
        types = {c.name: c.type for c in SALES_HISTORY.columns}
        cols = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(types[c]))
                                  for c in EXPORT_COLUMNS)
        wh.execute("create schema if not exists bench")
        wh.execute(sql.SQL("create table bench.copy_target ({})").format(cols))

        copied = _child(COPY.format(url=url, path=str(source)), env)
        inbox_copy = work / "inbox" / source.name
        inbox_copy.parent.mkdir(parents=True)
        shutil.copyfile(source, inbox_copy)
        ingested = _child(INGEST.format(url=url, path=str(inbox_copy)), env)
        general_out = _child(INGEST.format(url=url, path=str(general)), env)
        n_sql = min(rows, to_sql_rows)
        to_sql = _child(TO_SQL.format(sa_url=sqlalchemy_url(url).replace("+psycopg2", "+psycopg"),
                                      path=str(source), rows=n_sql), env)

        assert ingested["rows"] == rows and ingested["fast_path"], ingested
        assert wh.count("raw.sales_history") == rows + general_out["rows"]
        assert wh.count("bench.copy_target") == rows
        copy_rate = _rate(rows, copied["seconds"])
        ingest_rate = _rate(rows, ingested["seconds"])
        to_sql_rate = _rate(to_sql["rows"], to_sql["seconds"])
        return {
            "rows": rows,
            "file_mb": round(source.stat().st_size / 1e6, 1),
            "generate_s": round(generate_s, 1),
            "copy": {"seconds": round(copied["seconds"], 2), "rows_per_s": round(copy_rate),
                     "peak_rss_mb": round(copied["psql_rss_mb"])},
            "ingest": {"seconds": round(ingested["seconds"], 2), "rows_per_s": round(ingest_rate),
                       "peak_rss_mb": round(ingested["peak_rss_mb"]),
                       "vs_copy": round(ingest_rate / copy_rate, 2),
                       "vs_to_sql": round(ingest_rate / to_sql_rate, 1)},
            "to_sql": {"rows": to_sql["rows"], "seconds": round(to_sql["seconds"], 2),
                       "rows_per_s": round(to_sql_rate), "peak_rss_mb": round(to_sql["peak_rss_mb"])},
            "general": {"rows": general_out["rows"], "seconds": round(general_out["seconds"], 2),
                        "rows_per_s": round(_rate(general_out["rows"], general_out["seconds"])),
                        "peak_rss_mb": round(general_out["peak_rss_mb"])},
        }
    finally:
        drop_database(server, name)
        if not keep_files:
            shutil.rmtree(work, ignore_errors=True)
