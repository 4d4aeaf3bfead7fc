{#- One row per pair of repositories whose histories share at least one human author (a hashed
    e-mail with counted commits in both up to as_of), each pair once (repository_id below
    other_repository_id): the shared authors, in all and in the last 12 months, each side's
    authors and the Jaccard overlap. Shared commits count for one repository only, so a fork
    shares authors with its origin only where they committed to both on their own. -#}
with

authors as (

    select
        repository_id,
        author_id,
        is_active_last_12m
    from {{ ref('fct_repository_authors') }}
    where not is_bot

),

sizes as (

    select
        repository_id,
        count(*) as authors
    from authors
    group by repository_id

),

pairs as (

    select
        left_side.repository_id,
        right_side.repository_id as other_repository_id,
        count(*) as shared_authors,
        count(*) filter (
            where left_side.is_active_last_12m and right_side.is_active_last_12m
        ) as shared_authors_last_12m
    from authors as left_side
    inner join authors as right_side
        on
            left_side.author_id = right_side.author_id
            and left_side.repository_id < right_side.repository_id
    group by left_side.repository_id, right_side.repository_id

)

select
    -- ids
    {{ dbt.concat(["pairs.repository_id", "'|'", "pairs.other_repository_id"]) }} as repository_pair_id,
    pairs.repository_id,
    pairs.other_repository_id,

    -- numerics
    cast(pairs.shared_authors as {{ dbt.type_bigint() }}) as shared_authors,
    cast(pairs.shared_authors_last_12m as {{ dbt.type_bigint() }}) as shared_authors_last_12m,
    cast(left_sizes.authors as {{ dbt.type_bigint() }}) as authors,
    cast(right_sizes.authors as {{ dbt.type_bigint() }}) as other_authors,
    cast(pairs.shared_authors as double)
    / (left_sizes.authors + right_sizes.authors - pairs.shared_authors) as author_overlap
from pairs
inner join sizes as left_sizes
    on pairs.repository_id = left_sizes.repository_id
inner join sizes as right_sizes
    on pairs.other_repository_id = right_sizes.repository_id
