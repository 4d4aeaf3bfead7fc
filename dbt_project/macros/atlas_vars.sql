{#- The one place project vars are read and turned into SQL. -#}

{#- The as_of var as a SQL timestamp literal, or `null` when not given. -#}
{% macro as_of_literal() -%}
    {%- set value = var('as_of', none) -%}
    {%- if value is none or (value | string | trim) in ('', 'null', 'None', 'none') -%}
        cast(null as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast('{{ value | string | trim }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}

{% macro git_complete_statuses() -%}
    {%- for s in var('git_complete_statuses') -%}'{{ s }}'{{ ", " if not loop.last }}{%- endfor -%}
{%- endmacro %}

{#- Months from `start` to `finish` as a decimal (days / 30.4375, the mean Gregorian month),
    so recency and age are comparable across month lengths. -#}
{% macro months_between(start, finish) -%}
    round(cast({{ dbt.datediff(start, finish, 'day') }} as {{ dbt.type_float() }}) / 30.4375, 2)
{%- endmacro %}
