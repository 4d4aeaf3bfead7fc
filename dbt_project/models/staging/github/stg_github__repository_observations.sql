with

source as (

    select * from {{ source('github', 'repository_observations') }}

),

renamed as (

    select
        -- ids
        _dlt_id as observation_id,
        run_id,
        id as github_repository_id,
        owner__id as owner_github_id,

        -- strings
        query as search_query,
        search_topic,
        full_name,
        name as repository_name,
        owner__login as owner_login,
        owner__type as owner_type,
        description,
        nullif(trim(homepage), '') as homepage,
        language,
        license__key as license_key,
        license__spdx_id as license_spdx_id,
        default_branch,
        request_url,

        -- numerics
        page as search_page,
        position as search_position,
        stargazers_count as stars,
        forks_count as forks,
        open_issues_count as open_issues,
        watchers_count as watchers,
        size as size_kb,

        -- booleans
        fork as is_fork,
        archived as is_archived,
        disabled as is_disabled,
        private as is_private,
        is_template,
        has_issues,
        has_wiki,
        has_pages,

        -- timestamps
        created_at::timestamp as created_at,
        updated_at::timestamp as updated_at,
        pushed_at::timestamp as pushed_at,
        recorded_at::timestamp as recorded_at

    from source

)

select * from renamed
