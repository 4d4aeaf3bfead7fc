{#- README answers, one row per name asked for and source (`mirror`: the data mirror's file;
    `api`: GET /repos/{owner}/{repo}/readme): a text (`ok`) or GitHub's answer that the
    repository has none (`missing`). Texts stay raw and untrusted here; int_readmes_cleaned links
    them to repositories and reduces them to words. The table is absent until a README load ran. -#}
with

source as (

    {{ source_or_empty('github', 'readmes', {
        'repository_full_name': dbt.type_string(),
        'source': dbt.type_string(),
        'fetched_full_name': dbt.type_string(),
        'status': dbt.type_string(),
        'http_status': dbt.type_bigint(),
        'path': dbt.type_string(),
        'commit_sha': dbt.type_string(),
        'blob_sha': dbt.type_string(),
        'committed_at': dbt.type_timestamp(),
        'is_truncated': dbt.type_boolean(),
        'text': dbt.type_string(),
        'text_bytes': dbt.type_bigint(),
        'run_id': dbt.type_string(),
        'recorded_at': dbt.type_timestamp(),
    }) }}

),

renamed as (

    select
        -- ids
        {{ dbt.concat(["source", "':'", "repository_full_name"]) }} as readme_id,
        run_id,
        commit_sha,
        blob_sha,

        -- strings
        repository_full_name as requested_full_name,
        fetched_full_name,
        source as readme_source,
        status as readme_status,
        path as readme_path,
        text as readme_raw_text,

        -- numerics
        http_status,
        text_bytes as readme_bytes,

        -- booleans
        status = 'ok' as has_readme,
        coalesce(is_truncated, false) as is_truncated,

        -- timestamps
        committed_at::timestamp as committed_at,
        recorded_at::timestamp as recorded_at

    from source

)

select * from renamed
