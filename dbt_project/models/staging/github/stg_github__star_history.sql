{#- One row per repository and day: a later run's reading of the same day wins. -#}
with

source as (

    {{ source_or_empty('github', 'star_history', {
        'repository_full_name': dbt.type_string(),
        'day': 'date',
        'stars_total': dbt.type_bigint(),
        'stars_gained': dbt.type_bigint(),
        'source': dbt.type_string(),
        'run_id': dbt.type_string(),
        'recorded_at': dbt.type_timestamp(),
    }) }}

),

renamed as (

    select
        -- ids
        {{ dbt.concat(["lower(repository_full_name)", "':'", dbt.cast("day", dbt.type_string())]) }}
            as star_day_id,
        run_id,

        -- strings
        repository_full_name,
        source as star_source,

        -- numerics
        stars_total,
        stars_gained,

        -- dates
        cast(day as date) as star_date,

        -- timestamps
        cast(recorded_at as timestamp) as recorded_at,

        row_number() over (
            partition by lower(repository_full_name), day
            order by recorded_at desc, run_id desc
        ) as reading_rank

    from source

)

select
    star_day_id,
    run_id,
    repository_full_name,
    star_source,
    stars_total,
    stars_gained,
    star_date,
    recorded_at
from renamed
where reading_rank = 1
