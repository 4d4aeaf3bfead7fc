{#- The one place the SQL models and tests read project vars (the ML models receive theirs as
    their `ml_settings` config, models/ml/_ml__models.yml). -#}

{#- The as_of var as a SQL timestamp literal, or `null` when not given. The value is parsed
    here (YYYY-MM-DD, optionally with HH:MM[:SS]) and the literal is written from the parsed
    numbers, so no text given on the command line reaches the SQL; anything else stops the
    build at compile time with the value in the message. -#}
{% macro as_of_literal() -%}
    {%- set value = var('as_of', none) -%}
    {%- set text = value | string | trim -%}
    {%- if value is none or text in ('', 'null', 'None', 'none') or not execute -%}
        {#- at parse time (and under the linter) no value is needed: the literal's type is -#}
        cast(null as {{ dbt.type_timestamp() }})
    {%- else -%}
        {%- set m = modules.re.fullmatch('(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?', text) -%}
        {%- if m is none -%}
            {{ exceptions.raise_compiler_error("var as_of must be a date YYYY-MM-DD (optionally with HH:MM:SS), got '" ~ text ~ "'") }}
        {%- endif -%}
        {%- set parts = m.groups() | map('default', '0', true) | map('int') | list -%}
        {%- set first = modules.datetime.date(parts[0], parts[1], 1) if 1 <= parts[1] <= 12 else none -%}
        {%- set day = first + modules.datetime.timedelta(days=parts[2] - 1) if first is not none and parts[2] >= 1 else none -%}
        {%- if day is none or day.month != parts[1] or parts[3] > 23 or parts[4] > 59 or parts[5] > 59 -%}
            {{ exceptions.raise_compiler_error("var as_of is not a real date and time: '" ~ text ~ "'") }}
        {%- endif -%}
        cast('{{ "%04d-%02d-%02d %02d:%02d:%02d" | format(*parts) }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}

{% macro git_complete_statuses() -%}
    {%- for s in var('git_complete_statuses') -%}'{{ s }}'{{ ", " if not loop.last }}{%- endfor -%}
{%- endmacro %}

{#- Months from `start` to `finish` as a decimal (days / 30.4375, the mean Gregorian month),
    so recency and age are comparable across month lengths. -#}
{% macro months_between(start, finish) -%}
    round(cast({{ dbt.datediff(start, finish, 'day') }} as double) / 30.4375, 2)
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

{#- Distinct human authors an e-mail domain needs before the marts name it as an organisation. -#}
{% macro organisation_domain_min_authors() -%}{{ var('organisation_domain_min_authors') }}{%- endmacro %}
