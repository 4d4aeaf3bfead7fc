{#- Language bytes are snapshots: one row per repository, language and run. -#}
with

source as (

    {{ source_or_empty('github', 'languages', {
        'repository_full_name': dbt.type_string(),
        'language': dbt.type_string(),
        'bytes': dbt.type_bigint(),
        'run_id': dbt.type_string(),
        'recorded_at': dbt.type_timestamp(),
    }) }}

),

renamed as (

    select
        -- ids
        {{ dbt.concat(["run_id", "':'", "lower(repository_full_name)", "':'", "language"]) }}
            as language_snapshot_id,
        run_id,

        -- strings
        repository_full_name,
        language,

        -- numerics
        bytes as language_bytes,

        -- timestamps
        recorded_at::timestamp as recorded_at

    from source

)

select * from renamed
