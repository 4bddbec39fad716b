"""dbt models as Dagster assets; dbt tests become asset checks.

Two definitions over the one prepared manifest (the dagster-open-platform split):

- ``dbt_partitioned_models``: the incremental facts tagged ``partitioned`` (``fct_sales``), on the shared
  ``daily_partitions`` with single-run backfills. Each run passes its partition window to dbt as
  ``--vars {min_date, max_date}``; the model deletes and rebuilds exactly those days, so a 7-day backfill is
  one ``dbt build`` touching seven days, and re-running a day gives the same rows.
- ``dbt_models``: everything else (staging views, dimensions, KPI marts), unpartitioned.

Both stream dbt's events and add row counts and column schemas as materialization metadata (metadata.py).
"""

import json
import os
from collections.abc import Iterator, Sequence
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from affiliate_assets.defs.dbt.metadata import with_relation_metadata
from affiliate_assets.defs.dbt.project import dbt_project
from affiliate_assets.defs.dbt.sources import load_manifest, prepare_sources, unbuilt_partitioned_models
from affiliate_assets.defs.dbt.translator import AffiliateDbtTranslator
from affiliate_assets.lib.partitions import daily_partitions, partition_window
from affiliate_assets.lib.warehouse import Warehouse, dbt_env

PARTITIONED_TAG = "partitioned"
PARTITIONED_SELECTOR = f"tag:{PARTITIONED_TAG}"
"""dbt selector of the daily-partitioned incremental models (config ``tags: ['partitioned']``)."""


def point_dbt_at(warehouse: Warehouse) -> None:
    """dbt reads its connection from DBT_* variables (profiles.yml); derive them from the warehouse."""
    os.environ.update(dbt_env(warehouse.url))


def window_vars(context: dg.AssetExecutionContext) -> dict[str, str]:
    """The run's partition window as dbt vars: ``[min_date, max_date)`` in ISO days (UTC)."""
    start, end = partition_window(context)
    return {"min_date": start.date().isoformat(), "max_date": end.date().isoformat()}


def build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: Warehouse,
    extra: Sequence[str] = (),
    *,
    indirect_selection: str,
    skip_unbuilt_partitioned: bool = False,
) -> Iterator[Any]:
    """``dbt build`` of the run's selection; events carry row counts and column schemas.

    Missing raw tables are created empty from their specs first (see ``sources.py``), so a domain that has
    loaded nothing yet never breaks the build of the others. ``indirect_selection`` says which tests run
    with the selected models (dagster-dbt still overrides it when it must select tests one by one).
    ``skip_unbuilt_partitioned`` leaves out what reads a partitioned model not built yet.
    """
    point_dbt_at(warehouse)
    os.environ["DBT_INDIRECT_SELECTION"] = indirect_selection
    manifest = load_manifest(dbt_project().manifest_path)
    excludes = prepare_sources(warehouse, manifest, logger=context.log)
    if skip_unbuilt_partitioned:
        waiting = unbuilt_partitioned_models(warehouse, manifest, PARTITIONED_TAG)
        if waiting:
            context.log.warning(f"not built yet: {', '.join(w.rstrip('+') for w in waiting)}; skipping what reads "
                                "them until a partitioned run builds them")
        excludes += waiting
    exclude_args = ["--exclude", " ".join(excludes)] if excludes else []
    invocation = dbt.cli(["build", *extra, *exclude_args], context=context)
    yield from with_relation_metadata(context, warehouse, invocation.stream())


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    exclude=PARTITIONED_SELECTOR,
    dagster_dbt_translator=AffiliateDbtTranslator(),
    name="dbt_models",
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """Staging views, dimensions and KPI marts: rebuilt whole (small tables, minutes of data work at most).

    Tests run when every model they read is built or upstream of the selection (``buildable``): the
    fact's relationships tests belong to the partitioned run, not to a dimensions-only run before it."""
    yield from build(context, dbt, warehouse, indirect_selection="buildable", skip_unbuilt_partitioned=True)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    select=PARTITIONED_SELECTOR,
    dagster_dbt_translator=AffiliateDbtTranslator(),
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="dbt_partitioned_models",
)
def dbt_partitioned_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """Incremental facts for the partition window only (one day, or a whole backfill range in one run)."""
    dbt_vars = window_vars(context)
    context.log.info("dbt window: %s", dbt_vars)
    # eager: the fact's relationships tests run with it although the dimensions are built elsewhere.
    yield from build(context, dbt, warehouse, ["--vars", json.dumps(dbt_vars)], indirect_selection="eager")
