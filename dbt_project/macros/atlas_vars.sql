{#- The one place the SQL models and tests read project vars (the ML models receive theirs as
    their `ml_settings` config, models/ml/_ml__models.yml). -#}

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

{#- The signals' activity windows, in months. Fixed, not a var: the columns are named for it
    (commits_last_12m, commits_prev_12m, ...), and a name must not lie. -#}
{% macro signal_window_months() -%}12{%- endmacro %}

{#- README text read per repository, in characters, before it is cleaned for modelling. -#}
{% macro readme_max_chars() -%}{{ var('readme_max_chars') }}{%- endmacro %}

{% macro recent_push_days() -%}{{ var('recent_push_days') }}{%- endmacro %}

{% macro ecosystem_topic_min_repositories() -%}{{ var('ecosystem_topic_min_repositories') }}{%- endmacro %}

{% macro cooccurrence_min_repositories() -%}{{ var('cooccurrence_min_repositories') }}{%- endmacro %}

{#- The archive the exact-count test checks, and the counts it must give. -#}
{% macro zimmerman_run_id() -%}{{ var('zimmerman_run_id') }}{%- endmacro %}

{% macro zimmerman_repositories() -%}{{ var('zimmerman_repositories') }}{%- endmacro %}

{% macro zimmerman_search_items() -%}{{ var('zimmerman_search_items') }}{%- endmacro %}
