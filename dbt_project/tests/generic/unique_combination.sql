{% test unique_combination(model, columns) %}
{#- Combinations of `columns` that occur more than once: the grain of a model keyed by several columns. -#}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
