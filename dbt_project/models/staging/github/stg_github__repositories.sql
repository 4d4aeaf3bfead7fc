{#- One row per repository per run: a run can see a repository on several pages or queries
    (topic:mlops and topic:model-management, or pages that shift while paging). The latest
    observation in the run wins (recorded_at, then the later page, then the later query). -#}
with

source as (

    select * from {{ ref('stg_github__repository_observations') }}

),

renamed as (

    select
        -- ids
        {{ dbt.concat(["run_id", "':'", dbt.cast("github_repository_id", dbt.type_string())]) }}
            as repository_snapshot_id,
        observation_id,
        run_id,
        github_repository_id,
        owner_github_id,

        -- strings
        full_name,
        repository_name,
        owner_login,
        owner_type,
        description,
        homepage,
        language,
        license_key,
        license_spdx_id,
        default_branch,

        -- numerics
        stars,
        forks,
        open_issues,
        watchers,
        size_kb,

        -- booleans
        is_fork,
        is_archived,
        is_disabled,
        is_private,
        is_template,
        has_issues,
        has_wiki,
        has_pages,
        license_spdx_id is not null as has_license,
        owner_type = 'Organization' as is_org_owned,

        -- timestamps
        created_at,
        updated_at,
        pushed_at,
        recorded_at

    from source

),

-- which observation of a repository in a run is its latest (rank 1)
ranked as (

    select
        observation_id,
        row_number() over (
            partition by run_id, github_repository_id
            order by recorded_at desc, search_page desc, search_query desc, search_position desc
        ) as observation_rank
    from source

)

select renamed.*
from renamed
inner join ranked
    on renamed.observation_id = ranked.observation_id
where ranked.observation_rank = 1
