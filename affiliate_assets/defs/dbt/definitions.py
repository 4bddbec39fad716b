import dagster as dg

from affiliate_assets.defs.dbt.assets import dbt_models, dbt_partitioned_models
from affiliate_assets.defs.dbt.resources import dbt_resource

defs = dg.Definitions(assets=[dbt_models, dbt_partitioned_models], resources={"dbt": dbt_resource()})
