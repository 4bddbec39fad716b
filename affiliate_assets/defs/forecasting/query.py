"""Answering "how much of product X will sell?" from the tables: one payload for the CLI and the HTTP API.

Read-only: it never trains or writes; it reports what the last materialization stored (forecast, the
registry row of the model behind it, the reorder suggestion and the price what-if when there are any).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from affiliate_assets.lib.money import format_brl, format_number
from affiliate_assets.lib.warehouse import Warehouse


class NotFound(LookupError):
    """Unknown product (``code='product_not_found'``) or a product with no forecast yet (``'no_forecast'``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _rows(warehouse: Warehouse, table: str, query: str, params: tuple) -> list[dict]:
    if not warehouse.table_exists(table):
        return []
    with warehouse.connect() as conn:
        cur = conn.execute(query, params)  # type: ignore[arg-type]
        names = [d.name for d in cur.description or []]
        return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in cur.fetchall()]


def product_forecast(warehouse: Warehouse, product_id: int, days: int | None = None) -> dict[str, Any]:
    """The stored forecast of ``product_id`` (first ``days`` days when given). Raises :class:`NotFound`."""
    product = _rows(warehouse, "marts.dim_product",
                    "select product_id, product_name, is_physical from marts.dim_product where product_id = %s limit 1",
                    (product_id,))
    points = _rows(warehouse, "ml.demand_forecasts",
                   "select ds, yhat, yhat_lower, yhat_upper, model_id, method, is_fallback from ml.demand_forecasts "
                   "where product_id = %s order by ds", (product_id,))
    if not product and not points:
        raise NotFound("product_not_found", f"produto {product_id} não encontrado")
    if not points:
        raise NotFound("no_forecast", f"produto {product_id} ainda não tem previsão de demanda")
    model = _rows(warehouse, "ml.models",
                  "select model_id, kind, trained_at, training_rows, holdout_days, holdout_mape, holdout_mae, "
                  "baseline_mape, baseline_mae, is_fallback, params->>'fallback_reason' as fallback_reason "
                  "from ml.models where model_id = %s", (points[0]["model_id"],))
    reorder = _rows(warehouse, "ml.reorder_suggestions",
                    "select as_of, lead_time_days, stock_on_hand, forecast_demand_lead_time, safety_stock, "
                    "reorder_point, suggested_qty, suggested_order_date, days_of_cover, order_cost "
                    "from ml.reorder_suggestions where product_id = %s", (product_id,))
    prices = _rows(warehouse, "ml.price_sensitivity",
                   "select price_change_pct, unit_price, units_per_day, revenue_per_day, units_change_pct, elasticity "
                   "from ml.price_sensitivity where product_id = %s order by price_change_pct", (product_id,))
    yhat = [p["yhat"] for p in points]
    shown = points[:days] if days else points
    return {
        "product_id": product_id,
        "product_name": product[0]["product_name"] if product else None,
        "method": points[0]["method"],
        "is_fallback": points[0]["is_fallback"],
        "model": model[0] if model else {"model_id": points[0]["model_id"]},
        "horizon": {"start": points[0]["ds"], "end": points[-1]["ds"], "days": len(points)},
        "totals": {"next_7_days": round(sum(yhat[:7]), 2), "next_30_days": round(sum(yhat[:30]), 2),
                   "next_90_days": round(sum(yhat[:90]), 2)},
        "forecast": [{k: p[k] for k in ("ds", "yhat", "yhat_lower", "yhat_upper")} for p in shown],
        "reorder": reorder[0] if reorder else None,
        "price_sensitivity": prices,
    }


def _day(iso: str) -> str:
    return date.fromisoformat(iso[:10]).strftime("%d/%m/%Y")


def render_text(payload: dict[str, Any]) -> str:
    """The payload as a pt-BR report for a terminal."""
    m = payload["model"]
    name = payload["product_name"] or "(sem nome)"
    out = [f"{name} ({payload['product_id']}) — {payload['method']}"
           + (" ⚠ previsão simplificada (pouco histórico)" if payload["is_fallback"] else "")]
    if m.get("trained_at"):
        out.append(f"  modelo {m['model_id']}, treinado em {m['trained_at'][:16].replace('T', ' ')} UTC")
    if m.get("holdout_mae") is not None:
        out.append(f"  erro no holdout ({m['holdout_days']} dias): MAPE {format_number(m['holdout_mape'], 1)} % "
                   f"(ingênuo sazonal {format_number(m['baseline_mape'], 1)} %), "
                   f"MAE {format_number(m['holdout_mae'], 2)} "
                   f"unid./dia (ingênuo {format_number(m['baseline_mae'], 2)})")
    elif m.get("fallback_reason"):
        out.append(f"  motivo: {m['fallback_reason']}")
    t = payload["totals"]
    out.append(f"  próximos 7 dias: {format_number(t['next_7_days'], 1)} unid. · "
               f"30 dias: {format_number(t['next_30_days'], 1)}"
               f" · 90 dias: {format_number(t['next_90_days'], 1)}")
    out.append(f"  {'dia':<10}  {'previsão':>8}   intervalo 80 %")
    for p in payload["forecast"]:
        out.append(f"  {_day(p['ds'])}  {format_number(p['yhat'], 1):>8}   "
                   f"{format_number(p['yhat_lower'], 1)} – {format_number(p['yhat_upper'], 1)}")
    r = payload["reorder"]
    if r:
        if r["suggested_order_date"]:
            out.append(f"  reposição: pedir {r['suggested_qty']} unid. até {_day(r['suggested_order_date'])} "
                       f"(estoque {r['stock_on_hand']}, ponto de pedido {format_number(r['reorder_point'], 1)}, "
                       f"prazo {r['lead_time_days']} dias, custo {format_brl(r['order_cost'])})")
        else:
            out.append(f"  reposição: estoque de {r['stock_on_hand']} unid. cobre o horizonte")
    for s in payload["price_sensitivity"]:
        out.append(f"  preço {s['price_change_pct']:+d} %: {format_brl(s['unit_price'])} → "
                   f"{format_number(s['units_per_day'], 2)} unid./dia, {format_brl(s['revenue_per_day'])}/dia")
    return "\n".join(out)
