"""The resources every domain shares, built in one place."""

from __future__ import annotations

from typing import Any

from affiliate_assets.lib.warehouse import Warehouse


def shared_resources() -> dict[str, Any]:
    # database_url unset → DATABASE_URL from the environment at run time, else the embedded server.
    return {"warehouse": Warehouse()}
