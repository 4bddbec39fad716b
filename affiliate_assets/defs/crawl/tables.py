"""Warehouse tables of the crawl domain: what to crawl, what was seen, and what went wrong.

- ``raw.crawl_targets``: the product pages to crawl, one row per (product, URL). Seeded from the catalogue
  (``source = 'seed'``, pointing at the bundled fixture shop) and editable by users: add a row with a real
  shop URL (``source = 'user'``), or set ``active = false`` to stop crawling a URL (do not delete seed rows:
  the seeding asset would add them back). The seeding asset never changes an existing row.
- ``raw.price_observations``: append-only price history, one row per (crawl, product, URL). A crawl never
  updates an earlier crawl's rows; re-loading the same crawl (a retried run) rewrites the same ids.
- ``raw.crawl_errors``: one row per (crawl, product, URL) that gave no observation, with the reason
  (``http_404``, ``http_500``, ``no_price``, ``blocked``, ``robots_disallowed``, ``timeout``, ``dns``, ...).

Prices are in the page's currency (``currency``, ISO 4217; BRL for ``R$``) as ``numeric(12,2)``.
"""

from affiliate_assets.lib.warehouse import Column, TableSpec

CRAWL_TARGETS = TableSpec(
    schema="raw",
    name="crawl_targets",
    columns=(
        Column("product_id", "bigint", nullable=False, description="Catalogue product id the page sells."),
        Column("url", "text", nullable=False, description="Product page URL as the shop publishes it."),
        Column("domain", "text", description="Host of the URL (lower case, no port); derived when null."),
        Column("active", "boolean default true", nullable=False, description="False = do not crawl."),
        Column("source", "text default 'user'", nullable=False,
               description="'seed' (added by raw/crawl_targets from the catalogue) or 'user'."),
        Column("added_at", "timestamptz default now()", nullable=False),
        Column("notes", "text", description="Free text for the people who edit the table."),
    ),
    primary_key=("product_id", "url"),
    indexes=(("active",),),
    description="Product pages the price crawl visits (active rows); seeded from the catalogue, user-editable.",
)

PRICE_OBSERVATIONS = TableSpec(
    schema="raw",
    name="price_observations",
    columns=(
        Column("observation_id", "text", nullable=False,
               description="Deterministic id: hash of (crawl_id, product_id, url)."),
        Column("crawl_id", "text", nullable=False, description="The crawl (Dagster run id) that saw it."),
        Column("product_id", "bigint", nullable=False),
        Column("url", "text", nullable=False, description="The target URL (as in raw.crawl_targets)."),
        Column("final_url", "text", description="URL after redirects, when it differs."),
        Column("domain", "text", nullable=False),
        Column("title", "text"),
        Column("price", "numeric(12,2)", nullable=False, description="Current (sale) price."),
        Column("old_price", "numeric(12,2)", description="List/'de' price when the page shows one."),
        Column("currency", "text", nullable=False, description="ISO 4217 code (BRL for R$)."),
        Column("installments", "integer", description="Number of installments offered (12 in '12x de')."),
        Column("installment_price", "numeric(12,2)", description="Price of one installment."),
        Column("installments_text", "text", description="The installment offer as written on the page."),
        Column("availability", "text",
               description="in_stock | out_of_stock | preorder | discontinued | limited | unknown."),
        Column("seller", "text"),
        Column("extraction_method", "text", nullable=False,
               description="json-ld | microdata | rdfa | opengraph | css:<domain> | heuristic."),
        Column("http_status", "integer", nullable=False),
        Column("fetched_at", "timestamptz", nullable=False),
    ),
    primary_key=("observation_id",),
    indexes=(("product_id", "fetched_at"), ("crawl_id",)),
    description="Competitor prices seen by the 8-hourly crawl; append-only history (one row per URL per crawl).",
)

CRAWL_ERRORS = TableSpec(
    schema="raw",
    name="crawl_errors",
    columns=(
        Column("error_id", "text", nullable=False,
               description="Deterministic id: hash of (crawl_id, product_id, url)."),
        Column("crawl_id", "text", nullable=False),
        Column("product_id", "bigint", nullable=False),
        Column("url", "text", nullable=False),
        Column("domain", "text", nullable=False),
        Column("http_status", "integer", description="Null when no HTTP answer came (timeout, DNS, robots)."),
        Column("reason", "text", nullable=False,
               description="http_<status> | no_price | blocked (captcha/bot wall) | robots_disallowed | timeout | "
                           "dns | connection | invalid_url | not_html | error"),
        Column("detail", "text", description="Human-readable detail (exception message, what was missing)."),
        Column("fetched_at", "timestamptz", nullable=False),
    ),
    primary_key=("error_id",),
    indexes=(("crawl_id",), ("product_id", "fetched_at")),
    description="Target pages a crawl could not price, with the reason; the crawl goes on past them.",
)
