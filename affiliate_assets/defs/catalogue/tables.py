"""Warehouse tables of the catalogue domain."""

from affiliate_assets.lib.warehouse import Column, TableSpec

PRODUCT_CATALOGUE = TableSpec(
    schema="raw",
    name="product_catalogue",
    columns=(
        Column("product_id", "bigint", nullable=False, description="Hotmart product id (or the shop's SKU id)."),
        Column("ucode", "text", description="Hotmart product ucode."),
        Column("name", "text", nullable=False),
        Column("category", "text", nullable=False, description="curso_online | ebook | mentoria | fisico"),
        Column("format", "text", description="Hotmart format: ONLINE_COURSE, EBOOK, MENTORSHIP, PHYSICAL."),
        Column("niche", "text"),
        Column("producer", "text"),
        Column("price", "numeric(12,2)", nullable=False, description="List price in BRL."),
        Column("commission_rate", "numeric(5,4)", nullable=False, description="Affiliate share of the price."),
        Column("temperature", "integer", description="Hotmart 'temperatura' (0-150)."),
        Column("rating", "numeric(2,1)"),
        Column("is_physical", "boolean", nullable=False),
        Column("unit_cost", "numeric(12,2)", description="Physical goods: purchase cost per unit, BRL."),
        Column("stock_on_hand", "integer", description="Physical goods: estoque_atual."),
        Column("lead_time_days", "integer", description="Physical goods: days from order to stock."),
        Column("hashtag", "text", description="Hashtag social posts use for the product."),
        Column("created_at", "date"),
        Column("launch_date", "date"),
    ),
    primary_key=("product_id",),
    description="The affiliate's product catalogue (bundled sample or CATALOGUE_FILE).",
)
