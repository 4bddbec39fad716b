{#- The calendar: one row per day from calendar_start to calendar_end, with Brazilian national holidays.
    date_key is yyyymmdd (int), the key every fact uses. -#}
{{ config(indexes=[{'columns': ['date_day'], 'unique': true}]) }}

with days as (
    select day::date as date_day
    from generate_series(
        '{{ var("calendar_start") }}'::date, '{{ var("calendar_end") }}'::date, interval '1 day'
    ) as day
),

holidays as (
    select holiday_date, string_agg(holiday_name, ' / ' order by holiday_name) as holiday_name
    from {{ ref('br_holidays') }}
    group by holiday_date
)

select
    (extract(year from date_day) * 10000 + extract(month from date_day) * 100
        + extract(day from date_day))::int as date_key,
    date_day,
    extract(year from date_day)::int as year,
    extract(quarter from date_day)::int as quarter,
    extract(month from date_day)::int as month,
    date_trunc('month', date_day)::date as month_start,
    to_char(date_day, 'YYYY-MM') as year_month,
    date_trunc('week', date_day)::date as week_start,
    extract(isoyear from date_day)::int as iso_year,
    extract(week from date_day)::int as iso_week,
    extract(isodow from date_day)::int as iso_day_of_week,
    -- pt-BR names without relying on the server's lc_time.
    (array['segunda-feira', 'terça-feira', 'quarta-feira', 'quinta-feira', 'sexta-feira', 'sábado',
           'domingo'])[extract(isodow from date_day)::int] as day_name,
    (array['janeiro', 'fevereiro', 'março', 'abril', 'maio', 'junho', 'julho', 'agosto', 'setembro',
           'outubro', 'novembro', 'dezembro'])[extract(month from date_day)::int] as month_name,
    extract(isodow from date_day) in (6, 7) as is_weekend,
    holidays.holiday_date is not null as is_holiday_br,
    holidays.holiday_name,
    -- Black Friday: the Friday after the fourth Thursday of November (the sample's yearly spike).
    (extract(month from date_day) = 11 and extract(isodow from date_day) = 5
        and extract(day from date_day) between 23 and 29) as is_black_friday
from days
left join holidays on holidays.holiday_date = days.date_day
