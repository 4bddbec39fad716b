"""ml/demand_forecasts end to end on a real database: rows, registry, model files, skill, fallback."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest
from forecasting_fixtures import LAST_DAY, NEW_PRODUCT_ID

from affiliate_assets.defs.forecasting.checks import demand_forecasts_cover_every_product
from affiliate_assets.defs.forecasting.demand_forecast import demand_forecasts

HORIZON = 90


def run_forecasts(resources: dict, workers: int) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [demand_forecasts, demand_forecasts_cover_every_product], resources=resources,
        run_config={"ops": {"ml__demand_forecasts": {"config": {"workers": workers}}}},
    )


@pytest.fixture(scope="module")
def forecast_run(fc_resources, seeded):
    result = run_forecasts(fc_resources, workers=2)
    assert result.success
    return result


def _metadata(result) -> dict:
    mat = next(m for m in result.get_asset_materialization_events()
               if m.asset_key == dg.AssetKey(["ml", "demand_forecasts"]))
    return {k: getattr(v, "value", v) for k, v in mat.materialization.metadata.items()}


def test_every_product_gets_every_horizon_day(forecast_run, fc_warehouse, seeded):
    products = set(seeded["features"]["product_id"].unique().tolist())
    rows = fc_warehouse.fetchall(
        "select product_id, count(*), min(ds), max(ds), count(distinct ds) from ml.demand_forecasts group by 1"
    )
    assert {r[0] for r in rows} == products
    for _, n, first, last, distinct in rows:
        assert (n, distinct) == (HORIZON, HORIZON)
        assert first == LAST_DAY + timedelta(days=1)
        assert last == LAST_DAY + timedelta(days=HORIZON)
    bad = fc_warehouse.fetchall(
        "select count(*) from ml.demand_forecasts where yhat < 0 or yhat_lower > yhat or yhat_upper < yhat"
    )
    assert bad == [(0,)]
    checks = forecast_run.get_asset_check_evaluations()
    assert [c.passed for c in checks] == [True]


def test_registry_holds_metrics_and_model_files(forecast_run, fc_warehouse, seeded):
    rows = fc_warehouse.fetchall(
        """select m.product_id, m.kind, m.path, m.training_rows, m.holdout_mae, m.baseline_mae, m.holdout_mape,
                  m.baseline_mape, m.params
           from ml.models m join (select distinct product_id, model_id from ml.demand_forecasts) f using (model_id)"""
    )
    assert len(rows) == seeded["features"]["product_id"].nunique()
    for pid, kind, path, training_rows, mae, base_mae, mape, base_mape, params in rows:
        if pid == NEW_PRODUCT_ID:
            continue
        assert kind == "prophet"
        assert Path(path).is_file() and Path(path).suffix == ".json"
        assert training_rows > 365
        assert mae > 0 and base_mae > 0 and mape > 0 and base_mape > 0
        assert "black_friday" in params["holidays"] and "Natal" in params["holidays"]


def test_three_day_product_gets_the_flagged_fallback(forecast_run, fc_warehouse):
    (method, fallback, n), = fc_warehouse.fetchall(
        "select min(method), bool_and(is_fallback), count(*) from ml.demand_forecasts where product_id = %s",
        (NEW_PRODUCT_ID,),
    )
    assert (method, fallback, n) == ("seasonal_naive", True, HORIZON)
    (kind, path, training_rows, reason), = fc_warehouse.fetchall(
        "select kind, path, training_rows, params->>'fallback_reason' from ml.models m "
        "where product_id = %s and is_fallback", (NEW_PRODUCT_ID,),
    )
    assert (kind, path, training_rows) == ("seasonal_naive", None, 3)
    assert "3 days" in reason
    others = fc_warehouse.fetchall("select count(*) from ml.demand_forecasts where is_fallback and product_id <> %s",
                                   (NEW_PRODUCT_ID,))
    assert others == [(0,)]
    meta = _metadata(forecast_run)
    assert meta["fallback_products"] == 1 and str(NEW_PRODUCT_ID) in meta["fallbacks"]


def test_prophet_beats_seasonal_naive_on_seasonal_products(forecast_run, fc_warehouse, seeded):
    ids = [p.product_id for p in seeded["catalogue"]] + [p.product_id for p in seeded["synthetic"]]
    rows = fc_warehouse.fetchall(
        "select product_id, holdout_mae, baseline_mae from ml.models where kind = 'prophet' and product_id = any(%s)",
        (ids,),
    )
    assert len(rows) == len(ids)
    for pid, mae, base in rows:
        assert mae < base, f"product {pid}: Prophet MAE {mae:.3f} vs naive {base:.3f}"
    meta = _metadata(forecast_run)
    assert meta["skill_prophet_beats_naive_share"] == 1.0
    assert "data:image/png;base64," in meta["forecast_chart"]
    assert Path(meta["forecast_chart_path"]).is_file()


def test_model_json_reloads_and_predicts_the_same(forecast_run, fc_warehouse, seeded):
    from prophet.serialize import model_from_json

    from affiliate_assets.defs.forecasting.engine import predict_days

    pid = seeded["catalogue"][0].product_id
    (path, seed), = fc_warehouse.fetchall(
        "select m.path, (m.params->>'seed')::bigint from ml.models m "
        "where m.model_id = (select min(model_id) from ml.demand_forecasts where product_id = %s)", (pid,),
    )
    stored = fc_warehouse.fetchall(
        "select ds, yhat, yhat_lower, yhat_upper from ml.demand_forecasts where product_id = %s order by ds", (pid,)
    )
    model = model_from_json(Path(path).read_text())
    yhat, lower, upper = predict_days(model, [r[0] for r in stored], seed)
    for (_, y, lo, hi), y2, lo2, hi2 in zip(stored, yhat, lower, upper, strict=True):
        assert float(y) == pytest.approx(y2, abs=0.006)
        assert float(lo) == pytest.approx(min(lo2, y2), abs=0.006)
        assert float(hi) == pytest.approx(max(hi2, y2), abs=0.006)


def test_rerun_in_one_process_gives_the_same_forecasts(forecast_run, fc_resources, fc_warehouse):
    before = fc_warehouse.fetchall("select product_id, ds, yhat, yhat_lower, yhat_upper from ml.demand_forecasts "
                                   "order by 1, 2")
    models_before = fc_warehouse.count("ml.models")
    import time

    time.sleep(1.1)  # model ids carry the second they were trained at
    assert run_forecasts(fc_resources, workers=1).success
    after = fc_warehouse.fetchall("select product_id, ds, yhat, yhat_lower, yhat_upper from ml.demand_forecasts "
                                  "order by 1, 2")
    assert after == before  # deterministic (seeded intervals), whether fitted in a pool or not
    assert fc_warehouse.count("ml.models") == 2 * models_before  # the registry keeps history
