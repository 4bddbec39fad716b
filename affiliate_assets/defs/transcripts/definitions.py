import dagster as dg

# Screens (OCR) and voice (speech-to-text + intents) are built side by side; each module exposes `defs`.
from affiliate_assets.defs.transcripts import screens, voice

defs = dg.Definitions.merge(screens.defs, voice.defs)
