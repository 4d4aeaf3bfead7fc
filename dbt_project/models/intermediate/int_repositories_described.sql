{#- For each repository, the latest GitHub search observation recorded at or before as_of, with
    its topics. Attributes that change (stars, pushed_at, archived) are only ever read from here,
    so nothing observed after as_of leaks into the marts. -#}
with

as_of as (

    select as_of_at from {{ ref('int_as_of') }}

),

snapshots as (

    select * from {{ ref('stg_github__repositories') }}

),

topics as (

    select * from {{ ref('stg_github__repository_topics') }}

),

-- which observation of each repository is the latest by as_of (rank 1)
ranked as (

    select
        snapshots.observation_id,
        row_number() over (
            partition by snapshots.github_repository_id
            order by snapshots.recorded_at desc, snapshots.run_id desc
        ) as snapshot_rank
    from snapshots
    cross join as_of
    where snapshots.recorded_at <= as_of.as_of_at

),

latest as (

    select snapshots.*
    from snapshots
    inner join ranked
        on snapshots.observation_id = ranked.observation_id
    where ranked.snapshot_rank = 1

),

topic_lists as (

    select
        latest.observation_id,
        {{ ordered_list('topics.topic', 'topics.topic_position') }} as topics
    from latest
    inner join topics
        on latest.observation_id = topics.observation_id
    group by latest.observation_id

)

select
    {{ dbt.cast("latest.github_repository_id", dbt.type_string()) }} as repository_id,
    latest.*,
    coalesce(topic_lists.topics, {{ empty_list(dbt.type_string()) }}) as topics
from latest
left join topic_lists
    on latest.observation_id = topic_lists.observation_id
