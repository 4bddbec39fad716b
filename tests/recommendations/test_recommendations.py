"""reco/recommendations end to end on a real database: offline ranking, the LLM tool loop against the fake
Messages API, failures falling back, re-runs, backfills, and the acted-on KPI."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import pytest
from reco_fixtures import LAST_DAY, PRODUCTS

from affiliate_assets.defs.recommendations import assets, checks, outcomes

DAY = LAST_DAY.isoformat()
ALL_TOOLS = {"get_demand_forecast", "get_market_price", "get_stock_level", "get_social_trend", "get_commission"}


def materialize(resources, *, partition: str = DAY, range_to: str | None = None, **config):
    tags = {}
    if range_to:
        tags = {"dagster/asset_partition_range_start": partition, "dagster/asset_partition_range_end": range_to}
    result = dg.materialize(
        [assets.recommendations, checks.recommendations_are_usable, checks.recommendations_ranked,
         checks.recommendations_cover_catalogue],
        resources=resources, partition_key=None if range_to else partition, tags=tags,
        run_config={"ops": {"reco__recommendations": {"config": config}}} if config else None,
    )
    assert result.success
    assert all(c.passed for c in result.get_asset_check_evaluations())
    return result


def rows(warehouse, day=LAST_DAY) -> dict[int, dict]:
    with warehouse.connect() as conn:
        cur = conn.execute("select * from reco.recommendations where reco_date = %s", (day,))
        names = [d.name for d in cur.description]
        return {r[1]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


def llm_runs(warehouse, run_id: str) -> list[dict]:
    with warehouse.connect() as conn:
        cur = conn.execute("select * from reco.llm_runs where run_id = %s order by reco_date, batch_no", (run_id,))
        names = [d.name for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def metadata(result) -> dict:
    mat = result.asset_materializations_for_node("reco__recommendations")[0]
    return {k: getattr(v, "value", v) for k, v in mat.metadata.items()}


# Offline ----------------------------------------------------------------------------------------------------
def test_offline_ranking_puts_high_commission_rising_demand_on_top(reco_resources, reco_warehouse, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("RECO_MODE", raising=False)
    result = materialize(reco_resources)
    got = rows(reco_warehouse)
    assert set(got) == set(PRODUCTS)
    by_rank = sorted(got.values(), key=lambda r: r["priority_rank"])
    assert {by_rank[0]["product_id"], by_rank[1]["product_id"]} == {1, 2}
    assert got[1]["action"] == got[2]["action"] == "promote"
    assert got[1]["growth_source"] == "forecast" and got[1]["forecast_growth"] > 0.3
    assert got[4]["action"] == "drop" and got[4]["priority_rank"] == len(PRODUCTS)
    assert got[5]["action"] == "reprice" and float(got[5]["suggested_price"]) == pytest.approx(392.90)
    assert got[6]["action"] == "restock" and float(got[6]["stock_cover_days"]) < 15
    assert {r["mode"] for r in got.values()} == {"offline"}
    assert {r["fallback_reason"] for r in got.values()} == {None}
    assert all(r["model"] is None and r["prompt_version"] == "offline-v1" for r in got.values())
    assert "Promover" in got[1]["rationale"] and "comissão de 60%" in got[1]["rationale"]
    assert "R$ 392,90" in got[5]["rationale"]
    md = metadata(result)
    assert md["mode"] == "offline" and md["source_mode"] == "none"
    assert md["dagster/row_count"] == len(PRODUCTS)


# LLM tool loop against the fake ---------------------------------------------------------------------------
def test_llm_tool_loop_stores_rows_tool_calls_and_tokens(reco_resources, reco_warehouse, fake_api):
    result = materialize(reco_resources, batch_size=3)
    got = rows(reco_warehouse)
    assert set(got) == set(PRODUCTS)
    assert {r["mode"] for r in got.values()} == {"llm"}
    assert {r["prompt_version"] for r in got.values()} == {"reco-v1"}
    assert {r["fallback_reason"] for r in got.values()} == {None}
    # The fake decided from the tool results: restock for the product about to run out, reprice the dear one.
    assert got[6]["action"] == "restock" and got[5]["action"] == "reprice" and got[5]["suggested_price"] is not None
    assert got[4]["action"] == "drop"
    assert got[1]["rationale"].startswith("Promover") and "R$ 178,20" in got[1]["rationale"]
    # The numbers stored are the ones the tools served.
    assert got[1]["growth_source"] == "forecast" and got[1]["forecast_growth"] > 0.3

    runs = llm_runs(reco_warehouse, result.run_id)
    assert [r["batch_no"] for r in runs] == [1, 2, 3]  # 8 products in batches of 3
    assert [r["products"] for r in runs] == [3, 3, 2]
    for run in runs:
        n = run["products"]
        assert run["tool_calls"] == 5 * n
        assert run["tool_calls_by_name"] == dict.fromkeys(ALL_TOOLS, n)
        assert run["api_calls"] == 2  # tool_use turn, then the answer
        assert run["input_tokens"] > 0 and run["output_tokens"] > 0
        assert run["outcome"] == "ok" and run["products_llm"] == n and run["repair_attempts"] == 0
        assert run["source_mode"] == "fake" and run["model"] == got[1]["model"]
        assert float(run["estimated_cost_usd"]) > 0
    # System prompt + catalogue are cached: written by the first call, read by every later one.
    assert runs[0]["cache_creation_input_tokens"] > 0
    assert all(r["cache_read_input_tokens"] > 0 for r in runs[1:])
    assert sum(r["cache_creation_input_tokens"] for r in runs[1:]) == 0

    log = fake_api.server.state.log
    assert [e["stop_reason"] for e in log] == ["tool_use", "end_turn"] * 3
    assert all(e["stream"] for e in log)
    calls = [tuple(c) for e in log for c in e.get("tool_calls", [])]
    assert sorted(calls) == sorted((name, pid) for pid in PRODUCTS for name in ALL_TOOLS)
    md = metadata(result)
    assert md["mode"] == "llm" and md["source_mode"] == "fake" and md["llm_tool_calls"] == 40


def test_llm_without_streaming_gives_the_same_rows(reco_resources, reco_warehouse, fake_api):
    materialize(reco_resources, batch_size=8)
    streamed = {pid: (r["action"], r["rationale"]) for pid, r in rows(reco_warehouse).items()}
    materialize(reco_resources, batch_size=8, stream=False)
    plain = {pid: (r["action"], r["rationale"]) for pid, r in rows(reco_warehouse).items()}
    assert plain == streamed
    assert [e["stream"] for e in fake_api.server.state.log] == [True, True, False, False]


def test_malformed_answer_is_repaired_once(reco_resources, reco_warehouse, fake_api):
    fake_api.server.state.faults["malformed_json"] = 1
    result = materialize(reco_resources, batch_size=8)
    assert {r["mode"] for r in rows(reco_warehouse).values()} == {"llm"}
    (run,) = llm_runs(reco_warehouse, result.run_id)
    assert run["repair_attempts"] == 1 and run["api_calls"] == 3 and run["outcome"] == "ok"
    repair_request = fake_api.server.state.log[-1]
    assert repair_request["messages"] == 5  # request, tool_use, tool_result, bad answer, repair prompt


def test_malformed_twice_falls_back_to_offline_with_reason(reco_resources, reco_warehouse, fake_api):
    fake_api.server.state.faults["malformed_json"] = 2
    result = materialize(reco_resources, batch_size=8)
    got = rows(reco_warehouse)
    assert {r["mode"] for r in got.values()} == {"offline"}
    assert all(r["fallback_reason"].startswith("llm_invalid_after_repair: invalid JSON") for r in got.values())
    assert {r["prompt_version"] for r in got.values()} == {"offline-v1"}
    assert got[5]["action"] == "reprice"  # the offline ranking's answer
    (run,) = llm_runs(reco_warehouse, result.run_id)
    assert run["outcome"] == "fallback" and run["repair_attempts"] == 1 and run["products_fallback"] == 8
    assert run["input_tokens"] > 0  # tokens were spent and are recorded even though nothing was usable


def test_schema_violation_sends_only_that_product_offline(reco_resources, reco_warehouse, fake_api):
    fake_api.server.state.faults["schema_violation"] = -1  # the first product of every answer is broken
    result = materialize(reco_resources, batch_size=4)
    got = rows(reco_warehouse)
    offline = {pid for pid, r in got.items() if r["mode"] == "offline"}
    assert offline == {1, 5}  # first product of each batch of 4
    assert "schema" in got[1]["fallback_reason"] and "'boost' is not one of" in got[1]["fallback_reason"]
    assert all(got[pid]["mode"] == "llm" for pid in set(PRODUCTS) - offline)
    assert [r["outcome"] for r in llm_runs(reco_warehouse, result.run_id)] == ["partial", "partial"]


def test_overloaded_and_rate_limited_api_is_retried(reco_resources, reco_warehouse, fake_api):
    fake_api.server.state.faults.update(overloaded=2, rate_limited=1)
    materialize(reco_resources, batch_size=8, max_retries=3)
    assert {r["mode"] for r in rows(reco_warehouse).values()} == {"llm"}
    assert [e["status"] for e in fake_api.server.state.log] == [529, 529, 429, 200, 200]


def test_dead_server_falls_back_and_the_run_succeeds(reco_resources, reco_warehouse, monkeypatch):
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("RECO_MODE", "llm")
    result = materialize(reco_resources, batch_size=3, max_retries=1)
    got = rows(reco_warehouse)
    assert {r["mode"] for r in got.values()} == {"offline"}
    assert all(r["fallback_reason"].startswith("llm_unavailable") for r in got.values())
    runs = llm_runs(reco_warehouse, result.run_id)
    # The first conversation waited out the retries; the circuit breaker spared the other two.
    assert [r["outcome"] for r in runs] == ["fallback"] * 3
    assert [r["api_calls"] for r in runs] == [0, 0, 0]
    assert all(r["error"].startswith("llm_unavailable") for r in runs)
    assert metadata(result)["fallback_reasons"] == {"llm_unavailable": 8}


def test_hung_up_connections_fall_back(reco_resources, reco_warehouse, fake_api):
    fake_api.server.state.faults["hang_up"] = -1
    materialize(reco_resources, batch_size=8, max_retries=1)
    assert {r["mode"] for r in rows(reco_warehouse).values()} == {"offline"}
    assert len(fake_api.server.state.log) == 2  # the first try and one retry


# Re-runs, backfills, KPI ---------------------------------------------------------------------------------------
def test_rerun_replaces_the_day_and_backfill_sends_only_the_latest_day_to_the_llm(
        reco_resources, reco_warehouse, fake_api):
    first = (LAST_DAY - timedelta(days=2)).isoformat()
    materialize(reco_resources, partition=first, range_to=DAY)
    with reco_warehouse.connect() as conn:
        per_day = dict(conn.execute(
            "select reco_date, count(*) from reco.recommendations where reco_date >= %s group by 1",
            (LAST_DAY - timedelta(days=2),)).fetchall())
        assert set(per_day.values()) == {len(PRODUCTS)}
    older = rows(reco_warehouse, LAST_DAY - timedelta(days=1))
    assert {r["mode"] for r in older.values()} == {"offline"}
    assert all(r["fallback_reason"].startswith("llm_days") for r in older.values())
    # The forecast did not exist yet on older days: growth comes from the recent trend, not the future.
    assert older[1]["growth_source"] == "recent_trend"
    assert {r["mode"] for r in rows(reco_warehouse).values()} == {"llm"}

    materialize(reco_resources, mode="offline")
    again = rows(reco_warehouse)
    assert len(again) == len(PRODUCTS) and {r["mode"] for r in again.values()} == {"offline"}
    with reco_warehouse.connect() as conn:
        (n,), = conn.execute("select count(*) from reco.recommendations where reco_date >= %s",
                             (LAST_DAY - timedelta(days=2),)).fetchall()
    assert n == sum(per_day.values())  # replaced, not duplicated


def test_kpi_counts_recommendations_and_acted_on(reco_resources, reco_warehouse, monkeypatch):
    monkeypatch.setenv("RECO_MODE", "offline")
    start = (LAST_DAY - timedelta(days=20)).isoformat()
    materialize(reco_resources, partition=start, range_to=DAY)
    result = dg.materialize([outcomes.recommendation_outcomes, checks.kpi_reconciles], resources=reco_resources)
    assert result.success and all(c.passed for c in result.get_asset_check_evaluations())
    with reco_warehouse.connect() as conn:
        status = dict(conn.execute(
            "select status, count(*) from reco.recommendation_outcomes where reco_date = %s group by 1",
            (LAST_DAY,)).fetchall())
        assert "acted_on" not in status and "not_acted" not in status  # nothing observed after the last day
        early = {pid: (action, st) for pid, action, st in conn.execute(
            "select product_id, action, status from reco.recommendation_outcomes where reco_date = %s",
            (LAST_DAY - timedelta(days=20),)).fetchall()}
        kpi = conn.execute("select products_recommended, actionable, evaluated, acted_on from "
                           "reco.kpi_recommendations_daily where reco_date = %s",
                           (LAST_DAY - timedelta(days=20),)).fetchone()
    # Curso Estrela was promoted and kept selling more; the restock never happened (stock unchanged).
    assert early[1] == ("promote", "acted_on")
    assert early[6] == ("restock", "not_acted")
    assert early[3][1] == "not_actionable"
    assert kpi[0] == len(PRODUCTS) and kpi[3] == sum(1 for _, st in early.values() if st == "acted_on")
    assert kpi[2] == sum(1 for _, st in early.values() if st in ("acted_on", "not_acted"))


def test_timeouts_are_retried_then_fall_back(reco_resources, reco_warehouse, fake_api):
    fake_api.server.state.faults["delay_s"] = 1.5
    result = materialize(reco_resources, batch_size=8, max_retries=1, timeout_s=0.3)
    got = rows(reco_warehouse)
    assert {r["mode"] for r in got.values()} == {"offline"}
    assert all(r["fallback_reason"].startswith("llm_timeout") for r in got.values())
    assert len(fake_api.server.state.log) == 2  # the first try and one retry
    assert metadata(result)["fallback_reasons"] == {"llm_timeout": 8}


def test_product_left_out_of_the_answer_is_asked_again_then_ranked_offline(reco_resources, reco_warehouse, fake_api):
    fake_api.server.state.faults["drop_product"] = -1  # the model always forgets the last product
    result = materialize(reco_resources, batch_size=4)
    got = rows(reco_warehouse)
    assert {pid for pid, r in got.items() if r["mode"] == "offline"} == {4, 8}
    assert got[8]["fallback_reason"] == "llm_invalid_after_repair: missing from the answer"
    assert [r["repair_attempts"] for r in llm_runs(reco_warehouse, result.run_id)] == [1, 1]
