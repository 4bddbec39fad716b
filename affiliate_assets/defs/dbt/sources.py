"""Make sure every dbt source table exists before ``dbt build``, so one missing raw table never breaks the rest.

A raw table appears the first time its asset loads it; until then (a fresh warehouse, a domain nobody has
used yet: no screenshot ever dropped) a staging view over it would fail to create and take its downstream
models with it. Raw tables are declared once as ``TableSpec`` in ``defs/<domain>/tables.py`` (or
``*_tables.py``), and the loader creates them from that spec; we create the missing ones the same way, empty,
which is what they are: "no data yet". Views then read the real table as soon as the asset fills it.

A source with no ``TableSpec`` (its domain is not merged yet) and no table is excluded from the build with its
downstream models, and the run log says so.
"""

from __future__ import annotations

import importlib
import json
import logging
import pkgutil
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from affiliate_assets.lib.warehouse import TableSpec, Warehouse

log = logging.getLogger(__name__)

DEFS_PACKAGE = "affiliate_assets.defs"


def _is_tables_module(name: str) -> bool:
    leaf = name.rsplit(".", 1)[-1]
    return leaf == "tables" or leaf.endswith("_tables")


@cache
def declared_tables() -> dict[str, TableSpec]:
    """Every ``TableSpec`` the domains declare, by qualified name (``raw.hotmart_sales``)."""
    package = importlib.import_module(DEFS_PACKAGE)
    specs: dict[str, TableSpec] = {}
    for domain in pkgutil.iter_modules(package.__path__, DEFS_PACKAGE + "."):
        if not domain.ispkg:
            continue
        domain_pkg = importlib.import_module(domain.name)
        for module in pkgutil.iter_modules(domain_pkg.__path__, domain.name + "."):
            if _is_tables_module(module.name):
                for value in vars(importlib.import_module(module.name)).values():
                    if isinstance(value, TableSpec):
                        specs[value.qualified] = value
    return specs


def source_tables(manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(dbt source selector ``source:name.table``, ``schema.table``) for every source in the manifest."""
    out = []
    for node in manifest.get("sources", {}).values():
        relation = f"{node['schema']}.{node.get('identifier') or node['name']}"
        out.append((f"source:{node['source_name']}.{node['name']}", relation))
    return sorted(out)


def load_manifest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def existing_tables(warehouse: Warehouse, relations: Iterable[str]) -> set[str]:
    wanted = sorted(set(relations))
    rows = warehouse.fetchall(
        "select r from unnest(%s::text[]) as r where to_regclass(r) is not null", (wanted,)
    )
    return {r for (r,) in rows}


def analyze_stale(warehouse: Warehouse, relations: Iterable[str], logger=log) -> list[str]:
    """ANALYZE source tables never analyzed or changed by > 10 % since: a table just bulk-loaded has no
    statistics until autovacuum gets to it, and the planner then expects one row and picks nested loops
    (seconds instead of milliseconds on the joins of the sales union)."""
    rows = warehouse.fetchall(
        """
        select schemaname || '.' || relname from pg_stat_user_tables
        where schemaname || '.' || relname = any(%s)
          and n_live_tup + n_mod_since_analyze > 0
          and (coalesce(last_analyze, last_autoanalyze) is null or n_mod_since_analyze > 0.1 * n_live_tup)
        """,
        (sorted(set(relations)),),
    )
    stale = sorted(r for (r,) in rows)
    if stale:
        from psycopg import sql

        with warehouse.connect(autocommit=True) as conn:
            for relation in stale:
                conn.execute(sql.SQL("analyze {}").format(sql.Identifier(*relation.split(".", 1))))
        logger.info("analyzed %d source tables with stale statistics: %s", len(stale), ", ".join(stale))
    return stale


def prepare_sources(warehouse: Warehouse, manifest: Mapping[str, Any], logger=log) -> list[str]:
    """Create missing source tables from their specs and refresh stale statistics; return ``--exclude``
    selectors for sources that have neither a table nor a spec."""
    sources = source_tables(manifest)
    present = existing_tables(warehouse, (rel for _, rel in sources))
    specs = declared_tables()
    excludes: list[str] = []
    for selector, relation in sources:
        if relation in present:
            continue
        spec = specs.get(relation)
        if spec is not None:
            warehouse.ensure_table(spec)
            logger.info("created empty source table %s from its TableSpec (no data loaded yet)", relation)
        else:
            excludes.append(selector + "+")
            logger.warning("source table %s does not exist and no TableSpec declares it: skipping %s and "
                           "everything downstream of it", relation, selector)
    analyze_stale(warehouse, (rel for _, rel in sources), logger)
    return excludes


def unbuilt_partitioned_models(warehouse: Warehouse, manifest: Mapping[str, Any], tag: str) -> list[str]:
    """``--exclude`` selectors for what reads a partitioned model whose table does not exist yet.

    The partitioned fact is built by its own (partitioned) runs; until the first one, the marts that read it
    cannot build. They are skipped, not failed, so a fresh warehouse can build staging and dimensions first
    (the order the demo and the schedules follow)."""
    models = {
        node["unique_id"]: f"{node['schema']}.{node.get('alias') or node['name']}"
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model" and tag in (node.get("tags") or [])
    }
    present = existing_tables(warehouse, models.values())
    return [f"{unique_id.split('.')[-1]}+" for unique_id, relation in sorted(models.items())
            if relation not in present]
