{#- One row per repository across sources and renames.
    GitHub's numeric id is the identity: names seen for an id come from search observations,
    repository details (a `moved` answer links the requested old name to the new one) and the
    git histories linked to it. A git history is linked by its requested or fetched name,
    case-insensitively (GitHub names are case-insensitive), preferring the requested name.
    A history no GitHub id claims is kept as its own repository, `git:<lower name>`, flagged
    is_git_only. The current name is the latest name seen at or before as_of (else the earliest
    seen after it); every other name, older or newer, goes to
    other_full_names. -#}
with

as_of as (

    select as_of_at from {{ ref('int_as_of') }}

),

repositories as (

    select * from {{ ref('stg_github__repositories') }}

),

details as (

    select * from {{ ref('stg_github__repository_details') }}
    where github_repository_id is not null and detail_status in ('ok', 'moved')

),

histories as (

    select * from {{ ref('stg_git__histories') }}

),

github_names as (

    select
        github_repository_id,
        full_name,
        recorded_at as seen_at
    from repositories

    union all

    select
        github_repository_id,
        full_name,
        recorded_at as seen_at
    from details

    union all

    -- the name asked for before a redirect is older; when exactly it changed is unknown
    select
        github_repository_id,
        requested_full_name as full_name,
        null as seen_at
    from details
    where is_moved

),

github_name_keys as (

    select
        github_repository_id,
        lower(full_name) as name_key,
        max(seen_at) as last_seen_at
    from github_names
    group by github_repository_id, lower(full_name)

),

history_names as (

    select
        git_repository,
        lower(requested_full_name) as name_key,
        1 as match_priority
    from histories

    union all

    select
        git_repository,
        lower(fetched_full_name) as name_key,
        2 as match_priority
    from histories
    where fetched_full_name is not null

),

history_matches as (

    select
        history_names.git_repository,
        github_name_keys.github_repository_id,
        row_number() over (
            partition by history_names.git_repository
            order by
                history_names.match_priority asc,
                github_name_keys.last_seen_at desc nulls last,
                github_name_keys.github_repository_id asc
        ) as match_rank
    from history_names
    inner join github_name_keys
        on history_names.name_key = github_name_keys.name_key

),

histories_keyed as (

    select
        histories.*,
        coalesce(
            {{ dbt.cast("history_matches.github_repository_id", dbt.type_string()) }},
            {{ dbt.concat(["'git:'", "lower(coalesce(histories.fetched_full_name, histories.requested_full_name))"]) }}
        ) as repository_id,
        history_matches.github_repository_id
    from histories
    left join history_matches
        on
            histories.git_repository = history_matches.git_repository
            and history_matches.match_rank = 1

),

-- one history per repository: a complete one first, then the longest observation window
chosen_histories as (

    select
        *,
        row_number() over (
            partition by repository_id
            order by is_complete desc, observed_until desc nulls last, git_repository asc
        ) as history_rank
    from histories_keyed

),

all_names as (

    select
        {{ dbt.cast("github_repository_id", dbt.type_string()) }} as repository_id,
        full_name,
        seen_at
    from github_names

    union all

    select
        repository_id,
        requested_full_name as full_name,
        null as seen_at
    from histories_keyed

    union all

    select
        repository_id,
        fetched_full_name as full_name,
        observed_until as seen_at
    from histories_keyed
    where fetched_full_name is not null

),

name_keys as (

    select
        all_names.repository_id,
        lower(all_names.full_name) as name_key,
        -- the spelling of the latest sighting (names can change case)
        max_by(all_names.full_name, coalesce(all_names.seen_at, cast('1970-01-01' as timestamp)))
            as full_name,
        min(all_names.seen_at) as first_seen_at,
        max(case when all_names.seen_at <= as_of.as_of_at then all_names.seen_at end)
            as last_seen_by_as_of_at
    from all_names
    cross join as_of
    group by all_names.repository_id, lower(all_names.full_name)

),

names_ranked as (

    select
        *,
        row_number() over (
            partition by repository_id
            order by last_seen_by_as_of_at desc nulls last, first_seen_at asc nulls last, name_key asc
        ) as name_rank
    from name_keys

),

names as (

    select
        repository_id,
        max(case when name_rank = 1 then full_name end) as full_name,
        {{ ordered_list('full_name', 'name_rank', where='name_rank > 1') }} as other_full_names,
        {{ ordered_list('name_key', 'name_rank') }} as name_keys
    from names_ranked
    group by repository_id

),

github_repositories as (

    select
        github_repository_id,
        min(recorded_at) as first_observed_at
    from repositories
    group by github_repository_id

),

identities as (

    select
        {{ dbt.cast("github_repository_id", dbt.type_string()) }} as repository_id,
        github_repository_id,
        first_observed_at
    from github_repositories

    union

    select
        {{ dbt.cast("details.github_repository_id", dbt.type_string()) }} as repository_id,
        details.github_repository_id,
        null as first_observed_at
    from details
    where
        not exists (
            select 1 from github_repositories
            where github_repositories.github_repository_id = details.github_repository_id
        )

    union

    select
        repository_id,
        null as github_repository_id,
        null as first_observed_at
    from histories_keyed
    where github_repository_id is null

),

resolved as (

    select
        identities.repository_id,
        identities.github_repository_id,
        names.full_name,
        coalesce(names.other_full_names, {{ empty_list(dbt.type_string()) }}) as other_full_names,
        names.name_keys,
        chosen_histories.git_repository,
        chosen_histories.history_status,
        chosen_histories.observed_until as git_observed_until,
        coalesce(chosen_histories.is_complete, false) as has_git_history,
        identities.github_repository_id is null as is_git_only,
        identities.first_observed_at
    from identities
    left join names
        on identities.repository_id = names.repository_id
    left join chosen_histories
        on
            identities.repository_id = chosen_histories.repository_id
            and chosen_histories.history_rank = 1

)

select * from resolved
