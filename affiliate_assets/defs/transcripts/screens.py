"""Screens part of the transcripts domain: screenshot OCR → ``raw/screen_transcripts`` and
``raw/screen_interactions``, the inbox sensor and the checks. Exposes ``defs``.

Heavy libraries (PIL, numpy, pytesseract, rapidfuzz) are imported inside the functions that use them, so
importing this module stays cheap for the code location.
"""

import dagster as dg

from affiliate_assets.defs.transcripts import screen_assets, screen_checks
from affiliate_assets.defs.transcripts.screen_sensor import screens_inbox_sensor

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([screen_assets]),
    asset_checks=dg.load_asset_checks_from_modules([screen_checks]),
    sensors=[screens_inbox_sensor],
)
