{#- Every lower-cased name a repository was seen under, to link API tables keyed by
    `owner/name` to the resolved repository. A name two repositories were seen under (GitHub
    lets a freed name be reused) goes to the one whose current name it is, else the first id. -#}
with

resolved as (

    select * from {{ ref('int_repositories_resolved') }}

),

names as (

    select
        repository_id,
        full_name,
        {{ unnest_list('name_keys') }} as name_key
    from resolved

),

ranked as (

    select
        *,
        row_number() over (
            partition by name_key
            order by case when lower(full_name) = name_key then 0 else 1 end, repository_id
        ) as claim_rank
    from names

)

select
    name_key,
    repository_id
from ranked
where claim_rank = 1
