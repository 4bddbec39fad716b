{#- The market price of each product per day it was crawled: the last price each competitor page showed
    that day, then the min and median across pages. Pages out of stock or discontinued do not set the market
    price; only BRL prices compare with ours. -#}
with prices as (
    select * from {{ ref('stg_crawl__prices') }}
    where currency = 'BRL' and availability not in ('out_of_stock', 'discontinued')
),

last_per_page as (
    select distinct on (product_id, url, fetched_on)
        product_id, url, domain, fetched_on, price, fetched_at
    from prices
    order by product_id, url, fetched_on, fetched_at desc
)

select
    product_id,
    fetched_on as date_day,
    min(price)::numeric(12, 2) as competitor_min_price,
    (percentile_cont(0.5) within group (order by price))::numeric(12, 2) as competitor_median_price,
    max(price)::numeric(12, 2) as competitor_max_price,
    count(*) as competitor_offers,
    count(distinct domain) as competitor_domains,
    max(fetched_at) as last_fetched_at
from last_per_page
group by product_id, fetched_on
