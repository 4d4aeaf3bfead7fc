{#- One row per repository and month, from its first month to its last observed month (never
    past as_of or the end of what its sources observed), zero-filled; NULL where a source did
    not observe the month. Only repositories in dim_repositories. -#}
with

activity as (

    select * from {{ ref('int_activity_monthly_zero_filled') }}

),

repositories as (

    select repository_id from {{ ref('dim_repositories') }}

)

select
    {{ dbt.concat(["activity.repository_id", "':'", dbt.cast("activity.activity_month", dbt.type_string())]) }}
        as repository_month_id,
    activity.repository_id,
    activity.activity_month as month,
    cast(activity.commits as {{ dbt.type_bigint() }}) as commits,
    cast(activity.active_authors as {{ dbt.type_bigint() }}) as active_authors,
    cast(activity.new_authors as {{ dbt.type_bigint() }}) as new_authors,
    cast(activity.releases as {{ dbt.type_bigint() }}) as releases,
    activity.releases_source,
    cast(activity.issues_opened as {{ dbt.type_bigint() }}) as issues_opened,
    cast(activity.issues_closed as {{ dbt.type_bigint() }}) as issues_closed,
    cast(activity.prs_opened as {{ dbt.type_bigint() }}) as prs_opened,
    cast(activity.prs_merged as {{ dbt.type_bigint() }}) as prs_merged,
    cast(activity.stars_gained as {{ dbt.type_bigint() }}) as stars_gained
from activity
inner join repositories
    on activity.repository_id = repositories.repository_id
