{#- Social activity per product and day: each post's daily activity counts for every product it mentions
    (a post about two products sends its audience to both; we do not split it). -#}
with posts as (
    select * from {{ ref('int_social_posts_daily') }}
),

product_posts as (
    select posts.*, linked.product_id
    from posts
    cross join lateral unnest(posts.product_ids) as linked (product_id)
)

select
    product_id,
    metric_date as date_day,
    count(*) as posts,
    sum(views) as views,
    sum(impressions) as impressions,
    sum(clicks) as clicks,
    sum(likes) as likes,
    sum(comments) as comments,
    sum(shares) as shares,
    sum(saves) as saves,
    sum(engagements) as engagements,
    max(followers) as max_followers
from product_posts
group by product_id, metric_date
