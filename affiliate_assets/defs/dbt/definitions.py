import shutil
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from affiliate_assets.defs.dbt.assets import dbt_models, dbt_partitioned_models
from affiliate_assets.defs.dbt.project import dbt_project

# The dbt installed beside this interpreter (the venv's), even when the venv is not activated.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt") if (Path(sys.executable).parent / "dbt").exists() \
    else (shutil.which("dbt") or "dbt")

defs = dg.Definitions(
    assets=[dbt_models, dbt_partitioned_models],
    resources={
        "dbt": DbtCliResource(
            project_dir=dbt_project(),
            profiles_dir=str(dbt_project().profiles_dir),
            dbt_executable=DBT_EXECUTABLE,
        )
    },
)
