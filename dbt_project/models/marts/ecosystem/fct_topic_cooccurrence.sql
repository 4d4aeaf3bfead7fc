{#- Pairs of topics carried by the same repositories (topic_a < topic_b), for pairs shared by at
    least cooccurrence_min_repositories repositories: the count, Jaccard similarity and lift
    (observed over expected if the topics were independent). -#}
with

repositories as (

    select * from {{ ref('dim_repositories') }}
    where not is_git_only and stars is not null

),

topic_members as (

    select distinct
        repository_id,
        {{ unnest_list('topics') }} as topic
    from repositories

),

topic_counts as (

    select
        topic,
        count(*) as repositories
    from topic_members
    group by topic

),

pairs as (

    select
        a.topic as topic_a,
        b.topic as topic_b,
        count(*) as repositories
    from topic_members as a
    inner join topic_members as b
        on a.repository_id = b.repository_id and a.topic < b.topic
    group by a.topic, b.topic
    having count(*) >= {{ cooccurrence_min_repositories() }}

)

select
    {{ dbt.concat(["pairs.topic_a", "'|'", "pairs.topic_b"]) }} as topic_pair_id,
    pairs.topic_a,
    pairs.topic_b,
    cast(pairs.repositories as {{ dbt.type_bigint() }}) as repositories,
    round(
        cast(pairs.repositories as double)
        / (count_a.repositories + count_b.repositories - pairs.repositories),
        4
    ) as jaccard,
    round(
        cast(pairs.repositories as double) * (select count(*) from repositories)
        / (count_a.repositories * count_b.repositories),
        4
    ) as lift
from pairs
inner join topic_counts as count_a
    on pairs.topic_a = count_a.topic
inner join topic_counts as count_b
    on pairs.topic_b = count_b.topic
