"""Engine choice from the environment, the demo hook, and tool calls the model gets wrong."""

from __future__ import annotations

import os
from datetime import timedelta

import dagster as dg
import pytest
from reco_fixtures import LAST_DAY

from affiliate_assets.defs.recommendations import assets
from affiliate_assets.defs.recommendations.demo import prepare_demo
from affiliate_assets.defs.recommendations.modes import choose_engine
from affiliate_assets.defs.recommendations.signals import read_signals
from affiliate_assets.defs.recommendations.tools import ToolError, run_tool, tool_definitions
from affiliate_assets.lib.settings import load_settings


def test_engine_follows_reco_mode_and_key(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    monkeypatch.delenv("RECO_MODE", raising=False)
    assert choose_engine(None, load_settings()).mode == "offline"
    fake = choose_engine("llm", load_settings())
    assert (fake.mode, fake.source_mode) == ("llm", "fake") and fake.base_url.startswith("http://127.0.0.1:")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-real")
    live = choose_engine(None, load_settings())
    assert (live.mode, live.source_mode, live.api_key) == ("llm", "live", "sk-ant-real")
    assert choose_engine("offline", load_settings()).mode == "offline"
    with pytest.raises(dg.Failure):
        choose_engine("magic", load_settings())


def test_a_key_means_live_and_the_client_cannot_tell_the_fake(reco_resources, reco_warehouse, monkeypatch):
    from affiliate_assets.fakes.runtime import start_fake

    fake = start_fake("anthropic")
    try:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-live-looking")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
        monkeypatch.setenv("ANTHROPIC_MODEL", "claude-haiku-4-5")
        monkeypatch.delenv("RECO_MODE", raising=False)
        result = dg.materialize([assets.recommendations], resources=reco_resources, partition_key=LAST_DAY.isoformat())
        md = result.asset_materializations_for_node("reco__recommendations")[0].metadata
        assert md["source_mode"].value == "live" and md["mode"].value == "llm"
        assert md["model"].value == "claude-haiku-4-5"
        assert {e["model"] for e in fake.server.state.log} == {"claude-haiku-4-5"}
    finally:
        fake.stop()


def test_demo_turns_on_the_fake_llm_only_when_nothing_is_chosen(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("RECO_MODE", raising=False)
    assert "RECO_MODE=llm" in prepare_demo(load_settings())
    assert os.environ["RECO_MODE"] == "llm"
    monkeypatch.setenv("RECO_MODE", "offline")
    prepare_demo(load_settings())
    assert os.environ["RECO_MODE"] == "offline"


def test_tools_answer_from_the_day_and_refuse_bad_calls(reco_warehouse):
    signals, inputs = read_signals(reco_warehouse, LAST_DAY, LAST_DAY + timedelta(days=1))
    assert inputs == {"forecasts": True, "reorders": True}
    day = {s.product_id: s for s in signals}
    assert {t["name"] for t in tool_definitions()} == {
        "get_demand_forecast", "get_market_price", "get_stock_level", "get_social_trend", "get_commission"}
    stock = run_tool("get_stock_level", {"product_id": 6}, day)
    assert stock["stock_on_hand"] == 5 and stock["reorder_suggested_qty"] == 90 and stock["stock_cover_days"] < 2
    assert run_tool("get_stock_level", {"product_id": 1}, day)["is_physical"] is False
    market = run_tool("get_market_price", {"product_id": 5}, day)
    assert market["price_gap_vs_median"] == pytest.approx(497 / 397 - 1, abs=1e-4)
    assert run_tool("get_demand_forecast", {"product_id": "1"}, day)["forecast_units_next_28d"] == 12 * 28
    for name, payload, message in [("get_price", {"product_id": 1}, "unknown tool"),
                                   ("get_commission", {"id": 1}, "product_id"),
                                   ("get_commission", {"product_id": "um"}, "integer"),
                                   ("get_commission", {"product_id": 999}, "not in this request")]:
        with pytest.raises(ToolError, match=message):
            run_tool(name, payload, day)


ENTRY = '{"product_id": 1, "action": "hold", "priority_score": 50, "suggested_price": null, "rationale": "Manter: ok."}'


@pytest.mark.parametrize(("text", "accepted", "error"), [
    ('{"recommendations": [' + ENTRY + "]}", [1], None),
    ('```json\n{"recommendations": [' + ENTRY + "]}\n```", [1], None),
    ('Segue:\n{"recommendations": [' + ENTRY + "]}\nAbraços", [1], None),
    ('Segue:\n{"recommendations": [' + ENTRY[:30], [], "invalid JSON"),
    ('{"recommendations": [' + ENTRY.replace('"hold"', '"reprice"') + "]}", [], "suggested_price"),
    ('{"recommendations": [' + ENTRY.replace('"product_id": 1', '"product_id": 7') + "]}", [], "missing"),
    ('{"recs": []}', [], "recommendations"),
])
def test_answer_validation(text, accepted, error):
    from affiliate_assets.defs.recommendations.schema import validate

    checked = validate(text, [1])
    assert list(checked.items) == accepted
    if error:
        assert any(error in e for e in checked.errors.values())
    else:
        assert not checked.errors
