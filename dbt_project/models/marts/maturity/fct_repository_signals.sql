{#- One row per repository in dim_repositories: maturity signals measured as of as_of, from data
    observed at or before as_of only. NULL means "not measured", never "zero":
    - search signals (stars, forks, pushed_at, ...) come from the latest search observation at
      or before as_of (its time is dim_repositories.described_at);
    - a git window signal needs a complete git history whose observation reaches the end of the
      window: the last-12-months signals (and months_since_last_commit) need observed_until at
      or after as_of, the previous-12-months ones need it at or after the start of the last
      window. A history ending earlier would undercount, so those are NULL;
    - releases: GitHub releases when the list was recorded at or after as_of, else git tags
      when the git window covers as_of, else NULL;
    - issue signals need an issue list recorded at or after as_of; star growth needs a star
      history reaching as_of. -#}
with

as_of as (

    select * from {{ ref('int_as_of') }}

),

repositories as (

    select * from {{ ref('dim_repositories') }}

),

names as (

    select * from {{ ref('int_repository_names') }}

),

-- which window each commit falls in (all are at or before as_of)
commits as (

    select
        commits.repository_id,
        commits.author_id,
        commits.committed_at > as_of.window_start_at as is_in_last_window,
        commits.committed_at > as_of.previous_window_start_at
        and commits.committed_at <= as_of.window_start_at as is_in_previous_window
    from {{ ref('int_commits_scoped_to_as_of') }} as commits
    cross join as_of

),

absence as (

    select * from {{ ref('int_contributor_absence') }}

),

-- commits of a repository's history, up to as_of, that are counted for another repository
shared as (

    select
        attributed.repository_id,
        count(*) as shared_commits,
        {{ joined_distinct('owners.full_name', "', '") }} as shared_with
    from {{ ref('int_commits_attributed') }} as attributed
    inner join repositories as owners
        on attributed.counted_repository_id = owners.repository_id
    cross join as_of
    where not attributed.is_counted and attributed.committed_at <= as_of.as_of_at
    group by attributed.repository_id

),

git_windows as (

    select
        repositories.repository_id,
        repositories.has_git_history and repositories.git_observed_until >= as_of.as_of_at
            as is_last_window_observed,
        repositories.has_git_history and repositories.git_observed_until >= as_of.window_start_at
            as is_previous_window_observed
    from repositories
    cross join as_of

),

commit_windows as (

    select
        repository_id,
        sum(case when is_in_last_window then 1 else 0 end) as commits_last_window,
        sum(case when is_in_previous_window then 1 else 0 end) as commits_previous_window,
        count(distinct case when is_in_last_window then author_id end) as authors_last_window,
        count(distinct case when is_in_previous_window then author_id end) as authors_previous_window
    from commits
    group by repository_id

),

tags as (

    select
        repositories.repository_id,
        count(*) as tags_last_window
    from {{ ref('stg_git__tags') }} as tags
    inner join repositories
        on tags.git_repository = repositories.git_repository
    cross join as_of
    where tags.tagged_at > as_of.window_start_at and tags.tagged_at <= as_of.as_of_at
    group by repositories.repository_id

),

-- a list recorded at or after as_of is complete for the window
releases as (

    select
        names.repository_id,
        max(releases.recorded_at) >= as_of.as_of_at as is_list_observed,
        sum(
            case
                when
                    not coalesce(releases.is_draft, false)
                    and releases.published_at > as_of.window_start_at
                    and releases.published_at <= as_of.as_of_at
                    then 1
                else 0
            end
        ) as releases_last_window
    from {{ ref('stg_github__releases') }} as releases
    inner join names
        on lower(releases.repository_full_name) = names.name_key
    cross join as_of
    group by names.repository_id, as_of.as_of_at

),

-- which window events each issue has (pull requests count for neither)
issue_events as (

    select
        names.repository_id,
        issues.recorded_at,
        not issues.is_pull_request
        and issues.created_at > as_of.window_start_at
        and issues.created_at <= as_of.as_of_at as is_opened_in_window,
        not issues.is_pull_request
        and issues.closed_at > as_of.window_start_at
        and issues.closed_at <= as_of.as_of_at as is_closed_in_window,
        cast({{ dbt.datediff('issues.created_at', 'issues.closed_at', 'second') }} as double) / 86400 as days_to_close
    from {{ ref('stg_github__issues') }} as issues
    inner join names
        on lower(issues.repository_full_name) = names.name_key
    cross join as_of

),

issues as (

    select
        issue_events.repository_id,
        max(issue_events.recorded_at) >= as_of.as_of_at as is_list_observed,
        sum(case when issue_events.is_opened_in_window then 1 else 0 end) as issues_opened,
        sum(case when issue_events.is_closed_in_window then 1 else 0 end) as issues_closed,
        median(case when issue_events.is_closed_in_window then issue_events.days_to_close end)
            as median_days_to_close
    from issue_events
    cross join as_of
    group by issue_events.repository_id, as_of.as_of_at

),

stars as (

    select
        names.repository_id,
        stars.star_date,
        stars.stars_total
    from {{ ref('stg_github__star_history') }} as stars
    inner join names
        on lower(stars.repository_full_name) = names.name_key
    where stars.star_source = 'history'

),

star_growth as (

    select
        stars.repository_id,
        -- a star history is complete for the window when it reaches the day before as_of
        max(stars.star_date) >= cast({{ dbt.dateadd('day', -1, 'as_of.as_of_at') }} as date)
            as is_history_observed,
        max(case when stars.star_date <= cast(as_of.as_of_at as date) then stars.stars_total end)
            as stars_at_as_of,
        coalesce(
            max(case when stars.star_date <= cast(as_of.window_start_at as date) then stars.stars_total end),
            0
        ) as stars_at_window_start
    from stars
    cross join as_of
    group by stars.repository_id, as_of.as_of_at

),

signals as (

    select
        repositories.repository_id,
        as_of.as_of_at as as_of,

        -- age and recency (months are days / 30.4375)
        {{ months_between('repositories.created_at', 'as_of.as_of_at') }} as age_months,
        {{ months_between('repositories.pushed_at', 'as_of.as_of_at') }} as months_since_last_push,
        {{ dbt.datediff('repositories.pushed_at', 'as_of.as_of_at', 'day') }} as days_since_last_push,
        case
            when git_windows.is_last_window_observed
                then {{ months_between('repositories.last_commit_at', 'as_of.as_of_at') }}
        end as months_since_last_commit,

        -- git activity windows
        {{ zero_when_observed(
            'git_windows.is_last_window_observed',
            'commit_windows.commits_last_window',
        ) }} as commits_last_12m,
        {{ zero_when_observed(
            'git_windows.is_previous_window_observed',
            'commit_windows.commits_previous_window',
        ) }} as commits_prev_12m,
        {{ zero_when_observed(
            'git_windows.is_last_window_observed',
            'commit_windows.authors_last_window',
        ) }} as active_authors_last_12m,
        {{ zero_when_observed(
            'git_windows.is_previous_window_observed',
            'commit_windows.authors_previous_window',
        ) }} as active_authors_prev_12m,
        {{ zero_when_observed(
            'git_windows.is_last_window_observed',
            'absence.contributor_absence_factor',
        ) }} as contributor_absence_factor,

        -- shared history: commits counted for the repository named in shared_with instead
        case
            when repositories.has_git_history then coalesce(shared.shared_commits, 0)
        end as shared_commits,
        shared.shared_with,

        -- releases
        case
            when releases.is_list_observed then releases.releases_last_window
            when git_windows.is_last_window_observed then coalesce(tags.tags_last_window, 0)
        end as releases_last_12m,
        case
            when releases.is_list_observed then 'github_releases'
            when git_windows.is_last_window_observed then 'git_tags'
        end as releases_source,

        -- issues
        case
            when issues.is_list_observed and issues.issues_opened > 0
                then round(cast(issues.issues_closed as double) / issues.issues_opened, 4)
        end as issue_closure_ratio,
        case
            when issues.is_list_observed then round(issues.median_days_to_close, 2)
        end as median_days_to_close,

        -- popularity and facts from the search observation
        repositories.stars,
        case
            when star_growth.is_history_observed
                then star_growth.stars_at_as_of - star_growth.stars_at_window_start
        end as star_growth_last_12m,
        repositories.forks,
        repositories.has_license,
        repositories.is_org_owned,
        repositories.is_archived,
        repositories.pushed_at > as_of.recent_push_since_at as is_recently_pushed,

        -- which sources fed the row
        git_windows.is_last_window_observed as is_git_window_observed,
        repositories.described_at,
        {{ dbt.concat([
            "case when repositories.github_repository_id is not null and not repositories.is_git_only and repositories.stars is not null then 'search' else '' end",
            "case when git_windows.is_previous_window_observed then ',git' else '' end",
            "case when releases.is_list_observed then ',releases' else '' end",
            "case when issues.is_list_observed then ',issues' else '' end",
            "case when star_growth.is_history_observed then ',stars' else '' end",
        ]) }} as signal_sources_raw

    from repositories
    cross join as_of
    left join git_windows
        on repositories.repository_id = git_windows.repository_id
    left join commit_windows
        on repositories.repository_id = commit_windows.repository_id
    left join absence
        on repositories.repository_id = absence.repository_id
    left join shared
        on repositories.repository_id = shared.repository_id
    left join tags
        on repositories.repository_id = tags.repository_id
    left join releases
        on repositories.repository_id = releases.repository_id
    left join issues
        on repositories.repository_id = issues.repository_id
    left join star_growth
        on repositories.repository_id = star_growth.repository_id

)

select
    repository_id,
    as_of,
    age_months,
    months_since_last_push,
    months_since_last_commit,
    releases_source,
    issue_closure_ratio,
    median_days_to_close,
    stars,
    forks,
    has_license,
    is_org_owned,
    is_archived,
    is_recently_pushed,
    is_git_window_observed,
    described_at,
    shared_with,
    cast(days_since_last_push as {{ dbt.type_bigint() }}) as days_since_last_push,
    cast(commits_last_12m as {{ dbt.type_bigint() }}) as commits_last_12m,
    cast(commits_prev_12m as {{ dbt.type_bigint() }}) as commits_prev_12m,
    cast(active_authors_last_12m as {{ dbt.type_bigint() }}) as active_authors_last_12m,
    cast(active_authors_prev_12m as {{ dbt.type_bigint() }}) as active_authors_prev_12m,
    cast(contributor_absence_factor as {{ dbt.type_bigint() }}) as contributor_absence_factor,
    cast(shared_commits as {{ dbt.type_bigint() }}) as shared_commits,
    cast(releases_last_12m as {{ dbt.type_bigint() }}) as releases_last_12m,
    cast(star_growth_last_12m as {{ dbt.type_bigint() }}) as star_growth_last_12m,
    nullif(trim(leading ',' from signal_sources_raw), '') as signal_sources
from signals
