"""Which engine produces the recommendations: the LLM (live Anthropic or the bundled fake) or offline.

``RECO_MODE`` (or the run config ``mode``) picks it:

- ``auto`` (default): the LLM when ``ANTHROPIC_API_KEY`` is set, else the offline ranking;
- ``llm``: the LLM always; with no key it talks to ``ANTHROPIC_BASE_URL`` if set (e.g. a fake started with
  ``python -m affiliate_assets.fakes anthropic``), else to the bundled fake started in-process — the full
  tool loop, offline (what ``affiliate demo`` does);
- ``offline``: the offline ranking, even with a key (no spend).
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from affiliate_assets.lib.settings import Settings, load_settings

MODES = ("auto", "llm", "offline")
FAKE_API_KEY = "sk-ant-fake-key"  # the bundled fake accepts any key


@dataclass(frozen=True)
class Engine:
    mode: str  # llm | offline
    source_mode: str  # live | fake | none
    api_key: str | None = None
    base_url: str | None = None
    why: str = ""


def requested_mode(config_mode: str | None) -> str:
    # RECO_MODE comes from Settings (lib/settings.py); run config wins over it.
    mode = (config_mode or load_settings().reco_mode or "auto").strip().lower()
    if mode not in MODES:
        raise dg.Failure(description=f"RECO_MODE/mode must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def choose_engine(config_mode: str | None, settings: Settings) -> Engine:
    mode = requested_mode(config_mode)
    if mode == "offline":
        return Engine("offline", "none", why="RECO_MODE=offline")
    if settings.anthropic_api_key:
        return Engine("llm", "live", settings.anthropic_api_key, settings.anthropic_base_url,
                      why="ANTHROPIC_API_KEY set")
    if mode == "auto":
        return Engine("offline", "none", why="no ANTHROPIC_API_KEY (RECO_MODE=auto)")
    if settings.anthropic_base_url:
        return Engine("llm", "fake", FAKE_API_KEY, settings.anthropic_base_url,
                      why="RECO_MODE=llm, no key: ANTHROPIC_BASE_URL")
    from affiliate_assets.fakes.runtime import shared_fake

    return Engine("llm", "fake", FAKE_API_KEY, shared_fake("anthropic").base_url,
                  why="RECO_MODE=llm, no key: bundled fake Messages API")
