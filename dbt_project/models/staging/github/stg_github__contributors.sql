{#- Contributor counts are snapshots: one row per repository, contributor and run. -#}
with

source as (

    {{ source_or_empty('github', 'contributors', {
        'repository_full_name': dbt.type_string(),
        'contributor_key': dbt.type_string(),
        'login': dbt.type_string(),
        'is_anonymous': dbt.type_boolean(),
        'user_type': dbt.type_string(),
        'contributions': dbt.type_bigint(),
        'run_id': dbt.type_string(),
        'recorded_at': dbt.type_timestamp(),
    }) }}

),

renamed as (

    select
        -- ids
        {{ dbt.concat(["run_id", "':'", "lower(repository_full_name)", "':'", "contributor_key"]) }}
            as contributor_snapshot_id,
        run_id,
        contributor_key,

        -- strings
        repository_full_name,
        login as contributor_login,
        user_type,

        -- numerics
        contributions,

        -- booleans
        is_anonymous,
        coalesce(user_type = 'Bot', false) as is_bot,

        -- timestamps
        recorded_at::timestamp as recorded_at

    from source

)

select * from renamed
