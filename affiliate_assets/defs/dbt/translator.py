"""How dbt nodes become Dagster assets: keys mirror tables (``staging/stg_x`` ↔ ``staging.stg_x``), groups
follow the layer folder, kinds and owners are set, and every model updates itself when its parents do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings


def layer_of(props: Mapping[str, Any]) -> str:
    """staging | intermediate | marts | kpis, from the model's folder (models/<layer>/...); seeds are
    reference data read by staging and marts alike, grouped with staging."""
    if props.get("resource_type") == "seed":
        return "staging"
    fqn = props.get("fqn") or []
    parts = list(fqn[1:-1])
    if "kpis" in parts:
        return "kpis"
    return parts[0] if parts else "marts"


class AffiliateDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(
            settings=DagsterDbtTranslatorSettings(enable_code_references=False, enable_source_metadata=True)
        )

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            meta_key = (dbt_resource_props.get("meta") or {}).get("dagster", {}).get("asset_key")
            if meta_key:
                return dg.AssetKey(meta_key)
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props.get("schema")
        return dg.AssetKey([schema, dbt_resource_props["alias"] or dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return None
        layer = layer_of(dbt_resource_props)
        return "staging" if layer == "intermediate" else layer

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        return {**super().get_tags(dbt_resource_props), "layer": layer_of(dbt_resource_props)}

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return ["team:analytics-eng"]

    def get_automation_condition(self, dbt_resource_props: Mapping[str, Any]) -> dg.AutomationCondition | None:
        # New raw data flows through staging and marts without a manual run.
        return dg.AutomationCondition.eager()
