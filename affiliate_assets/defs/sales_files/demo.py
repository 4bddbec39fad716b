"""Demo inputs for sales_files: one sample file of each shape dropped into SALES_INBOX.

Idempotent: the files are deterministic (same bytes → same hash), so after the first demo the asset
recognises them as already loaded and only archives them under ``duplicates/``.
"""

from affiliate_assets.lib.settings import Settings


def prepare_demo(settings: Settings) -> str:
    from affiliate_assets.sample_data.sales_files import write_demo_files

    files = write_demo_files(settings.sales_inbox)
    return f"{len(files)} sample sales files in {settings.sales_inbox}: " + ", ".join(p.name for p in files)
