"""Demo input for the voice part: sample voice notes (pt-BR and English, a silent and a corrupt file)
dropped into VOICE_INBOX."""

from __future__ import annotations

from affiliate_assets.lib.settings import Settings

DEMO_FOLDER = "demo"


def prepare_demo(settings: Settings) -> str:
    """Render the sample notes into ``<VOICE_INBOX>/demo`` once (idempotent: an existing folder is left
    alone, so a second demo transcribes nothing new)."""
    from affiliate_assets.sample_data.voice_notes import generate_voice_notes, tools_available

    folder = settings.voice_inbox / DEMO_FOLDER
    existing = sorted(folder.glob("*.*")) if folder.is_dir() else []
    if existing:
        return f"{len(existing)} sample voice notes already in {folder}"
    if not tools_available():
        return "espeak-ng or sox missing: no sample voice notes (apt-get install espeak-ng sox)"
    notes = generate_voice_notes(folder)
    return f"{len(notes)} sample voice notes (+ FLAC/OGG copies, 1 silent, 1 corrupt) written to {folder}"
