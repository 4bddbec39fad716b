"""Voice part of the transcripts domain: voice notes → ``raw/voice_transcripts`` (Google Speech-to-Text or
the offline pocketsphinx grammar engine), ``raw/voice_intents`` and ``raw/voice_orders`` (PedidosVoz), the
inbox sensor and the checks. Exposes ``defs``.

Heavy libraries (google.cloud, pocketsphinx, soundfile, scipy, rapidfuzz) are imported inside the functions
that use them, so importing this module stays cheap for the code location.
"""

import dagster as dg

from affiliate_assets.defs.transcripts import voice_assets, voice_checks
from affiliate_assets.defs.transcripts.voice_sensor import voice_inbox_sensor

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([voice_assets]),
    asset_checks=dg.load_asset_checks_from_modules([voice_checks]),
    sensors=[voice_inbox_sensor],
)
