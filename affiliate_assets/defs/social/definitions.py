import dagster as dg

from affiliate_assets.defs.social import assets, checks
from affiliate_assets.defs.social.clients import SocialApis

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([assets]),
    asset_checks=dg.load_asset_checks_from_modules([checks]),
    # Each field defaults to INSTAGRAM_* / FACEBOOK_* / TIKTOK_* from the environment at run time.
    resources={"social": SocialApis()},
)
