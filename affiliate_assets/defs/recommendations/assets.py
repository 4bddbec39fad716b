"""``reco/recommendations``: what to do with each product each day, and why (seed use case).

Why: an affiliate has dozens of products and an hour a day. This asset weighs what the platform knows —
forecast demand, commission or margin, social engagement, competitor prices, stock — and says, per product
and day, whether to promote, hold, drop, restock or reprice it, with a short Portuguese rationale and the
numbers behind it. An LLM with tool use writes it when a key is configured (or ``RECO_MODE=llm`` against
the bundled fake); the offline ranking writes it otherwise, and stands in for any product the LLM could not
answer for. Re-running a day replaces that day.
"""

import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime

import dagster as dg

from affiliate_assets.defs.recommendations import prompts
from affiliate_assets.defs.recommendations.fallback import RANKING_VERSION, Advice, rank_offline
from affiliate_assets.defs.recommendations.modes import choose_engine
from affiliate_assets.defs.recommendations.signals import UPSTREAM, Signals, read_signals
from affiliate_assets.defs.recommendations.tables import LLM_RUNS, RECOMMENDATIONS
from affiliate_assets.lib.metadata import markdown_table
from affiliate_assets.lib.money import format_brl
from affiliate_assets.lib.partitions import daily_partitions, partition_batch, partition_window
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.lib.warehouse import Warehouse, to_json


class RecommendationsConfig(dg.Config):
    mode: str | None = None  # auto | llm | offline; unset → RECO_MODE → auto
    llm_days: int = 1  # the latest N days of the window go to the LLM; older days (backfills) rank offline
    batch_size: int = 10  # products per conversation
    max_retries: int = 3  # SDK retries (429, 529, 5xx, timeouts, connection errors) with backoff
    timeout_s: float = 120.0
    stream: bool = True
    model: str | None = None  # unset → ANTHROPIC_MODEL


def _row(s: Signals, advice: Advice, rank: int, mode: str, reason: str | None, model: str | None,
         prompt_version: str, run_id: str) -> tuple:
    growth, source = s.growth
    return (
        s.reco_date, s.product_id, s.product_name, s.category, advice.action, round(advice.priority_score, 1), rank,
        None if advice.suggested_price is None else round(advice.suggested_price, 2), s.list_price,
        advice.rationale, growth, source, s.units_28d,
        None if s.forecast_units_28d is None else round(s.forecast_units_28d, 2), s.commission_rate,
        None if s.unit_margin is None else round(s.unit_margin, 2), s.engagement_trend, s.price_gap,
        s.competitor_median_price, s.stock_on_hand, s.stock_cover_days, s.lead_time_days, mode, reason, model,
        prompt_version, run_id,
    )


def _run_row(r, run_id: str, model: str, source_mode: str) -> tuple:
    from affiliate_assets.defs.recommendations.llm import estimate_cost_usd

    u = r.usage
    return (run_id, r.reco_date, r.batch_no, model, prompts.PROMPT_VERSION, source_mode, r.started_at,
            round(r.elapsed_s, 3), r.api_calls, u.input_tokens, u.output_tokens, u.cache_creation_input_tokens,
            u.cache_read_input_tokens, estimate_cost_usd(model, u), sum(r.tool_calls.values()),
            to_json(dict(r.tool_calls)), len(r.product_ids), len(r.answers), len(r.fallback), r.repairs,
            r.outcome, r.error)


def _preview(rows: list[tuple]) -> str:
    cols = RECOMMENDATIONS.column_names
    i = {c: cols.index(c) for c in ("product_name", "action", "priority_score", "suggested_price", "mode",
                                    "rationale", "priority_rank")}
    table = [(r[i["priority_rank"]], r[i["product_name"]], r[i["action"]], r[i["priority_score"]],
              None if r[i["suggested_price"]] is None else format_brl(r[i["suggested_price"]]), r[i["mode"]],
              r[i["rationale"]][:160]) for r in sorted(rows, key=lambda r: r[i["priority_rank"]])]
    return markdown_table(table, ["#", "produto", "ação", "prioridade", "preço sugerido", "modo", "motivo"], 15,
                          align="rllrrll")


@dg.asset(
    key=["reco", "recommendations"],
    deps=UPSTREAM,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="recommendations",
    kinds={"python", "anthropic", "postgres"},
    owners=["team:data-science"],
    code_version="1",
    description="Per product and day: promote / hold / drop / restock / reprice, a priority score, a "
    "suggested price, a Portuguese rationale and the numbers used (forecast growth, margin/commission, "
    "engagement trend, price gap, stock cover). LLM with tool use over the warehouse when configured, a "
    "transparent offline ranking otherwise and for whatever the LLM could not answer.",
)
def recommendations(context: dg.AssetExecutionContext, config: RecommendationsConfig,
                    warehouse: Warehouse) -> dg.MaterializeResult:
    started = time.perf_counter()
    settings = load_settings()
    start, end = (d.date() for d in partition_window(context))
    engine = choose_engine(config.mode, settings)
    model = config.model or settings.anthropic_model
    signals, inputs = read_signals(warehouse, start, end)
    by_day: dict[date, list[Signals]] = defaultdict(list)
    for s in signals:
        by_day[s.reco_date].append(s)
    days = sorted(by_day)
    llm_days = set(days[-config.llm_days:]) if engine.mode == "llm" and config.llm_days > 0 else set()
    context.log.info(f"{len(signals)} product-days over {len(days)} day(s); engine {engine.mode} ({engine.why}); "
                     f"LLM days: {sorted(llm_days) or 'none'}")

    recommender = None
    if llm_days:
        from affiliate_assets.defs.recommendations.llm import LlmRecommender, LlmSettings

        recommender = LlmRecommender(LlmSettings(
            model=model, api_key=engine.api_key or "", base_url=engine.base_url, source_mode=engine.source_mode,
            batch_size=config.batch_size, max_retries=config.max_retries, timeout_s=config.timeout_s,
            stream=config.stream), log=context.log)
    run_id = context.run_id
    rows, run_rows, reasons, tool_calls = [], [], Counter(), Counter()
    for d in days:
        day = by_day[d]
        offline = {a.product_id: a for a in rank_offline(day)}
        chosen: dict[int, tuple[Advice, str, str | None]] = {}
        if recommender is not None and d in llm_days:
            for result in recommender.recommend_day(d, day):
                run_rows.append(_run_row(result, run_id, model, engine.source_mode))
                tool_calls.update(result.tool_calls)
                for pid, item in result.answers.items():
                    chosen[pid] = (Advice(pid, item["action"], float(item["priority_score"]),
                                          item.get("suggested_price"), item["rationale"].strip()), "llm", None)
                for pid, why in result.fallback.items():
                    chosen[pid] = (offline[pid], "offline", why)
                    reasons[why.split(":")[0]] += 1
        elif engine.mode == "llm":
            for pid in offline:
                chosen[pid] = (offline[pid], "offline", f"llm_days: only the latest {config.llm_days} day(s) "
                               "of a run go to the LLM")
            reasons["llm_days"] += len(offline)
        final = {s.product_id: chosen.get(s.product_id, (offline[s.product_id], "offline", None)) for s in day}
        ordered = sorted(day, key=lambda s: (-final[s.product_id][0].priority_score, s.product_id))
        for rank, s in enumerate(ordered, start=1):
            advice, mode, why = final[s.product_id]
            rows.append(_row(s, advice, rank, mode, why, model if mode == "llm" else None,
                             prompts.PROMPT_VERSION if mode == "llm" else RANKING_VERSION, run_id))

    loaded = warehouse.load(RECOMMENDATIONS, rows, mode="replace_window", window_column="reco_date",
                            window=(start, end), reject_batch=partition_batch(context))
    if run_rows:
        warehouse.load(LLM_RUNS, run_rows, mode="upsert")
    modes = Counter(r[RECOMMENDATIONS.column_names.index("mode")] for r in rows)
    actions = Counter(r[RECOMMENDATIONS.column_names.index("action")] for r in rows)
    last_day_rows = [r for r in rows if days and r[0] == days[-1]]
    totals = {k: sum(r[LLM_RUNS.column_names.index(k)] for r in run_rows)
              for k in ("api_calls", "input_tokens", "output_tokens", "cache_creation_input_tokens",
                        "cache_read_input_tokens", "tool_calls", "repair_attempts")}
    costs = [r[LLM_RUNS.column_names.index("estimated_cost_usd")] for r in run_rows]
    return dg.MaterializeResult(metadata={
        **loaded.metadata(),
        "dagster/row_count": loaded.rows_loaded,
        "mode": "mixed" if len(modes) > 1 else (next(iter(modes)) if modes else engine.mode),
        "engine": engine.mode,
        "engine_reason": engine.why,
        "source_mode": engine.source_mode,
        "model": model if engine.mode == "llm" else None,
        "prompt_version": prompts.PROMPT_VERSION if engine.mode == "llm" else None,
        "ranking_version": RANKING_VERSION,
        "days": len(days),
        "llm_days": ", ".join(d.isoformat() for d in sorted(llm_days)) or "none",
        "rows_llm": modes.get("llm", 0),
        "rows_offline": modes.get("offline", 0),
        "actions": dg.MetadataValue.json(dict(actions)),
        "fallback_reasons": dg.MetadataValue.json(dict(reasons)),
        "llm_conversations": len(run_rows),
        **{f"llm_{k}": v for k, v in totals.items()},
        "llm_tool_calls_by_name": dg.MetadataValue.json(dict(tool_calls)),
        "llm_estimated_cost_usd": round(sum(c for c in costs if c is not None), 6) if run_rows else None,
        "inputs_present": dg.MetadataValue.json(inputs),
        "elapsed_s": round(time.perf_counter() - started, 2),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "preview_latest_day": dg.MetadataValue.md(_preview(last_day_rows) if last_day_rows else "no products"),
    })
