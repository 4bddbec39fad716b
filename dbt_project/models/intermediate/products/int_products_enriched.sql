{#- Each known product with its latest market price (the last day the crawl priced it) and its social
    engagement: all-time and over the last 30 days with metrics. -#}
with products as (
    select * from {{ ref('int_products_resolved') }}
),

latest_market as (
    select distinct on (product_id) *
    from {{ ref('int_market_prices_daily') }}
    order by product_id, date_day desc
),

social as (
    select * from {{ ref('int_social_products_daily') }}
),

social_last_day as (
    select max(date_day) as last_day from social
),

engagement as (
    select
        social.product_id,
        sum(social.views) as social_views,
        sum(social.clicks) as social_clicks,
        sum(social.engagements) as social_engagements,
        sum(social.views) filter (where social.date_day > social_last_day.last_day - 30) as social_views_30d,
        sum(social.engagements) filter (where social.date_day > social_last_day.last_day - 30)
            as social_engagements_30d,
        max(social.date_day) as social_last_day
    from social
    cross join social_last_day
    group by social.product_id
)

select
    products.*,
    latest_market.date_day as market_price_date,
    latest_market.competitor_min_price,
    latest_market.competitor_median_price,
    latest_market.competitor_offers,
    coalesce(engagement.social_views, 0) as social_views,
    coalesce(engagement.social_clicks, 0) as social_clicks,
    coalesce(engagement.social_engagements, 0) as social_engagements,
    coalesce(engagement.social_views_30d, 0) as social_views_30d,
    coalesce(engagement.social_engagements_30d, 0) as social_engagements_30d,
    engagement.social_last_day
from products
left join latest_market using (product_id)
left join engagement using (product_id)
