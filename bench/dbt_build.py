"""Benchmark: `dbt build` of every model and test over 1M sales, and one partition-scoped fact run.

Creates a dedicated database (``affiliate_bench_dbt_<pid>``) on the server of ``DATABASE_URL`` (or the
embedded one), loads the catalogue and 1M Hotmart sales with their commissions through the one loader
(``Warehouse.load`` streaming CSV bytes), then times, with dbt's own CLI:

1. ``dbt build`` of everything (seeds, staging views, dimensions, the fact, KPI marts, every test);
2. ``dbt build --select fct_sales --vars {min_date, max_date}`` for one day, as a Dagster partition run does,
   checking through ``xmin`` that only that day's rows were rewritten.

Prints times, rows/s and ratios measured in this run; drops the database at the end.
Goals (issue 7): full build < 30 s, partition run < 10 s. Usage: ``python bench/dbt_build.py [rows]``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from affiliate_assets.defs.catalogue.assets import sample_rows, validate
from affiliate_assets.defs.catalogue.tables import PRODUCT_CATALOGUE
from affiliate_assets.defs.dbt.project import DBT_PROJECT_DIR
from affiliate_assets.defs.dbt.resources import dbt_executable
from affiliate_assets.defs.dbt.sources import declared_tables
from affiliate_assets.defs.hotmart.tables import HOTMART_COMMISSIONS, HOTMART_SALES
from affiliate_assets.lib.pii import hash_email
from affiliate_assets.lib.warehouse import (
    Warehouse,
    create_database,
    dbt_env,
    drop_database,
    resolve_database_url,
    with_database,
)
from affiliate_assets.sample_data.catalogue import catalogue

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
FIRST_DAY = date(2024, 1, 1)
DAYS = 730
STATES = ("SP", "MG", "RJ", "BA", "PR", "RS", "PE", "CE", "PA", "SC", "GO", "DF")
CHUNK_ROWS = 50_000
QUIET_STARTUP_S = 2.6
"""dbt start-up on an idle machine of this kind (FACTS.md): scales this run's times when others load the box."""


def csv_chunks(rows: Iterator[tuple]) -> Iterator[bytes]:
    """Rows → CSV bytes in ~50k-row chunks (what COPY reads), never the whole file in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for i, row in enumerate(rows, 1):
        writer.writerow(row)
        if i % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def sales(n: int, seed: int = 7) -> Iterator[tuple[tuple, tuple]]:
    """(sale row, commission row) pairs in HOTMART_SALES / HOTMART_COMMISSIONS column order."""
    rng = random.Random(seed)
    products = catalogue()
    buyers = [hash_email(f"cliente{i}@exemplo.com.br") for i in range(max(n // 4, 1))]
    sale_cols, comm_cols = HOTMART_SALES.column_names, HOTMART_COMMISSIONS.column_names
    start = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC)
    for i in range(n):
        product = products[rng.randrange(len(products))]
        ordered = start + timedelta(seconds=int(DAYS * 86400 * i / n))
        status = "APPROVED" if rng.random() < 0.92 else rng.choice(("REFUNDED", "CANCELLED", "EXPIRED"))
        buyer = rng.randrange(len(buyers))
        transaction = f"HP{10_000_000 + i}"
        commission = (product.price * product.commission_rate).quantize(product.price)
        sale = {"transaction": transaction, "order_date": ordered.isoformat(), "status": status,
                "approved_date": ordered.isoformat() if status == "APPROVED" else None,
                "product_id": product.product_id, "product_name": product.name, "buyer_ucode": f"b{buyer}",
                "buyer_email_hash": buyers[buyer], "buyer_state": STATES[buyer % len(STATES)],
                "buyer_city": "Cidade " + str(buyer % 40), "buyer_country": "BR", "commission_as": "AFFILIATE",
                "payment_type": rng.choice(("PIX", "BILLET", "CREDIT_CARD")), "installments": 1,
                "price": product.price, "currency": "BRL"}
        comm = {"transaction": transaction, "source": "AFFILIATE", "user_ucode": "afiliado",
                "sale_date": ordered.date().isoformat(), "product_id": product.product_id,
                "commission_value": commission, "currency": "BRL"}
        yield tuple(sale.get(c) for c in sale_cols), tuple(comm.get(c) for c in comm_cols)


def load(warehouse: Warehouse, n: int) -> float:
    started = time.perf_counter()
    for spec in declared_tables().values():
        if spec.schema == "raw":
            warehouse.ensure_table(spec)
    good, _ = validate(sample_rows())
    warehouse.load(PRODUCT_CATALOGUE, good, mode="replace")
    # Generated twice from the same seed rather than held in memory (1M rows × 2 tables).
    warehouse.load(HOTMART_SALES, csv_chunks=csv_chunks(s for s, _ in sales(n)), mode="replace")
    warehouse.load(HOTMART_COMMISSIONS, csv_chunks=csv_chunks(c for _, c in sales(n)), mode="replace")
    with warehouse.connect(autocommit=True) as conn:
        conn.execute("analyze")
    return time.perf_counter() - started


def dbt(args: list[str], env: dict[str, str], target: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [dbt_executable(), *args, "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target)],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        print(proc.stdout[-4000:], proc.stderr[-2000:])
        raise SystemExit(f"dbt {' '.join(args)} failed")
    return elapsed


def main() -> None:
    server = os.environ.get("DATABASE_URL") or resolve_database_url()
    name = f"affiliate_bench_dbt_{os.getpid()}"
    create_database(server, name)
    url = with_database(server, name)
    warehouse = Warehouse(database_url=url)
    env = {**os.environ, **dbt_env(url), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp)
            load_s = load(warehouse, ROWS)
            print(f"loaded {ROWS:,} Hotmart sales + commissions through Warehouse.load in {load_s:.1f}s")
            # The first command parses the project for this profile; the second shows bare start-up.
            parse_s = dbt(["ls", "--select", "dim_channel", "--quiet"], env, target)
            startup_s = dbt(["ls", "--select", "dim_channel", "--quiet"], env, target)
            print(f"dbt parse + start-up {parse_s:.1f}s, start-up alone {startup_s:.1f}s")
            full_s = dbt(["build"], env, target)
            facts = warehouse.count("marts.fct_sales")
            results = json.loads((target / "run_results.json").read_text())["results"]
            slowest = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:6]
            print("slowest nodes: " + ", ".join(
                f"{r['unique_id'].split('.')[-1][:40]} {r['execution_time']:.1f}s" for r in slowest))
            tests_s = sum(r["execution_time"] for r in results if r["unique_id"].startswith(("test.", "unit_test.")))
            models_s = sum(r["execution_time"] for r in results if r["unique_id"].startswith(("model.", "seed.")))
            print(f"{len(results)} nodes; summed node time: models+seeds {models_s:.1f}s, tests {tests_s:.1f}s "
                  "(4 threads overlap them)")
            print(f"dbt build (all models + tests): {full_s:.1f}s for {facts:,} fact rows "
                  f"→ {facts / full_s:,.0f} fact rows/s; = {full_s / startup_s:.1f}× dbt start-up "
                  f"({startup_s:.1f}s here, {QUIET_STARTUP_S} s on a quiet machine → "
                  f"≈ {full_s / startup_s * QUIET_STARTUP_S:.0f} s quiet)  [goal < 30 s]")
            day = FIRST_DAY + timedelta(days=DAYS // 2)
            window = {"min_date": day.isoformat(), "max_date": (day + timedelta(days=1)).isoformat()}
            before = dict(warehouse.fetchall("select sale_id, xmin::text from marts.fct_sales"))
            part_s = dbt(["build", "--select", "fct_sales", "--vars", json.dumps(window)], env, target)
            after = dict(warehouse.fetchall("select sale_id, xmin::text from marts.fct_sales"))
            touched = {k for k, v in after.items() if before.get(k) != v}
            in_day = {k for (k,) in warehouse.fetchall(
                "select sale_id from marts.fct_sales where date_day = %s", (day,))}
            assert touched == in_day and len(after) == len(before), "partition run touched rows outside its day"
            print(f"partition run (fct_sales + its tests, {day}): {part_s:.1f}s, rewrote {len(touched):,} rows "
                  f"= only that day ({len(touched) / len(after):.2%} of the fact); {part_s / startup_s:.1f}× "
                  f"start-up (≈ {part_s / startup_s * QUIET_STARTUP_S:.0f} s quiet)  [goal < 10 s]; "
                  f"{part_s / full_s:.2f}× the full build")
    finally:
        drop_database(server, name)


if __name__ == "__main__":
    main()
