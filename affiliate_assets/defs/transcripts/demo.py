"""Demo inputs for transcripts: sample screenshots and voice notes dropped into their inboxes."""

from __future__ import annotations

from affiliate_assets.lib.plugins import import_optional
from affiliate_assets.lib.settings import Settings


def prepare_demo(settings: Settings) -> str:
    notes = []
    for part in ("screens_demo", "voice_demo"):
        module = import_optional(f"affiliate_assets.defs.transcripts.{part}")
        if module is not None:
            notes.append(module.prepare_demo(settings))
    return "; ".join(notes) or "nothing to prepare yet"
