{#- Social post snapshots, one row per platform × post × metric_date (lifetime totals as of that day). -#}
with source as (
    select * from {{ source('social', 'social_metrics') }}
)

select
    platform || ':' || post_id || ':' || to_char(metric_date, 'YYYY-MM-DD') as snapshot_id,
    lower(platform) as platform,
    post_id,
    metric_date,
    account_id,
    posted_at,
    caption,
    permalink,
    upper(media_type) as media_type,
    impressions,
    reach,
    views,
    likes,
    comments,
    shares,
    saves,
    clicks,
    followers,
    engagement_rate::numeric(9, 6) as engagement_rate,
    coalesce(product_ids, '{}'::bigint[]) as product_ids,
    product_matches,
    observed_at,
    source_mode,
    loaded_at
from source
