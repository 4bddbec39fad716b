"""Warehouse tables of the forecasting domain (schema ``ml``)."""

from affiliate_assets.lib.warehouse import Column, TableSpec

DEMAND_FORECASTS = TableSpec(
    schema="ml",
    name="demand_forecasts",
    columns=(
        Column("product_id", "bigint", nullable=False),
        Column("ds", "date", nullable=False, description="Forecast day (UTC day, like the sales partitions)."),
        Column("yhat", "numeric(12,2)", nullable=False, description="Expected units sold that day."),
        Column("yhat_lower", "numeric(12,2)", nullable=False, description="Lower bound of the 80 % interval."),
        Column("yhat_upper", "numeric(12,2)", nullable=False, description="Upper bound of the 80 % interval."),
        Column("model_id", "text", nullable=False, description="ml.models row that produced it."),
        Column("method", "text", nullable=False, description="prophet | seasonal_naive"),
        Column("is_fallback", "boolean", nullable=False,
               description="True when the product had too little history for Prophet."),
    ),
    primary_key=("product_id", "ds"),
    description="Daily unit forecasts per product for the next 90 days, with intervals (Prophet or fallback).",
)

MODELS = TableSpec(
    schema="ml",
    name="models",
    columns=(
        Column("model_id", "text", nullable=False, description="kind-product-trainedat, unique per training."),
        Column("product_id", "bigint", description="Null for models over every product (demand model)."),
        Column("kind", "text", nullable=False, description="prophet | seasonal_naive | hist_gradient_boosting"),
        Column("path", "text", description="Serialized model (Prophet model_to_json, joblib for sklearn)."),
        Column("trained_at", "timestamptz", nullable=False),
        Column("training_rows", "integer", nullable=False),
        Column("holdout_days", "integer"),
        Column("holdout_mape", "double precision", description="MAPE (%) over holdout days that sold."),
        Column("holdout_mae", "double precision", description="Mean absolute error in units/day."),
        Column("baseline_mape", "double precision", description="Seasonal-naive MAPE on the same holdout."),
        Column("baseline_mae", "double precision", description="Seasonal-naive MAE on the same holdout."),
        Column("is_fallback", "boolean", nullable=False),
        Column("params", "jsonb", description="Hyper-parameters, features, holidays, fallback reason."),
        Column("metrics", "jsonb", description="Every metric (WAPE, CV folds, feature importances...)."),
        Column("run_id", "text", description="Dagster run that trained it."),
    ),
    primary_key=("model_id",),
    indexes=(("product_id", "kind"),),
    description="Model registry (seed: ModeloPredicao): one row per trained model, history kept.",
)

PRICE_SENSITIVITY = TableSpec(
    schema="ml",
    name="price_sensitivity",
    columns=(
        Column("product_id", "bigint", nullable=False),
        Column("price_change_pct", "integer", nullable=False, description="-10, 0 or +10."),
        Column("unit_price", "numeric(12,2)", nullable=False, description="Scenario price, BRL."),
        Column("units_per_day", "double precision", nullable=False, description="Predicted units/day."),
        Column("revenue_per_day", "numeric(12,2)", nullable=False, description="units × price, BRL/day."),
        Column("units_change_pct", "double precision", description="Versus the 0 % scenario."),
        Column("elasticity", "double precision", description="Arc elasticity of units to price."),
        Column("as_of", "date", nullable=False, description="Last day of the features used."),
        Column("model_id", "text", nullable=False),
    ),
    primary_key=("product_id", "price_change_pct"),
    description="Price what-if per product: units and revenue a day at -10 %, 0 and +10 % price.",
)

REORDER_SUGGESTIONS = TableSpec(
    schema="ml",
    name="reorder_suggestions",
    columns=(
        Column("product_id", "bigint", nullable=False),
        Column("product_name", "text"),
        Column("as_of", "date", nullable=False, description="First forecast day (stock is counted then)."),
        Column("lead_time_days", "integer", nullable=False),
        Column("stock_on_hand", "integer", nullable=False, description="estoque_atual."),
        Column("forecast_demand_lead_time", "numeric(12,2)", nullable=False,
               description="Forecast units over the next lead_time_days."),
        Column("safety_stock", "numeric(12,2)", nullable=False,
               description="z(95 %) × forecast sd over the lead time."),
        Column("reorder_point", "numeric(12,2)", nullable=False, description="Lead-time demand + safety stock."),
        Column("suggested_qty", "integer", nullable=False, description="Units to order (0 = none needed)."),
        Column("suggested_order_date", "date", description="Order on or before; null = not within the horizon."),
        Column("days_of_cover", "integer", description="Days until stock runs out; null = beyond the horizon."),
        Column("order_cost", "numeric(12,2)", description="suggested_qty × unit_cost, BRL."),
        Column("model_id", "text"),
        Column("method", "text"),
    ),
    primary_key=("product_id",),
    description="Reorder suggestions for physical products: forecast over lead time + safety stock vs stock.",
)
