"""``ml/demand_model`` and ``ml/price_sensitivity``: what moves units, and what a price change would do.

Prophet sees each product's calendar; it cannot say what a 10 % price cut would do. One gradient-boosted
model over every product × day learns units from price, discount, competitor gap, commission, lagged
social engagement, calendar and holidays. Cross-validated in time order (``TimeSeriesSplit`` over days,
never shuffled: the future must not train the past), scored against a "same day last week" baseline.
"""

import time
from datetime import UTC, datetime

import dagster as dg

from affiliate_assets.defs.forecasting.data import MART_DEPS
from affiliate_assets.defs.forecasting.registry import ModelRecord, make_model_id, models_dir, prune, register
from affiliate_assets.defs.forecasting.tables import MODELS, PRICE_SENSITIVITY
from affiliate_assets.lib.metadata import markdown_table
from affiliate_assets.lib.warehouse import Warehouse

KIND = "hist_gradient_boosting"
SCENARIOS = (-10, 0, 10)


class DemandModelConfig(dg.Config):
    cv_splits: int = 4
    max_iter: int = 200
    learning_rate: float = 0.08
    max_leaf_nodes: int = 31
    permutation_rows: int = 5000  # rows of the last fold scored for permutation importance
    permutation_repeats: int = 3
    keep_model_versions: int = 5
    # OpenMP threads for scikit-learn. One by default: on a small shared box, two threads per fit next to
    # other jobs ran 6× slower than one (measured: 29 s vs 4.5 s for one fit under load).
    threads: int = 1


def sklearn_threads(n: int):
    """Limit OpenMP/BLAS threads. scikit-learn must be imported first: threadpoolctl only limits libraries
    already loaded, and an unlimited first fit (OpenMP threads spin-waiting on a busy 2-core box) took
    48 s instead of 1.2 s here."""
    import sklearn.ensemble  # noqa: F401  (loads libgomp)
    from threadpoolctl import threadpool_limits

    return threadpool_limits(n)


def _estimator(config: DemandModelConfig):
    from sklearn.ensemble import HistGradientBoostingRegressor

    from affiliate_assets.defs.forecasting.features import MONOTONIC

    return HistGradientBoostingRegressor(
        loss="poisson",  # units are counts: a log link keeps predictions positive and multiplicative
        max_iter=config.max_iter, learning_rate=config.learning_rate, max_leaf_nodes=config.max_leaf_nodes,
        l2_regularization=1.0, monotonic_cst=MONOTONIC, random_state=0,
    )


def fit(config: DemandModelConfig, X, y):
    """Fit the estimator. A feature that is entirely missing in the training window (e.g. competitor prices
    before the first crawl) is set to a constant: scikit-learn's binning raises on an all-NaN column, and a
    constant column simply never splits."""
    all_missing = [c for c in X.columns if X[c].isna().all()]
    if all_missing:
        X = X.assign(**{c: 0.0 for c in all_missing})
    return _estimator(config).fit(X, y)


def cross_validate(frame, config: DemandModelConfig) -> tuple[list[dict], object, object]:
    """TimeSeriesSplit over the calendar (all products of a day stay in the same fold)."""
    import numpy as np
    from sklearn.model_selection import TimeSeriesSplit

    from affiliate_assets.defs.forecasting.engine import errors
    from affiliate_assets.defs.forecasting.features import FEATURE_COLUMNS

    days = np.sort(frame["date_day"].unique())
    folds, last = [], None
    for k, (train_idx, test_idx) in enumerate(TimeSeriesSplit(n_splits=config.cv_splits).split(days)):
        train = frame[frame["date_day"].isin(days[train_idx])]
        test = frame[frame["date_day"].isin(days[test_idx])]
        model = fit(config, train[FEATURE_COLUMNS], train["units"])
        pred = model.predict(test[FEATURE_COLUMNS])
        naive = test["units_lag7"].fillna(test["units_mean28_lag1"]).fillna(0)
        err, base = errors(test["units"], pred), errors(test["units"], naive)
        folds.append({"fold": k, "train_days": len(train_idx), "test_days": len(test_idx),
                      "test_start": str(days[test_idx[0]])[:10], "mae": err["mae"], "mape": err["mape"],
                      "wape": err["wape"], "baseline_mae": base["mae"], "baseline_mape": base["mape"]})
        last = (model, test)
    return folds, last[0], last[1]  # type: ignore[index]


def permutation_importances(model, test, config: DemandModelConfig) -> dict[str, float]:
    from sklearn.inspection import permutation_importance

    from affiliate_assets.defs.forecasting.features import FEATURE_COLUMNS

    sample = test.sample(min(len(test), config.permutation_rows), random_state=0)
    result = permutation_importance(model, sample[FEATURE_COLUMNS], sample["units"],
                                    scoring="neg_mean_absolute_error", n_repeats=config.permutation_repeats,
                                    random_state=0)
    pairs = sorted(zip(FEATURE_COLUMNS, result.importances_mean, strict=True), key=lambda p: -p[1])
    return {name: round(float(v), 5) for name, v in pairs}


@dg.asset(
    key=["ml", "demand_model"],
    deps=MART_DEPS,
    group_name="forecasting",
    kinds={"python", "scikitlearn"},
    owners=["team:data-science"],
    code_version="1",
    # Daily, once the marts have new data since the last tick (not on every crawl update).
    automation_condition=dg.AutomationCondition.on_cron("0 5 * * *", "America/Sao_Paulo"),
    description="Units sold per product × day from price, discount, competitor gap, commission, lagged "
    "social engagement, calendar and holidays (HistGradientBoostingRegressor, Poisson loss, time-ordered "
    "CV). Registered in ml.models with CV metrics and permutation importances; feeds the price what-if.",
)
def demand_model(context: dg.AssetExecutionContext, config: DemandModelConfig,
                 warehouse: Warehouse) -> dg.MaterializeResult:
    with sklearn_threads(config.threads):
        return _train(context, config, warehouse)


def _train(context: dg.AssetExecutionContext, config: DemandModelConfig, warehouse: Warehouse):
    import joblib

    from affiliate_assets.defs.forecasting import features

    started = time.perf_counter()
    daily, products = features.read_frames(warehouse)
    frame = features.build(daily, products)
    if frame["date_day"].nunique() < config.cv_splits + 2:
        raise dg.Failure(description=f"only {frame['date_day'].nunique()} days of features: too few to cross-validate")
    context.log.info("features: %d rows × %d columns in %.1fs", len(frame), len(features.FEATURE_COLUMNS),
                     time.perf_counter() - started)
    folds, last_model, last_test = cross_validate(frame, config)
    context.log.info("cross-validated %d folds at %.1fs", len(folds), time.perf_counter() - started)
    importances = permutation_importances(last_model, last_test, config)
    model = fit(config, frame[features.FEATURE_COLUMNS], frame["units"])
    context.log.info("importances and final fit at %.1fs", time.perf_counter() - started)

    trained_at = datetime.now(UTC).replace(microsecond=0)
    model_id = make_model_id(KIND, None, trained_at)
    path = models_dir() / KIND / f"{model_id}.joblib"
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"model": model, "features": features.FEATURE_COLUMNS, "model_id": model_id}, path)
    pruned = prune(path.parent, config.keep_model_versions, "*.joblib")
    final = folds[-1]
    record = ModelRecord(
        model_id=model_id, product_id=None, kind=KIND, path=str(path), trained_at=trained_at,
        training_rows=len(frame), holdout_days=final["test_days"],
        metrics={"holdout_mae": final["mae"], "holdout_mape": final["mape"], "baseline_mae": final["baseline_mae"],
                 "baseline_mape": final["baseline_mape"], "cv_folds": folds, "permutation_importance": importances},
        params={"loss": "poisson", "max_iter": config.max_iter, "learning_rate": config.learning_rate,
                "max_leaf_nodes": config.max_leaf_nodes, "features": features.FEATURE_COLUMNS,
                "monotonic_cst": features.MONOTONIC, "cv": f"TimeSeriesSplit(n_splits={config.cv_splits}) over days"},
        run_id=context.run_id,
    )
    loaded = register(warehouse, [record])
    table = markdown_table([(k, f"{v:.4f}") for k, v in importances.items()],
                           ["feature", "MAE increase when shuffled"], align="lr")
    cv_table = markdown_table(
        [(f["fold"], f["test_start"], f["test_days"], f"{f['mae']:.3f}", f"{f['baseline_mae']:.3f}",
          f"{f['mape'] or 0:.1f}", f"{f['baseline_mape'] or 0:.1f}") for f in folds],
        ["fold", "test from", "days", "MAE", "MAE last-week baseline", "MAPE", "MAPE baseline"], align="rlrrrrr")
    return dg.MaterializeResult(
        metadata={
            "model_id": model_id,
            "model_path": dg.MetadataValue.path(str(path)),
            "registry": MODELS.qualified,
            "registry_rows_loaded": loaded.rows_loaded,
            "dagster/row_count": len(frame),
            "training_rows": len(frame),
            "products": int(frame["product_id"].nunique()),
            "cv_mae_last_fold": round(final["mae"], 4),
            "cv_baseline_mae_last_fold": round(final["baseline_mae"], 4),
            "cv_mae_mean": round(sum(f["mae"] for f in folds) / len(folds), 4),
            "cv_folds": dg.MetadataValue.md(cv_table),
            "feature_importance": dg.MetadataValue.md(table),
            "top_feature": next(iter(importances)),
            "model_files_pruned": pruned,
            "elapsed_s": round(time.perf_counter() - started, 2),
        }
    )


def latest_model(warehouse: Warehouse) -> tuple[str, str]:
    rows = warehouse.fetchall(
        "select model_id, path from ml.models where kind = %s order by trained_at desc, model_id desc limit 1",
        (KIND,),
    )
    if not rows:
        raise dg.Failure(description="no demand model in ml.models: materialize ml/demand_model first")
    return rows[0]


def what_if(model, frame, window_days: int = 28) -> list[tuple]:
    """Per product: mean predicted units/day over its last ``window_days`` at each price scenario."""
    import pandas as pd

    from affiliate_assets.defs.forecasting.features import FEATURE_COLUMNS, with_price_change

    last_day = frame["date_day"].max()
    recent = frame[frame["date_day"] > last_day - pd.Timedelta(days=window_days)]
    units = {}
    for pct in SCENARIOS:
        scenario = with_price_change(recent, pct / 100)
        scenario = scenario.assign(pred=model.predict(scenario[FEATURE_COLUMNS]))
        units[pct] = scenario.groupby("product_id").agg(units=("pred", "mean"), price=("unit_price", "mean"))
    rows = []
    for pid in units[0].index:
        base, lo, hi = units[0].loc[pid], units[-10].loc[pid], units[10].loc[pid]
        mid_u, mid_p = (hi.units + lo.units) / 2, (hi.price + lo.price) / 2
        elasticity = ((hi.units - lo.units) / mid_u) / ((hi.price - lo.price) / mid_p) if mid_u > 0 else None
        for pct in SCENARIOS:
            s = units[pct].loc[pid]
            change = (s.units / base.units - 1) * 100 if base.units > 0 else None
            rows.append((int(pid), pct, round(float(s.price), 2), float(s.units), round(float(s.units * s.price), 2),
                         None if change is None else float(change),
                         None if elasticity is None else float(elasticity), last_day.date()))
    return rows


@dg.asset(
    key=["ml", "price_sensitivity"],
    deps=[dg.AssetKey(["ml", "demand_model"]), *MART_DEPS],
    group_name="forecasting",
    kinds={"python", "scikitlearn", "postgres"},
    owners=["team:data-science"],
    code_version="1",
    automation_condition=dg.AutomationCondition.eager(),
    description="Price what-if per product from the demand model: units and revenue a day at -10 %, 0 and "
    "+10 % of the current price (last 28 days of conditions), with the arc elasticity.",
)
def price_sensitivity(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    import joblib

    from affiliate_assets.defs.forecasting import features
    from affiliate_assets.lib.money import format_brl, format_number

    model_id, path = latest_model(warehouse)
    bundle = joblib.load(path)
    frame = features.build(*features.read_frames(warehouse))
    with sklearn_threads(1):
        rows = [(*r, model_id) for r in what_if(bundle["model"], frame)]
    loaded = warehouse.load(PRICE_SENSITIVITY, rows, mode="replace")
    elastic = [r for r in rows if r[1] == 0 and r[6] is not None]
    preview = sorted(elastic, key=lambda r: r[6])[:10]
    md = markdown_table([(r[0], format_brl(r[2]), format_number(r[3], 2), format_number(r[6], 2)) for r in preview],
                        ["produto", "preço", "unid./dia", "elasticidade"], align="lrrr")
    return dg.MaterializeResult(
        metadata={
            **loaded.metadata(),
            "dagster/row_count": loaded.rows_loaded,
            "model_id": model_id,
            "products": len({r[0] for r in rows}),
            "median_elasticity": round(sorted(r[6] for r in elastic)[len(elastic) // 2], 3) if elastic else None,
            "most_price_sensitive": dg.MetadataValue.md(md),
        }
    )
