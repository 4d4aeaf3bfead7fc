-- Counts, ages and ratios in the signals are never negative (star growth may be: unstarring).
select *
from {{ ref('fct_repository_signals') }}
where
    age_months < 0
    or months_since_last_push < 0
    or days_since_last_push < 0
    or months_since_last_commit < 0
    or commits_last_12m < 0
    or commits_prev_12m < 0
    or active_authors_last_12m < 0
    or active_authors_prev_12m < 0
    or contributor_absence_factor < 0
    or releases_last_12m < 0
    or issue_closure_ratio < 0
    or median_days_to_close < 0
    or stars < 0
    or forks < 0
    or contributor_absence_factor > active_authors_last_12m
