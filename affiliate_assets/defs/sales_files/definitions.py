"""The sales_files domain: CSV/XLSX drops in SALES_INBOX → raw.sales_history (+ raw.sales_files)."""
import dagster as dg

from affiliate_assets.defs.sales_files import assets, checks, sensors

defs = dg.Definitions(
    assets=[assets.ingest_sales_files],
    asset_checks=dg.load_asset_checks_from_modules([checks]),
    sensors=[sensors.sales_files_inbox_sensor],
)
