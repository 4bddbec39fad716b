"""The offline demo: materialize every asset end to end on bundled data, then show what was built.

Runs go through the persistent Dagster instance (DAGSTER_HOME, dagster-postgres), so everything the demo
built shows in the UI afterwards. Partitioned and unpartitioned assets cannot share a run, so the asset
graph is executed in waves: each wave takes every not-yet-built asset of one kind whose parents are built,
and partitioned waves run as one single-run backfill over the demo window.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date, timedelta

import dagster as dg

from affiliate_assets.lib.partitions import SAMPLE_START_DATE, yesterday_utc
from affiliate_assets.lib.plugins import import_optional
from affiliate_assets.lib.warehouse import Warehouse

LAYER_SCHEMAS = ("raw", "staging", "marts", "ml", "reco", "ops")
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def plan_waves(graph) -> list[tuple[bool, set[dg.AssetKey]]]:
    """Split materializable assets into ordered waves of (partitioned?, keys)."""
    todo = {k for k in graph.materializable_asset_keys}
    done: set[dg.AssetKey] = set()
    waves: list[tuple[bool, set[dg.AssetKey]]] = []
    partitioned = {k: graph.get(k).partitions_def is not None for k in todo}
    while todo:
        progressed = False
        for want in (False, True):
            wave: set[dg.AssetKey] = set()
            changed = True
            while changed:
                changed = False
                for key in sorted(todo - wave):
                    if partitioned[key] != want:
                        continue
                    parents = {p for p in graph.get(key).parent_keys if p in partitioned}
                    if parents <= done | wave:
                        wave.add(key)
                        changed = True
            if wave:
                waves.append((want, wave))
                done |= wave
                todo -= wave
                progressed = True
        if not progressed:
            raise RuntimeError(f"cannot order assets (cycle?): {sorted(k.to_user_string() for k in todo)}")
    return waves


def prepare_inputs(log=print) -> None:
    """Let each domain put its offline inputs in place (sample files in inboxes, ...), idempotently.

    A domain that needs this has ``defs/<domain>/demo.py`` with ``prepare_demo(settings) -> str``.
    """
    from affiliate_assets.definitions import DOMAINS
    from affiliate_assets.lib.settings import load_settings

    settings = load_settings()
    for domain in DOMAINS:
        module = import_optional(f"affiliate_assets.defs.{domain}.demo")
        if module is not None:
            log(f"→ {domain}: {module.prepare_demo(settings)}")


def run_demo(defs: dg.Definitions, instance: dg.DagsterInstance, *, start: str | None = None,
             end: date | None = None, log=print) -> None:
    prepare_inputs(log)
    graph = defs.resolve_asset_graph()
    assets = list(graph.assets_defs)
    last_day = (end or yesterday_utc()).isoformat()
    first_day = start or SAMPLE_START_DATE
    for partitioned, keys in plan_waves(graph):
        names = ", ".join(sorted(k.to_user_string() for k in keys))
        tags = {RANGE_START: first_day, RANGE_END: last_day} if partitioned else {}
        window = f" for {first_day}..{last_day}" if partitioned else ""
        log(f"→ materializing {len(keys)} assets{window}: {names}")
        started = time.perf_counter()
        result = dg.materialize(
            assets, selection=dg.AssetSelection.keys(*keys), instance=instance,
            tags={"affiliate/source": "demo", **tags},
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
        failed_checks = [c for c in result.get_asset_check_evaluations() if not c.passed]
        log(f"  done in {time.perf_counter() - started:.1f}s; checks: "
            f"{len(result.get_asset_check_evaluations())} ({len(failed_checks)} failed)")
        for check in failed_checks:
            log(f"  ! check {check.asset_key.to_user_string()}:{check.check_name} failed")


def layer_counts(warehouse: Warehouse, schemas: Iterable[str] = LAYER_SCHEMAS) -> list[tuple[str, str, int]]:
    """(schema, relation, rows) for every table and view of the layers."""
    rows = warehouse.fetchall(
        """
        select table_schema, table_name, table_type from information_schema.tables
        where table_schema = any(%s) order by table_schema, table_name
        """,
        (list(schemas),),
    )
    from psycopg import sql

    out = []
    with warehouse.connect() as conn:
        for schema, name, _ in rows:
            n = conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(schema, name))).fetchone()[0]
            out.append((schema, name, n))
    return out


def print_summary(warehouse: Warehouse, log=print) -> None:
    log("\nWhat the warehouse holds now:")
    log(f"  {'relation':<48} {'rows':>10}")
    for schema, name, n in layer_counts(warehouse):
        log(f"  {schema + '.' + name:<48} {n:>10,}")


def default_window_start(days: int) -> str:
    return (yesterday_utc() - timedelta(days=days - 1)).isoformat()
