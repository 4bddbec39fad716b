"""Demo inputs for transcripts: sample screenshots and voice notes dropped into their inboxes."""

from __future__ import annotations

import importlib

from affiliate_assets.lib.settings import Settings


def prepare_demo(settings: Settings) -> str:
    notes = []
    for part in ("screens_demo", "voice_demo"):
        try:
            module = importlib.import_module(f"affiliate_assets.defs.transcripts.{part}")
        except ModuleNotFoundError as exc:
            if exc.name != f"affiliate_assets.defs.transcripts.{part}":
                raise
            continue
        notes.append(module.prepare_demo(settings))
    return "; ".join(notes) or "nothing to prepare yet"
