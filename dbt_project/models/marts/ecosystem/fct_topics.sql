{#- Topics of repositories observed by search: how many repositories carry each, their share of
    all search-observed repositories, and stars. -#}
with

repositories as (

    select * from {{ ref('dim_repositories') }}
    where not is_git_only and stars is not null

),

topic_members as (

    select
        repository_id,
        stars,
        {{ unnest_list('topics') }} as topic
    from repositories

),

topics as (

    select
        topic,
        count(distinct repository_id) as repositories,
        sum(stars) as stars,
        median(stars) as median_stars
    from topic_members
    group by topic

)

select
    topics.topic,
    cast(topics.repositories as {{ dbt.type_bigint() }}) as repositories,
    round(
        cast(topics.repositories as double) / (select count(*) from repositories), 4
    ) as repository_share,
    cast(topics.stars as {{ dbt.type_bigint() }}) as stars,
    topics.median_stars,
    rank() over (order by topics.repositories desc) as topic_rank
from topics
