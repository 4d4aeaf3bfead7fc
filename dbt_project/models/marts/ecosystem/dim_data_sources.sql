{#- One row per source of raw data the warehouse can hold, with the rows this build found. Every
    source is optional (a load without git histories, activity or READMEs still builds); the
    reports read this table to say which data is absent, so a missing source is never read as
    zero activity. -#}
with

counts as (

    select
        'github_search' as data_source,
        'GitHub search observations' as description,
        count(*) as row_count
    from {{ ref('stg_github__repository_observations') }}
    union all
    select
        'github_details' as data_source,
        'GitHub repository details (renames, deletions)' as description,
        count(*) as row_count
    from {{ ref('stg_github__repository_details') }}
    union all
    select
        'github_releases' as data_source,
        'GitHub releases' as description,
        count(*) as row_count
    from {{ ref('stg_github__releases') }}
    union all
    select
        'github_contributors' as data_source,
        'GitHub contributor lists' as description,
        count(*) as row_count
    from {{ ref('stg_github__contributors') }}
    union all
    select
        'github_issues' as data_source,
        'GitHub issues and pull requests' as description,
        count(*) as row_count
    from {{ ref('stg_github__issues') }}
    union all
    select
        'github_star_history' as data_source,
        'GitHub star histories' as description,
        count(*) as row_count
    from {{ ref('stg_github__star_history') }}
    union all
    select
        'github_languages' as data_source,
        'GitHub language breakdowns' as description,
        count(*) as row_count
    from {{ ref('stg_github__languages') }}
    union all
    select
        'github_readmes' as data_source,
        'README texts' as description,
        count(*) as row_count
    from {{ ref('stg_github__readmes') }}
    where readme_raw_text is not null
    union all
    select
        'git_histories' as data_source,
        'git histories (commit and tag records)' as description,
        count(*) as row_count
    from {{ ref('stg_git__histories') }}
    where is_complete
    union all
    select
        'git_commits' as data_source,
        'git commits' as description,
        count(*) as row_count
    from {{ ref('stg_git__commits') }}

)

select
    data_source,
    description,
    row_count,
    row_count > 0 as is_loaded
from counts
