"""Demo input for the screens part: sample screenshots (clean and noisy) dropped into SCREENS_INBOX."""

from __future__ import annotations

from affiliate_assets.lib.settings import Settings

DEMO_FOLDER = "demo"


def prepare_demo(settings: Settings) -> str:
    """Render the sample screenshots into ``<SCREENS_INBOX>/demo`` once (idempotent: same bytes, and an
    existing folder is left alone, so the OCR reads nothing new on a second demo)."""
    from affiliate_assets.sample_data.screenshots import generate_screenshots

    folder = settings.screens_inbox / DEMO_FOLDER
    existing = sorted(folder.glob("*.*")) if folder.is_dir() else []
    if existing:
        return f"{len(existing)} sample screenshots already in {folder}"
    truths = generate_screenshots(folder, n_clean=9, blank=True)
    noisy = sum(1 for t in truths if t.variant not in ("clean", "blank"))
    return f"{len(truths)} sample screenshots ({noisy} noisy, 1 blank) written to {folder}"
