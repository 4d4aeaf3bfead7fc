{#- The as_of a build describes lies within its data: not before the first repository was
    created, not after the newest observation (GitHub search or the end of a git history).
    Outside, every mart would describe a time the data says nothing about. -#}
with

as_of as (

    select as_of_at from {{ ref('int_as_of') }}

),

bounds as (

    select
        (select min(created_at) from {{ ref('stg_github__repository_observations') }}) as github_first_at,
        (select min(committed_at) from {{ ref('stg_git__commits') }}) as git_first_at,
        (select max(recorded_at) from {{ ref('stg_github__repository_observations') }}) as github_last_at,
        (select max(observed_until) from {{ ref('stg_git__histories') }}) as git_last_at

)

select
    as_of.as_of_at,
    bounds.*
from as_of
cross join bounds
where
    as_of.as_of_at < coalesce(least(bounds.github_first_at, bounds.git_first_at), bounds.github_first_at, bounds.git_first_at)
    or as_of.as_of_at > coalesce(greatest(bounds.github_last_at, bounds.git_last_at), bounds.github_last_at, bounds.git_last_at)
