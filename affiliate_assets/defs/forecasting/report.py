"""What a person sees in the Dagster UI about the forecasts: a skill table and a chart for top products.

The chart is a PNG (matplotlib, Agg backend) embedded in Markdown as a data URI, so the asset page shows
it with no file server; a copy is written under the models dir for people who want the file.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from pathlib import Path
from statistics import median
from typing import Any

from affiliate_assets.lib.metadata import markdown_table
from affiliate_assets.lib.money import format_number


def skill_summary(results: Sequence[Any]) -> dict[str, Any]:
    """How Prophet did against the seasonal-naive baseline on the holdout, over every backtested product."""
    scored = [r for r in results if r.metrics.get("holdout_mae") is not None]
    if not scored:
        return {"backtested_products": 0}
    wins = sum(1 for r in scored if r.metrics["holdout_mae"] < r.metrics["baseline_mae"])
    mapes = [r.metrics["holdout_mape"] for r in scored if r.metrics.get("holdout_mape") is not None]
    base_mapes = [r.metrics["baseline_mape"] for r in scored if r.metrics.get("baseline_mape") is not None]
    return {
        "backtested_products": len(scored),
        "prophet_beats_naive_share": round(wins / len(scored), 3),
        "median_holdout_mae": round(median(r.metrics["holdout_mae"] for r in scored), 3),
        "median_baseline_mae": round(median(r.metrics["baseline_mae"] for r in scored), 3),
        "median_holdout_mape": round(median(mapes), 1) if mapes else None,
        "median_baseline_mape": round(median(base_mapes), 1) if base_mapes else None,
    }


def skill_table(results: Sequence[Any], names: dict[int, str]) -> str:
    rows = [(f"{names.get(r.product_id, r.product_id)} ({r.product_id})",
             r.method + (" ⚠ fallback" if r.is_fallback else ""),
             f"{format_number(r.metrics.get('holdout_mape'), 1)} %",
             f"{format_number(r.metrics.get('baseline_mape'), 1)} %",
             format_number(r.metrics.get("holdout_mae"), 2), format_number(r.metrics.get("baseline_mae"), 2),
             format_number(sum(r.yhat[:7]), 1), format_number(sum(r.yhat[:30]), 1)) for r in results]
    return markdown_table(rows, ["produto", "método", "MAPE Prophet", "MAPE ingênuo", "MAE Prophet", "MAE ingênuo",
                                 "próx. 7 dias", "próx. 30 dias"], align="llrrrrrr")


def forecast_chart(results: Sequence[Any], history: dict[int, tuple[list, list]], names: dict[int, str],
                   out_path: Path | None = None, history_days: int = 120) -> str:
    """A PNG (base64) with one panel per product: recent daily units, the forecast and its interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(results)
    fig, axes = plt.subplots(n, 1, figsize=(9, 2.2 * n), squeeze=False, sharex=False)
    for ax, r in zip(axes[:, 0], results, strict=True):
        ds, y = history.get(r.product_id, ([], []))
        ax.plot(ds[-history_days:], y[-history_days:], color="#555", lw=0.8, label="vendas (unid./dia)")
        ax.plot(r.ds, r.yhat, color="#d62728", lw=1.2, label=f"previsão ({r.method})")
        ax.fill_between(r.ds, r.yhat_lower, r.yhat_upper, color="#d62728", alpha=0.2, label="intervalo 80 %")
        ax.set_title(f"{names.get(r.product_id, r.product_id)}", fontsize=9, loc="left")
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=6, loc="upper left")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=72)
    plt.close(fig)
    png = buf.getvalue()
    if out_path:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_bytes(png)
    return base64.b64encode(png).decode()
