{#- Releases are events: a later run re-reads the same release, so keep its latest reading. -#}
with

source as (

    {{ source_or_empty('github', 'releases', {
        'repository_full_name': dbt.type_string(),
        'id': dbt.type_bigint(),
        'tag_name': dbt.type_string(),
        'name': dbt.type_string(),
        'published_at': dbt.type_timestamp(),
        'created_at': dbt.type_timestamp(),
        'is_prerelease': dbt.type_boolean(),
        'is_draft': dbt.type_boolean(),
        'run_id': dbt.type_string(),
        'recorded_at': dbt.type_timestamp(),
    }) }}

),

renamed as (

    select
        -- ids
        id as release_id,
        run_id,

        -- strings
        repository_full_name,
        tag_name,
        name as release_name,

        -- booleans
        is_prerelease,
        is_draft,

        -- timestamps
        published_at::timestamp as published_at,
        created_at::timestamp as created_at,
        recorded_at::timestamp as recorded_at,

        row_number() over (partition by id order by recorded_at desc, run_id desc) as reading_rank

    from source

)

select
    release_id,
    run_id,
    repository_full_name,
    tag_name,
    release_name,
    is_prerelease,
    is_draft,
    published_at,
    created_at,
    recorded_at
from renamed
where reading_rank = 1
