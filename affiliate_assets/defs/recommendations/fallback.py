"""The offline ranking: a transparent score from the same numbers the LLM sees, and a rationale template.

It runs when there is no API key, and for any product the LLM could not answer for (malformed output after
one repair, the API down). Every part of the score is a plain formula on the signals, so a person can
check any row by hand:

    priority = 100 × (0.35·growth + 0.30·earnings + 0.20·engagement + 0.15·price)

- growth: expected demand change (forecast, else last week vs the 28-day average), −50 % → 0, +50 % → 1;
- earnings: half the day's percentile of margin rate (commission %, or price − cost for stocked goods),
  half the percentile of expected earnings a day (demand × BRL per unit);
- engagement: social engagement last week vs its 28-day average, −50 % → 0, +50 % → 1;
- price: our price vs the market median, 5 % cheaper or more → 1, 15 % dearer or more → 0.

Missing signals score a neutral 0.5. The action follows from rules on the same numbers (restock first:
a stock-out loses every sale; then a price out of line with the market; then promote / drop / hold);
a restock's priority is raised with its urgency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from affiliate_assets.defs.recommendations.signals import Signals
from affiliate_assets.lib.money import format_brl

RANKING_VERSION = "offline-v1"
WEIGHTS = {"growth": 0.35, "earnings": 0.30, "engagement": 0.20, "price": 0.15}
SAFETY_DAYS = 7  # restock when stock lasts less than the supplier lead time plus this
REPRICE_ABOVE = 0.10  # 10 % above the market median: we lose the sale to a competitor
REPRICE_BELOW = -0.20  # 20 % below it: money left on the table
PROMOTE_AT = 65.0
DROP_BELOW = 35.0
DROP_GROWTH = -0.15
MIN_MARGIN_OVER_COST = 1.05  # never suggest a price under cost + 5 %
# A restock's priority is at least 50 + 30 × urgency (urgency 1 = out of stock now): above most holds, yet
# below a product whose demand and commission are both high, which earns more by being pushed today.
RESTOCK_FLOOR, RESTOCK_SPAN = 50.0, 30.0


@dataclass(frozen=True)
class Advice:
    product_id: int
    action: str
    priority_score: float
    suggested_price: float | None
    rationale: str


# Formatting (pt-BR) --------------------------------------------------------------------------------------
def pct(value: float, signed: bool = True) -> str:
    """+23 % style, pt-BR (no space, as shops and dashboards write it)."""
    number = round(value * 100)
    return f"{'+' if signed and number > 0 else ''}{number}%"


def day_br(value) -> str:
    return value.strftime("%d/%m/%Y")


def price_point(value: float) -> float:
    """The nearest shop-like price at or below ``value``: ends in ,90 (R$ 203,47 → R$ 202,90)."""
    candidate = math.floor(value) + 0.90
    if candidate > value:
        candidate -= 1.0
    return round(max(candidate, 0.90), 2)


# Score ------------------------------------------------------------------------------------------------------
def _linear(value: float | None, zero_at: float, one_at: float) -> float:
    if value is None:
        return 0.5
    return max(0.0, min(1.0, (value - zero_at) / (one_at - zero_at)))


def _percentiles(values: dict[int, float]) -> dict[int, float]:
    """Percentile rank in [0, 1] (ties share their mean rank; one product alone is 0.5)."""
    if len(values) <= 1:
        return dict.fromkeys(values, 0.5)
    ordered = sorted(values.values())
    out = {}
    for key, v in values.items():
        lo = ordered.index(v)
        hi = len(ordered) - 1 - ordered[::-1].index(v)
        out[key] = (lo + hi) / 2 / (len(ordered) - 1)
    return out


def score_parts(day: list[Signals]) -> dict[int, dict[str, float]]:
    """Each product's score components (0-1) among the products of the same day."""
    margin_rate = {s.product_id: (s.unit_margin or 0.0) / s.list_price if s.list_price else 0.0 for s in day}
    earnings = {s.product_id: s.expected_daily_earnings for s in day}
    margin_pct, earnings_pct = _percentiles(margin_rate), _percentiles(earnings)
    parts = {}
    for s in day:
        parts[s.product_id] = {
            "growth": _linear(s.growth[0], -0.5, 0.5),
            "earnings": 0.5 * margin_pct[s.product_id] + 0.5 * earnings_pct[s.product_id],
            "engagement": _linear(s.engagement_trend, -0.5, 0.5),
            "price": _linear(None if s.price_gap is None else -s.price_gap, -0.15, 0.05),
        }
    return parts


def priority(parts: dict[str, float]) -> float:
    return round(100 * sum(WEIGHTS[k] * parts[k] for k in WEIGHTS), 1)


# Actions ----------------------------------------------------------------------------------------------------
def restock_urgency(s: Signals) -> float | None:
    """0-1 when the stock runs out before a new order could arrive (+ safety days); None otherwise."""
    cover, lead = s.stock_cover_days, s.lead_time_days
    if cover is None or not lead or s.daily_demand <= 0:
        return None
    limit = lead + SAFETY_DAYS
    return None if cover > limit else 1.0 - cover / limit


def market_price(s: Signals) -> float | None:
    """A competitive price: just under the market median, never under cost + 5 %; None if no change."""
    gap = s.price_gap
    if gap is None or s.competitor_median_price is None or s.list_price is None:
        return None
    if gap > REPRICE_ABOVE:
        target = price_point(s.competitor_median_price * 0.99)
    elif gap < REPRICE_BELOW:
        target = price_point(s.competitor_median_price * 0.95)
    else:
        return None
    if s.unit_cost is not None:
        target = max(target, round(s.unit_cost * MIN_MARGIN_OVER_COST, 2))
    return target if abs(target - s.list_price) >= 0.01 else None


def decide(s: Signals, score: float) -> tuple[str, float, float | None]:
    """(action, priority, suggested_price) for one product."""
    urgency = restock_urgency(s)
    if urgency is not None:
        return "restock", round(max(score, RESTOCK_FLOOR + RESTOCK_SPAN * urgency), 1), None
    target = market_price(s)
    if target is not None:
        return "reprice", score, target
    growth = s.growth[0]
    if score >= PROMOTE_AT and (growth is None or growth >= 0):
        return "promote", score, None
    if score < DROP_BELOW and (growth is None or growth <= DROP_GROWTH):
        return "drop", score, None
    return "hold", score, None


# Rationale ----------------------------------------------------------------------------------------------------
def _growth_phrase(s: Signals) -> str | None:
    growth, source = s.growth
    if growth is None:
        return "sem vendas recentes para medir a demanda" if s.units_28d == 0 else None
    if source == "forecast":
        return f"demanda prevista {pct(growth)} nos próximos 28 dias"
    return f"vendas da última semana {pct(growth)} sobre a média de 28 dias"


def _earning_phrase(s: Signals) -> str | None:
    if s.unit_margin is None:
        return None
    if s.is_physical and s.unit_cost is not None:
        return f"margem de {format_brl(s.unit_margin)} por unidade"
    return f"comissão de {pct(s.commission_rate or 0, signed=False)} ({format_brl(s.unit_margin)} por venda)"


def _engagement_phrase(s: Signals) -> str | None:
    trend = s.engagement_trend
    return None if trend is None else f"engajamento social {pct(trend)} na semana"


def _price_phrase(s: Signals) -> str | None:
    gap = s.price_gap
    if gap is None:
        return None
    where = "acima" if gap > 0 else "abaixo"
    if abs(gap) < 0.005:
        return f"preço igual à mediana do mercado ({format_brl(s.competitor_median_price or 0)})"
    median = format_brl(s.competitor_median_price or 0)
    return f"preço {pct(abs(gap), signed=False)} {where} da mediana do mercado ({median})"


def rationale(s: Signals, action: str, suggested_price: float | None) -> str:
    facts = [p for p in (_growth_phrase(s), _earning_phrase(s), _engagement_phrase(s), _price_phrase(s)) if p]
    joined = "; ".join(facts) if facts else "poucos dados sobre o produto"
    if action == "restock":
        order = ""
        if s.reorder_qty and s.reorder_date:
            order = f" Sugestão: pedir {s.reorder_qty} un. até {day_br(max(s.reorder_date, s.reco_date))}."
        elif s.reorder_qty:
            order = f" Sugestão: pedir {s.reorder_qty} un."
        elif s.lead_time_days:
            need = math.ceil(s.daily_demand * (s.lead_time_days + 14) - max(s.stock_on_hand or 0, 0))
            if need > 0:
                order = f" Sugestão: pedir cerca de {need} un. até {day_br(s.reco_date + timedelta(days=1))}."
        stock, cover = s.stock_on_hand or 0, round(s.stock_cover_days or 0)
        return (f"Repor estoque: {stock} un. {'cobre' if stock == 1 else 'cobrem'} {cover} "
                f"{'dia' if cover == 1 else 'dias'} de demanda, "
                f"menos que o prazo do fornecedor ({s.lead_time_days} dias) + {SAFETY_DAYS} de segurança; "
                f"{joined}.{order}")
    if action == "reprice" and suggested_price is not None:
        return f"Reprecificar de {format_brl(s.list_price or 0)} para {format_brl(suggested_price)}: {joined}."
    head = {"promote": "Promover", "drop": "Deixar de divulgar", "hold": "Manter"}[action]
    return f"{head}: {joined}."


def rank_offline(day: list[Signals]) -> list[Advice]:
    """Advice for every product of one day, best first."""
    parts = score_parts(day)
    advice = []
    for s in day:
        action, score, price = decide(s, priority(parts[s.product_id]))
        advice.append(Advice(s.product_id, action, score, price, rationale(s, action, price)))
    return sorted(advice, key=lambda a: (-a.priority_score, a.product_id))
