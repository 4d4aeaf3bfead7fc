-- The January 2023 archive (topic:mlops + topic:model-management) holds 1,044 search items for
-- exactly 1,007 distinct repositories. Applies only when that archive is loaded; when as_of is
-- at or after the archive, dim_repositories must describe all 1,007 from it.
with

items as (

    select count(*) as search_items
    from {{ ref('stg_github__repository_observations') }}
    where run_id = '{{ zimmerman_run_id() }}'

),

archive as (

    select count(distinct github_repository_id) as repositories, max(recorded_at) as recorded_at
    from {{ ref('stg_github__repositories') }}
    where run_id = '{{ zimmerman_run_id() }}'

),

described as (

    select count(*) as repositories
    from {{ ref('dim_repositories') }}
    where described_by_run_id = '{{ zimmerman_run_id() }}'

)

select
    items.search_items as archive_search_items,
    archive.repositories as archive_repositories,
    described.repositories as described_repositories
from archive
cross join items
cross join described
cross join {{ ref('int_as_of') }} as as_of
where
    archive.recorded_at is not null
    and (
        archive.repositories != {{ zimmerman_repositories() }}
        or items.search_items != {{ zimmerman_search_items() }}
        or (
            as_of.as_of_at >= archive.recorded_at
            and described.repositories != {{ zimmerman_repositories() }}
        )
    )
