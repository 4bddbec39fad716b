"""Prompts of the LLM path, versioned: the version is stored with every row and run it produced.

Change the wording → bump ``PROMPT_VERSION`` (and add a new ``system_vN.md``), so the recommendations
and the ``reco.llm_runs`` log say which prompt produced what.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from affiliate_assets.defs.recommendations.signals import Signals

PROMPT_VERSION = "reco-v1"
_HERE = Path(__file__).parent


@cache
def system_prompt(version: str = PROMPT_VERSION) -> str:
    return (_HERE / f"system_{version.split('-')[-1]}.md").read_text(encoding="utf-8")


def catalogue_block(day: list[Signals]) -> str:
    """The catalogue the requests refer to: stable within a day, so it is cached with the system prompt."""
    lines = ["Catálogo (product_id | nome | categoria | físico | preço R$ | comissão):"]
    for s in sorted(day, key=lambda s: s.product_id):
        price = "—" if s.list_price is None else f"{s.list_price:.2f}"
        rate = "—" if s.commission_rate is None else f"{s.commission_rate:.2f}"
        lines.append(f"{s.product_id} | {s.product_name} | {s.category or '—'} | "
                     f"{'sim' if s.is_physical else 'não'} | {price} | {rate}")
    return "\n".join(lines)


def system_blocks(day: list[Signals]) -> list[dict]:
    """System prompt + catalogue, each with a cache breakpoint: the prompt is reused across days, the
    catalogue across the batches of one day."""
    return [
        {"type": "text", "text": system_prompt(), "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": catalogue_block(day), "cache_control": {"type": "ephemeral"}},
    ]


def user_message(reco_date: date, product_ids: list[int]) -> str:
    request = {"reco_date": reco_date.isoformat(), "product_ids": product_ids}
    return (f"Recomende uma ação para cada produto abaixo, para o dia {reco_date.strftime('%d/%m/%Y')}. "
            f"Use as ferramentas para obter os números de cada produto.\n{json.dumps(request)}")


def repair_message(errors: list[str]) -> str:
    listed = "\n".join(f"- {e}" for e in errors[:20])
    return ("Your answer could not be used:\n" + listed + "\nReply again with ONLY the corrected JSON object "
            "(no prose, no code fences), one entry per requested product.")
