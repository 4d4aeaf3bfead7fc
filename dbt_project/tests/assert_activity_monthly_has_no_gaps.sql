-- Each repository's monthly series is contiguous: as many rows as months between its first
-- and last month, and none after as_of.
with

series as (

    select
        repository_id,
        count(*) as months,
        min(month) as first_month,
        max(month) as last_month
    from {{ ref('fct_repository_activity_monthly') }}
    group by repository_id

)

select series.*
from series
cross join {{ ref('int_as_of') }} as as_of
where
    series.months != {{ dbt.datediff('series.first_month', 'series.last_month', 'month') }} + 1
    or series.last_month > as_of.as_of_month
