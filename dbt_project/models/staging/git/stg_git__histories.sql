with

source as (

    select * from {{ source('git', 'histories') }}

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
