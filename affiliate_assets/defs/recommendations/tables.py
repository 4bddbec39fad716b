"""Warehouse tables of the recommendations domain (schema ``reco``)."""

from affiliate_assets.lib.warehouse import Column, TableSpec

ACTIONS = ("promote", "hold", "drop", "restock", "reprice")

RECOMMENDATIONS = TableSpec(
    schema="reco",
    name="recommendations",
    columns=(
        Column("reco_date", "date", nullable=False, description="Day the advice is for (data up to this day)."),
        Column("product_id", "bigint", nullable=False),
        Column("product_name", "text"),
        Column("category", "text"),
        Column("action", "text", nullable=False, description="promote | hold | drop | restock | reprice"),
        Column("priority_score", "numeric(5,1)", nullable=False, description="0-100, higher = act first."),
        Column("priority_rank", "integer", nullable=False, description="1 = first thing to do that day."),
        Column("suggested_price", "numeric(12,2)", description="BRL; set for reprice (and when advised)."),
        Column("current_price", "numeric(12,2)", description="List price the advice compares against, BRL."),
        Column("rationale", "text", nullable=False, description="Short explanation in Portuguese."),
        Column("forecast_growth", "double precision",
               description="Expected demand next 28 d vs last 28 d (0.25 = +25 %)."),
        Column("growth_source", "text", description="forecast (ml.demand_forecasts) | recent_trend (7 d vs 28 d)"),
        Column("units_28d", "integer", description="Units sold in the 28 days up to reco_date."),
        Column("forecast_units_28d", "numeric(12,2)", description="Forecast units for the next 28 days."),
        Column("commission_rate", "numeric(5,4)"),
        Column("unit_margin", "numeric(12,2)",
               description="BRL earned per unit: price - unit cost (stocked goods) or price x commission."),
        Column("engagement_trend", "double precision", description="Social engagement last 7 d vs 28 d average."),
        Column("price_gap", "double precision", description="(our price - market median) / market median."),
        Column("competitor_median_price", "numeric(12,2)"),
        Column("stock_on_hand", "integer"),
        Column("stock_cover_days", "numeric(8,1)", description="Days the stock lasts at expected demand."),
        Column("lead_time_days", "integer"),
        Column("mode", "text", nullable=False, description="llm | offline: what produced this row."),
        Column("fallback_reason", "text", description="Why an LLM run ranked this product offline."),
        Column("model", "text", description="LLM model id (null offline)."),
        Column("prompt_version", "text", description="Prompt version (LLM) or ranking version (offline)."),
        Column("run_id", "text"),
    ),
    primary_key=("reco_date", "product_id"),
    indexes=(("product_id",),),
    description="What to do with each product each day (promote, hold, drop, restock, reprice), why, and "
    "the numbers behind it; produced by the LLM with tool use or by the offline ranking.",
)

LLM_RUNS = TableSpec(
    schema="reco",
    name="llm_runs",
    columns=(
        Column("run_id", "text", nullable=False, description="Dagster run id."),
        Column("reco_date", "date", nullable=False),
        Column("batch_no", "integer", nullable=False, description="One conversation per batch of products."),
        Column("model", "text", nullable=False),
        Column("prompt_version", "text", nullable=False),
        Column("source_mode", "text", nullable=False, description="live (Anthropic) | fake (bundled server)"),
        Column("started_at", "timestamptz", nullable=False),
        Column("elapsed_s", "double precision"),
        Column("api_calls", "integer", nullable=False, description="Messages API responses received."),
        Column("input_tokens", "integer", nullable=False),
        Column("output_tokens", "integer", nullable=False),
        Column("cache_creation_input_tokens", "integer", nullable=False),
        Column("cache_read_input_tokens", "integer", nullable=False),
        Column("estimated_cost_usd", "numeric(12,6)", description="From list prices; null for unknown models."),
        Column("tool_calls", "integer", nullable=False),
        Column("tool_calls_by_name", "jsonb"),
        Column("products", "integer", nullable=False),
        Column("products_llm", "integer", nullable=False, description="Products whose advice came from the LLM."),
        Column("products_fallback", "integer", nullable=False),
        Column("repair_attempts", "integer", nullable=False),
        Column("outcome", "text", nullable=False, description="ok | partial | fallback"),
        Column("error", "text"),
    ),
    primary_key=("run_id", "reco_date", "batch_no"),
    indexes=(("reco_date",),),
    description="One row per LLM conversation: model, prompt version, tokens (cache included), estimated "
    "cost, tool calls and how many products fell back to the offline ranking.",
)

RECOMMENDATION_OUTCOMES = TableSpec(
    schema="reco",
    name="recommendation_outcomes",
    columns=(
        Column("reco_date", "date", nullable=False),
        Column("product_id", "bigint", nullable=False),
        Column("action", "text", nullable=False),
        Column("mode", "text", nullable=False),
        Column("status", "text", nullable=False,
               description="acted_on | not_acted | pending (too few days after) | not_actionable (hold)"),
        Column("signal", "text", description="What was compared: units, social_views, price, stock."),
        Column("before_value", "double precision", description="Value over the 7 days up to reco_date."),
        Column("after_value", "double precision", description="Value over the 7 days after reco_date."),
    ),
    primary_key=("reco_date", "product_id"),
    description="Whether each recommendation was acted on: the product's sales, price or stock moved in "
    "the recommended direction in the following 7 days.",
)

KPI_RECOMMENDATIONS_DAILY = TableSpec(
    schema="reco",
    name="kpi_recommendations_daily",
    columns=(
        Column("reco_date", "date", nullable=False),
        Column("products_recommended", "integer", nullable=False),
        *(Column(action, "integer", nullable=False, description=f"Products advised to {action}.")
          for action in ACTIONS),
        Column("actionable", "integer", nullable=False, description="Every action but hold."),
        Column("evaluated", "integer", nullable=False, description="Actionable with 7 days observed after."),
        Column("acted_on", "integer", nullable=False),
        Column("acted_on_rate", "numeric(5,4)", description="acted_on / evaluated."),
        Column("llm_rows", "integer", nullable=False),
        Column("offline_rows", "integer", nullable=False),
    ),
    primary_key=("reco_date",),
    description="KPI: products recommended per day and how many were acted on (seed 000).",
)
