{#- Licenses of repositories observed by search: SPDX id, counts and shares. license_spdx_id NULL
    is the row of repositories without a detected license; `NOASSERTION` a license file GitHub
    could not identify. -#}
with

repositories as (

    select * from {{ ref('dim_repositories') }}
    where not is_git_only and stars is not null

),

licenses as (

    select
        license_spdx_id,
        count(*) as repositories,
        sum(stars) as stars
    from repositories
    group by license_spdx_id

)

select
    license_spdx_id,
    license_spdx_id is not null as has_license,
    cast(repositories as {{ dbt.type_bigint() }}) as repositories,
    round(cast(repositories as double) / sum(repositories) over (), 4) as repository_share,
    cast(stars as {{ dbt.type_bigint() }}) as stars,
    rank() over (order by repositories desc) as license_rank
from licenses
