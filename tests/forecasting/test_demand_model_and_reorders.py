"""ml/demand_model, ml/price_sensitivity and ml/reorder_suggestions on a real database."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest
from forecasting_fixtures import NEW_PRODUCT_ID

from affiliate_assets.defs.forecasting.checks import reorder_suggestions_are_sane
from affiliate_assets.defs.forecasting.demand_forecast import demand_forecasts
from affiliate_assets.defs.forecasting.demand_model import demand_model, price_sensitivity
from affiliate_assets.defs.forecasting.reorder import reorder_suggestions, suggest


@pytest.fixture(scope="module")
def model_run(fc_resources, seeded):
    result = dg.materialize([demand_model, price_sensitivity], resources=fc_resources)
    assert result.success
    return result


def test_demand_model_is_cross_validated_and_registered(model_run, fc_warehouse, seeded):
    (path, rows, mae, base_mae, metrics, params), = fc_warehouse.fetchall(
        "select path, training_rows, holdout_mae, baseline_mae, metrics, params from ml.models "
        "where kind = 'hist_gradient_boosting'"
    )
    assert Path(path).is_file()
    assert rows == len(seeded["features"])
    assert len(metrics["cv_folds"]) == 4
    starts = [f["test_start"] for f in metrics["cv_folds"]]
    assert starts == sorted(starts)  # time-ordered folds
    assert mae < base_mae  # beats "same day last week"
    importances = metrics["permutation_importance"]
    assert set(importances) == set(params["features"])
    mat = next(m for m in model_run.get_asset_materialization_events()
               if m.asset_key == dg.AssetKey(["ml", "demand_model"]))
    assert "| feature |" in mat.materialization.metadata["feature_importance"].value
    assert mat.materialization.metadata["top_feature"].value in importances


def test_price_what_if_per_product(model_run, fc_warehouse, seeded):
    rows = fc_warehouse.fetchall(
        "select product_id, price_change_pct, unit_price, units_per_day, elasticity "
        "from ml.price_sensitivity order by 1, 2"
    )
    products = seeded["features"]["product_id"].nunique()
    assert len(rows) == 3 * products
    by_product: dict[int, dict[int, tuple]] = {}
    for pid, pct, price, units, elasticity in rows:
        by_product.setdefault(pid, {})[pct] = (float(price), units, elasticity)
    for scenarios in by_product.values():
        assert sorted(scenarios) == [-10, 0, 10]
        assert scenarios[-10][0] == pytest.approx(scenarios[0][0] * 0.9, abs=0.02)
        assert scenarios[-10][1] >= scenarios[0][1] >= scenarios[10][1]  # demand never rises with price
    # The synthetic product's demand answers to price (it has promotions): the model must see it.
    synth = seeded["synthetic"][0].product_id
    assert by_product[synth][0][2] < -0.2


def test_reorder_suggestions_for_physical_products(fc_resources, fc_warehouse, seeded):
    result = dg.materialize([demand_forecasts, reorder_suggestions, reorder_suggestions_are_sane],
                            resources=fc_resources,
                            run_config={"ops": {"ml__demand_forecasts": {"config": {"workers": 1}}}})
    assert result.success
    assert all(c.passed for c in result.get_asset_check_evaluations())
    physical = {p.product_id for p in seeded["catalogue"] if p.is_physical}
    physical |= {p.product_id for p in seeded["synthetic"] + seeded["new"]}
    rows = fc_warehouse.fetchall(
        "select product_id, lead_time_days, stock_on_hand, forecast_demand_lead_time, reorder_point, suggested_qty, "
        "suggested_order_date, as_of from ml.reorder_suggestions"
    )
    assert {r[0] for r in rows} == physical
    for pid, lead, stock, demand, rop, qty, order_date, as_of in rows:
        (expected,), = fc_warehouse.fetchall(
            "select sum(yhat) from ml.demand_forecasts where product_id = %s and ds < %s",
            (pid, as_of + timedelta(days=lead)),
        )
        assert float(demand) == pytest.approx(float(expected), abs=0.05)
        assert rop >= demand
        if stock <= float(rop):
            assert order_date == as_of and qty > 0  # already below the reorder point: order today
    assert NEW_PRODUCT_ID in {r[0] for r in rows}  # a fallback forecast still yields a suggestion


def test_suggest_walks_the_forecast_to_the_order_day():
    # 10 units/day, no uncertainty, 5 days lead time, 100 in stock: the reorder point (50) is reached after
    # 5 days; the order then covers lead time + 14 review days = 190 units minus the 50 left.
    s = suggest([10.0] * 90, [10.0] * 90, [10.0] * 90, date(2025, 1, 1), stock=100, lead_time=5)
    assert (s.forecast_demand_lead_time, s.safety_stock, s.reorder_point) == (50.0, 0.0, 50.0)
    assert s.suggested_order_date == date(2025, 1, 6)
    assert s.suggested_qty == 140
    assert s.days_of_cover == 10
    # Uncertainty adds safety stock (sd 3/day over 5 days, z95 = 1.645) and moves the order earlier.
    half = 3 * 1.2815515655446004  # an 80 % interval's half-width for sd 3
    s2 = suggest([10.0] * 90, [10 - half] * 90, [10 + half] * 90, date(2025, 1, 1), 100, 5)
    assert s2.safety_stock == pytest.approx(1.6449 * 3 * 5**0.5, abs=1e-3)
    assert s2.suggested_order_date == date(2025, 1, 5)
    # Plenty of stock: nothing to order within the horizon, cover beyond it.
    s3 = suggest([1.0] * 90, [1.0] * 90, [1.0] * 90, date(2025, 1, 1), 10_000, 30)
    assert (s3.suggested_qty, s3.suggested_order_date, s3.days_of_cover) == (0, None, None)


def test_fit_survives_a_feature_missing_for_the_whole_window():
    """Early CV folds predate the first crawl: competitor prices are all NaN there (found by the demo)."""
    import numpy as np
    import pandas as pd

    from affiliate_assets.defs.forecasting.demand_model import DemandModelConfig, fit
    from affiliate_assets.defs.forecasting.features import FEATURE_COLUMNS

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.random((200, len(FEATURE_COLUMNS))), columns=FEATURE_COLUMNS)
    X["competitor_gap"] = np.nan
    X["competitor_median_gap"] = np.nan
    model = fit(DemandModelConfig(max_iter=5), X, rng.poisson(3, 200))
    assert np.isfinite(model.predict(X)).all()
