"""Demo inputs: make ``affiliate demo`` exercise the LLM tool loop against the bundled fake.

With no ``ANTHROPIC_API_KEY`` and no ``RECO_MODE`` chosen, the demo sets ``RECO_MODE=llm``: the latest day
is recommended by the fake Messages API through the full tool loop (tool calls, tokens and cost land in
``reco.llm_runs``), older days by the offline ranking. Set ``RECO_MODE=offline`` to skip it.
"""

from __future__ import annotations

import os

from affiliate_assets.lib.settings import Settings


def prepare_demo(settings: Settings) -> str:
    if settings.anthropic_api_key:
        return "ANTHROPIC_API_KEY set: recommendations use the live API for the latest day"
    if os.environ.get("RECO_MODE"):
        return f"RECO_MODE={os.environ['RECO_MODE']} kept"
    os.environ["RECO_MODE"] = "llm"
    return "RECO_MODE=llm: the latest day goes through the bundled fake Messages API (tool use), older days offline"
