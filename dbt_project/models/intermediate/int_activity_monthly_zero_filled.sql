{#- Monthly activity per repository from every source that measured it, zero-filled between
    the repository's first month (creation or first event) and the last observed month, never
    past as_of. Each measure is NULL in months its source did not observe:
    - commits, authors: a complete git history, up to the month of observed_until;
    - releases: GitHub releases when any were loaded for the repository (up to the month they
      were recorded), else git tags within the git window;
    - issues and pull requests: up to the month the issue list was recorded;
    - stars gained: star history up to its last day.
    A repository with no measured source has no rows. An API list with no rows for a
    repository is indistinguishable from one never fetched, so it counts as unmeasured. -#}
-- noqa: disable=RF02
-- (per-source CTEs read their one table's columns next to the one-row as_of)
with

as_of as (

    select * from {{ ref('int_as_of') }}

),

repositories as (

    select * from {{ ref('int_repositories_resolved') }}

),

described as (

    select
        repository_id,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as created_month
    from {{ ref('int_repositories_described') }}

),

names as (

    select * from {{ ref('int_repository_names') }}

),

commits_monthly as (

    select * from {{ ref('int_commits_aggregated_to_month') }}

),

tags as (

    select
        repositories.repository_id,
        cast({{ dbt.date_trunc('month', 'tags.tagged_at') }} as date) as activity_month
    from {{ ref('stg_git__tags') }} as tags
    inner join repositories
        on tags.git_repository = repositories.git_repository
    cross join as_of
    where repositories.has_git_history and tags.tagged_at <= as_of.as_of_at

),

releases as (

    select
        names.repository_id,
        releases.recorded_at,
        releases.is_draft,
        cast({{ dbt.date_trunc('month', 'releases.published_at') }} as date) as activity_month,
        releases.published_at
    from {{ ref('stg_github__releases') }} as releases
    inner join names
        on lower(releases.repository_full_name) = names.name_key

),

issues as (

    select
        names.repository_id,
        issues.*
    from {{ ref('stg_github__issues') }} as issues
    inner join names
        on lower(issues.repository_full_name) = names.name_key

),

stars as (

    select
        names.repository_id,
        stars.star_date,
        stars.stars_gained,
        stars.star_source
    from {{ ref('stg_github__star_history') }} as stars
    inner join names
        on lower(stars.repository_full_name) = names.name_key

),

-- when each source stops observing each repository (as a month), and its first event
windows as (

    select
        repository_id,
        'git' as activity_source,
        cast({{ dbt.date_trunc('month', 'git_observed_until') }} as date) as last_month,
        null as first_month
    from repositories
    where has_git_history

    union all

    select
        repository_id,
        'releases' as activity_source,
        cast({{ dbt.date_trunc('month', 'max(recorded_at)') }} as date) as last_month,
        min(activity_month) as first_month
    from releases
    group by repository_id

    union all

    select
        repository_id,
        'issues' as activity_source,
        cast({{ dbt.date_trunc('month', 'max(recorded_at)') }} as date) as last_month,
        cast({{ dbt.date_trunc('month', 'min(created_at)') }} as date) as first_month
    from issues
    group by repository_id

    union all

    select
        repository_id,
        'stars' as activity_source,
        cast({{ dbt.date_trunc('month', 'max(star_date)') }} as date) as last_month,
        cast({{ dbt.date_trunc('month', 'min(star_date)') }} as date) as first_month
    from stars
    where star_source = 'history'
    group by repository_id

    union all

    select
        repository_id,
        'git' as activity_source,
        null as last_month,
        min(activity_month) as first_month
    from commits_monthly
    group by repository_id

),

window_ends as (

    select
        repository_id,
        max(case when activity_source = 'git' then last_month end) as git_last_month,
        max(case when activity_source = 'releases' then last_month end) as releases_last_month,
        max(case when activity_source = 'issues' then last_month end) as issues_last_month,
        max(case when activity_source = 'stars' then last_month end) as stars_last_month,
        max(last_month) as last_month,
        min(first_month) as first_event_month
    from windows
    group by repository_id

),

spans as (

    select
        window_ends.*,
        least(
            coalesce(described.created_month, window_ends.first_event_month),
            coalesce(window_ends.first_event_month, described.created_month)
        ) as first_month,
        least(window_ends.last_month, as_of.as_of_month) as end_month
    from window_ends
    left join described
        on window_ends.repository_id = described.repository_id
    cross join as_of

),

-- one row per month of each span
spine as (

    select
        spans.*,
        {{ month_series('spans.first_month', 'spans.end_month') }} as activity_month
    from spans
    where spans.first_month <= spans.end_month

),

releases_monthly as (

    select
        repository_id,
        activity_month,
        count(*) as releases
    from releases
    cross join as_of
    where not coalesce(is_draft, false) and published_at <= as_of.as_of_at
    group by repository_id, activity_month

),

tags_monthly as (

    select
        repository_id,
        activity_month,
        count(*) as tags
    from tags
    group by repository_id, activity_month

),

issue_events as (

    select
        repository_id,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as activity_month,
        case when not is_pull_request then 1 else 0 end as issues_opened,
        0 as issues_closed,
        case when is_pull_request then 1 else 0 end as prs_opened,
        0 as prs_merged
    from issues
    cross join as_of
    where created_at <= as_of.as_of_at

    union all

    select
        repository_id,
        cast({{ dbt.date_trunc('month', 'closed_at') }} as date) as activity_month,
        0 as issues_opened,
        1 as issues_closed,
        0 as prs_opened,
        0 as prs_merged
    from issues
    cross join as_of
    where not is_pull_request and closed_at <= as_of.as_of_at

    union all

    select
        repository_id,
        cast({{ dbt.date_trunc('month', 'merged_at') }} as date) as activity_month,
        0 as issues_opened,
        0 as issues_closed,
        0 as prs_opened,
        1 as prs_merged
    from issues
    cross join as_of
    where is_pull_request and merged_at <= as_of.as_of_at

),

issues_monthly as (

    select
        repository_id,
        activity_month,
        sum(issues_opened) as issues_opened,
        sum(issues_closed) as issues_closed,
        sum(prs_opened) as prs_opened,
        sum(prs_merged) as prs_merged
    from issue_events
    group by repository_id, activity_month

),

stars_monthly as (

    select
        repository_id,
        cast({{ dbt.date_trunc('month', 'star_date') }} as date) as activity_month,
        sum(stars_gained) as stars_gained
    from stars
    cross join as_of
    where star_source = 'history' and star_date <= cast(as_of.as_of_at as date)
    group by repository_id, cast({{ dbt.date_trunc('month', 'star_date') }} as date)

),

filled as (

    select
        spine.repository_id,
        spine.activity_month,

        {{ zero_when_observed(
            'spine.activity_month <= spine.git_last_month',
            'commits_monthly.commits',
        ) }} as commits,
        {{ zero_when_observed(
            'spine.activity_month <= spine.git_last_month',
            'commits_monthly.active_authors',
        ) }} as active_authors,
        {{ zero_when_observed(
            'spine.activity_month <= spine.git_last_month',
            'commits_monthly.new_authors',
        ) }} as new_authors,

        case
            when spine.releases_last_month is not null
                then {{ zero_when_observed(
                    'spine.activity_month <= spine.releases_last_month',
                    'releases_monthly.releases',
                ) }}
            when spine.activity_month <= spine.git_last_month
                then coalesce(tags_monthly.tags, 0)
        end as releases,
        case
            when spine.releases_last_month is not null then 'github_releases'
            when spine.git_last_month is not null then 'git_tags'
        end as releases_source,

        {{ zero_when_observed(
            'spine.activity_month <= spine.issues_last_month',
            'issues_monthly.issues_opened',
        ) }} as issues_opened,
        {{ zero_when_observed(
            'spine.activity_month <= spine.issues_last_month',
            'issues_monthly.issues_closed',
        ) }} as issues_closed,
        {{ zero_when_observed(
            'spine.activity_month <= spine.issues_last_month',
            'issues_monthly.prs_opened',
        ) }} as prs_opened,
        {{ zero_when_observed(
            'spine.activity_month <= spine.issues_last_month',
            'issues_monthly.prs_merged',
        ) }} as prs_merged,

        {{ zero_when_observed(
            'spine.activity_month <= spine.stars_last_month',
            'stars_monthly.stars_gained',
        ) }} as stars_gained

    from spine
    left join commits_monthly
        on
            spine.repository_id = commits_monthly.repository_id
            and spine.activity_month = commits_monthly.activity_month
    left join releases_monthly
        on
            spine.repository_id = releases_monthly.repository_id
            and spine.activity_month = releases_monthly.activity_month
    left join tags_monthly
        on
            spine.repository_id = tags_monthly.repository_id
            and spine.activity_month = tags_monthly.activity_month
    left join issues_monthly
        on
            spine.repository_id = issues_monthly.repository_id
            and spine.activity_month = issues_monthly.activity_month
    left join stars_monthly
        on
            spine.repository_id = stars_monthly.repository_id
            and spine.activity_month = stars_monthly.activity_month

)

select * from filled
