"""Warehouse tables of the social domain.

``raw.social_metrics`` holds one row per platform × post/video × day. The Instagram and Facebook Graph
APIs (and TikTok's video list) only answer *lifetime totals as of the moment you ask*; no endpoint says
what a post had on a past day. So a row is a **snapshot**: the lifetime totals read at ``observed_at``,
filed under ``metric_date`` = the UTC day that snapshot closes (a daily run reads yesterday's partition
shortly after midnight). Daily activity is the difference between consecutive snapshots of a post
(``lag()`` over ``metric_date`` in dbt); reach is unique accounts and is not additive, so only its
snapshot is meaningful. A live run never files today's totals under an old date: partitions older than
the observation grace are skipped and reported (see ``assets.py``).

Product links live on the row (``product_ids`` + ``product_matches``) rather than in a separate link
table: captions can be edited, and keeping the links with the dated snapshot keeps a partition re-run
idempotent with one ``replace_window`` load. ``product_matches`` says how each product was found
(``link`` > ``hashtag`` > ``name``) and with what score, for marts that want only confident links.
"""

from affiliate_assets.lib.warehouse import Column, TableSpec

PLATFORMS = ("instagram", "facebook", "tiktok")
MATCH_METHODS = ("link", "hashtag", "name")

COUNT_COLUMNS = ("impressions", "reach", "views", "likes", "comments", "shares", "saves", "clicks", "followers")

SOCIAL_METRICS = TableSpec(
    schema="raw",
    name="social_metrics",
    columns=(
        Column("platform", "text", nullable=False, description="instagram | facebook | tiktok"),
        Column("post_id", "text", nullable=False, description="The platform's media / post / video id."),
        Column("metric_date", "date", nullable=False,
               description="UTC day whose end the snapshot stands for (the partition)."),
        Column("account_id", "text", nullable=False, description="IG user id, Facebook page id or TikTok open_id."),
        Column("posted_at", "timestamptz", nullable=False, description="When the post was published (UTC)."),
        Column("caption", "text", description="Caption / message / video description as published (pt-BR)."),
        Column("permalink", "text", description="Public URL of the post."),
        Column("media_type", "text",
               description="IMAGE | VIDEO | CAROUSEL_ALBUM | REEL | STATUS | LINK | PHOTO (platform's own)."),
        Column("impressions", "bigint", description="Lifetime impressions; null where the API no longer gives "
                                                    "them (Instagram media since v22 report views instead)."),
        Column("reach", "bigint", description="Lifetime unique accounts reached (not additive across days)."),
        Column("views", "bigint", description="Lifetime video plays / views."),
        Column("likes", "bigint", description="Lifetime likes / reactions."),
        Column("comments", "bigint"),
        Column("shares", "bigint"),
        Column("saves", "bigint", description="Instagram saves; null elsewhere."),
        Column("clicks", "bigint", description="Lifetime link clicks where the API gives them (Facebook "
                                               "post_clicks_by_type link clicks); null elsewhere."),
        Column("followers", "bigint", description="Account followers at the snapshot (page fans on Facebook)."),
        Column("engagement_rate", "numeric(9,6)",
               description="(likes + comments + shares + saves) / reach, or / views when reach is unknown; "
                           "within [0, 1]."),
        Column("product_ids", "bigint[]", nullable=False,
               description="Catalogue products the post mentions (empty when none)."),
        Column("product_matches", "jsonb", nullable=False,
               description="[{product_id, method: link|hashtag|name, score 0-100, term}] per linked product."),
        Column("observed_at", "timestamptz", nullable=False, description="When the API was read."),
        Column("source_mode", "text", nullable=False, description="live | fake"),
    ),
    primary_key=("platform", "post_id", "metric_date"),
    indexes=(("metric_date",), ("platform", "account_id", "metric_date")),
    description="Daily lifetime-total snapshots of social posts (Instagram, Facebook, TikTok), linked to "
                "catalogue products.",
)
