"""Checks on ``raw/social_metrics``: what marts must be able to trust before joining posts to sales."""

import dagster as dg
from psycopg import sql

from affiliate_assets.defs.social.tables import COUNT_COLUMNS, PLATFORMS, SOCIAL_METRICS
from affiliate_assets.lib.warehouse import Warehouse

ASSET = dg.AssetKey(["raw", "social_metrics"])
TYPE_ALIASES = {"timestamptz": "timestamp with time zone"}  # declared name → what format_type() prints


@dg.asset_check(asset=ASSET, blocking=True,
                description="The table has the declared columns and types (marts select them by name).")
def social_metrics_schema(warehouse: Warehouse) -> dg.AssetCheckResult:
    found = dict(warehouse.fetchall(
        "select column_name, format_type(atttypid, atttypmod) from information_schema.columns c "
        "join pg_attribute a on a.attrelid = to_regclass('raw.social_metrics') and a.attname = c.column_name "
        "where c.table_schema = 'raw' and c.table_name = 'social_metrics'"))
    wanted = {c.name: TYPE_ALIASES.get(c.type, c.type) for c in SOCIAL_METRICS.columns}
    missing = sorted(set(wanted) - set(found))
    mistyped = sorted(c for c in wanted if c in found and found[c] != wanted[c])
    return dg.AssetCheckResult(passed=not missing and not mistyped,
                               metadata={"missing_columns": missing, "mistyped_columns": mistyped})


@dg.asset_check(asset=ASSET, blocking=True,
                description="Keys are present and platforms known; counts are non-negative; engagement rate is "
                            "within [0, 1]; no snapshot describes a post before it was published.")
def social_metrics_keys_and_ranges(warehouse: Warehouse) -> dg.AssetCheckResult:
    negative = sql.SQL(" or ").join(sql.SQL("{} < 0").format(sql.Identifier(c)) for c in COUNT_COLUMNS)
    query = sql.SQL("""
        select count(*),
               count(*) filter (where platform is null or post_id is null or metric_date is null
                                or account_id is null or posted_at is null),
               count(*) filter (where platform <> all(%s)),
               count(*) filter (where {negative}),
               count(*) filter (where engagement_rate < 0 or engagement_rate > 1),
               count(*) filter (where posted_at >= metric_date + 1),
               count(*) filter (where reach > views and platform = 'tiktok')
        from raw.social_metrics
    """).format(negative=negative)
    (rows, null_keys, bad_platform, negatives, bad_rate, before_post, _), = warehouse.fetchall(
        query, (list(PLATFORMS),))
    return dg.AssetCheckResult(
        passed=null_keys == 0 and bad_platform == 0 and negatives == 0 and bad_rate == 0 and before_post == 0,
        metadata={"rows": rows, "null_keys": null_keys, "unknown_platform": bad_platform,
                  "negative_counts": negatives, "engagement_rate_out_of_range": bad_rate,
                  "snapshot_before_publication": before_post},
    )


@dg.asset_check(asset=ASSET, blocking=False,
                description="Lifetime totals never go down from one day's snapshot to the next (a drop means the "
                            "platform re-counted or the wrong post was matched); warns only.")
def social_metrics_totals_monotonic(warehouse: Warehouse) -> dg.AssetCheckResult:
    (drops, pairs), = warehouse.fetchall("""
        select count(*) filter (where likes < prev_likes or views < prev_views), count(*)
        from (select likes, views,
                     lag(likes) over w as prev_likes, lag(views) over w as prev_views
              from raw.social_metrics window w as (partition by platform, post_id order by metric_date)) t
        where prev_likes is not null or prev_views is not null
    """)
    return dg.AssetCheckResult(passed=drops <= max(1, pairs // 100), severity=dg.AssetCheckSeverity.WARN,
                               metadata={"day_pairs": pairs, "decreases": drops})
