{#- Git histories are optional: without any loaded, this is empty but present. -#}
with

source as (

    {{ source_or_empty('git', 'histories', {
        'repository': dbt.type_string(),
        'requested_full_name': dbt.type_string(),
        'fetched_full_name': dbt.type_string(),
        'source': dbt.type_string(),
        'path': dbt.type_string(),
        'default_branch': dbt.type_string(),
        'observed_until': dbt.type_timestamp(),
        'commits': dbt.type_bigint(),
        'tags': dbt.type_bigint(),
        'status': dbt.type_string(),
        'message': dbt.type_string(),
        'loaded_at': dbt.type_timestamp(),
    }) }}

),

renamed as (

    select
        -- ids
        repository as git_repository,

        -- strings
        requested_full_name,
        fetched_full_name,
        source as history_source,
        path as history_path,
        default_branch,
        status as history_status,
        message as history_message,

        -- numerics
        commits as commits_total,
        tags as tags_total,

        -- booleans
        status in ({{ git_complete_statuses() }}) as is_complete,

        -- timestamps
        observed_until::timestamp as observed_until,
        loaded_at::timestamp as loaded_at

    from source

)

select * from renamed
