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
        'github_details',
        'GitHub repository details (renames, deletions)',
        count(*)
    from {{ ref('stg_github__repository_details') }}
    union all
    select
        'github_releases',
        'GitHub releases',
        count(*)
    from {{ ref('stg_github__releases') }}
    union all
    select
        'github_contributors',
        'GitHub contributor lists',
        count(*)
    from {{ ref('stg_github__contributors') }}
    union all
    select
        'github_issues',
        'GitHub issues and pull requests',
        count(*)
    from {{ ref('stg_github__issues') }}
    union all
    select
        'github_star_history',
        'GitHub star histories',
        count(*)
    from {{ ref('stg_github__star_history') }}
    union all
    select
        'github_languages',
        'GitHub language breakdowns',
        count(*)
    from {{ ref('stg_github__languages') }}
    union all
    select
        'git_histories',
        'git histories (commit and tag records)',
        count(*)
    from {{ ref('stg_git__histories') }}
    where is_complete
    union all
    select
        'git_commits',
        'git commits',
        count(*)
    from {{ ref('stg_git__commits') }}

)

select
    data_source,
    description,
    row_count,
    row_count > 0 as is_loaded
from counts
