"""dbt models as Dagster assets; dbt tests become asset checks."""


import os

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from affiliate_assets.defs.dbt.project import dbt_project
from affiliate_assets.defs.dbt.translator import AffiliateDbtTranslator
from affiliate_assets.lib.warehouse import Warehouse, dbt_env


def point_dbt_at(warehouse: Warehouse) -> None:
    """dbt reads its connection from DBT_* variables (profiles.yml); derive them from the warehouse."""
    os.environ.update(dbt_env(warehouse.url))


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=AffiliateDbtTranslator(),
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """Build (run + test) the selected models; row counts and column schemas land as metadata."""
    point_dbt_at(warehouse)
    yield from dbt.cli(["build"], context=context).stream().fetch_row_counts().fetch_column_metadata()
