{#- The single instant every mart describes, and the windows derived from it. The as_of var
    wins; without it, the latest GitHub observation in the loaded archives; in a warehouse with
    git histories only, the latest end of a complete git observation window. -#}
with

github_observed as (

    select max(recorded_at) as latest_at
    from {{ ref('stg_github__repository_observations') }}

),

git_observed as (

    select max(observed_until) as latest_at
    from {{ ref('stg_git__histories') }}
    where is_complete

),

chosen as (

    select
        {{ as_of_literal() }} as given_at,
        github_observed.latest_at as github_latest_at,
        git_observed.latest_at as git_latest_at
    from github_observed
    cross join git_observed

),

as_of as (

    select
        coalesce(given_at, github_latest_at, git_latest_at) as as_of_at,
        given_at is not null as is_given
    from chosen

)

select
    as_of_at,
    is_given,
    cast({{ dbt.date_trunc('month', 'as_of_at') }} as date) as as_of_month,
    {{ dbt.dateadd('month', '-' ~ signal_window_months(), 'as_of_at') }} as window_start_at,
    {{ dbt.dateadd('month', '-' ~ (2 * (signal_window_months() | int)), 'as_of_at') }} as previous_window_start_at,
    {{ dbt.dateadd('day', '-' ~ recent_push_days(), 'as_of_at') }} as recent_push_since_at
from as_of
