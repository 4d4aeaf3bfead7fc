{#- Every engine difference of the SQL, in one file: each macro has a DuckDB body (the default
    engine) and a Spark body, chosen by adapter.dispatch. Which DuckDB construct maps to which
    macro is listed in dbt_project/README.md ("Portable SQL"); tests/dbt/test_portable_sql.py
    fails on a model or test that uses such a construct without its macro. -#}

{#- One row per month from `first_month` to `last_month` (both first-of-month dates, inclusive),
    as a date column expression for a select list; no rows when first_month > last_month (the
    callers filter those spans out first: Spark's sequence() rejects them). -#}
{% macro month_series(first_month, last_month) -%}
    {{ adapter.dispatch('month_series', 'mlops_atlas')(first_month, last_month) }}
{%- endmacro %}

{% macro default__month_series(first_month, last_month) -%}
    cast(unnest(generate_series({{ first_month }}, {{ last_month }}, interval 1 month)) as date)
{%- endmacro %}

{% macro spark__month_series(first_month, last_month) -%}
    explode(sequence(cast({{ first_month }} as date), cast({{ last_month }} as date), interval 1 month))
{%- endmacro %}

{#- One output row per element of a list column (a select-list expression; an empty or NULL
    list gives no row). -#}
{% macro unnest_list(list_expression) -%}
    {{ adapter.dispatch('unnest_list', 'mlops_atlas')(list_expression) }}
{%- endmacro %}

{% macro default__unnest_list(list_expression) -%}
    unnest({{ list_expression }})
{%- endmacro %}

{% macro spark__unnest_list(list_expression) -%}
    explode({{ list_expression }})
{%- endmacro %}

{#- Aggregate: the values of a group as a list ordered by `order_by` (NULL values kept), of the
    rows where `where` holds when given; NULL when no row qualifies. -#}
{% macro ordered_list(value, order_by, where=none) -%}
    {{ adapter.dispatch('ordered_list', 'mlops_atlas')(value, order_by, where) }}
{%- endmacro %}

{% macro default__ordered_list(value, order_by, where=none) -%}
    list({{ value }} order by {{ order_by }}){% if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}

{#- collect_list keeps no order: sort (key, value) pairs, then keep the values. -#}
{% macro spark__ordered_list(value, order_by, where=none) -%}
    {%- set pairs -%}
        array_sort(collect_list(struct({{ order_by }} as k, {{ value }} as v)){% if where %} filter (where {{ where }}){% endif %})
    {%- endset -%}
    case when size({{ pairs }}) > 0 then transform({{ pairs }}, e -> e.v) end
{%- endmacro %}

{#- An empty list of `element_type` (e.g. dbt.type_string()). -#}
{% macro empty_list(element_type) -%}
    {{ adapter.dispatch('empty_list', 'mlops_atlas')(element_type) }}
{%- endmacro %}

{% macro default__empty_list(element_type) -%}
    cast([] as {{ element_type }}[])
{%- endmacro %}

{% macro spark__empty_list(element_type) -%}
    cast(array() as array<{{ element_type }}>)
{%- endmacro %}

{#- dbt-spark's datediff and dateadd wrap their arguments in assert_not_null, so a NULL date
    (a repository never pushed, a git-only repository without a creation time) fails the whole
    query. These overrides of dbt's own spark__ implementations (found first: the root project
    wins dispatch) return NULL instead, and count boundaries as DuckDB's date_diff does. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif datepart == 'month' -%}
        ((year({{ second_date }}) - year({{ first_date }})) * 12 + month({{ second_date }}) - month({{ first_date }}))
    {%- elif datepart == 'second' -%}
        (unix_timestamp({{ second_date }}) - unix_timestamp({{ first_date }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error("datediff by " ~ datepart ~ " is not ported to Spark") }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- if datepart == 'day' -%}
        ({{ from_date_or_timestamp }} + make_interval(0, 0, 0, cast({{ interval }} as int)))
    {%- elif datepart == 'month' -%}
        ({{ from_date_or_timestamp }} + make_interval(0, cast({{ interval }} as int)))
    {%- else -%}
        {{ exceptions.raise_compiler_error("dateadd by " ~ datepart ~ " is not ported to Spark") }}
    {%- endif -%}
{%- endmacro %}

{#- Seeds on a Spark session: dbt-spark binds each value as '<value>' without escaping it, so a
    quote in the text breaks the insert and an empty cell arrives as the string 'None'. This
    override of dbt-spark's spark__load_csv_rows writes the values as escaped literals and NULL. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- set col_name = agate_table.column_names[loop.index0] -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- elif value is sameas true or value is sameas false -%}
                        cast({{ 'true' if value else 'false' }} as {{ type }})
                    {%- else -%}
                        cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}


{#- regexp_replace over every match: DuckDB's RE2 with the 'g' flag and \1 for a group; Spark's
    Java regex replaces every match, names a group $1, and unescapes backslashes in a literal
    (so each is doubled). `steps`: the (pattern, replacement) pairs of clean_readme_text. -#}
{% macro default__clean_readme_text(column, max_chars, steps) -%}
    {%- set ns = namespace(sql='left(coalesce(' ~ column ~ ", ''), " ~ max_chars ~ ')') -%}
    {%- for pattern, replacement in steps -%}
        {%- set ns.sql = 'regexp_replace(' ~ ns.sql ~ ", '" ~ pattern ~ "', '" ~ replacement ~ "', 'g')" -%}
    {%- endfor -%}
    trim({{ ns.sql }})
{%- endmacro %}

{% macro spark__clean_readme_text(column, max_chars, steps) -%}
    {%- set ns = namespace(sql='left(coalesce(' ~ column ~ ", ''), " ~ max_chars ~ ')') -%}
    {%- for pattern, replacement in steps -%}
        {%- set java_pattern = pattern | replace('\\', '\\\\') -%}
        {%- set java_replacement = modules.re.sub('\\\\(\\d)', '$\\1', replacement) -%}
        {%- set ns.sql = 'regexp_replace(' ~ ns.sql ~ ", '" ~ java_pattern ~ "', '" ~ java_replacement ~ "')" -%}
    {%- endfor -%}
    trim({{ ns.sql }})
{%- endmacro %}


{#- The distinct values of a group joined into one text, in order (NULL when none); `separator`
    is a SQL string literal ("', '"). DuckDB: string_agg(distinct ... order by ...); Spark:
    concat_ws over the sorted set. -#}
{% macro joined_distinct(value, separator) -%}
    {{ adapter.dispatch('joined_distinct', 'mlops_atlas')(value, separator) }}
{%- endmacro %}

{% macro default__joined_distinct(value, separator) -%}
    string_agg(distinct {{ value }}, {{ separator }} order by {{ value }})
{%- endmacro %}

{% macro spark__joined_distinct(value, separator) -%}
    nullif(concat_ws({{ separator }}, array_sort(collect_set({{ value }}))), '')
{%- endmacro %}
