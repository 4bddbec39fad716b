"""The hotmart domain: raw products, sales and commissions from the Hotmart Developers API (or its fake)."""

import dagster as dg

from affiliate_assets.defs.hotmart import assets, checks
from affiliate_assets.defs.hotmart.resources import HotmartResource

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([assets]),
    asset_checks=dg.load_asset_checks_from_modules([checks]),
    resources={"hotmart": HotmartResource()},
)
