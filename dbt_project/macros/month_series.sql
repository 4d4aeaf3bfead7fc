{#- One row per month from `first_month` to `last_month` (both first-of-month dates, inclusive),
    as a date column expression for a select list; no rows when first_month > last_month.
    DuckDB: unnest(generate_series(..., interval 1 month)). -#}
{% macro month_series(first_month, last_month) -%}
    cast(unnest(generate_series({{ first_month }}, {{ last_month }}, interval 1 month)) as date)
{%- endmacro %}
