{#- Our price against the market: the catalogue list price versus the latest crawled competitor min and
    median. price_index = our price / market median (1.00 = at the market). Position bands: more than 5 %
    below the median is 'abaixo do mercado', more than 5 % above is 'acima do mercado'. -#}
select
    dim.product_key,
    products.product_id,
    products.product_name,
    products.category,
    products.list_price,
    products.market_price_date,
    products.competitor_min_price,
    products.competitor_median_price,
    products.competitor_offers,
    round(products.list_price / nullif(products.competitor_median_price, 0), 4) as price_index,
    (products.list_price - products.competitor_min_price)::numeric(12, 2) as gap_to_min,
    products.list_price <= products.competitor_min_price as is_cheapest,
    case
        when products.list_price < products.competitor_median_price * 0.95 then 'abaixo do mercado'
        when products.list_price > products.competitor_median_price * 1.05 then 'acima do mercado'
        else 'no mercado'
    end as price_position
from {{ ref('int_products_enriched') }} as products
join {{ ref('dim_product') }} as dim on dim.product_id = products.product_id
where products.competitor_median_price is not null and products.list_price is not null
