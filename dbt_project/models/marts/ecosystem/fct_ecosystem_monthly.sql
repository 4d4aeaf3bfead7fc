{#- The ecosystem month by month up to as_of, overall (`all`) and per topic (topics of at least
    ecosystem_topic_min_repositories repositories): repositories created, cumulative, and active.
    Active counts what the sources can show: a commit in the month in a complete git history, or
    the repository's last push (as of its search observation) falling in the month; a push that
    was later superseded is not visible, so activity of repositories without git history is
    undercounted for every month but their last. -#}
with

as_of as (

    select * from {{ ref('int_as_of') }}

),

repositories as (

    select * from {{ ref('dim_repositories') }}

),

topic_members as (

    select
        repository_id,
        {{ unnest_list('topics') }} as topic
    from repositories

),

kept_topics as (

    select topic
    from topic_members
    group by topic
    having count(*) >= {{ ecosystem_topic_min_repositories() }}

),

memberships as (

    select
        repository_id,
        'all' as topic
    from repositories

    union all

    select
        topic_members.repository_id,
        topic_members.topic
    from topic_members
    inner join kept_topics
        on topic_members.topic = kept_topics.topic

),

bounds as (

    select
        cast({{ dbt.date_trunc('month', 'min(repositories.created_at)') }} as date) as first_month,
        min(as_of.as_of_month) as last_month
    from repositories
    cross join as_of

),

-- one row per month
months as (

    select {{ month_series('first_month', 'last_month') }} as month
    from bounds
    where first_month is not null

),

topics as (

    select distinct topic from memberships

),

grid as (

    select
        topics.topic,
        months.month
    from topics
    cross join months

),

created as (

    select
        memberships.topic,
        cast({{ dbt.date_trunc('month', 'repositories.created_at') }} as date) as month,
        count(*) as repositories_created
    from memberships
    inner join repositories
        on memberships.repository_id = repositories.repository_id
    where repositories.created_at is not null
    group by memberships.topic, cast({{ dbt.date_trunc('month', 'repositories.created_at') }} as date)

),

events as (

    select
        repository_id,
        month,
        1 as is_committed,
        0 as is_last_pushed
    from {{ ref('fct_repository_activity_monthly') }}
    where commits > 0

    union all

    select
        repository_id,
        cast({{ dbt.date_trunc('month', 'pushed_at') }} as date) as month,
        0 as is_committed,
        1 as is_last_pushed
    from repositories
    where pushed_at is not null

),

active as (

    select
        memberships.topic,
        events.month,
        count(distinct case when events.is_committed = 1 then events.repository_id end)
            as repositories_committed,
        count(distinct case when events.is_last_pushed = 1 then events.repository_id end)
            as repositories_last_pushed,
        count(distinct events.repository_id) as active_repositories
    from events
    inner join memberships
        on events.repository_id = memberships.repository_id
    group by memberships.topic, events.month

),

final as (

    select
        {{ dbt.concat(["grid.topic", "':'", dbt.cast("grid.month", dbt.type_string())]) }} as topic_month_id,
        grid.topic,
        grid.month,
        cast(coalesce(created.repositories_created, 0) as {{ dbt.type_bigint() }}) as repositories_created,
        cast(
            sum(coalesce(created.repositories_created, 0)) over (
                partition by grid.topic order by grid.month rows between unbounded preceding and current row
            ) as {{ dbt.type_bigint() }}
        ) as cumulative_repositories,
        cast(coalesce(active.repositories_committed, 0) as {{ dbt.type_bigint() }}) as repositories_committed,
        cast(coalesce(active.repositories_last_pushed, 0) as {{ dbt.type_bigint() }})
            as repositories_last_pushed,
        cast(coalesce(active.active_repositories, 0) as {{ dbt.type_bigint() }}) as active_repositories
    from grid
    left join created
        on grid.topic = created.topic and grid.month = created.month
    left join active
        on grid.topic = active.topic and grid.month = active.month

)

select * from final
