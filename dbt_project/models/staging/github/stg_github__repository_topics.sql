with

source as (

    select * from {{ source('github', 'repository_observations__topics') }}

),

renamed as (

    select
        -- ids
        _dlt_id as repository_topic_id,
        _dlt_parent_id as observation_id,

        -- strings
        lower(value) as topic,

        -- numerics
        _dlt_list_idx as topic_position

    from source

)

select * from renamed
