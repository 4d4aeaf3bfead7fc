{#- Issues change (they close, PRs merge): keep each issue's latest reading. Event times
    (created_at, closed_at, merged_at) are read against as_of downstream. -#}
with

source as (

    {{ source_or_empty('github', 'issues', {
        'repository_full_name': dbt.type_string(),
        'id': dbt.type_bigint(),
        'number': dbt.type_bigint(),
        'state': dbt.type_string(),
        'created_at': dbt.type_timestamp(),
        'updated_at': dbt.type_timestamp(),
        'closed_at': dbt.type_timestamp(),
        'is_pull_request': dbt.type_boolean(),
        'merged_at': dbt.type_timestamp(),
        'author_association': dbt.type_string(),
        'author_login': dbt.type_string(),
        'author_type': dbt.type_string(),
        'comments': dbt.type_bigint(),
        'run_id': dbt.type_string(),
        'recorded_at': dbt.type_timestamp(),
    }) }}

),

renamed as (

    select
        -- ids
        id as issue_id,
        run_id,

        -- strings
        repository_full_name,
        state as issue_state,
        author_association,
        author_login,
        author_type,

        -- numerics
        number as issue_number,
        comments,

        -- booleans
        is_pull_request,

        -- timestamps
        created_at::timestamp as created_at,
        updated_at::timestamp as updated_at,
        closed_at::timestamp as closed_at,
        merged_at::timestamp as merged_at,
        recorded_at::timestamp as recorded_at,

        row_number() over (partition by id order by recorded_at desc, run_id desc) as reading_rank

    from source

)

select
    issue_id,
    run_id,
    repository_full_name,
    issue_state,
    author_association,
    author_login,
    author_type,
    issue_number,
    comments,
    is_pull_request,
    created_at,
    updated_at,
    closed_at,
    merged_at,
    recorded_at
from renamed
where reading_rank = 1
