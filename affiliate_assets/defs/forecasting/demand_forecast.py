"""``ml/demand_forecasts``: one Prophet model per product, 90 days ahead with intervals.

Why: the seed's use case — know how much of each product will sell, so the affiliate buys stock and
pushes the right products. Products with too little history get a flagged seasonal-naive forecast
instead of a Prophet fit on noise, so every product still has a forecast and the UI says which are weak.
"""

import time
from datetime import UTC, datetime

import dagster as dg

from affiliate_assets.defs.forecasting.data import MART_DEPS, product_names, read_history
from affiliate_assets.defs.forecasting.registry import ModelRecord, make_model_id, models_dir, prune, register
from affiliate_assets.defs.forecasting.tables import DEMAND_FORECASTS
from affiliate_assets.lib.warehouse import Warehouse


class DemandForecastConfig(dg.Config):
    horizon_days: int = 90
    holdout_days: int = 28
    min_history_days: int = 56
    workers: int = 2  # processes fitting in parallel; 0 = one per CPU, 1 = in the run process
    uncertainty_samples: int = 1000
    top_products_in_chart: int = 5
    keep_model_versions: int = 5


def _registry_records(results, trained_at, run_id, paths) -> list[ModelRecord]:
    records = []
    for r in results:
        kind = r.method
        records.append(ModelRecord(
            model_id=make_model_id(kind, r.product_id, trained_at), product_id=r.product_id, kind=kind,
            path=paths.get(r.product_id) if not r.is_fallback else None, trained_at=trained_at,
            training_rows=r.training_rows, is_fallback=r.is_fallback,
            holdout_days=r.params.get("holdout_days") or None, metrics={**r.metrics, "fit_seconds": r.seconds},
            params=r.params, run_id=run_id,
        ))
    return records


def _forecast_rows(results, records):
    for r, rec in zip(results, records, strict=True):
        for ds, yhat, lo, hi in zip(r.ds, r.yhat, r.yhat_lower, r.yhat_upper, strict=True):
            lo, hi = min(lo, yhat), max(hi, yhat)
            yield (r.product_id, ds, round(yhat, 2), round(lo, 2), round(hi, 2), rec.model_id, r.method,
                   r.is_fallback)


@dg.asset(
    key=["ml", "demand_forecasts"],
    deps=MART_DEPS,
    group_name="forecasting",
    kinds={"python", "prophet", "postgres"},
    owners=["team:data-science"],
    code_version="1",
    # Retrain as soon as new sales reach the marts (the weekly schedule is the safety net).
    automation_condition=dg.AutomationCondition.eager(),
    description="Daily unit forecasts per product for the next 90 days with 80 % intervals: Prophet with "
    "Brazilian holidays, Black Friday and launches; a flagged seasonal-naive fallback for short histories. "
    "Backtested against seasonal naive; models saved as JSON and registered in ml.models.",
)
def demand_forecasts(context: dg.AssetExecutionContext, config: DemandForecastConfig,
                     warehouse: Warehouse) -> dg.MaterializeResult:
    from affiliate_assets.defs.forecasting import engine, report

    started = time.perf_counter()
    history = read_history(warehouse)
    names = product_names(warehouse)
    trained_at = datetime.now(UTC).replace(microsecond=0)
    root = models_dir() / "prophet"
    paths = {s.product_id: str(root / str(s.product_id) / f"{make_model_id('prophet', s.product_id, trained_at)}.json")
             for s in history.series}
    spec = engine.ForecastSpec(horizon_days=config.horizon_days, holdout_days=config.holdout_days,
                               min_history_days=config.min_history_days,
                               uncertainty_samples=config.uncertainty_samples)
    context.log.info("forecasting %d products up to %s with %s worker(s)", len(history.series),
                     history.last_day, config.workers or "every CPU")
    results = engine.forecast_many(history.series, spec, history.last_day, model_paths=paths,
                                   workers=config.workers or None)
    pruned = sum(prune(root / str(r.product_id), config.keep_model_versions) for r in results)

    records = _registry_records(results, trained_at, context.run_id, paths)
    registry = register(warehouse, records)
    loaded = warehouse.load(DEMAND_FORECASTS, _forecast_rows(results, records), mode="replace")

    fallbacks = [r for r in results if r.is_fallback]
    recent = {s.product_id: sum(s.y[-90:]) for s in history.series}
    top = sorted((r for r in results if not r.is_fallback), key=lambda r: -recent.get(r.product_id, 0))
    top = top[: config.top_products_in_chart]
    series_by_id = {s.product_id: (list(s.ds), list(s.y)) for s in history.series}
    chart_path = models_dir() / "charts" / "demand_forecasts_top.png"
    png = report.forecast_chart(top, series_by_id, names, chart_path) if top else None
    skill = report.skill_summary(results)
    context.log.info("skill vs seasonal naive: %s", skill)
    return dg.MaterializeResult(
        metadata={
            **loaded.metadata(),
            "dagster/row_count": loaded.rows_loaded,
            "source": "marts.product_daily_features",
            "history_last_day": history.last_day.isoformat(),
            "products": len(results),
            "prophet_products": len(results) - len(fallbacks),
            "fallback_products": len(fallbacks),
            "fallbacks": dg.MetadataValue.md(
                "\n".join(f"- {names.get(r.product_id, r.product_id)} ({r.product_id}): {r.fallback_reason}"
                          for r in fallbacks) or "none"),
            **{f"skill_{k}": v for k, v in skill.items() if v is not None},
            "skill_top_products": dg.MetadataValue.md(report.skill_table(top + fallbacks[:3], names)),
            "forecast_chart": dg.MetadataValue.md(
                f"![previsão de demanda](data:image/png;base64,{png})" if png else "no Prophet product"),
            "forecast_chart_path": dg.MetadataValue.path(str(chart_path)) if png else "",
            "models_registered": registry.rows_loaded,
            "model_files_pruned": pruned,
            "fit_seconds_sum": round(sum(r.seconds for r in results), 2),
            "workers": config.workers,
            "elapsed_s": round(time.perf_counter() - started, 2),
            **{f"input_{k}": v for k, v in history.quality.items()},
        }
    )
