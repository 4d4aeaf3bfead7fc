{#- Primary languages (as GitHub's search reports them) of repositories observed by search, with
    counts and shares, plus code bytes from the languages API when loaded (NULL otherwise).
    language NULL is the row of repositories in which GitHub detected no language. -#}
with

as_of as (

    select * from {{ ref('int_as_of') }}

),

repositories as (

    select * from {{ ref('dim_repositories') }}
    where not is_git_only and stars is not null

),

names as (

    select * from {{ ref('int_repository_names') }}

),

language_rows as (

    select
        names.repository_id,
        languages.language,
        languages.language_bytes,
        languages.recorded_at,
        max(languages.recorded_at) over (partition by names.repository_id) as latest_recorded_at
    from {{ ref('stg_github__languages') }} as languages
    inner join names
        on lower(languages.repository_full_name) = names.name_key
    cross join as_of
    where languages.recorded_at <= as_of.as_of_at

),

bytes as (

    select
        language_rows.language,
        sum(language_rows.language_bytes) as code_bytes,
        count(distinct language_rows.repository_id) as repositories_using
    from language_rows
    inner join repositories
        on language_rows.repository_id = repositories.repository_id
    where language_rows.recorded_at = language_rows.latest_recorded_at
    group by language_rows.language

),

primary_languages as (

    select
        language,
        count(*) as repositories,
        sum(stars) as stars
    from repositories
    group by language

),

final as (

    select
        primary_languages.language,
        cast(primary_languages.repositories as {{ dbt.type_bigint() }}) as repositories,
        round(
            cast(primary_languages.repositories as double)
            / sum(primary_languages.repositories) over (),
            4
        ) as repository_share,
        cast(primary_languages.stars as {{ dbt.type_bigint() }}) as stars,
        cast(bytes.repositories_using as {{ dbt.type_bigint() }}) as repositories_using,
        cast(bytes.code_bytes as {{ dbt.type_bigint() }}) as code_bytes,
        rank() over (order by primary_languages.repositories desc) as language_rank
    from primary_languages
    left join bytes
        on primary_languages.language = bytes.language

)

select * from final
