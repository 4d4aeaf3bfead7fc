{#- One README per repository, reduced to words for the text models (macro clean_readme_text, at
    most readme_max_chars characters read).
    A README row is linked to a repository through every name that repository was seen under
    (int_repository_names), by the name it was asked for or the name it was read under, so a
    renamed or git-only repository finds its text. Several answers for one repository: the
    latest recorded first, then a text over "no README", then the asked-for name over the
    read-under name. READMEs are read years after an archive's date (the mirror's at each
    snapshot's HEAD): they describe what a project is, not its state at as_of, so no as_of filter
    applies. Never shown in a report. -#}
with

readmes as (

    select * from {{ ref('stg_github__readmes') }}

),

names as (

    select * from {{ ref('int_repository_names') }}

),

matched as (

    select
        names.repository_id,
        readmes.*,
        1 as match_priority
    from readmes
    inner join names
        on lower(readmes.requested_full_name) = names.name_key

    union all

    select
        names.repository_id,
        readmes.*,
        2 as match_priority
    from readmes
    inner join names
        on lower(readmes.fetched_full_name) = names.name_key

),

ranked as (

    select
        *,
        row_number() over (
            partition by repository_id
            order by
                recorded_at desc nulls last,
                has_readme desc,
                match_priority asc,
                readme_source asc,
                requested_full_name asc
        ) as readme_rank
    from matched

),

cleaned as (

    select
        repository_id,
        readme_id,
        requested_full_name,
        fetched_full_name,
        readme_source,
        readme_status,
        readme_path,
        readme_bytes,
        has_readme,
        is_truncated,
        committed_at,
        recorded_at,
        case when has_readme then {{ clean_readme_text('readme_raw_text', readme_max_chars()) }} end as readme_text
    from ranked
    where readme_rank = 1

)

select
    *,
    coalesce(length(readme_text), 0) as readme_chars
from cleaned
