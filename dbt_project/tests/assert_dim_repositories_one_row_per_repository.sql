-- One row per repository: no repository key, GitHub id or current name (case-insensitively)
-- appears twice in dim_repositories.
select 'repository_id' as key_kind, repository_id as key_value from {{ ref('dim_repositories') }}
group by repository_id having count(*) > 1
union all
select 'github_repository_id', {{ dbt.cast("github_repository_id", dbt.type_string()) }} from {{ ref('dim_repositories') }}
where github_repository_id is not null
group by github_repository_id having count(*) > 1
union all
select 'full_name', lower(full_name) from {{ ref('dim_repositories') }}
group by lower(full_name) having count(*) > 1
