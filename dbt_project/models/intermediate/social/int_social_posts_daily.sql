{#- Daily activity per post: the APIs only give lifetime totals, so a day's activity is this snapshot minus
    the previous one of the same post. A post's first snapshot counts whole (what it gathered before we first
    read it). Totals that shrink (a like taken back, a platform correction) count as zero, never negative. -#}
with snapshots as (
    select * from {{ ref('stg_social__metrics') }}
),

with_previous as (
    select
        snapshots.*,
        lag(views) over post_days as prev_views,
        lag(impressions) over post_days as prev_impressions,
        lag(likes) over post_days as prev_likes,
        lag(comments) over post_days as prev_comments,
        lag(shares) over post_days as prev_shares,
        lag(saves) over post_days as prev_saves,
        lag(clicks) over post_days as prev_clicks
    from snapshots
    window post_days as (partition by platform, post_id order by metric_date)
)

select
    snapshot_id,
    platform,
    post_id,
    metric_date,
    account_id,
    posted_at,
    product_ids,
    reach,
    followers,
    engagement_rate,
    greatest(coalesce(views, 0) - coalesce(prev_views, 0), 0) as views,
    greatest(coalesce(impressions, 0) - coalesce(prev_impressions, 0), 0) as impressions,
    greatest(coalesce(likes, 0) - coalesce(prev_likes, 0), 0) as likes,
    greatest(coalesce(comments, 0) - coalesce(prev_comments, 0), 0) as comments,
    greatest(coalesce(shares, 0) - coalesce(prev_shares, 0), 0) as shares,
    greatest(coalesce(saves, 0) - coalesce(prev_saves, 0), 0) as saves,
    greatest(coalesce(clicks, 0) - coalesce(prev_clicks, 0), 0) as clicks,
    greatest(coalesce(likes, 0) - coalesce(prev_likes, 0), 0)
        + greatest(coalesce(comments, 0) - coalesce(prev_comments, 0), 0)
        + greatest(coalesce(shares, 0) - coalesce(prev_shares, 0), 0)
        + greatest(coalesce(saves, 0) - coalesce(prev_saves, 0), 0) as engagements
from with_previous
