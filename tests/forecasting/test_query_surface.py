"""`affiliate forecast ID` and the read-only HTTP API answer from the tables; unknown products get a 404."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import dagster as dg
import pytest
from forecasting_fixtures import NEW_PRODUCT_ID

from affiliate_assets import cli
from affiliate_assets.defs.forecasting.api import build_server
from affiliate_assets.defs.forecasting.demand_forecast import demand_forecasts
from affiliate_assets.defs.forecasting.reorder import reorder_suggestions


@pytest.fixture(scope="module")
def forecasts(fc_resources, fc_warehouse, seeded):
    if not fc_warehouse.table_exists("ml.reorder_suggestions"):  # alone, or before the other modules
        assert dg.materialize([demand_forecasts, reorder_suggestions], resources=fc_resources,
                              run_config={"ops": {"ml__demand_forecasts": {"config": {"workers": 1}}}}).success
    return seeded


@pytest.fixture(scope="module")
def api(fc_warehouse, forecasts):
    server = build_server("127.0.0.1", 0, fc_warehouse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_api_serves_the_stored_forecast(api, fc_warehouse, forecasts):
    physical = next(p for p in forecasts["catalogue"] if p.is_physical)
    status, body = get(f"{api}/products/{physical.product_id}/demand-forecast")
    assert status == 200, body
    stored = fc_warehouse.fetchall("select ds, yhat from ml.demand_forecasts where product_id = %s order by ds",
                                   (physical.product_id,))
    assert [(p["ds"], p["yhat"]) for p in body["forecast"]] == [(d.isoformat(), float(y)) for d, y in stored]
    assert body["product_name"] == physical.name and body["method"] == "prophet"
    assert body["model"]["kind"] == "prophet" and body["model"]["holdout_mae"] > 0
    assert body["reorder"]["lead_time_days"] == physical.lead_time_days
    assert body["totals"]["next_7_days"] == pytest.approx(sum(float(y) for _, y in stored[:7]), abs=0.01)
    # The seed's Portuguese route answers the same, and ?days trims the list.
    status_pt, body_pt = get(f"{api}/produtos/{physical.product_id}/prever-demanda?days=5")
    assert status_pt == 200 and body_pt["forecast"] == body["forecast"][:5]


def test_api_404_for_unknown_products_and_400_for_bad_days(api, forecasts):
    status, body = get(f"{api}/products/123/demand-forecast")
    assert (status, body["error"]) == (404, "product_not_found")
    assert "123" in body["message"]
    assert get(f"{api}/produtos/abc/prever-demanda")[0] == 404
    assert get(f"{api}/products/{NEW_PRODUCT_ID}/demand-forecast?days=0")[0] == 400
    status, body = get(f"{api}/products/{NEW_PRODUCT_ID}/demand-forecast?days=2")
    assert status == 200 and body["is_fallback"] is True and len(body["forecast"]) == 2
    assert "3 days" in body["model"]["fallback_reason"]
    request = urllib.request.Request(f"{api}/products/{NEW_PRODUCT_ID}/demand-forecast", method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=10)
    assert err.value.code == 405


def test_cli_forecast_prints_the_forecast_and_fails_on_unknown(fc_warehouse, forecasts, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fc_warehouse.url)
    product = forecasts["catalogue"][0]
    assert cli.main(["forecast", str(product.product_id), "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert product.name in out and "prophet" in out and "MAPE" in out
    (first_day,), = fc_warehouse.fetchall("select min(ds) from ml.demand_forecasts")
    assert first_day.strftime("%d/%m/%Y") in out
    assert len([line for line in out.splitlines() if line.strip()[:2].isdigit()]) == 3
    assert cli.main(["forecast", str(product.product_id), "--json", "--days", "1"]) == 0
    assert len(json.loads(capsys.readouterr().out)["forecast"]) == 1
    assert cli.main(["forecast", "123"]) == 2
    assert "não encontrado" in capsys.readouterr().err
