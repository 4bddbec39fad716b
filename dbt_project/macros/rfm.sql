{#- RFM score 1-5 of `column` among all rows: 1 + floor(5 × (rank - 1) / (n - 1)), capped at 5. Ties share
    a score (rank, not row_number); `descending` scores small values highest (recency: fewer days = 5). -#}
{% macro rfm_score(column, descending=false) -%}
    least(5, 1 + (5 * (rank() over (order by {{ column }} {{ 'desc' if descending else 'asc' }}) - 1))
        / greatest(count(*) over () - 1, 1))::int
{%- endmacro %}

{#- The RFM segment of a score triple, first match wins (pt-BR names, the ones Brazilian CRM tools use). -#}
{% macro rfm_segment(r, f, m) -%}
    case
        when {{ r }} >= 4 and {{ f }} >= 4 and {{ m }} >= 4 then 'Campeões'
        when {{ r }} >= 3 and {{ f }} >= 4 then 'Clientes fiéis'
        when {{ r }} >= 4 and {{ f }} <= 1 then 'Novos clientes'
        when {{ r }} >= 4 then 'Promissores'
        when {{ r }} <= 2 and {{ f }} >= 3 then 'Em risco'
        when {{ r }} <= 1 and {{ f }} <= 2 then 'Perdidos'
        when {{ r }} <= 2 then 'Hibernando'
        else 'Precisam de atenção'
    end
{%- endmacro %}
