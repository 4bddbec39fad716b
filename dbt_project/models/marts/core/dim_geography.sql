{#- Where buyers are: one row per country × state × city seen in sales, with the IBGE macro-region for
    Brazilian states ('Exterior' abroad, 'N/D' when the state is unknown). -#}
{{ config(indexes=[{'columns': ['geography_key'], 'unique': true}]) }}

with places as (
    select distinct country, state, city from {{ ref('int_sales_dimension_attributes') }}
),

states as (
    select * from {{ ref('br_states') }}
)

select
    {{ surrogate_key(['places.country', 'places.state', 'places.city']) }} as geography_key,
    places.country,
    places.state as state_code,
    coalesce(states.state_name, places.state) as state_name,
    places.city,
    case
        when places.country <> 'BR' then 'Exterior'
        else coalesce(states.region, 'N/D')
    end as region
from places
left join states on places.country = 'BR' and states.state_code = places.state
